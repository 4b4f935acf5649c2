"""Fills its working folder until it is full (192 MB at most), and one function returns arrays far too large
to report: that function scores 0, the others their points."""
EXTRA_CELLS = [(2, '''
import os
block = b"0" * (16 << 20)
try:
    for index in range(12):
        with open(f"filler-{index}", "wb") as handle:
            handle.write(block)
except OSError as error:
    print("the folder is full:", type(error).__name__)
''')]
SOLUTIONS = {
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    names = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
    return {name: np.ones((1500, 1500)) for name in names}
''',
}
EXPECTED_SCORES = {"backward_propagation_with_dropout": 0}
