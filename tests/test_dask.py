"""Grading dispatched to a real Dask scheduler and workers on loopback gives the local run's scores: those the
samples and the mutant corpus declare, which a local ``make autograde`` gives them (tests/test_corpora.py)."""
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import free_port, gradebook_scores, make
from tests.notebooks import declared_scores, write_class

BIN = os.path.dirname(sys.executable)


@pytest.fixture
def cluster(released_course):
    port = free_port()
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


def test_a_dask_run_gives_the_scores_a_local_run_gives(released_course, cluster):
    students = write_class(released_course)
    dask_run = make(released_course, "autograde", f"SCHEDULER={cluster}")
    assert f"graded {len(students)} submission(s) in the sandbox" in dask_run.stdout
    assert gradebook_scores(f"sqlite:///{released_course}/gradebook.db") == declared_scores(students)
