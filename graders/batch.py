"""Grading a whole class: verdicts computed in parallel, cached by content, recorded by one writer.

Grading a notebook is a pure function: the definition cells in, the verdicts
out. ``prefetch`` computes the verdicts of every notebook under ``intake/``
on all local cores (or on a Dask cluster when given a scheduler address) and
stores them under ``.cache/verdicts/``, keyed by the hash of the cells and of
the grader version. ``nbgrader autograde`` then runs as the single writer of
the gradebook; its sandboxed-grading step finds each verdict in the cache.
A submission whose cells and grader are unchanged is never run again.

Usage: ``python -m graders.batch [--jobs N] [--scheduler tcp://host:8786]`` (``make autograde`` runs it
through :mod:`graders.autograde`, after the intake).
"""
import argparse
import dataclasses
import glob
import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed

import nbformat

from graders.faults import fault_point
from graders.fingerprint import grader_version
from graders.notebook import ASSIGNMENT, ROOT
from graders.sandbox import SandboxUnavailable, definition_cells
from graders.settings import paths

CACHE_DIR = os.path.join(paths().resolve("cache"), "verdicts")  # graders.settings.GradingPaths


def submission_key(notebook, version):
    """Cache key of a notebook: its definition cells and the grader version."""
    payload = json.dumps({"version": version, "cells": definition_cells(notebook)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def grade_to_record(notebook_json):
    """Pure grading step, runnable in any process: notebook JSON text in, JSON-able verdicts out.

    The text is an intake notebook (:mod:`graders.intake` validated it before writing it): it is read, not
    validated again.
    """
    from graders.grading import grade_notebook  # the judges and the assignment's graders: loaded to grade only

    verdicts, cell_errors = grade_notebook(nbformat.v4.reads(notebook_json))
    return {"verdicts": {name: dataclasses.asdict(v) for name, v in verdicts.items()}, "cell_errors": cell_errors}


def _cache_path(key):
    return os.path.join(CACHE_DIR, key[:2], key + ".json")


def _store(key, record):
    path = _cache_path(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True))  # in one piece: json.dump encodes in pure Python
    os.replace(temporary, path)


def cached_record(key):
    """The verdicts cached under ``key`` (``{"verdicts": {function: fields}, "cell_errors": [...]}``), or None."""
    try:
        with open(_cache_path(key), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def cached_or_graded_record(notebook):
    """The record of a notebook's verdicts (as :func:`cached_record` gives it) from the cache, grading (and caching)
    the notebook when missing.

    A record read from the cache loads none of the grader's judges: its verdicts were checked when they were made
    (:class:`graders.grading.Verdict`), and nbgrader's process, which records them, needs no more.
    """
    key = submission_key(notebook, grader_version())
    record = cached_record(key)
    if record is None:
        record = grade_to_record(nbformat.writes(notebook))
        _store(key, record)
    return record


def pending_notebooks(intake_dir, force=False):
    """Intake notebooks whose verdicts are not cached yet (all of them with ``force``).

    Returns
    -------
    pending : dict of str to str
        ``{cache key: path of one intake notebook with that key}`` (read when it is handed to a worker, so
        that memory does not grow with the class).
    students : dict of str to list of str
        ``{cache key: the students whose notebook has that key}``.
    cached : dict of str to str
        ``{student: cache key}`` of the students whose verdicts are cached already.
    """
    version = grader_version()
    pending, students, cached = {}, {}, {}
    for path in sorted(glob.glob(os.path.join(glob.escape(intake_dir), "*", ASSIGNMENT, "*.ipynb"))):
        key = submission_key(nbformat.v4.reads(_read_text(path)), version)  # validated by the intake
        student = os.path.basename(os.path.dirname(os.path.dirname(path)))
        if force or cached_record(key) is None:
            pending.setdefault(key, path)
            students.setdefault(key, []).append(student)
        else:
            cached[student] = key
    return pending, students, cached


def _read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def in_windows(submit, completed, keys, window):
    """Submit ``keys`` with ``submit(key)``, never more than ``window`` at a time; yield ``(key, future)`` as each
    completes (``completed(futures)`` iterates the futures given as they complete)."""
    keys = iter(keys)
    running = {}
    for key in keys:
        running[submit(key)] = key
        if len(running) >= window:
            break
    while running:
        future = next(iter(completed(list(running))))
        yield running.pop(future), future
        for key in keys:
            running[submit(key)] = key
            break


def _warm_up_grading():
    """Compute what every grading shares here, once, before a pool of several processes forks
    (:func:`graders.grading.warm_up`), rather than once in each of them. A pool of one computes only what its
    gradings need.

    It is work done ahead: when it fails, each grading does it again, and fails for its own submission alone.
    """
    from graders.grading import warm_up

    try:
        warm_up()
    except Exception:  # what failed here fails again in each grading, for its own submission
        pass


def prefetch(intake_dir, jobs=None, scheduler=None, force=False, on_ready=None, before_grading=None):
    """Grade every pending notebook of ``intake_dir`` in parallel and cache the verdicts.

    With ``force``, every notebook of ``intake_dir`` is graded again and its cached verdicts replaced.
    ``on_ready(students)`` is called with the students whose verdicts are cached, ``{student: cache key}``:
    first those cached already, then those of each notebook as soon as its verdicts are (never with a student
    whose grading failed). ``before_grading()`` (the sandbox's self-test, say) is called first when a notebook is
    to be graded, before anyone is handed to ``on_ready``: what it raises stops the batch with nothing done.

    A submission whose grading raised is not cached: its students are returned, each with a one-line reason.

    Returns
    -------
    graded : int
        How many notebooks were graded and cached.
    failed : dict of str to str
        ``{student: reason}``.
    """
    from tqdm import tqdm

    pending, students, cached = pending_notebooks(intake_dir, force)
    if pending and before_grading is not None:
        before_grading()
    on_ready = on_ready or (lambda students: None)
    if cached:
        on_ready(cached)
    failed = {}
    if not pending:
        return 0, failed
    progress = tqdm(total=len(pending), desc="grading", unit="nb", file=sys.stderr, smoothing=0.1)

    def settle(key, future):
        try:
            _store(key, future.result())
            fault_point("grading")
        except SandboxUnavailable as error:  # the machine's fault, not the student's: nothing is cached
            reason = f"not graded, the machine's fault: {error}"[:300]
            failed.update({student: reason for student in students[key]})
        except Exception as error:  # the fault stays with these submissions; nothing is cached for them
            reason = f"grading failed: {type(error).__name__}: {error}"[:300]
            failed.update({student: reason for student in students[key]})
        else:
            on_ready(dict.fromkeys(students[key], key))
        progress.update()

    if scheduler:
        from distributed import Client, as_completed as dask_completed

        with Client(scheduler) as client:
            window = 4 * max(1, sum(client.nthreads().values()))
            def submit(key):
                return client.submit(grade_to_record, _read_text(pending[key]), pure=False)

            for key, future in in_windows(submit, dask_completed, pending, window):
                settle(key, future)
    else:
        workers = min(jobs or os.cpu_count(), len(pending))  # no process forked to stay idle
        if workers > 1:
            _warm_up_grading()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            def submit(key):
                return pool.submit(grade_to_record, _read_text(pending[key]))

            for key, future in in_windows(submit, as_completed, pending, 4 * workers):
                settle(key, future)
    progress.close()
    return len(pending) - len({k for k in students if any(s in failed for s in students[k])}), failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intake", default=os.path.join(ROOT, "intake"))
    parser.add_argument("--jobs", type=int, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://host:8786")
    args = parser.parse_args(argv)
    graded, failed = prefetch(args.intake, args.jobs, args.scheduler or None)
    print(f"graded {graded} submission(s) in the sandbox; the others' verdicts were cached")
    for student, reason in sorted(failed.items()):
        print(f"{student}: {reason}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
