"""Check a notebook before submitting it: the visible tests, then the public checks.

1. The notebook runs in a fresh Jupyter kernel, from its own folder, without
   the training cells: every definition cell and every visible test cell.
   Errors are reported per cell.
2. The four functions are graded on the public cases only, by the same
   sandboxed grader and with the same wording as the autograder. Nothing
   about the hidden cases is revealed.

Exit status 0 when every public check passes, 1 otherwise, 2 when the file
cannot be read. Usage: ``python -m graders.validate NOTEBOOK``
"""
import argparse
import copy
import os
import sys
import tempfile

from graders.grading import grade_notebook
from graders.intake import UnreadableSubmission, read_notebook
from graders.notebook import GRADED_FUNCTIONS, grade_id
from graders.sandbox import copy_student_files

PUBLIC_CASES = ("public",)


def run_visible_tests(notebook, timeout=120):
    """Execute the notebook without its training cells in a fresh kernel; return ``[(label, error)]``.

    The kernel runs in a temporary folder holding the files students have beside the notebook.
    """
    with tempfile.TemporaryDirectory(prefix="validate-") as folder:
        copy_student_files(folder)
        return _execute(notebook, folder, timeout)


def _execute(notebook, folder, timeout):
    from nbclient import NotebookClient
    from traitlets.config import Config

    runnable = copy.deepcopy(notebook)
    runnable.cells = [cell for cell in runnable.cells
                      if not (grade_id(cell) or "").startswith(("run_", "test_"))]
    # local sockets in the temporary folder: no TCP port is opened for the student's kernel
    sockets = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(folder, "kernel")}})
    client = NotebookClient(runnable, config=sockets, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": folder}})
    client.execute()
    failures = []
    for cell in runnable.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                failures.append((grade_id(cell) or "your cell", f"{output['ename']}: {output['evalue']}"))
    return failures


def validate(path):
    """Print the report for the notebook at ``path``; return the exit status."""
    try:
        notebook = read_notebook(path)
    except UnreadableSubmission as problem:
        print(f"{path}: {problem}")
        return 2
    print(f"Validating {path}")
    print("Visible tests (fresh kernel, training cells skipped):")
    failures = run_visible_tests(notebook)
    for label, error in failures:
        print(f"  error in {label}: {error}")
    if not failures:
        print("  every cell ran without error")
    print("Public checks (the autograder's checks and wording, on the public cases only):")
    verdicts, _ = grade_notebook(notebook, case_ids=PUBLIC_CASES)
    for name in GRADED_FUNCTIONS:
        verdict = verdicts[name]
        print(f"  {'PASS' if verdict.passed else 'FAIL'}  {name}" + ("" if verdict.passed else f": {verdict.message}"))
    passed = all(v.passed for v in verdicts.values())
    print("All public checks pass. Hidden cases are checked when the notebook is graded." if passed
          else "Fix the failures above before submitting.")
    return 0 if passed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    args = parser.parse_args(argv)
    sys.exit(validate(args.notebook))


if __name__ == "__main__":
    main()
