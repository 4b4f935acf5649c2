"""Re-running ``make autograde`` grades and records only what changed since the last run."""
import glob
import os
import re

import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import make
from tests.notebooks import SAMPLES, make_submission, read_release, reference_solutions, write_submission


def counts(output):
    """``(queued for the gradebook, graded in the sandbox)`` as printed by ``make autograde``."""
    queued = re.search(r"(\d+) submission\(s\) new or changed", output)
    graded = re.search(r"graded (\d+) submission\(s\) in the sandbox", output)
    return int(queued.group(1)), int(graded.group(1))


def autograded_times(course):
    pattern = os.path.join(course, "autograded", "*", ASSIGNMENT, "Regularization.ipynb")
    return {path.split(os.sep)[-3]: os.stat(path).st_mtime_ns for path in glob.glob(pattern)}


def total(course, student_id):
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        return gradebook.find_submission_notebook("Regularization", ASSIGNMENT, student_id).score


@pytest.fixture(scope="module")
def course(released_course):
    release = read_release()
    solutions = reference_solutions()
    for student_id, correct in SAMPLES.items():
        write_submission(make_submission({name: solutions[name] for name in correct}, release=release),
                         released_course, student_id)
    assert counts(make(released_course, "autograde").stdout) == (len(SAMPLES), len(SAMPLES))
    return released_course


def test_unchanged_class_is_neither_graded_nor_recorded_again(course):
    before = autograded_times(course)
    output = make(course, "autograde").stdout
    assert counts(output) == (0, 0)
    assert "the gradebook is up to date" in output
    assert autograded_times(course) == before


def test_changed_submission_alone_is_recorded_and_same_content_is_not_rerun(course):
    before = autograded_times(course)
    assert total(course, "sample_untouched") == 0
    solutions = reference_solutions()
    write_submission(make_submission(solutions, release=read_release()), course, "sample_untouched")
    # the new notebook's code equals sample_correct's: its verdict comes from the cache
    assert counts(make(course, "autograde").stdout) == (1, 0)
    assert total(course, "sample_untouched") == 10
    after = autograded_times(course)
    assert after["sample_untouched"] != before["sample_untouched"]
    assert {s: t for s, t in after.items() if s != "sample_untouched"} == \
        {s: t for s, t in before.items() if s != "sample_untouched"}


def test_new_grader_version_regrades_everyone(course):
    with open(os.path.join(course, "graders", "checks.py"), "a", encoding="utf-8") as handle:
        handle.write("\n# a new grader version\n")
    distinct_notebooks = 2  # sample_untouched now holds sample_correct's code
    assert counts(make(course, "autograde").stdout) == (len(SAMPLES), distinct_notebooks)


def test_lost_gradebook_records_everyone_again(course):
    os.remove(os.path.join(course, "gradebook.db"))
    without_release = make(course, "autograde", check=False)
    assert without_release.returncode != 0
    assert f"gradebook.db: the gradebook has no record of the assignment '{ASSIGNMENT}': run `make release` first" \
        in without_release.stderr
    assert counts(make(course, "release", "autograde").stdout) == (len(SAMPLES), 0)
    assert total(course, "sample_correct") == 10


def test_new_points_record_everyone_again_with_totals_that_never_pass_the_maximum(course):
    import nbformat

    path = os.path.join(course, "source", ASSIGNMENT, "Regularization.ipynb")
    source = nbformat.read(path, as_version=4)
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_cost_with_regularization":
            cell.metadata.nbgrader.points = 4
    nbformat.write(source, path)
    queued, _ = counts(make(course, "release", "autograde").stdout)
    assert queued == len(SAMPLES)  # every student's total depends on the points
    assert total(course, "sample_correct") == 12 and total(course, "sample_untouched") == 12
    header, *rows = [line.split() for line in make(course, "grades").stdout.splitlines()]
    totals = {row[0]: (row[header.index("total")], row[header.index("max")]) for row in rows}
    assert totals == {"sample_correct": ("12", "12"), "sample_partial": ("7", "12"), "sample_untouched": ("12", "12")}
