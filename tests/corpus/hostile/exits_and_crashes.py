"""sys.exit in a cell, os._exit inside a graded function, a syntax error in one solution cell."""
EXTRA_CELLS = [(2, "import sys\nsys.exit(0)"), (3, "import os, signal\nif False:\n    os.kill(os.getpid(), signal.SIGKILL)")]
SOLUTIONS = {
    "backward_propagation_with_dropout": '''
import os
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    os._exit(3)
''',
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd)
    return 0
''',
}
EXPECTED_SCORES = {"backward_propagation_with_dropout": 0, "compute_cost_with_regularization": 0}
