"""Unit tests of the preprocessors of :mod:`graders.nbgrader_plugin`, each on a small notebook and a resources
dict. ``GradeInSandbox`` is run on an unreadable submission and on verdicts already in a cache made in
``tmp_path``, so no sandbox starts; ``OverwriteReleasedCells`` reads a small gradebook written with nbgrader's API."""
import copy
import dataclasses
import logging
import os
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from graders import batch, grading, nbgrader_plugin
from graders.fingerprint import grader_version
from graders.grading import Verdict
from graders.intake import INTAKE_KEY, read_record_marker
from graders.nbgrader_plugin import (RESOURCES_KEY, ClearHiddenTestsOfGradeCells, GradeInSandbox,
                                     OverwriteReleasedCells, ShowCellErrors, WriteVerdicts, _without_hidden_tests,
                                     encodable, mark_recorded)
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT
from graders.reports import CELL_ERROR_KEY, VERDICT_KEY

HIDDEN = "check(f)\n### BEGIN HIDDEN TESTS\nsecret_check(f)\n### END HIDDEN TESTS\n"


def grade_cell(name, source="check()"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": name, "points": 2, "solution": False, "locked": True,
                                 "schema_version": 3}
    return cell


def notebook(*cells):
    nb = new_notebook()
    nb.cells = list(cells)
    return nb


@pytest.fixture(autouse=True)
def no_fault(monkeypatch):
    monkeypatch.delenv("GRADER_FAULT", raising=False)


# ---------------------------------------------------------------- GradeInSandbox

def test_an_unreadable_submission_fails_every_function_on_readable_with_its_reason():
    nb = notebook(new_code_cell("x = 1"))
    nb.metadata[INTAKE_KEY] = {"unreadable": "Regularization.ipynb is a symbolic link"}
    _, resources = GradeInSandbox().preprocess(nb, {})
    verdicts = resources[RESOURCES_KEY]["verdicts"]
    assert list(verdicts) == list(GRADED_FUNCTIONS)
    for name, verdict in verdicts.items():
        assert verdict == dataclasses.asdict(Verdict(name, False, "readable", "your submission could not be graded: "
                                                     "Regularization.ipynb is a symbolic link"))
    assert resources[RESOURCES_KEY]["cell_errors"] == []


def test_a_readable_submission_takes_its_verdicts_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "CACHE_DIR", str(tmp_path))
    nb = notebook(new_code_cell("def f():\n    return 1"))
    nb.metadata[INTAKE_KEY] = {"notes": []}
    record = {"verdicts": {name: dataclasses.asdict(Verdict(name, True, None, "passed")) for name in GRADED_FUNCTIONS},
              "cell_errors": [{"cell": 0, "error": "NameError: y"}]}
    batch._store(batch.submission_key(nb, grader_version()), record)
    _, resources = GradeInSandbox().preprocess(nb, {})
    assert resources[RESOURCES_KEY]["verdicts"] == {name: dataclasses.asdict(Verdict(name, True, None, "passed"))
                                                    for name in GRADED_FUNCTIONS}
    assert resources[RESOURCES_KEY]["cell_errors"] == [{"cell": 0, "error": "NameError: y"}]


def test_the_check_an_unreadable_submission_fails_is_registered():
    assert nbgrader_plugin.UNREADABLE_CHECK in grading.CHECKS


RECORD_FROM_THE_CACHE = """
import json, sys
import nbformat
from graders import batch
from graders.fingerprint import grader_version
from graders.nbgrader_plugin import RESOURCES_KEY, GradeInSandbox
batch.CACHE_DIR = sys.argv[1]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():\\n    return 1")])
record = {"verdicts": {"f": {"function": "f", "passed": True, "check": None, "message": "passed",
                             "diagnosis": None, "property": None}}, "cell_errors": []}
batch._store(batch.submission_key(nb, grader_version()), record)
_, resources = GradeInSandbox().preprocess(nb, {})
assert resources[RESOURCES_KEY]["verdicts"] == record["verdicts"]
print(json.dumps(sorted(m for m in ("graders.grading", "graders.ladder", "graders." + sys.argv[2])
                        if m in sys.modules)))
"""


