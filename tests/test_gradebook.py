"""Unit tests of :mod:`graders.gradebook`: plain SQL reads of a small SQLite gradebook that nbgrader's own API
writes in ``tmp_path``, against nbgrader's scores. (The PostgreSQL road is tested in ``tests/test_postgres.py``, the
reads against ``nbgrader export`` in ``tests/test_reports.py``.)"""
import os
import shutil
import sqlite3

import pytest
from nbgrader.api import Gradebook

from graders.errors import NotReleased
from graders.gradebook import query, recorded_students, submission_scores

ASSIGNMENT = "regularization"
NOTEBOOK = "Regularization"


@pytest.fixture(scope="module", autouse=True)
def quick_gradebooks(quick_alembic_version):
    """Every gradebook of this module is made without starting the ``alembic`` command."""


@pytest.fixture
def url(made, tmp_path):
    """A copy of the module's gradebook, for this test alone."""
    shutil.copy(made, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path}/gradebook.db"


@pytest.fixture(scope="module")
def made(tmp_path_factory, quick_gradebooks):
    """A gradebook of two cells (2 and 3 points), three submissions, another assignment and another notebook."""
    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    url = f"sqlite:///{path}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment(ASSIGNMENT)
        gradebook.add_notebook(NOTEBOOK, ASSIGNMENT)
        gradebook.add_notebook("Other", ASSIGNMENT)
        gradebook.add_grade_cell("test_f", NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="code")
        gradebook.add_grade_cell("test_g", NOTEBOOK, ASSIGNMENT, max_score=3, cell_type="code")
        gradebook.add_grade_cell("test_other", "Other", ASSIGNMENT, max_score=9, cell_type="code")
        gradebook.add_assignment("another")
        gradebook.add_notebook(NOTEBOOK, "another")
        gradebook.add_grade_cell("test_f", NOTEBOOK, "another", max_score=5, cell_type="code")
        for student in ("alice", "bob", "carol", "dave"):
            gradebook.add_student(student)
        for student in ("alice", "bob", "carol"):
            gradebook.add_submission(ASSIGNMENT, student)
        gradebook.add_submission("another", "dave")
        scores = {  # student: {cell: (auto, manual, extra credit)}
            "alice": {"test_f": (2, None, None), "test_g": (0, 1.5, None)},
            "bob": {"test_f": (None, None, None), "test_g": (3, None, 0.5)},
            "carol": {"test_f": (0, 0, 1), "test_g": (3, 2, 0)},
        }
        for student, cells in scores.items():
            for cell, (auto, manual, extra) in cells.items():
                grade = gradebook.find_grade(cell, NOTEBOOK, ASSIGNMENT, student)
                grade.auto_score, grade.manual_score, grade.extra_credit = auto, manual, extra
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "carol")
        notebook.late_submission_penalty = 1.25
        gradebook.db.commit()
    return path


def nbgrader_scores(url):
    with Gradebook(url) as gradebook:
        return {student: {grade.name: (grade.score, grade.max_score) for grade in
                          gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).grades}
                for student in ("alice", "bob", "carol")}


def test_recorded_students_are_those_with_a_submission_of_the_assignment(url):
    assert recorded_students(url, ASSIGNMENT) == {"alice", "bob", "carol"}
    assert recorded_students(url, "another") == {"dave"}


def test_scores_follow_nbgraders_rule(url):
    scores = submission_scores(url, ASSIGNMENT, NOTEBOOK)
    assert scores == {
        "alice": {"cells": {"test_f": (2.0, 2.0), "test_g": (1.5, 3.0)}, "late_penalty": 0.0},
        "bob": {"cells": {"test_f": (0.0, 2.0), "test_g": (3.5, 3.0)}, "late_penalty": 0.0},
        "carol": {"cells": {"test_f": (1.0, 2.0), "test_g": (2.0, 3.0)}, "late_penalty": 1.25},
    }


def test_scores_equal_nbgraders_own(url):
    scores = submission_scores(url, ASSIGNMENT, NOTEBOOK)
    assert {student: entry["cells"] for student, entry in scores.items()} == nbgrader_scores(url)


def test_scores_of_another_notebook_or_assignment_are_apart(url):
    assert set(submission_scores(url, ASSIGNMENT, "Other")["alice"]["cells"]) == {"test_other"}
    assert submission_scores(url, "another", NOTEBOOK) == {
        "dave": {"cells": {"test_f": (0.0, 5.0)}, "late_penalty": 0.0}}


@pytest.mark.parametrize("read", [recorded_students, lambda url, name: submission_scores(url, name, NOTEBOOK)],
                         ids=["recorded", "scores"])
def test_an_assignment_not_released_is_told_in_one_line(url, read):
    with pytest.raises(NotReleased) as raised:
        read(url, "missing")
    assert str(raised.value) == (f"{url}: the gradebook has no record of the assignment 'missing': "
                                 "run `make release` first")


@pytest.mark.parametrize("make", [lambda path: None, lambda path: sqlite3.connect(path).close()],
                         ids=["no file", "empty database"])
def test_a_lost_or_new_gradebook_has_no_release(tmp_path, make):
    path = tmp_path / "gradebook.db"
    make(path)
    url = f"sqlite:///{path}"
    assert query(url, "SELECT COUNT(*) FROM assignment", {}) is None
    with pytest.raises(NotReleased):
        recorded_students(url, ASSIGNMENT)
    assert not path.exists() or path.stat().st_size == 0


def test_reads_never_write(url, tmp_path):
    path = tmp_path / "gradebook.db"
    before = path.read_bytes()
    os.chmod(path, 0o444)
    try:
        submission_scores(url, ASSIGNMENT, NOTEBOOK)
        recorded_students(url, ASSIGNMENT)
    finally:
        os.chmod(path, 0o644)
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["a dir with spaces", "odd?chars#and%20escapes"], ids=["spaces", "url characters"])
def test_a_path_with_url_characters_is_read_as_it_is(made, tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(made, folder / "gradebook.db")
    assert recorded_students(f"sqlite:///{folder}/gradebook.db", ASSIGNMENT) == {"alice", "bob", "carol"}
