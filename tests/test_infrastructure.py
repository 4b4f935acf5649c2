"""A broken sandbox is the machine's fault: nothing is graded, cached or recorded as the student's score.

A stand-in ``bwrap`` first on the PATH refuses to start (as bubblewrap does where user namespaces are
forbidden), always in one run, after the self-test in the next: ``make autograde`` must say so and exit non-zero,
with no verdict cached and no grade recorded; once the sandbox works again, the same class gets its real grades.
"""
import glob
import os
import shutil
import stat
import subprocess

from graders.notebook import ASSIGNMENT
from tests.conftest import VENV, gradebook_scores, make
from tests.notebooks import make_submission, reference_solutions, write_submission

REFUSAL = "bwrap: setting up uid map: Permission denied"
STAND_IN = """#!/bin/sh
# a bubblewrap that answers --help and then refuses to start, except for the first {allowed} start(s)
if [ "$1" = "--help" ]; then exec /usr/bin/bwrap --help; fi
count=$(cat "{counter}" 2>/dev/null || echo 0)
echo $((count + 1)) > "{counter}"
if [ "$count" -lt {allowed} ]; then exec /usr/bin/bwrap "$@"; fi
echo "{refusal}" >&2
exit 1
"""


def _broken_bwrap(folder, allowed):
    os.makedirs(folder)
    path = os.path.join(folder, "bwrap")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(STAND_IN.format(counter=os.path.join(folder, "count"), allowed=allowed, refusal=REFUSAL))
    os.chmod(path, stat.S_IRWXU)
    return folder


CLASS = ("a-honest", "b-honest")


def _class(course):
    solutions = reference_solutions()
    for student_id in CLASS:
        write_submission(make_submission(solutions), course, student_id)


def _run(course, stand_in):
    environment = {**os.environ, "PATH": f"{stand_in}:{os.environ['PATH']}"}
    return subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=course, env=environment,
                          capture_output=True, text=True, timeout=900)


def _cached(course):
    return glob.glob(os.path.join(course, ".cache", "verdicts", "*", "*.json"))


# The sandbox breaks at its self-test, then, in the next run, after it: (the starts the stand-in allows, what the run
# says). Each run finds the whole class to grade: the run before it left nothing behind as graded or recorded.
BREAKDOWNS = [
    (0, "autograde: nothing was graded or recorded: the sandbox did not start (exit status 1): " + REFUSAL),
    (1, "not graded, the machine's fault: the sandbox did not start (exit status 1): " + REFUSAL),
]


def test_a_broken_sandbox_grades_no_one_and_the_next_run_grades_everyone(released_template, tmp_path):
    course = str(tmp_path / "course")  # a released course, as `make release` makes it
    shutil.copytree(released_template, course, symlinks=True)
    _class(course)
    for allowed, expected in BREAKDOWNS:
        broken = _run(course, _broken_bwrap(str(tmp_path / f"bin-{allowed}"), allowed))
        assert broken.returncode != 0, expected
        assert expected in broken.stdout + broken.stderr, broken.stdout + broken.stderr
        assert f"{len(CLASS)} submission(s) new or changed since they were recorded" in broken.stdout
        assert _cached(course) == []
        assert gradebook_scores(f"sqlite:///{course}/gradebook.db") == {}
        assert not glob.glob(os.path.join(course, "autograded", "*", ASSIGNMENT, "*.ipynb"))

    repaired = make(course, "autograde")
    scores = gradebook_scores(f"sqlite:///{course}/gradebook.db")
    assert {student for student, _ in scores} == set(CLASS) and all(
        score == points for (_, grade), score in scores.items()
        for points in [{"test_compute_cost_with_regularization": 2, "test_backward_propagation_with_regularization": 3,
                        "test_forward_propagation_with_dropout": 3,
                        "test_backward_propagation_with_dropout": 2}[grade]]), repaired.stdout
