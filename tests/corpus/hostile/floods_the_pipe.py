"""Sends 80 MB of well-formed progress steps on the grader's pipe, over its cap: every function scores 0."""
EXTRA_CELLS = [(2, '''
import json, os, struct, sys
try:
    with open(os.path.join(os.path.dirname(sys.argv[0]), "job.json")) as handle:
        pipe = json.load(handle)["result_fd"]
except (OSError, ValueError, KeyError):
    pipe = None
if pipe is not None:
    block = (b"P" + struct.pack("<Q", 6) + b"cell 2") * 70000
    for _ in range(80):
        os.write(pipe, block)
''')]
SOLUTIONS = {}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0, "backward_propagation_with_regularization": 0,
                   "forward_propagation_with_dropout": 0, "backward_propagation_with_dropout": 0}