def test_a_verdict_taken_from_the_cache_loads_none_of_the_grader_s_judges(tmp_path):
    """nbgrader's process records verdicts the sandbox's grading cached: it needs no judge to take them."""
    result = subprocess.run([sys.executable, "-c", RECORD_FROM_THE_CACHE, str(tmp_path), ASSIGNMENT], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env={**os.environ, "GRADER_FAULT": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- ShowCellErrors

def test_each_failed_cell_gets_its_error_as_output_and_in_its_metadata():
    nb = notebook(new_code_cell("fine()"), new_code_cell("broken()"), new_markdown_cell("text"))
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="old")]
    resources = {RESOURCES_KEY: {"cell_errors": [{"cell": 1, "error": "NameError: name 'broken' is not defined"}]}}
    nb, _ = ShowCellErrors().preprocess(nb, resources)
    assert nb.cells[0].outputs == [] and CELL_ERROR_KEY not in nb.cells[0].metadata
    assert nb.cells[1].metadata[CELL_ERROR_KEY] == "NameError: name 'broken' is not defined"
    [output] = nb.cells[1].outputs
    assert output.output_type == "error" and output.ename == "CellError"
    assert output.evalue == "while grading, this cell failed: NameError: name 'broken' is not defined"


def test_a_cell_error_carrying_a_lone_surrogate_is_written_encodable():
    nb = notebook(new_code_cell("raise ValueError('\\udcff')"))
    resources = {RESOURCES_KEY: {"cell_errors": [{"cell": 0, "error": "ValueError: \udcff"}]}}
    nb, _ = ShowCellErrors().preprocess(nb, resources)
    assert nb.cells[0].metadata[CELL_ERROR_KEY] == "ValueError: \\udcff"
    nbformat.writes(nb).encode("utf-8")


# ---------------------------------------------------------------- ClearHiddenTestsOfGradeCells

def test_the_hidden_tests_of_grade_cells_are_cleared():
    nb = notebook(grade_cell("test_f", HIDDEN))
    nb, _ = ClearHiddenTestsOfGradeCells().preprocess(nb, {})
    assert "secret_check" not in nb.cells[0].source
    assert nb.cells[0].source.startswith("check(f)")


@pytest.mark.parametrize("source", [
    HIDDEN,
    "### BEGIN HIDDEN TESTS\nprint('never closed')",
    "### END HIDDEN TESTS\n### BEGIN HIDDEN TESTS",
], ids=["balanced", "unclosed", "reversed"])
def test_a_students_cell_with_a_marker_is_left_as_it_is_and_never_raises(source):
    student = new_code_cell(source)
    text = new_markdown_cell(source)
    nb = notebook(student, text, grade_cell("test_f", HIDDEN))
    nb, _ = ClearHiddenTestsOfGradeCells().preprocess(nb, {})
    assert nb.cells[0].source == source
    assert nb.cells[1].source == source
    assert "secret_check" not in nb.cells[2].source


# ---------------------------------------------------------------- WriteVerdicts

