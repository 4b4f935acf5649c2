"""The floor of grading one submission: bubblewrap, Python, numpy and the four graded functions on every case.

No sandboxed grader can go below it: the sandbox's own command line (:func:`graders.sandbox.sandbox_command`,
the flags and mounts of a real run) starts ``bench/floor_job.py``, which imports numpy, loads the arguments of
every case (all those a submission is graded on) and calls the four reference functions on each. The job's
files are written before the clock starts; a run is timed from the start of bubblewrap to its exit. Per core
is the median of the runs; per machine divides it by the number of cores, since runs on different cores do
not wait for one another.
"""
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

import numpy as np

from graders.grading import worker_job
from graders.notebook import GRADED_FUNCTIONS, grade_id, read_source_notebook, strip_magics
from graders.sandbox import GRADERS_DIR, copy_student_files, sandbox_command, sandbox_environment, sandboxed

FLOOR_JOB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor_job.py")


def reference_sources():
    """``{function: source}`` of the four solution cells of the source notebook, in grading order."""
    cells = {grade_id(cell): cell.source for cell in read_source_notebook().cells}
    return {name: strip_magics(cells[name]) for name in GRADED_FUNCTIONS}


def prepare_job(jobdir):
    """Write the floor's job into ``jobdir`` in the layout :func:`sandbox_command` mounts; return its calls.

    ``grader/`` holds the job script (as ``worker.py``, the name the command runs), ``plain.py``,
    ``job.json`` and ``arguments.npz``; ``files/`` the files a student has.
    """
    grader = os.path.join(jobdir, "grader")
    os.makedirs(grader)
    shutil.copy(FLOOR_JOB, os.path.join(grader, "worker.py"))
    shutil.copy(os.path.join(GRADERS_DIR, "plain.py"), grader)
    cases, arrays = worker_job()
    np.savez(os.path.join(grader, "arguments.npz"), **arrays)
    with open(os.path.join(grader, "job.json"), "w", encoding="utf-8") as handle:
        json.dump({"cases": cases, "functions": reference_sources()}, handle)
    files = os.path.join(jobdir, "files")
    os.makedirs(files)
    copy_student_files(files)
    return sum(len(function_cases) for function_cases in cases.values())


def time_run(command, jobdir, calls):
    """Seconds of one run of ``command``; raise RuntimeError unless it made all ``calls`` calls."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=jobdir, env=sandbox_environment(os.path.join(jobdir, "work")),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or result.stdout.split() != [str(calls)]:
        raise RuntimeError(f"the floor's job failed (exit status {result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[-300:]}")
    return seconds


def measure_floor(runs=15, cores=None):
    """The floor, per core and per machine.

    Parameters
    ----------
    runs : int
        Timed runs, after one untimed run that warms the file cache.
    cores : int, optional
        Default: the cores of this machine.

    Returns
    -------
    dict
        ``per_core`` (median seconds of a run), ``per_machine`` (``per_core / cores``), ``cores``,
        ``calls`` (function calls per run), ``runs`` (every run's seconds).
    """
    if not sandboxed():
        raise RuntimeError("the floor is measured under bubblewrap: unset GRADER_SANDBOX")
    cores = cores or os.cpu_count()
    jobdir = tempfile.mkdtemp(prefix="bench-floor-")
    try:
        calls = prepare_job(jobdir)
        command = sandbox_command(jobdir)
        time_run(command, jobdir, calls)
        seconds = [time_run(command, jobdir, calls) for _ in range(runs)]
    finally:
        shutil.rmtree(jobdir, ignore_errors=True)
    per_core = statistics.median(seconds)
    return {"per_core": per_core, "per_machine": per_core / cores, "cores": cores, "calls": calls,
            "runs": seconds}
