"""``make autograde`` killed (SIGKILL) inside each phase, then rerun, ends as an uninterrupted run does.

The kill is placed deterministically with ``GRADER_FAULT=<phase>:<k>`` (see graders/faults.py): the k-th
student taken in, graded, being recorded (nbgrader has written their sanitized notebook, not yet their
grades), recorded, or the reports half written.
"""
import os
import shutil
import subprocess

import pytest

from graders.notebook import ASSIGNMENT
from tests.conftest import VENV, copy_course, gradebook_scores, make
from tests.notebooks import write_class

FAULTS = ["intake:3", "grading:2", "recording:1", "recording:4", "recorded:2", "reports:1"]


def _outcome(course):
    """What a run leaves: the gradebook's scores, the reports and the verdicts of every autograded notebook."""
    import nbformat

    outcome = {"scores": gradebook_scores(f"sqlite:///{course}/gradebook.db")}
    for name in ("grades.csv", "report.json"):
        with open(os.path.join(course, "reports", name), encoding="utf-8") as handle:
            outcome[name] = handle.read()
    for student in sorted(os.listdir(os.path.join(course, "autograded"))):
        path = os.path.join(course, "autograded", student, ASSIGNMENT, "Regularization.ipynb")
        if os.path.exists(path):
            notebook = nbformat.read(path, as_version=4)
            outcome[student] = [cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"]
    return outcome


@pytest.fixture(scope="module")
def reference(released_course):
    students = write_class(released_course, mutants=4)
    make(released_course, "autograde")
    return released_course, students, _outcome(released_course)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_run_killed_inside_a_phase_then_rerun_equals_an_uninterrupted_run(reference, tmp_path, fault):
    reference_course, students, expected = reference
    course = copy_course(tmp_path / "course")
    shutil.copytree(os.path.join(reference_course, "submitted"), os.path.join(course, "submitted"))
    make(course, "release")
    killed = subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=course, capture_output=True, text=True,
                            env={**os.environ, "GRADER_FAULT": fault}, start_new_session=True, timeout=900)
    assert killed.returncode != 0, f"the fault {fault} did not stop the run"
    rerun = make(course, "autograde")
    assert _outcome(course) == expected, rerun.stdout
    again = make(course, "autograde")
    assert "the gradebook is up to date" in again.stdout