def test_each_grade_cell_gets_its_verdict_as_output_and_in_its_metadata():
    passed = Verdict("f", True, None, "f passes every check")
    failed = Verdict("g", False, "values", "dW1 (shape (2, 3)): some values are wrong \udcff", "mistake_id", "prop")
    cells = [grade_cell("test_f"), grade_cell("test_g"), grade_cell("test_missing"), new_code_cell("student()")]
    cells[0].execution_count = 4
    verdicts = {"f": dataclasses.asdict(passed), "g": dataclasses.asdict(failed)}
    nb, _ = WriteVerdicts().preprocess(notebook(*cells), {RESOURCES_KEY: {"verdicts": verdicts}})
    f, g, missing, student = nb.cells
    assert f.execution_count is None
    assert [(o.output_type, o.name, o.text) for o in f.outputs] == [("stream", "stdout", "f passes every check\n")]
    assert f.metadata[VERDICT_KEY] == {"passed": True, "check": None, "diagnosis": None, "property": None,
                                       "message": "f passes every check"}
    [error] = g.outputs
    assert (error.output_type, error.ename) == ("error", "GradingFailure")
    assert error.evalue == "dW1 (shape (2, 3)): some values are wrong \\udcff"
    assert g.metadata[VERDICT_KEY] == {"passed": False, "check": "values", "diagnosis": "mistake_id",
                                       "property": "prop", "message": error.evalue}
    [unknown] = missing.outputs
    assert (unknown.ename, unknown.evalue) == ("UnknownTest", "no grader for the cell test_missing")
    assert VERDICT_KEY not in missing.metadata
    assert student.outputs == [] and VERDICT_KEY not in student.metadata
    nbformat.validate(nb)


def test_a_solution_cell_is_not_given_a_verdict():
    cell = new_code_cell("def f(): pass")
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": "test_f", "locked": False,
                                 "schema_version": 3}
    nb, _ = WriteVerdicts().preprocess(notebook(cell), {RESOURCES_KEY: {"verdicts": {
        "f": dataclasses.asdict(Verdict("f", True, None, "ok"))}}})
    assert nb.cells[0].outputs == []


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize("source, released", [
    (HIDDEN, "check(f)\n"),
    ("check(f)", "check(f)"),
    ("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc", "a\nc"),
], ids=["hidden region", "none", "between lines"])
def test_without_hidden_tests_is_the_released_source(source, released):
    assert _without_hidden_tests(source).strip() == released.strip()
    assert "BEGIN HIDDEN" not in _without_hidden_tests(source)


@pytest.mark.parametrize("text, result", [
    ("plain", "plain"),
    ("é ✓", "é ✓"),
    ("a\udcffb", "a\\udcffb"),
    ("\ud800", "\\ud800"),
], ids=["ascii", "unicode", "surrogate", "high surrogate"])
def test_encodable(text, result):
    assert encodable(text) == result
    result.encode("utf-8")


def test_mark_recorded_writes_each_students_intake_digest(tmp_path, monkeypatch):
    monkeypatch.setattr(nbgrader_plugin, "ROOT", str(tmp_path))
    paths = []
    for student, digest in (("alice", "d1"), ("bob", "d2")):
        folder = tmp_path / "intake" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nb = notebook()
        nb.metadata[INTAKE_KEY] = {"digest": digest, "source": f"s-{student}"}
        nbformat.write(nb, folder / "Regularization.ipynb")
        (tmp_path / "autograded" / student / ASSIGNMENT).mkdir(parents=True)
        paths.append(str(folder / "Regularization.ipynb"))
    mark_recorded(ASSIGNMENT, "*", paths)
    assert read_record_marker(tmp_path / "autograded" / "alice" / ASSIGNMENT) == ("d1", "s-alice")
    assert read_record_marker(tmp_path / "autograded" / "bob" / ASSIGNMENT) == ("d2", "s-bob")


# ---------------------------------------------------------------- OverwriteReleasedCells

