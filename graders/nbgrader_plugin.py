"""nbgrader preprocessors that grade in the sandbox instead of in the student's kernel, one job each.

In ``Autograde.autograde_preprocessors`` they take the place of nbgrader's ``Execute``, in this order:

1. :class:`GradeInSandbox`: the verdict of each graded function (:mod:`graders.grading`, run in the sandbox, or
   the intake's reason why the file could not be read) and the errors of the student's cells, into
   ``resources["grader"]``. The student's code never runs in nbgrader's process, which takes the verdicts from
   the cache as they were checked when made, without loading the grader's judges.
2. :class:`ShowCellErrors`: each cell that failed while grading gets its error as its output and in its
   metadata, for the summary of the feedback page.
3. :class:`ClearHiddenTestsOfGradeCells`: nbgrader's ``ClearHiddenTests``, on the autograded test cells only
   (their source is the release's, restored by :class:`OverwriteReleasedCells`): feedback is made from the
   autograded notebook and never shows the hidden line.
4. :class:`WriteVerdicts`: each autograded test cell's output is its verdict, where nbgrader's
   ``SaveAutoGrades`` reads it (an error output scores 0, anything else full points), and its metadata keeps it
   for the reports.

Two of nbgrader's own preprocessors are replaced by subclasses doing the same job with fewer database round
trips: :class:`OverwriteReleasedCells` (in ``Autograde.sanitize_preprocessors``, for ``OverwriteCells``) reads
the released notebook's cells once per notebook, and :class:`SaveAutoGradesAtOnce` (for ``SaveAutoGrades``)
commits a notebook's grades and comments together.
"""
import functools
import json
import os

from nbgrader.api import (Assignment, BaseCell, Comment, Grade, GradeCell, Gradebook, MissingEntry, Notebook,
                          Student, SubmittedAssignment, SubmittedNotebook, TaskCell)
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells, SaveAutoGrades
from nbgrader.utils import is_grade
from nbformat.v4 import new_output
from sqlalchemy.orm import with_polymorphic

from graders.batch import cached_or_graded_record
from graders.faults import fault_point
from graders.intake import INTAKE_KEY, write_record_marker
from graders.notebook import GRADED_FUNCTIONS, ROOT, grade_id
from graders.reports import CELL_ERROR_KEY, VERDICT_KEY

# resources[RESOURCES_KEY]: {"verdicts": {function: the fields of its graders.grading.Verdict}, "cell_errors": [...]}
RESOURCES_KEY = "grader"
# The check an unreadable submission fails (one of graders.ladder.CHECK_NAMES).
UNREADABLE_CHECK = "readable"
# How many released test cells' sources, without their hidden tests, the recording process keeps.
RELEASED_SOURCES_KEPT = 256


class GradeInSandbox(NbGraderPreprocessor):
    """Grade the notebook in the sandbox (or take the intake's reason it is unreadable) into ``resources``."""

    def preprocess(self, nb, resources):
        fault_point("recording")
        unreadable = nb.metadata.get(INTAKE_KEY, {}).get("unreadable")
        if unreadable:
            reason = f"your submission could not be graded: {unreadable}"
            verdicts = {name: failed_verdict(name, UNREADABLE_CHECK, reason) for name in GRADED_FUNCTIONS}
            cell_errors = []
        else:
            record = cached_or_graded_record(nb)
            verdicts, cell_errors = record["verdicts"], record["cell_errors"]
        resources[RESOURCES_KEY] = {"verdicts": verdicts, "cell_errors": cell_errors}
        return nb, resources


def failed_verdict(function, check, message):
    """The fields of the :class:`graders.grading.Verdict` of ``function`` failing ``check`` with ``message``."""
    return {"function": function, "passed": False, "check": check, "message": message, "diagnosis": None,
            "property": None}


class ShowCellErrors(NbGraderPreprocessor):
    """Show the error of each cell that failed while grading on that cell, and keep it in its metadata."""

    def preprocess(self, nb, resources):
        for error in resources[RESOURCES_KEY]["cell_errors"]:
            cell = nb.cells[error["cell"]]
            message = encodable(error["error"])
            cell.metadata[CELL_ERROR_KEY] = message
            cell.outputs = [_error_output("CellError", f"while grading, this cell failed: {message}")]
        return nb, resources


