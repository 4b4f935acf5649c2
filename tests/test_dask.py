"""Grading dispatched to a real Dask scheduler and workers on loopback gives the local run's scores."""
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import copy_course, make
from tests.corpus import load_entries
from tests.notebooks import SAMPLES, make_submission, read_release, reference_solutions, write_submission

BIN = os.path.dirname(sys.executable)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_class(course):
    release = read_release()
    solutions = reference_solutions()
    for student_id, correct in SAMPLES.items():
        write_submission(make_submission({n: solutions[n] for n in correct}, release=release), course, student_id)
    for name, entry in list(load_entries("mutants").items())[:6]:
        notebook = make_submission({**solutions, **{k: v.strip("\n") for k, v in entry.SOLUTIONS.items()}},
                                   release=release)
        write_submission(notebook, course, "mutant-" + name)


def _scores(course):
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        return {(s.id, g.name): g.score for s in gradebook.students
                for g in gradebook.find_submission_notebook("Regularization", ASSIGNMENT, s.id).grades}


@pytest.fixture
def cluster(released_course):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": released_course}
    scheduler = subprocess.Popen([os.path.join(BIN, "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                                  str(port), "--dashboard-address", ":0", "--no-show"], cwd=released_course,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([os.path.join(BIN, "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
                               "--no-dashboard"], cwd=released_course, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout=5) as client:
                    client.wait_for_workers(2, timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_dask_run_equals_local_run(released_course, cluster, tmp_path):
    _write_class(released_course)
    dask_run = make(released_course, "autograde", f"SCHEDULER={cluster}")
    assert "graded 9 submission(s) in the sandbox" in dask_run.stdout
    dask_scores = _scores(released_course)

    local_course = copy_course(tmp_path / "local")
    shutil.copytree(os.path.join(released_course, "submitted"), os.path.join(local_course, "submitted"))
    make(local_course, "release", "autograde")
    assert _scores(local_course) == dask_scores
    assert len(dask_scores) == 9 * 4
