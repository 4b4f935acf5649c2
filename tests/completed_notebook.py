"""The completed notebook (the release with the reference solutions), executed top to bottom once per test run.

Executing it trains the notebook's three models, several seconds each: ``tests/test_notebook.py`` reads its
outputs and ``tests/test_dataset.py`` the accuracies it prints. Under pytest-xdist the workers share one
execution: the first to ask executes it, holding a lock on a file of the run's temporary root, and writes the
executed notebook there; the others wait for the lock and read that file. A test of another module that reads
it is marked ``SHARES_THE_EXECUTION``: it joins tests/test_notebook.py's xdist group (tests/conftest.py), so that
it runs on the same worker, before or after that module, and never waits for the lock.
"""
import contextlib
import fcntl
import os

import nbformat
import pytest
from nbclient import NotebookClient

from graders.sandbox import copy_student_files
from tests.notebooks import make_submission, reference_solutions

FILE_NAME = "completed-notebook.ipynb"
SHARES_THE_EXECUTION = pytest.mark.xdist_group("tests/test_notebook.py")


def run_folder(tmp_path_factory):
    """A folder every process of this test run sees: the xdist workers' common temporary root, else this
    process's own (a new one for every run, so nothing of an earlier run is read)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def exclusive_lock(path):
    """Hold an exclusive ``flock`` on the file at ``path`` (created if missing) for the ``with`` block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def execute_completed_notebook(folder):
    """Execute the completed notebook in ``folder``, beside the files a student has; return it with its outputs."""
    copy_student_files(folder)
    notebook = make_submission(reference_solutions())
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()
    return notebook


def completed_notebook(tmp_path_factory):
    """The completed notebook with the outputs of its execution, executed once per test run.

    Parameters
    ----------
    tmp_path_factory : pytest.TempPathFactory

    Returns
    -------
    nbformat.NotebookNode
        A copy of its own for each caller, read from the file the execution wrote.
    """
    path = run_folder(tmp_path_factory) / FILE_NAME
    with exclusive_lock(f"{path}.lock"):
        if not path.exists():
            notebook = execute_completed_notebook(tmp_path_factory.mktemp("student"))
            partial = path.with_name(f"{FILE_NAME}.{os.getpid()}")
            nbformat.write(notebook, partial)
            os.replace(partial, path)
    return nbformat.read(path, as_version=4)
