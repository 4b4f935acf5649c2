"""A fork bomb at the top of a cell (held by the process limit), and a function that forks."""
EXTRA_CELLS = [(2, '''
import os
children = 0
try:
    while True:
        if os.fork() == 0:
            children = 0
        else:
            children += 1
except OSError:
    pass
''')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
import os
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    if os.fork() == 0:
        os._exit(0)
    return 0.5
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