@pytest.fixture(scope="module")
def gradebook_url(tmp_path_factory, quick_alembic_version):
    """A gradebook holding the source of one autograded test cell (with its hidden test) and one locked cell."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import compute_checksum

    url = f"sqlite:///{tmp_path_factory.mktemp('gradebook')}/gradebook.db"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("a")
        gradebook.add_notebook("N", "a")
        for cell in (grade_cell("test_f", HIDDEN), locked_cell("imports", "import numpy as np")):
            gradebook.add_source_cell(cell.metadata.nbgrader["grade_id"], "N", "a", cell_type="code", locked=True,
                                      source=cell.source, checksum=compute_checksum(cell))
        gradebook.add_grade_cell("test_f", "N", "a", max_score=2, cell_type="code")
    return url


def locked_cell(name, source):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": name, "solution": False, "locked": True,
                                 "schema_version": 3}
    return cell


def overwrite(url, nb, caplog):
    log = logging.getLogger("overwrite-test")
    with caplog.at_level(logging.WARNING, logger="overwrite-test"):
        nb, _ = OverwriteReleasedCells(log=log).preprocess(nb, {"nbgrader": {"notebook": "N", "assignment": "a",
                                                                              "db_url": url}})
    return nb, [record.getMessage() for record in caplog.records if record.name == "overwrite-test"]


def test_a_test_cell_as_released_gets_its_hidden_test_back_without_a_warning(gradebook_url, caplog):
    nb = notebook(grade_cell("test_f", _without_hidden_tests(HIDDEN)), locked_cell("imports", "import numpy as np"))
    nb, warnings = overwrite(gradebook_url, nb, caplog)
    assert nb.cells[0].source == HIDDEN
    assert warnings == []


@pytest.mark.parametrize("cell", [
    grade_cell("test_f", "print('full marks')"),
    locked_cell("imports", "import numpy as np; import os"),
], ids=["test cell", "locked cell"])
def test_an_edited_locked_cell_is_restored_with_a_warning(gradebook_url, caplog, cell):
    nb, warnings = overwrite(gradebook_url, notebook(cell), caplog)
    assert nb.cells[0].source in (HIDDEN, "import numpy as np")
    assert len(warnings) == 1 and "checksum" in warnings[0]


def test_a_students_cell_is_left_alone(gradebook_url, caplog):
    nb, warnings = overwrite(gradebook_url, notebook(new_code_cell("### BEGIN HIDDEN TESTS")), caplog)
    assert nb.cells[0].source == "### BEGIN HIDDEN TESTS" and warnings == []


@pytest.mark.parametrize("lookup, name", [("find_source_cell", "test_f"), ("find_source_cell", "imports"),
                                          ("find_graded_cell", "test_f"), ("find_source_cell", "missing"),
                                          ("find_graded_cell", "imports")])
def test_the_released_cells_answer_as_the_gradebook_does(gradebook_url, lookup, name):
    from nbgrader.api import Gradebook, MissingEntry

    def answer(gradebook):
        try:
            cell = getattr(gradebook, lookup)(name, "N", "a")
        except MissingEntry:
            return "missing"
        return type(cell).__name__, cell.name, getattr(cell, "source", None), getattr(cell, "max_score", None)

    with Gradebook(gradebook_url) as gradebook:
        assert answer(nbgrader_plugin.ReleasedCells(gradebook, "N", "a")) == answer(gradebook)


def test_the_released_cells_of_another_notebook_are_the_gradebook_s(gradebook_url):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url) as gradebook:
        released = nbgrader_plugin.ReleasedCells(gradebook, "other", "a")
        with pytest.raises(MissingEntry):
            released.find_source_cell("test_f", "other", "a")
        assert released.find_source_cell("test_f", "N", "a").source == HIDDEN
        assert released.find_notebook("N", "a").name == "N"


def _statements(run):
    """How many SQL statements ``run()`` executes."""
    import sqlalchemy

    executed = []

    def count(*args):
        executed.append(1)

    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "before_cursor_execute", count)
    return len(executed)


def test_the_released_cells_are_read_once_per_notebook_not_per_cell(gradebook_url, caplog):
    from nbgrader.preprocessors import OverwriteCells

    def many(cells):
        return notebook(*[grade_cell("test_f", _without_hidden_tests(HIDDEN)) if index % 2 else
                          locked_cell("imports", "import numpy as np") for index in range(cells)])

    def ours(cells):
        return _statements(lambda: overwrite(gradebook_url, many(cells), caplog))

    def stock(cells):
        return _statements(lambda: OverwriteCells().preprocess(many(cells), {"nbgrader": {
            "notebook": "N", "assignment": "a", "db_url": gradebook_url}}))

    assert ours(22) == ours(2)
    assert stock(22) - stock(2) >= 20


# ---------------------------------------------------------------- SaveAutoGradesAtOnce

def _submitted_gradebook(folder, grade_cells=("test_f", "test_g")):
    """A gradebook of one submission: grade cells (two unless told) and one solution cell."""
    from nbgrader.api import Gradebook

    folder.mkdir()
    url = f"sqlite:///{folder}/gradebook.db"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("a")
        gradebook.add_notebook("N", "a")
        for name in grade_cells:
            gradebook.add_grade_cell(name, "N", "a", max_score=2, cell_type="code")
        gradebook.add_solution_cell("f", "N", "a")
        gradebook.add_student("ada")
        gradebook.add_submission("a", "ada")
    return url


def _graded_notebook():
    from nbgrader.utils import compute_checksum

    passed, failed = grade_cell("test_f"), grade_cell("test_g")
    passed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
    failed.outputs = [nbformat.v4.new_output("error", ename="E", evalue="no", traceback=[])]
    answered, untouched = new_code_cell("def f(): return 1"), new_code_cell("def f(): pass")
    for cell, checksum_of in ((answered, "def f(): pass"), (untouched, "def f(): pass")):
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": "f", "solution": True, "locked": False,
                                     "schema_version": 3}
        cell.metadata.nbgrader["checksum"] = compute_checksum(new_code_cell(checksum_of, metadata=cell.metadata))
    return notebook(passed, failed, answered), notebook(passed, failed, untouched)


def _saved(preprocessor, url, nb):
    import sqlalchemy
    from nbgrader.api import Gradebook

    commits = []

    def count(*args):
        commits.append(1)

    resources = {"nbgrader": {"notebook": "N", "assignment": "a", "student": "ada", "db_url": url}}
    sqlalchemy.event.listen(sqlalchemy.engine.Engine, "commit", count)
    try:
        preprocessor.preprocess(nb, resources)
    finally:
        sqlalchemy.event.remove(sqlalchemy.engine.Engine, "commit", count)
    with Gradebook(url) as gradebook:
        submitted = gradebook.find_submission_notebook("N", "a", "ada")
        rows = sorted((grade.name, grade.auto_score, grade.needs_manual_grade) for grade in submitted.grades)
        rows += sorted((comment.name, comment.auto_comment) for comment in submitted.comments)
    return rows, len(commits)


@pytest.mark.parametrize("which", [0, 1], ids=["answered", "untouched"])
def test_the_grades_saved_at_once_are_those_nbgrader_saves_in_one_commit(tmp_path, quick_alembic_version, which):
    from nbgrader.preprocessors import SaveAutoGrades

    nb = _graded_notebook()[which]
    ours, our_commits = _saved(nbgrader_plugin.SaveAutoGradesAtOnce(), _submitted_gradebook(tmp_path / "ours"),
                               copy.deepcopy(nb))
    stock, stock_commits = _saved(SaveAutoGrades(), _submitted_gradebook(tmp_path / "stock"), copy.deepcopy(nb))
    assert ours == stock
    assert ("test_f", 2.0, False) in ours and ("test_g", 0.0, False) in ours
    assert stock_commits - our_commits == 2  # stock commits after each of the 2 grades and the comment


@pytest.fixture(scope="module")
def submitted_url(tmp_path_factory, quick_alembic_version):
    """A gradebook of two students' submissions of a notebook with a grade cell, a solution cell and task cells, one
    of them named as the grade cell and one as the solution cell."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path_factory.mktemp('submitted')}/gradebook.db"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("a")
        gradebook.add_notebook("N", "a")
        gradebook.add_grade_cell("test_f", "N", "a", max_score=2, cell_type="code")
        gradebook.add_solution_cell("f", "N", "a")
        for name in ("test_f", "f", "essay"):
            gradebook.add_task_cell(name, "N", "a", max_score=1, cell_type="markdown")
        for student in ("ada", "bob"):
            gradebook.add_student(student)
            gradebook.add_submission("a", student)
    return url


