"""``make autograde`` killed (SIGKILL) inside each phase, then rerun, ends as an uninterrupted run does.

The kill is placed deterministically with ``GRADER_FAULT=<phase>:<k>`` (see graders/faults.py): the k-th
student taken in, graded, being recorded (nbgrader has written their sanitized notebook, not yet their
grades), recorded, or the reports half written.
"""
import os
import shutil
import subprocess

import pytest

from tests.conftest import VENV, course_outcome, make
from tests.notebooks import write_class

FAULTS = ["intake:3", "grading:2", "recording:1", "recording:4", "recorded:2", "reports:1"]
MUTANTS = 2  # with the three samples, a class of five: every fault above has a student after it


@pytest.fixture(scope="module")
def reference(released_course):
    students = write_class(released_course, mutants=MUTANTS)
    make(released_course, "autograde")
    return released_course, students, course_outcome(released_course)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_run_killed_inside_a_phase_then_rerun_equals_an_uninterrupted_run(reference, released_template, tmp_path,
                                                                           fault):
    reference_course, students, expected = reference
    assert len(students) == 3 + MUTANTS and max(int(step.split(":")[1]) for step in FAULTS) < len(students)
    course = str(tmp_path / "course")  # a fresh released course (what `make release` makes), as submitted
    shutil.copytree(released_template, course, symlinks=True)
    shutil.copytree(os.path.join(reference_course, "submitted"), os.path.join(course, "submitted"))
    killed = subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=course, capture_output=True, text=True,
                            env={**os.environ, "GRADER_FAULT": fault}, start_new_session=True, timeout=900)
    assert killed.returncode != 0, f"the fault {fault} did not stop the run"
    rerun = make(course, "autograde")
    assert course_outcome(course) == expected, rerun.stdout
    again = make(course, "autograde")
    assert "the gradebook is up to date" in again.stdout
