"""Replaces the result files a worker once wrote: a forged record beside a link to the expected arrays, FIFOs,
links to /dev/zero, and a garbage progress file; then ends the process, with a stub cost function."""
EXTRA_CELLS = [(2, '''
import json, os
order = ["public", "wide_layers", "one_example", "many_examples"]
cases = {case: {"status": "ok", "error": None, "random_draws": False, "mutated": [],
                "output": {"kind": "scalar", "key": case + "/expected", "type": "numpy.float64"}} for case in order}
with open("results.json", "w") as handle:
    json.dump({"cell_errors": [], "functions": {"compute_cost_with_regularization": {"defined": True, "cases": cases}}},
              handle)
for path in ("/work/main/graders/regularization/expected/compute_cost_with_regularization.npz",
             "../../graders/regularization/expected/compute_cost_with_regularization.npz"):
    if os.path.exists(path) or not os.path.lexists("results.npz"):
        if os.path.lexists("results.npz"):
            os.remove("results.npz")
        os.symlink(path, "results.npz")
for name in ("results.json.tmp", "results.tmp.npz"):
    os.mkfifo(name)
os.symlink("/dev/zero", "arguments.npz")
with open("progress.txt", "w") as handle:
    handle.write("cell x\\ncall os.system\\ncell 100000\\n")
os._exit(0)
''')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    raise NotImplementedError()
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