@pytest.mark.parametrize("lookup, name, student", [
    ("find_grade", "test_f", "ada"), ("find_grade", "essay", "ada"), ("find_grade", "f", "ada"),
    ("find_grade", "missing", "ada"), ("find_comment", "f", "ada"), ("find_comment", "essay", "ada"),
    ("find_comment", "test_f", "ada"), ("find_comment", "missing", "ada"), ("find_grade", "test_f", "bob"),
    ("find_comment", "f", "bob")])
def test_the_submitted_grades_answer_as_the_gradebook_does(submitted_url, lookup, name, student):
    from nbgrader.api import Gradebook, MissingEntry

    def answer(gradebook):
        try:
            row = getattr(gradebook, lookup)(name, "N", "a", student)
        except MissingEntry:
            return "missing"
        return type(row).__name__, row.id, type(row.cell).__name__, row.cell.name

    with Gradebook(submitted_url) as gradebook:
        assert answer(nbgrader_plugin.SubmittedGrades(gradebook, "N", "a", "ada")) == answer(gradebook)


def test_the_submitted_grades_are_read_once_per_notebook_not_per_cell(submitted_url):
    from nbgrader.api import Gradebook

    def lookups(cells):
        with Gradebook(submitted_url) as gradebook:
            submitted = nbgrader_plugin.SubmittedGrades(gradebook, "N", "a", "ada")
            for index in range(cells):
                submitted.find_grade(("test_f", "essay")[index % 2], "N", "a", "ada")
                submitted.find_comment(("f", "essay")[index % 2], "N", "a", "ada")

    assert _statements(lambda: lookups(20)) == _statements(lambda: lookups(2))


