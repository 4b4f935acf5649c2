"""The trusted side of running a submission: a sandboxed worker process and what it returns.

Each submission runs in a fresh process under bubblewrap (``bwrap``): no
network, its own PID namespace, only the Python installation and the files
a student has (helpers and data) visible, the grader's files and the
gradebook absent. Inside, the worker drops to an unprivileged user with
limits on memory, CPU time, file size and processes. The user id is unique
to the grading process (a base plus its pid), so the process limit of one
submission (a fork bomb) never counts against another graded at the same
time. The parent kills the
whole process group at the wall-clock limit. If the process dies, the step
that killed it (a cell, or a graded function) is left out and the rest is run
again, so one ``os._exit`` costs only what it broke.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

from graders.notebook import NON_DEFINITION_PREFIXES, SOURCE_DIR, grade_id
from graders.plain import unflatten

GRADERS_DIR = os.path.dirname(os.path.abspath(__file__))
WORKER_FILES = ("worker.py", "plain.py")
SANDBOX_UID_BASE = 100000
LIMITS = {
    "RLIMIT_AS": 3 * 1024 ** 3,
    "RLIMIT_CPU": 120,
    "RLIMIT_FSIZE": 64 * 1024 ** 2,
    "RLIMIT_NPROC": 64,
    "RLIMIT_CORE": 0,
}
SECONDS_PER_CELL = 30.0
SECONDS_PER_CALL = 10.0
SECONDS_PER_SUBMISSION = 120.0
MAX_RESTARTS = 4
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass
class RunResult:
    """What the worker reported about one submission (untrusted data, already parsed)."""

    functions: dict = field(default_factory=dict)
    cell_errors: list = field(default_factory=list)
    crashed_functions: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)


def definition_cells(notebook):
    """``[(index, source)]`` of the code cells grading executes: all but model runs and tests."""
    return [(index, cell.source) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and not (grade_id(cell) or "").startswith(NON_DEFINITION_PREFIXES)]


def sandbox_command(workdir):
    """The command line that runs the worker in ``workdir`` under bubblewrap (or directly without it)."""
    worker = ["-E", "-s", "-X", "faulthandler", os.path.join(workdir, "_worker", "worker.py")]
    if os.environ.get("GRADER_SANDBOX") == "none":
        return [sys.executable, *worker]
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is not installed: student code is never run outside the "
                           "sandbox (set GRADER_SANDBOX=none only for trusted notebooks)")
    prefix = sys.prefix
    base = os.path.realpath(sys.base_prefix)
    command = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
               "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_DAC_OVERRIDE",
               "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc/alternatives", "/etc/alternatives",
               "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
               *_traversable_parents((base, prefix, workdir)),
               "--ro-bind", base, base, "--ro-bind", prefix, prefix,
               "--bind", workdir, workdir, "--chdir", workdir, "--setenv", "HOME", workdir,
               "--setenv", "MPLBACKEND", "Agg", "--setenv", "MPLCONFIGDIR", os.path.join(workdir, ".mpl")]
    for variable in THREAD_VARIABLES:
        command += ["--setenv", variable, "1"]
    return command + [sys.executable, *worker]


def _traversable_parents(paths):
    """bwrap arguments creating the parent folders of ``paths`` readable by the sandbox user."""
    parents = set()
    for path in paths:
        parent = os.path.dirname(path)
        while parent not in ("/", ""):
            parents.add(parent)
            parent = os.path.dirname(parent)
    arguments = []
    for parent in sorted(parents, key=lambda p: p.count("/")):
        arguments += ["--perms", "0755", "--dir", parent]
    return arguments


def copy_student_files(destination):
    """Copy the files a student has beside the notebook (helpers, public cases, data) into ``destination``."""
    for name in os.listdir(SOURCE_DIR):
        path = os.path.join(SOURCE_DIR, name)
        if name.endswith(".ipynb") or name.startswith((".", "__")):
            continue
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(destination, name))
        else:
            shutil.copy(path, destination)


def sandbox_uid():
    """The unprivileged user id of this grading process's sandbox: no two concurrent sandboxes share it."""
    return SANDBOX_UID_BASE + os.getpid()


