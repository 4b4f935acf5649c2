"""The reports read every score from the gradebook, as ``nbgrader export`` does: late penalties and manual
grades included, totals never above the maximum."""
import csv
import os
import subprocess
import sys

from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import make
from tests.notebooks import make_submission, reference_solutions, write_submission

NBGRADER = os.path.join(os.path.dirname(sys.executable), "nbgrader")
DUE = "2026-01-01 00:00:00 UTC"
TIMESTAMPS = {"a-on-time": "2025-12-31 10:00:00 UTC", "b-late": "2026-01-02 10:00:00 UTC",
              "c-overridden": "2025-12-31 11:00:00 UTC"}


def _rows(path, key):
    with open(path, encoding="utf-8") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


def test_grades_csv_gives_the_totals_nbgrader_export_gives(released_course):
    course = released_course
    with open(os.path.join(course, "nbgrader_config.py"), "a", encoding="utf-8") as handle:
        handle.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    subprocess.run([NBGRADER, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}"], cwd=course, check=True,
                   capture_output=True)
    for student_id, timestamp in TIMESTAMPS.items():
        path = write_submission(make_submission(reference_solutions()), course, student_id)
        with open(os.path.join(os.path.dirname(path), "timestamp.txt"), "w", encoding="utf-8") as stamp:
            stamp.write(timestamp)
    make(course, "autograde")
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        grade = gradebook.find_grade("test_compute_cost_with_regularization", "Regularization", ASSIGNMENT,
                                     "c-overridden")
        grade.manual_score = 100.0
        gradebook.db.commit()
    make(course, "reports")
    export = os.path.join(course, "export.csv")
    subprocess.run([NBGRADER, "export", f"--to={export}"], cwd=course, check=True, capture_output=True)

    ours, theirs = _rows(os.path.join(course, "reports", "grades.csv"), "student_id"), _rows(export, "student_id")
    assert ours["a-on-time"]["total"] == "10" and ours["a-on-time"]["late_penalty"] == "0"
    assert ours["b-late"]["total"] == "0" and ours["b-late"]["late_penalty"] == "10"
    assert float(theirs["b-late"]["score"]) == 0.0 and float(theirs["b-late"]["late_submission_penalty"]) == 10.0
    assert ours["c-overridden"]["total"] == "10" and ours["c-overridden"]["compute_cost_with_regularization"] == "2"
    assert float(theirs["c-overridden"]["score"]) > 10  # nbgrader's own export does not cap
    for student_id in ("a-on-time", "b-late"):
        assert float(ours[student_id]["total"]) == float(theirs[student_id]["score"])
