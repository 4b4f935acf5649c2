"""The completed notebook (the release with the reference solutions), validated by ``nbgrader validate`` once per
test run, with the outputs of that execution.

Validating it executes it top to bottom, which trains the notebook's three models, several seconds each:
``tests/test_public_check.py`` reads what ``nbgrader validate`` printed, ``tests/test_notebook.py`` the executed
cells' outputs and ``tests/test_dataset.py`` the accuracies they print. The command is nbgrader's own, run as a
student runs it in a copy of the release folder; a configuration file in that copy (which the release does not
have) keeps each cell nbgrader executes and writes them out when the command ends, so that the one execution
serves all three.

Under pytest-xdist the workers share that one execution: the first to ask runs it, holding a lock on a file of
the run's temporary root, and writes what it left there; the others wait for the lock and read those files. A
test of another module that reads it is marked ``SHARES_THE_EXECUTION``: it joins tests/test_notebook.py's
xdist group (tests/conftest.py), so that it runs on the same worker, before or after that module, and never
waits for the lock.
"""
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from graders.notebook import ASSIGNMENT, ROOT
from tests.notebooks import make_submission, reference_solutions

RELEASE_DIR = os.path.join(ROOT, "release", ASSIGNMENT)
NOTEBOOK_NAME = "Regularization.ipynb"
FILE_NAME = "completed-notebook.ipynb"
VALIDATE_OUTPUT_NAME = "completed-notebook.validate.txt"
SHARES_THE_EXECUTION = pytest.mark.xdist_group("tests/test_notebook.py")
# nbgrader_config.py of the validated copy: nbclient calls ``on_cell_start`` with each cell of the notebook it
# executes (the very object it then fills with outputs); the cells are written out when the command ends. nbgrader
# reads its configuration files more than once, each time with a hook of its own: the one that kept cells writes.
KEEP_EXECUTED_CELLS = """\
import atexit
import json

executed_cells = {{}}


def keep_cell(cell, cell_index):
    executed_cells[cell_index] = cell


def write_executed_cells():
    if not executed_cells:
        return
    with open({path!r}, "w", encoding="utf-8") as handle:
        json.dump({{str(index): cell for index, cell in executed_cells.items()}}, handle)


atexit.register(write_executed_cells)
c.Execute.on_cell_start = keep_cell
"""


def student_environment():
    """The environment of a student who has only the release: nothing of this repository on the path."""
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}


def release_copy(folder, notebook_node):
    """The release folder alone, copied to ``folder``, with ``notebook_node`` as its notebook."""
    shutil.copytree(RELEASE_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    nbformat.write(notebook_node, os.path.join(folder, NOTEBOOK_NAME))
    return str(folder)


def nbgrader_validate(folder, notebooks=(NOTEBOOK_NAME,), with_log=False):
    """What ``nbgrader validate`` prints for ``notebooks`` (paths from ``folder``, by default the notebook of the
    release copy ``folder``), run in ``folder`` as a student runs it; with ``with_log``, nbgrader's log lines too, in
    the order they were written (unbuffered, on the same pipe)."""
    result = subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"), "validate", *notebooks],
                            cwd=folder, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT if with_log else subprocess.PIPE, text=True, timeout=900,
                            env={**student_environment(), **({"PYTHONUNBUFFERED": "1"} if with_log else {})})
    return result.stdout


def validate_completed_notebook(folder):
    """Validate the completed notebook in a release copy at ``folder``; ``(executed notebook, validate's output)``.

    The executed notebook is the one validated, each cell as nbgrader's execution left it.
    """
    notebook = make_submission(reference_solutions())
    release_copy(folder, notebook)
    cells_path = os.path.join(os.path.dirname(folder), "executed-cells.json")
    with open(os.path.join(folder, "nbgrader_config.py"), "w", encoding="utf-8") as handle:
        handle.write(KEEP_EXECUTED_CELLS.format(path=cells_path))
    output = nbgrader_validate(folder)
    with open(cells_path, encoding="utf-8") as handle:
        executed = json.load(handle)
    assert sorted(map(int, executed)) == list(range(len(notebook.cells))), "nbgrader did not execute every cell"
    notebook.cells = [nbformat.from_dict(executed[str(index)]) for index in range(len(notebook.cells))]
    return notebook, output


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


def _validated(tmp_path_factory):
    """Paths of the executed notebook and of validate's output, validated once per test run."""
    path = run_folder(tmp_path_factory) / FILE_NAME
    output_path = path.with_name(VALIDATE_OUTPUT_NAME)
    with exclusive_lock(f"{path}.lock"):
        if not path.exists():
            folder = tmp_path_factory.mktemp("completed") / ASSIGNMENT
            notebook, output = validate_completed_notebook(str(folder))
            with open(output_path, "w", encoding="utf-8") as handle:
                handle.write(output)
            partial = path.with_name(f"{FILE_NAME}.{os.getpid()}")
            nbformat.write(notebook, partial)
            os.replace(partial, path)  # last: its presence says both files are complete
    return path, output_path


def completed_notebook(tmp_path_factory):
    """The completed notebook with the outputs of its execution by ``nbgrader validate``.

    Parameters
    ----------
    tmp_path_factory : pytest.TempPathFactory

    Returns
    -------
    nbformat.NotebookNode
        A copy of its own for each caller, read from the file the execution wrote.
    """
    path, _ = _validated(tmp_path_factory)
    return nbformat.read(path, as_version=4)


def completed_notebook_validation(tmp_path_factory):
    """What ``nbgrader validate`` printed for the completed notebook (the same execution as
    :func:`completed_notebook`)."""
    _, output_path = _validated(tmp_path_factory)
    with open(output_path, encoding="utf-8") as handle:
        return handle.read()
