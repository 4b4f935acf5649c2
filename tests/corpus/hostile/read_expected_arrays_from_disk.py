"""Tries to read the graders' expected arrays and the source notebook from disk, and to exec the solution."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
import glob, json, os
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    for pattern in ("/work/main/graders/regularization/expected/*.npz", "../../graders/regularization/expected/*.npz", "../../../graders/regularization/expected/*.npz",
                    "/work/main/source/regularization/Regularization.ipynb", "../../source/regularization/*.ipynb"):
        for path in glob.glob(pattern):
            if path.endswith(".ipynb"):
                cells = json.load(open(path))["cells"]
                namespace = dict(globals())
                for cell in cells:
                    source = "".join(cell["source"])
                    if "def compute_cost_with_regularization" in source:
                        exec(source, namespace)
                        return namespace["compute_cost_with_regularization"](A3, Y, parameters, lambd)
            data = np.load(path, allow_pickle=True)
            for key in data.files:
                if key.endswith("expected"):
                    return float(data[key])
    return 0.0
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