class ClearHiddenTestsOfGradeCells(ClearHiddenTests):
    """nbgrader's ``ClearHiddenTests`` on the autograded test cells alone.

    Other cells are the student's: text that looks like a hidden-test marker there is left as it is, and never
    stops the recording of the notebook.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and is_grade(cell):
            return super().preprocess_cell(cell, resources, cell_index)
        return cell, resources


class WriteVerdicts(NbGraderPreprocessor):
    """Write each graded function's verdict as the output of its autograded test cell, and into its metadata."""

    def preprocess(self, nb, resources):
        verdicts = resources[RESOURCES_KEY]["verdicts"]
        for cell in nb.cells:
            if cell.cell_type != "code" or not is_grade(cell):
                continue
            name = grade_id(cell) or ""
            cell.execution_count = None
            verdict = verdicts.get(name[len("test_"):])
            if verdict is None:
                cell.outputs = [_error_output("UnknownTest", f"no grader for the cell {name}")]
                continue
            message = encodable(verdict["message"])
            cell.metadata[VERDICT_KEY] = {"passed": verdict["passed"], "check": verdict["check"],
                                          "diagnosis": verdict["diagnosis"], "property": verdict["property"],
                                          "message": message}
            if verdict["passed"]:
                cell.outputs = [new_output("stream", name="stdout", text=message + "\n")]
            else:
                cell.outputs = [_error_output("GradingFailure", message)]
        return nb, resources


class OverwriteReleasedCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, silent about the hidden tests the release itself left out.

    Stock nbgrader warns that the checksum of every test cell with hidden tests "has changed",
    for every student; here a warning means the student really edited a locked cell. The released notebook's
    cells are read from the gradebook once per notebook (:class:`ReleasedCells`), not two or three queries
    per cell.
    """

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        with Gradebook(self.db_url) as gradebook:
            self.gradebook = ReleasedCells(gradebook, self.notebook_id, self.assignment_id)
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        source = self._test_source(cell)
        if source is not None and cell.source == _without_hidden_tests(source):
            cell.source = source
        return super().preprocess_cell(cell, resources, cell_index)

    def _test_source(self, cell):
        """The gradebook's source of an autograded test cell (hidden tests included); None for other cells."""
        if cell.cell_type != "code" or not is_grade(cell):
            return None
        try:
            return self.gradebook.find_source_cell(grade_id(cell), self.notebook_id, self.assignment_id).source
        except MissingEntry:
            return None


class ReleasedCells:
    """A gradebook whose lookups of one released notebook's source and graded cells come from one read of them.

    ``find_source_cell`` and ``find_graded_cell`` of that notebook answer as :class:`nbgrader.api.Gradebook`'s
    do (the same objects, ``MissingEntry`` for a name it lacks, a grade cell before a task cell of the same
    name); everything else is the gradebook's own.

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
    notebook, assignment : str
        The released notebook's name and its assignment's.
    """

    def __init__(self, gradebook, notebook, assignment):
        self._gradebook, self._notebook = gradebook, (notebook, assignment)
        try:
            released = gradebook.find_notebook(notebook, assignment)
        except MissingEntry:
            self._source = self._graded = {}
            return
        self._source = {cell.name: cell for cell in released.source_cells}
        graded = _graded_cells(gradebook, released)
        self._graded = {cell.name: cell for cell_class in (TaskCell, GradeCell) for cell in graded
                        if isinstance(cell, cell_class)}

    def find_source_cell(self, name, notebook, assignment):
        return self._find(self._source, "find_source_cell", name, notebook, assignment)

    def find_graded_cell(self, name, notebook, assignment):
        return self._find(self._graded, "find_graded_cell", name, notebook, assignment)

    def _find(self, cells, lookup, name, notebook, assignment):
        if (notebook, assignment) != self._notebook:
            return getattr(self._gradebook, lookup)(name, notebook, assignment)
        if name not in cells:
            raise MissingEntry(f"No such cell: {assignment}/{notebook}/{name}")
        return cells[name]

    def __getattr__(self, name):
        return getattr(self._gradebook, name)


def _graded_cells(gradebook, released):
    """The grade and task cells of the released notebook ``released`` (and its other cells), read with their own
    columns in one statement: the notebook's ``grade_cells`` would leave each one's ``max_score`` to a statement of
    its own."""
    cells = with_polymorphic(BaseCell, [GradeCell, TaskCell])
    return gradebook.db.query(cells).filter(cells.notebook_id == released.id).all()


