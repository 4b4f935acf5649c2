"""End to end through the real commands: release, autograde, gradebook, export, feedback.

The class graded is the session's sample class (tests.sample_class): the bundled samples among other students.
"""
import csv
import os

import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT, points_by_function, read_source_notebook
from tests.notebooks import SAMPLES, make_submission, reference_solutions
from tests.sample_class import STUDENTS, expected_warnings

POINTS = points_by_function(read_source_notebook())


@pytest.fixture(scope="module")
def graded_course(graded_sample_class):
    """The course of the session's graded sample class (only read)."""
    return graded_sample_class.course


def scores(course, student_id):
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        notebook = gradebook.find_submission_notebook("Regularization", ASSIGNMENT, student_id)
        return {grade.name[len("test_"):]: grade.score for grade in notebook.grades}, notebook.score


@pytest.mark.parametrize("student_id", sorted(STUDENTS))
def test_each_exercise_scores_exactly_its_points_when_correct(graded_course, student_id):
    per_function, total = scores(graded_course, student_id)
    expected = {name: (POINTS[name] if name in STUDENTS[student_id].passed else 0.0) for name in POINTS}
    assert per_function == expected
    assert total == sum(expected.values())


def test_gradebook_points_are_the_notebooks(graded_course):
    with Gradebook(f"sqlite:///{graded_course}/gradebook.db") as gradebook:
        notebook = gradebook.find_submission_notebook("Regularization", ASSIGNMENT, "sample_correct")
        assert {grade.name[len("test_"):]: grade.max_score for grade in notebook.grades} == POINTS


def test_reference_gets_full_marks_and_untouched_release_zero(graded_course):
    assert scores(graded_course, "sample_correct")[1] == sum(POINTS.values()) > 0
    assert scores(graded_course, "sample_untouched")[1] == 0


def test_grades_csv_and_feedback_are_written(graded_course):
    with open(os.path.join(graded_course, "reports", "grades.csv"), newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == set(STUDENTS)
    for student_id, row in rows.items():
        per_function, total = scores(graded_course, student_id)
        assert float(row["total"]) == total and float(row["max"]) == sum(POINTS.values())
        assert {name: float(row[name]) for name in POINTS} == per_function
    for student_id in STUDENTS:
        page = os.path.join(graded_course, "feedback", student_id, ASSIGNMENT, "Regularization.html")
        with open(page, encoding="utf-8") as handle:
            assert "Regularization" in handle.read()


def test_untouched_test_cells_raise_no_warning(graded_sample_class):
    # the hidden tests the release left out are not a change made by the student; the only warnings are those of
    # the feedback pages showing a student's images without alternative text
    run = graded_sample_class
    assert "has changed!" not in run.stdout + run.stderr
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line or "Warning" in line]
    assert sorted(warnings) == sorted(expected_warnings())


def test_untouched_release_is_graded_without_error(graded_course):
    autograded = os.path.join(graded_course, "autograded", "sample_untouched", ASSIGNMENT, "Regularization.ipynb")
    assert os.path.exists(autograded)


@pytest.mark.parametrize("student_id", sorted(SAMPLES))
def test_bundled_samples_match_the_current_release(student_id):
    import nbformat

    from graders.notebook import ROOT

    path = os.path.join(ROOT, "submitted", student_id, ASSIGNMENT, "Regularization.ipynb")
    solutions = reference_solutions()
    expected = make_submission({name: solutions[name] for name in SAMPLES[student_id]})
    assert [c.source for c in nbformat.read(path, 4).cells] == [c.source for c in expected.cells], \
        "stale sample: run python -m tests.notebooks"
