"""``make autograde`` (graders.autograde): a failure while recording one submission stays that submission's."""
import csv
import fcntl
import glob
import json
import os
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import make
from tests.notebooks import make_submission, reference_solutions, write_submission

STUDENTS = ("a-honest", "b-broken-record", "c-honest")
UNREADABLE = "d-empty"
AGAIN = "e-again"


def _cache_path(course, student_id):
    """Path of the cached verdicts of a student's intake notebook, computed by the course's own code."""
    script = ("import sys, nbformat; from graders import batch; "
              "nb = nbformat.read(sys.argv[1], as_version=4); "
              "print(batch._cache_path(batch.submission_key(nb, batch.grader_version())))")
    notebook = os.path.join(course, "intake", student_id, ASSIGNMENT, "Regularization.ipynb")
    return subprocess.run([sys.executable, "-c", script, notebook], cwd=course, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(scope="module")
def first_run(released_course):
    """The module's course and its first ``make autograde``: honest students, one whose cached verdicts hold a
    record nbgrader cannot make (b-broken-record), an empty notebook file (d-empty) and a student the tests below
    grade again on request (e-again)."""
    course = released_course
    solutions = reference_solutions()
    for student_id in (*STUDENTS, AGAIN):
        write_submission(make_submission(solutions), course, student_id)
    write_submission(make_submission({name: solutions[name] for name in list(solutions)[:1]}), course,
                     "b-broken-record")
    folder = os.path.join(course, "submitted", UNREADABLE, ASSIGNMENT)
    os.makedirs(folder)
    open(os.path.join(folder, "Regularization.ipynb"), "w").close()
    for module in ("graders.intake", "graders.batch"):
        subprocess.run([sys.executable, "-m", module], cwd=course, check=True, capture_output=True)
    path = _cache_path(course, "b-broken-record")
    with open(path, encoding="utf-8") as handle:
        record = json.load(handle)
    record["cell_errors"] = [{"cell": 100000, "error": "a record no notebook has"}]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    return course, make(course, "autograde", check=False)


def test_a_student_nbgrader_cannot_record_is_listed_and_the_rest_is_recorded_and_reported(first_run):
    course, result = first_run
    assert result.returncode != 0
    assert "1 submission(s) need the instructor's attention:" in result.stdout
    assert "  'b-broken-record': nbgrader could not record it" in result.stdout
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        recorded = {s.student.id: s.score for s in gradebook.find_assignment(ASSIGNMENT).submissions}
    assert recorded.get("a-honest") == 10.0 and recorded.get("c-honest") == 10.0
    assert not glob.glob(os.path.join(course, "autograded", "b-broken-record", ASSIGNMENT, "*.ipynb"))
    with open(os.path.join(course, "reports", "grades.csv"), encoding="utf-8") as handle:
        rows = {row["student_id"]: row["total"] for row in csv.DictReader(handle)}
    assert rows["a-honest"] == "10" and rows["c-honest"] == "10"
    assert os.path.exists(os.path.join(course, "reports", "nbgrader-autograde.log"))


def test_an_unreadable_submission_needs_no_attention(first_run):
    course, result = first_run
    assert UNREADABLE in result.stdout and "the notebook file is empty" in result.stdout
    assert f"'{UNREADABLE}'" not in result.stdout.split("need the instructor's attention")[-1]
    notebook = nbformat.read(os.path.join(course, "autograded", UNREADABLE, ASSIGNMENT, "Regularization.ipynb"),
                             as_version=4)
    assert notebook.metadata["grader_intake"]["unreadable"] == "the notebook file is empty"


def test_one_student_or_everyone_is_graded_again_on_request_and_clean_keeps_the_gradebook(first_run):
    course, _ = first_run
    up_to_date = make(course, "autograde", f"STUDENT={AGAIN}", check=False)
    assert "0 submission(s) new or changed" in up_to_date.stdout and f"{AGAIN}: up to date" in up_to_date.stdout
    forced = make(course, "autograde", f"STUDENT={AGAIN}", "FORCE=1", check=False)
    assert "1 submission(s) new or changed" in forced.stdout
    assert "graded 1 submission(s) in the sandbox" in forced.stdout
    everyone = make(course, "autograde", "FORCE=1", check=False)
    queued = len([name for name in os.listdir(os.path.join(course, "submitted"))])
    assert f"{queued} submission(s) new or changed" in everyone.stdout
    assert everyone.returncode == 0  # the verdicts are graded again, so the broken cached record is replaced
    bad = make(course, "autograde", "STUDENT=al?ce", check=False)
    assert bad.returncode != 0 and "student id 'al?ce' is not valid" in bad.stderr
    with open(os.path.join(course, "gradebook.db"), "rb") as handle:
        gradebook = handle.read()
    make(course, "clean")
    backups = glob.glob(os.path.join(course, "backups", "gradebook-*.db"))
    assert len(backups) == 1 and not os.path.exists(os.path.join(course, "gradebook.db"))
    with open(backups[0], "rb") as handle:
        assert handle.read() == gradebook


@pytest.mark.parametrize("held, run, said", [
    (".run-part-1-of-2.lock", "PART=1/2", "part 1 of 2"),
    (".class.lock", "PART=2/2", "part 2 of 2"),
    (".run-student-alice.lock", "STUDENT=alice", "student alice"),
])
def test_a_run_beside_one_that_holds_its_part_is_refused_in_one_line(released_course, held, run, said):
    intake = os.path.join(released_course, "intake")
    os.makedirs(intake, exist_ok=True)
    handle = os.open(os.path.join(intake, held), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = make(released_course, "autograde", run, check=False)
    finally:
        os.close(handle)
    assert result.returncode != 0
    assert (f"autograde: another make autograde is running in this course (on the whole class or {said}); wait for "
            f"it to end") in result.stderr.splitlines()


def test_a_run_on_the_class_waits_for_no_one_but_is_refused_beside_a_part(released_course):
    intake = os.path.join(released_course, "intake")
    os.makedirs(intake, exist_ok=True)
    handle = os.open(os.path.join(intake, ".class.lock"), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH)  # what a run on a part holds
        result = make(released_course, "autograde", check=False)
    finally:
        os.close(handle)
    assert result.returncode != 0 and "running in this course (on the whole class or a part of it)" in result.stderr


@pytest.mark.parametrize("part, said", [("0/2", "K must be between 1 and N"), ("3/2", "K must be between 1 and N"),
                                        ("half", "is not K/N")])
def test_a_part_that_is_not_k_of_n_is_refused(released_course, part, said):
    result = make(released_course, "autograde", f"PART={part}", check=False)
    assert result.returncode != 0 and said in result.stderr


def test_the_parts_of_a_class_are_disjoint_and_cover_it():
    from graders.student_ids import in_part

    students = [f"student-{number}" for number in range(400)]
    for parts in (1, 2, 3, 7):
        owners = [[part for part in range(1, parts + 1) if in_part(student, part, parts)] for student in students]
        assert all(len(owner) == 1 for owner in owners)
        sizes = [sum(owner == [part] for owner in owners) for part in range(1, parts + 1)]
        assert min(sizes) > 0.5 * len(students) / parts  # balanced enough to share the work


@pytest.mark.parametrize("function, arguments, value", [
    (lambda a, b: a + b, (2, 3), 5),
    (lambda: 1 / 0, (), None),  # work done ahead that failed: done again where it is needed
], ids=["returns", "raises"])
def test_work_in_the_background_gives_its_value_or_none(function, arguments, value):
    from graders.autograde import BackgroundCall

    work = BackgroundCall(function, *arguments)
    assert work.result() == value and not work.thread.is_alive() and not work.thread.daemon


@pytest.mark.parametrize("scheduler, tested", [(None, True), ("tcp://host:8786", False)], ids=["local", "cluster"])
def test_the_sandbox_is_tested_before_grading_on_this_machine_only(monkeypatch, scheduler, tested):
    from graders import autograde, batch, sandbox

    given = {}

    def prefetch(intake_dir, jobs, scheduler, force, on_ready, before_grading):
        given["before_grading"] = before_grading
        return 0, {}

    monkeypatch.setattr(batch, "prefetch", prefetch)
    autograde._grade("intake", ["alice"], None, scheduler, False, None, {"alice": "digest"}, {})
    assert given["before_grading"] is (sandbox.self_test if tested else None)
