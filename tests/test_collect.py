"""An LMS download goes through the real `nbgrader zip_collect` into submitted/, where the intake reads it."""
import os
import subprocess
import sys
import zipfile

import nbformat
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import make
from tests.notebooks import make_submission, reference_solutions

NBGRADER = os.path.join(os.path.dirname(sys.executable), "nbgrader")


def test_zip_collect_feeds_the_pipeline_and_bad_ids_stay_out(released_course):
    course = released_course
    archive = os.path.join(course, "downloaded", ASSIGNMENT, "archive")
    os.makedirs(archive)
    solutions = reference_solutions()
    files = {"alice_attempt_2026-11-20_Regularization.ipynb": make_submission(solutions),
             "bob_attempt_2026-11-21_Regularization.ipynb": make_submission(
                 {"compute_cost_with_regularization": solutions["compute_cost_with_regularization"]}),
             "alic?_attempt_2026-11-22_Regularization.ipynb": make_submission({})}
    with zipfile.ZipFile(os.path.join(archive, "lms-download.zip"), "w") as bundle:
        for name, notebook in files.items():
            bundle.writestr(name, nbformat.writes(notebook))
    collected = subprocess.run([NBGRADER, "zip_collect", ASSIGNMENT, "--force"], cwd=course, capture_output=True,
                               text=True)
    assert collected.returncode == 0, collected.stderr
    assert sorted(os.listdir(os.path.join(course, "submitted"))) == ["alic?", "alice", "bob"]

    result = make(course, "autograde", check=False)
    assert result.returncode != 0
    assert "'alic?': student id 'alic?' is not valid" in result.stdout
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        scores = {s.student.id: s.score for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    assert scores == {"alice": 10.0, "bob": 2.0}
    assert os.path.exists(os.path.join(course, "submitted", "alice", ASSIGNMENT, "Regularization.ipynb"))
    assert not os.path.exists(os.path.join(course, "intake", "class", "alic?"))
