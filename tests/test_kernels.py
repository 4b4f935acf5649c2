"""The same verdicts and the same feedback text under two BLAS kernels (``OPENBLAS_CORETYPE``).

Floating-point results differ in the last bits between kernels; the checks compare with tolerances, so the
mutant, variant and hostile corpora must get identical verdicts and messages under both, the sandboxed
student code included (the sandbox passes the kernel choice on).

The first kernel's verdicts are those of the session's grading of the corpora (tests.corpora: ``make autograde``
run under that kernel, its verdict cache read here); the same notebooks are graded again under the second, but
for the few that a limit of the sandbox stops (``LIMIT_BOUND``).
"""
import json
import os
import subprocess
import sys

import pytest

from tests.corpora import ENTRIES, KERNEL

KERNELS = (KERNEL, "Prescott")
# Entries that a limit of the sandbox stops, with the words of the verdict it gives them: the verdicts of the
# function stopped are the limit's (the clock, the memory, the process table, the size of a result), which the
# BLAS kernel does not reach, and grading each again would take seconds of a core (the clock's or the filling of
# memory). Their other functions are the reference solutions, which the other entries are graded with. They are
# graded under the first kernel only; every other entry is graded under both.
LIMIT_BOUND = {
    "hostile-infinite_loop_and_memory": "did not finish within",
    "hostile-missing_function_and_memory": "of memory of a submission",
    "hostile-fork_bomb": "Resource temporarily unavailable",
    "hostile-fills_the_disk_and_returns_huge_arrays": "not recordable: too large",
}
# Run in the graded course, with its own graders package, for each mode named (``cached``, ``grade`` or both,
# joined by a comma; it prints ``{mode: {student: record}}``): ``cached`` reads the verdicts the course's run
# cached for each student named (found by the key of their autograded notebook), ``grade`` grades each
# student's autograded notebook again, in this process's environment (only the definition cells are graded,
# which the autograded notebook keeps as the run graded them: the cache key says so).
CORPORA_VERDICTS = r"""
import dataclasses, json, os, sys
from concurrent.futures import ProcessPoolExecutor
import nbformat
from graders import batch
from graders.fingerprint import grader_version
from graders.notebook import ASSIGNMENT

def grade(text):
    record = batch.grade_to_record(text)
    return {**record, "coretype": os.environ.get("OPENBLAS_CORETYPE")}

modes, students = sys.argv[1].split(","), sys.argv[2:]
notebooks = {}
for student in students:
    with open(os.path.join("autograded", student, ASSIGNMENT, "Regularization.ipynb"), encoding="utf-8") as handle:
        notebooks[student] = handle.read()
results = {}
if "cached" in modes:
    version = grader_version()
    results["cached"] = {student: batch.cached_record(batch.submission_key(nbformat.reads(text, as_version=4), version))
                         for student, text in notebooks.items()}
if "grade" in modes:
    with ProcessPoolExecutor(1 if len(students) < 3 else 2) as pool:
        results["grade"] = dict(zip(notebooks, pool.map(grade, notebooks.values())))
json.dump(results, sys.stdout, sort_keys=True)
"""


def _corpora_verdicts(course, modes, students, kernel=None):
    """``{mode: {student: record}}`` of :data:`CORPORA_VERDICTS` run in ``course`` for each of ``modes``, under
    the BLAS ``kernel`` when one is named."""
    environment = {**os.environ, "PYTHONPATH": course}
    if kernel is not None:
        environment["OPENBLAS_CORETYPE"] = kernel
    result = subprocess.run([sys.executable, "-c", CORPORA_VERDICTS, ",".join(modes), *students], cwd=course,
                            env=environment, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _timed_out(outcome):
    """Whether the grader's clock stopped a step of this submission (a wall-clock limit, which a loaded machine
    can reach where an idle one does not: a hog of memory is stopped by the clock instead of the memory limit)."""
    return "did not finish within" in json.dumps(outcome)


def _verdicts(record):
    """What a grading record says of the submission: the record without the kernel it was made under."""
    return {key: value for key, value in record.items() if key != "coretype"}


@pytest.fixture(scope="module")
def graded(graded_corpora):
    course = graded_corpora.course
    assert graded_corpora.kernel == KERNELS[0]
    # one process reads the first kernel's verdicts from the run's cache and grades under the second
    verdicts = _corpora_verdicts(course, ("cached", "grade"), sorted(set(ENTRIES) - set(LIMIT_BOUND)), KERNELS[1])
    verdicts["cached"].update(_corpora_verdicts(course, ("cached",), sorted(LIMIT_BOUND))["cached"])
    missing = sorted(student for student, record in verdicts["cached"].items() if record is None)
    assert not missing, f"the run cached no verdicts for {missing}"
    results = {KERNELS[0]: {student: {**record, "coretype": graded_corpora.kernel}
                            for student, record in verdicts["cached"].items()},
               KERNELS[1]: verdicts["grade"]}
    # An entry whose verdicts differ where a clock stopped it under one of the kernels is graded again, alone,
    # under both (up to twice): what the test compares is then the kernels, not the machine's load at one moment.
    for _ in range(2):
        first, second = (results[kernel] for kernel in KERNELS)
        again = sorted(name for name in set(first) & set(second)
                       if _verdicts(first[name]) != _verdicts(second[name])
                       and (_timed_out(first[name]) or _timed_out(second[name])))
        if not again:
            break
        for kernel in KERNELS:
            results[kernel].update(_corpora_verdicts(course, ("grade",), again, kernel)["grade"])
    return results


def test_the_kernel_choice_reaches_the_sandbox():
    from graders.sandbox import sandbox_environment

    previous = os.environ.get("OPENBLAS_CORETYPE")
    os.environ["OPENBLAS_CORETYPE"] = "Prescott"
    try:
        assert sandbox_environment("/home/student")["OPENBLAS_CORETYPE"] == "Prescott"
    finally:
        if previous is None:
            del os.environ["OPENBLAS_CORETYPE"]
        else:
            os.environ["OPENBLAS_CORETYPE"] = previous


def test_the_corpora_get_identical_verdicts_and_feedback_under_two_kernels(graded):
    first, second = (graded[kernel] for kernel in KERNELS)
    assert sorted(first) == sorted(ENTRIES) and sorted(second) == sorted(set(ENTRIES) - set(LIMIT_BOUND))
    assert len(second) > 60
    for name in second:
        assert first[name]["coretype"] == KERNELS[0] and second[name]["coretype"] == KERNELS[1]
        assert _verdicts(first[name]) == _verdicts(second[name]), name


@pytest.mark.parametrize("entry", sorted(LIMIT_BOUND))
def test_an_entry_graded_under_one_kernel_only_is_stopped_by_a_limit(graded, entry):
    """The entries left out of the second kernel's grading are those a limit stops, in the limit's words."""
    messages = [verdict["message"] for verdict in graded[KERNELS[0]][entry]["verdicts"].values()]
    assert any(LIMIT_BOUND[entry] in message for message in messages), messages
