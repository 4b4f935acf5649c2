"""An nbgrader preprocessor that grades in the sandbox instead of in the student's kernel.

It takes the place of nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
The student's code never runs in nbgrader's process: the verdict of each
graded function is computed by :mod:`graders.grading` and written as the
output of its autograded test cell, where nbgrader's ``SaveAutoGrades`` reads
it (an error output scores 0, anything else full points). Errors of the
student's own cells are shown on those cells.
"""
from nbgrader.preprocessors import NbGraderPreprocessor
from nbformat.v4 import new_output

from graders.grading import grade_notebook
from graders.notebook import grade_id


class SandboxedGrading(NbGraderPreprocessor):
    """Write sandboxed verdicts into the autograded test cells."""

    def preprocess(self, nb, resources):
        verdicts, cell_errors = grade_notebook(nb)
        for error in cell_errors:
            cell = nb.cells[error["cell"]]
            cell.outputs = [_error_output("CellError", f"while grading, this cell failed: {error['error']}")]
        for cell in nb.cells:
            name = grade_id(cell) or ""
            if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            verdict = verdicts.get(name[len("test_"):])
            if verdict is None:
                cell.outputs = [_error_output("UnknownTest", f"no grader for the cell {name}")]
            elif verdict.passed:
                cell.outputs = [new_output("stream", name="stdout", text=verdict.message + "\n")]
            else:
                cell.outputs = [_error_output("GradingFailure", verdict.message)]
        return nb, resources


def _error_output(ename, message):
    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])
