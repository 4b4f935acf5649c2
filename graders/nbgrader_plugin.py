"""An nbgrader preprocessor that grades in the sandbox instead of in the student's kernel.

It takes the place of nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
The student's code never runs in nbgrader's process: the verdict of each
graded function is computed by :mod:`graders.grading` and written as the
output of its autograded test cell, where nbgrader's ``SaveAutoGrades`` reads
it (an error output scores 0, anything else full points). Errors of the
student's own cells are shown on those cells and kept in their metadata, for
the summary of the feedback page. The hidden part of each test cell is
removed from the autograded notebook, which feedback is made from.
"""
import dataclasses
import json
import os
import re

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from nbformat.v4 import new_output

from graders.batch import cached_grade
from graders.grading import Verdict
from graders.faults import fault_point
from graders.intake import INTAKE_KEY, write_record_marker
from graders.notebook import GRADED_FUNCTIONS, ROOT, grade_id
from graders.reports import CELL_ERROR_KEY, VERDICT_KEY

HIDDEN_TESTS = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", re.S)


class SandboxedGrading(NbGraderPreprocessor):
    """Write sandboxed verdicts into the autograded test cells."""

    def preprocess(self, nb, resources):
        fault_point("recording")
        unreadable = nb.metadata.get(INTAKE_KEY, {}).get("unreadable")
        if unreadable:
            verdicts = {name: Verdict(name, False, "readable", f"your submission could not be graded: {unreadable}")
                        for name in GRADED_FUNCTIONS}
            cell_errors = []
        else:
            verdicts, cell_errors = cached_grade(nb)
        for error in cell_errors:
            cell = nb.cells[error["cell"]]
            message = encodable(error["error"])
            cell.metadata[CELL_ERROR_KEY] = message
            cell.outputs = [_error_output("CellError", f"while grading, this cell failed: {message}")]
        for cell in nb.cells:
            name = grade_id(cell) or ""
            if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            cell.source = HIDDEN_TESTS.sub("", cell.source)
            cell.execution_count = None
            verdict = verdicts.get(name[len("test_"):])
            verdict = verdict and dataclasses.replace(verdict, message=encodable(verdict.message))
            if verdict is not None:
                cell.metadata[VERDICT_KEY] = {"passed": verdict.passed, "check": verdict.check,
                                              "diagnosis": verdict.diagnosis, "property": verdict.property,
                                              "message": verdict.message}
            if verdict is None:
                cell.outputs = [_error_output("UnknownTest", f"no grader for the cell {name}")]
            elif verdict.passed:
                cell.outputs = [new_output("stream", name="stdout", text=verdict.message + "\n")]
            else:
                cell.outputs = [_error_output("GradingFailure", verdict.message)]
        return nb, resources


class OverwriteReleasedCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, silent about the hidden tests the release itself left out.

    Stock nbgrader warns that the checksum of every test cell with hidden tests "has changed",
    for every student; here a warning means the student really edited a locked cell.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        source = self._test_source(cell)
        if source is not None and cell.source == HIDDEN_TESTS.sub("", source):
            cell.source = source
        return super().preprocess_cell(cell, resources, cell_index)

    def _test_source(self, cell):
        """The gradebook's source of an autograded test cell (hidden tests included); None for other cells."""
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            return None
        try:
            return self.gradebook.find_source_cell(grade_id(cell), self.notebook_id, self.assignment_id).source
        except MissingEntry:
            return None


def encodable(text):
    """``text`` with what UTF-8 cannot encode (a lone surrogate a student's exception carried) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error_output(ename, message):
    return new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def mark_recorded(assignment, student, notebooks):
    """nbgrader's post-convert hook: mark each student just recorded as recorded, with their intake digest.

    nbgrader calls it once a student's grades are committed and their autograded notebook is written (before
    that, the autograded folder already holds the sanitized notebook, so that notebook proves nothing). A run
    killed before the mark leaves the student unmarked, and the next ``make autograde`` records them again.
    ``notebooks`` are the intake notebooks of one student; ``student`` is nbgrader's pattern, not an id.
    """
    for path in notebooks:
        with open(path, encoding="utf-8") as handle:
            intake = json.load(handle)["metadata"][INTAKE_KEY]
        student_id = os.path.basename(os.path.dirname(os.path.dirname(path)))
        write_record_marker(os.path.join(ROOT, "autograded", student_id, assignment), intake["digest"],
                            intake.get("source"))
    fault_point("recorded")