def prepare_workdir(cells, cases, arguments, limits):
    """A fresh folder holding the student's files, the worker and the job; owned by the sandbox user."""
    workdir = tempfile.mkdtemp(prefix="grading-")
    copy_student_files(workdir)
    os.makedirs(os.path.join(workdir, "_worker"))
    for name in WORKER_FILES:
        shutil.copy(os.path.join(GRADERS_DIR, name), os.path.join(workdir, "_worker", name))
    shutil.copytree(os.path.join(GRADERS_DIR, "stubs"), os.path.join(workdir, "_worker", "stubs"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    np.savez(os.path.join(workdir, "arguments.npz"), **arguments)
    uid = sandbox_uid()
    job = {"cells": cells, "cases": cases, "limits": limits, "uid": uid,
           "seconds_per_cell": SECONDS_PER_CELL, "seconds_per_call": SECONDS_PER_CALL}
    with open(os.path.join(workdir, "job.json"), "w", encoding="utf-8") as handle:
        json.dump(job, handle)
    if os.getuid() == 0:
        for folder, _, files in os.walk(workdir):
            os.chown(folder, uid, uid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, uid)
    return workdir


def run_once(cells, cases, arguments, seconds):
    """One sandboxed run: ``(results or None, last progress step, seconds used)``."""
    workdir = prepare_workdir(cells, cases, arguments, LIMITS)
    started = time.monotonic()
    try:
        environment = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
                       "MPLCONFIGDIR": os.path.join(workdir, ".mpl"), "HOME": workdir,
                       **{variable: "1" for variable in THREAD_VARIABLES}}
        process = subprocess.Popen(sandbox_command(workdir), cwd=workdir, env=environment,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        return _read_results(workdir), _last_step(workdir), time.monotonic() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _read_results(workdir):
    try:
        with open(os.path.join(workdir, "results.json"), encoding="utf-8") as handle:
            results = json.load(handle)
        with np.load(os.path.join(workdir, "results.npz"), allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(results, dict):
        return None
    return results, arrays


def _last_step(workdir):
    try:
        with open(os.path.join(workdir, "progress.txt"), encoding="utf-8") as handle:
            steps = handle.read().split("\n")
    except OSError:
        return None
    steps = [step for step in steps if step]
    return steps[-1] if steps else None


def run_submission(notebook, cases, arguments):
    """Run a submission's code on every case in the sandbox.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The student's notebook (test cells already restored by nbgrader).
    cases : dict
        ``{function: {case_id: arguments spec}}``, see :func:`graders.plain.flatten`.
    arguments : dict
        The arrays of all arguments.

    Returns
    -------
    RunResult
    """
    cells = definition_cells(notebook)
    result = RunResult()
    remaining = SECONDS_PER_SUBMISSION
    for _ in range(MAX_RESTARTS + 1):
        pending = {name: spec for name, spec in cases.items() if name not in result.crashed_functions}
        outcome, step, used = run_once(cells, pending, arguments, max(remaining, 1.0))
        remaining -= used
        if outcome is not None:
            records, arrays = outcome
            result.functions = records.get("functions", {}) if isinstance(records.get("functions"), dict) else {}
            result.cell_errors += [e for e in records.get("cell_errors", []) if isinstance(e, dict)]
            result.arrays = arrays
            return result
        reason = ("was stopped at the time limit of the submission" if remaining <= 0
                  else "ended the grading process")
        if step and step.startswith("cell "):
            index = int(step.split()[1])
            cells = [(i, source) for i, source in cells if i != index]
            result.cell_errors.append({"cell": index, "error": f"this cell {reason}; it was skipped"})
        elif step and step.startswith("call "):
            result.crashed_functions[step.split()[1]] = f"calling it {reason}"
        else:
            break
        if remaining <= 0:
            break
    for name in cases:
        result.crashed_functions.setdefault(name, "the notebook could not be run")
    return result


def case_output(result, function_name, case_id):
    """The student's output of one case as plain data, or raise ValueError for a malformed record."""
    record = result.functions[function_name]["cases"][case_id]
    return unflatten(result.arrays, record["output"])
