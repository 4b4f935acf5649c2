"""Measuring the two sides of the bench in throw-away courses: ``make autograde`` (ours) and stock nbgrader.

Both sides are timed from start to exit while the resident memory of their whole process tree is summed
(:class:`load.Sampler`): for ours make, the grader, its workers and every sandboxed process; for stock
nbgrader and the kernels it starts. Ours also reports its phase times. Stock runs ``nbgrader autograde`` with
``NBGRADER_STOCK_EXECUTE=1`` (hidden tests executed in the student's kernel) on the intake's copies of the
submissions, the time of each student read from the line nbgrader logs as it starts that student.
"""
import os
import re
import subprocess
import sys
import time

import nbformat
from nbgrader.api import Gradebook

from graders.intake import NOTEBOOK_NAME
from graders.notebook import ASSIGNMENT, grade_id
from graders.sandbox import THREAD_VARIABLES
from mix import TRAINING_PREFIX
from tests.conftest import copy_course

VENV = os.path.dirname(os.path.dirname(sys.executable))
STUDENT_STARTS = re.compile(r"Creating/updating student with ID '([^']+)'")


def new_course(parent, name):
    """A released copy of the course in ``parent/name``; its path."""
    course = copy_course(os.path.join(parent, name))
    subprocess.run(["make", "-s", "release", f"VENV={VENV}"], cwd=course, check=True, capture_output=True)
    return course


def run_ours(course, students):
    """Grade ``course`` cold with ``make autograde``.

    Returns
    -------
    dict
        ``wall`` seconds, ``phases`` (``{phase: seconds}`` from its "phase times" line), ``peak_bytes`` of the
        process tree.

    Raises
    ------
    RuntimeError
        The run failed, or did not record each of ``students`` exactly once.
    """
    from load import grade_cold, recorded_students  # load imports bench, which imports this module

    _, phases, samples, wall, _ = grade_cold(course)
    recorded = recorded_students(course)
    if sorted(recorded) != sorted(students) or set(recorded.values()) != {1}:
        raise RuntimeError(f"make autograde recorded {len(recorded)} of {len(students)} students, or some twice")
    return {"wall": wall, "phases": phases, "peak_bytes": max(value for _, value in samples)}


def stock_environment(course):
    """The environment of stock nbgrader: its own mode, the course importable, one BLAS thread as ours."""
    return {**os.environ, "NBGRADER_STOCK_EXECUTE": "1", "PYTHONPATH": course, "PYTHONUNBUFFERED": "1",
            "PATH": os.path.join(VENV, "bin") + os.pathsep + os.environ["PATH"],
            **{variable: "1" for variable in THREAD_VARIABLES}}


def run_stock(course, without_training=False):
    """Grade the submissions of ``course`` with stock ``nbgrader autograde``, one after the other.

    ``without_training``: the submissions had their training cells deleted; raise RuntimeError if the
    intake's copies, which nbgrader grades, still hold one.

    Returns
    -------
    dict
        ``wall`` seconds, ``startup`` (seconds before the first student starts), ``seconds``
        (``{student: seconds}``, from its start to the next one's, the last to the exit), ``peak_bytes``.
    """
    subprocess.run([sys.executable, "-m", "graders.intake"], cwd=course, check=True, capture_output=True)
    intake = os.path.join(course, "intake")
    left = training_cells(intake) if without_training else []
    if left:
        raise RuntimeError(f"training cells are left in the notebooks nbgrader grades: {left[:3]}")
    run = time_stock(course)
    if sorted(run["seconds"]) != sorted(name for name in os.listdir(intake) if not name.startswith(".")):
        raise RuntimeError(f"stock nbgrader did not grade each student of {intake} once")
    return run


def time_stock(course):
    """Run stock ``nbgrader autograde`` on ``course/intake``; its times and memory (see :func:`run_stock`)."""
    from load import Sampler  # load imports bench, which imports this module

    command = [os.path.join(VENV, "bin", "nbgrader"), "autograde", ASSIGNMENT, "--force", "--log-level=INFO",
               "--CourseDirectory.submitted_directory=intake"]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=course, env=stock_environment(course), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(process.pid)
    sampler.start()
    starts = [(found.group(1), time.monotonic()) for found in map(STUDENT_STARTS.search, process.stdout) if found]
    code = process.wait()
    ended = time.monotonic()
    sampler.stopped.set()
    sampler.join()
    if code != 0 or not starts:
        raise RuntimeError(f"stock nbgrader autograde failed in {course} (status {code})")
    return {"wall": ended - started, "startup": starts[0][1] - started,
            "seconds": student_seconds(starts, ended), "peak_bytes": max(value for _, value in sampler.samples)}


def training_cells(intake):
    """``[(student, grade id)]`` of the training cells (grade id ``run_...``) in the notebooks under ``intake``."""
    found = []
    for student in sorted(name for name in os.listdir(intake) if not name.startswith(".")):
        notebook = nbformat.read(os.path.join(intake, student, ASSIGNMENT, NOTEBOOK_NAME), as_version=4)
        found += [(student, grade_id(cell)) for cell in notebook.cells
                  if (grade_id(cell) or "").startswith(TRAINING_PREFIX)]
    return found


def student_seconds(starts, ended):
    """``{student: seconds}`` from ``[(student, start time)]`` in order and the end of the run."""
    moments = [moment for _, moment in starts] + [ended]
    return {student: moments[i + 1] - moment for i, (student, moment) in enumerate(starts)}


def gradebook_scores(course, students):
    """``{student: {grade cell: score}}`` of ``students`` in the gradebook of ``course``."""
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        return {student: {grade.name: grade.score for grade in gradebook.find_submission_notebook(
            "Regularization", ASSIGNMENT, student).grades} for student in students}


def compare_verdicts(stock, ours):
    """Students graded on both sides: ``(identical, {student: (stock scores, our scores)})`` of those differing."""
    shared = sorted(set(stock) & set(ours))
    different = {student: (stock[student], ours[student]) for student in shared if stock[student] != ours[student]}
    return len(shared) - len(different), different