class SaveAutoGradesAtOnce(SaveAutoGrades):
    """nbgrader's ``SaveAutoGrades``, committing a notebook's grades and comments in one transaction.

    Stock nbgrader commits after each grade and each comment; here the same rows get the same values and are
    committed together once the notebook's last cell is done: a run stopped in between leaves none of them. The
    student's grades and comments in the notebook are read once (:class:`SubmittedGrades`), not one query per cell.
    """

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        with Gradebook(self.db_url) as gradebook:
            submitted = SubmittedGrades(gradebook, self.notebook_id, self.assignment_id, self.student_id)
            self.gradebook = CommitLater(submitted)
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            gradebook.db.commit()
        return nb, resources


class SubmittedGrades:
    """A gradebook whose lookups of one student's grades and comments in one submitted notebook come from one read
    of each.

    ``find_grade`` and ``find_comment`` of that notebook answer as :class:`nbgrader.api.Gradebook`'s do (the same
    objects, the grade of a grade cell before that of a task cell of the same name, the comment of a solution cell
    before that of a task cell); a name it lacks, and another notebook's lookups, are the gradebook's own, as is
    everything else.

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
    notebook, assignment, student : str
        The submitted notebook's name, its assignment's and the student's id.
    """

    def __init__(self, gradebook, notebook, assignment, student):
        self._gradebook, self._submission = gradebook, (notebook, assignment, student)
        self._grades = _by_cell_name(_rows_of_submitted_notebook(gradebook, Grade, notebook, assignment, student),
                                     ("GradeCell", "TaskCell"))
        self._comments = _by_cell_name(_rows_of_submitted_notebook(gradebook, Comment, notebook, assignment, student),
                                       ("SolutionCell", "TaskCell"))

    def find_grade(self, name, notebook, assignment, student):
        return self._find(self._grades, "find_grade", name, notebook, assignment, student)

    def find_comment(self, name, notebook, assignment, student):
        return self._find(self._comments, "find_comment", name, notebook, assignment, student)

    def _find(self, rows, lookup, name, notebook, assignment, student):
        if (notebook, assignment, student) == self._submission and name in rows:
            return rows[name]
        return getattr(self._gradebook, lookup)(name, notebook, assignment, student)

    def __getattr__(self, name):
        return getattr(self._gradebook, name)


def _rows_of_submitted_notebook(gradebook, row_class, notebook, assignment, student):
    """``(row, cell name, cell type)`` of every ``row_class`` (``Grade`` or ``Comment``) of a student's submitted
    notebook, joined as ``Gradebook.find_grade`` joins them."""
    return (gradebook.db.query(row_class, BaseCell.name, BaseCell.type)
            .join(BaseCell, BaseCell.id == row_class.cell_id)
            .join(SubmittedNotebook, SubmittedNotebook.id == row_class.notebook_id)
            .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
            .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .join(Student, Student.id == SubmittedAssignment.student_id)
            .filter(Notebook.name == notebook, Assignment.name == assignment, Student.id == student)
            .all())


def _by_cell_name(rows, cell_types):
    """``{cell name: row}`` of the rows whose cell has one of ``cell_types``, the first type of a name winning (a
    notebook holds one cell of each type and name)."""
    by_name = {}
    for cell_type in reversed(cell_types):
        by_name.update({name: row for row, name, row_cell_type in rows if row_cell_type == cell_type})
    return by_name


class CommitLater:
    """A gradebook whose session's ``commit`` does nothing: the caller commits the whole once, which flushes every
    change together (a query in between flushes them first, as the session always does).

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
    """

    def __init__(self, gradebook):
        self._gradebook = gradebook
        self.db = _CommittedByCaller(gradebook.db)

    def __getattr__(self, name):
        return getattr(self._gradebook, name)


class _CommittedByCaller:
    def __init__(self, session):
        self._session = session

    def commit(self):
        """Left to the caller."""

    def __getattr__(self, name):
        return getattr(self._session, name)


@functools.lru_cache(maxsize=RELEASED_SOURCES_KEPT)
def _without_hidden_tests(source):
    """``source`` as ``nbgrader generate_assignment`` releases it: its hidden test region removed (worked out once
    per source: the recording asks it of the same released test cells for every student)."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source


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