def test_the_grades_of_a_notebook_are_read_and_written_in_as_many_statements_for_any_number_of_cells(
        tmp_path, quick_alembic_version):
    def statements(cells):
        names = [f"test_{index}" for index in range(cells)]
        url = _submitted_gradebook(tmp_path / str(cells), names)
        nb = notebook(*[grade_cell(name) for name in names])
        resources = {"nbgrader": {"notebook": "N", "assignment": "a", "student": "ada", "db_url": url}}
        return _statements(lambda: nbgrader_plugin.SaveAutoGradesAtOnce().preprocess(nb, resources))

    assert statements(12) == statements(2)


def test_the_released_source_of_a_test_cell_is_worked_out_once(monkeypatch):
    from nbgrader.preprocessors import ClearHiddenTests

    cleared = []
    remove = ClearHiddenTests._remove_hidden_test_region
    monkeypatch.setattr(ClearHiddenTests, "_remove_hidden_test_region",
                        lambda self, cell: cleared.append(cell.source) or remove(self, cell))
    _without_hidden_tests.cache_clear()
    assert [_without_hidden_tests(HIDDEN) for _ in range(3)] == ["check(f)\n"] * 3
    assert cleared == [HIDDEN]


def test_the_graded_cells_of_a_released_notebook_are_read_in_as_many_statements_for_any_number_of_them(
        tmp_path, quick_alembic_version):
    from nbgrader.api import Gradebook
    from nbgrader.utils import compute_checksum

    def statements(cells):
        url = f"sqlite:///{tmp_path}/{cells}.db"
        nb = notebook(*[grade_cell(f"test_{index}") for index in range(cells)])
        with Gradebook(url) as gradebook:
            gradebook.add_assignment("a")
            gradebook.add_notebook("N", "a")
            for cell in nb.cells:
                name = cell.metadata.nbgrader["grade_id"]
                gradebook.add_source_cell(name, "N", "a", cell_type="code", locked=True, source=cell.source,
                                          checksum=compute_checksum(cell))
                gradebook.add_grade_cell(name, "N", "a", max_score=2, cell_type="code")
        return _statements(lambda: OverwriteReleasedCells().preprocess(nb, {"nbgrader": {
            "notebook": "N", "assignment": "a", "db_url": url}}))

    assert statements(6) == statements(1)
