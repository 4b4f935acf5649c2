"""The corpora of submissions graded once for the session, through the real ``make autograde feedback``.

tests/test_corpora.py checks the scores, diagnoses and pages of that run; tests/test_kernels.py compares its
verdicts with a grading of the same notebooks under another BLAS kernel. The run is made by the session fixture
``graded_corpora`` (tests/conftest.py); the tests that use it go to one xdist worker, which makes it once.
"""
import copy
import hashlib
import os
import shutil
from typing import NamedTuple

import nbformat

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, grade_id, points_by_function, read_source_notebook
from tests.corpus import entry_solutions, load_entries
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission

POINTS = points_by_function(read_source_notebook())
KINDS = ("mutants", "variants", "hostile")
ENTRIES = {f"{kind}-{name}": entry for kind in KINDS for name, entry in load_entries(kind).items()}
# The BLAS kernel (OPENBLAS_CORETYPE) the run grades under; tests/test_kernels.py grades again under another.
KERNEL = "Haswell"
GIB = 1024 ** 3
# Limits of the corpora's course (graders.settings.GradingLimits), half the course's defaults (10 s a call,
# 2 GiB; tests/test_settings.py checks those): the hostile entries that run into a limit are stopped sooner, each
# graded twice. They leave a wide margin to the honest entries, which must never reach them: every honest call
# takes under 0.03 s on a loaded machine under either kernel (graded with that limit, no verdict changes), and
# the largest honest submission peaks at about 540 MiB (hostile-fills_the_disk_and_returns_huge_arrays: a full
# work area and its large return values), a fork bomb held by the process limit at under 470 MiB. Both limits
# are halved: a hog of memory, which takes time in proportion to what it fills (1 GiB in 0.5 to 5 s on a loaded
# machine), reaches the memory limit before the clock of a call as reliably as under the defaults.
CORPORA_LIMITS = {"seconds_per_call": 5.0, "memory_bytes": GIB}


class GradedCorpora(NamedTuple):
    """What the session's run of ``make autograde feedback`` on the corpora left."""

    course: str
    broken: dict  # {student id: (expected total, reason fragment or None)} of the broken files
    before: dict  # {path: sha256} of submitted/ before the run
    after: dict  # ... and after it
    stdout: str  # what ``make autograde feedback`` printed
    kernel: str  # the OPENBLAS_CORETYPE the run was given
    limits: dict  # the limits set in the course's nbgrader_config.py (:data:`CORPORA_LIMITS`)


def _write_raw(course, student_id, name, content):
    folder = os.path.join(course, "submitted", student_id, ASSIGNMENT)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(content)


def _broken_files(course, release, correct):
    """File-level cases: ``{student_id: (expected total, reason fragment or None)}``."""
    _write_raw(course, "file-bad-json", "Regularization.ipynb", b'{"cells": [')
    _write_raw(course, "file-empty", "Regularization.ipynb", b"")
    _write_raw(course, "file-not-a-notebook", "Regularization.ipynb", b'{"hello": 1}')
    _write_raw(course, "file-wrong-name", "my_regularization.ipynb", nbformat.writes(correct).encode())
    _write_raw(course, "file-nbformat3", "Regularization.ipynb",
               nbformat.writes(nbformat.convert(copy.deepcopy(correct), 3)).encode())
    without_tests = make_submission({}, release=correct)
    without_tests.cells = [c for c in without_tests.cells if not (grade_id(c) or "").startswith("test_")]
    write_submission(without_tests, course, "file-deleted-test-cells")
    reordered = make_submission({}, release=correct)
    reordered.cells = reordered.cells[:2] + list(reversed(reordered.cells[2:]))
    write_submission(reordered, course, "file-reordered-cells")
    edited = make_submission({}, release=correct)
    for cell in edited.cells:
        if (grade_id(cell) or "").startswith("test_"):
            cell.source = "print('all hidden checks passed')"
    stubbed = make_submission({}, release=edited)
    for cell in stubbed.cells:
        if grade_id(cell) in GRADED_FUNCTIONS:
            cell.source = next(c.source for c in release.cells if grade_id(c) == grade_id(cell))
    write_submission(stubbed, course, "file-edited-test-cells-with-stubs")
    full = sum(POINTS.values())
    return {"file-bad-json": (0, "not valid JSON"), "file-empty": (0, "empty"),
            "file-not-a-notebook": (0, "not a Jupyter notebook"), "file-wrong-name": (full, None),
            "file-nbformat3": (full, None), "file-deleted-test-cells": (full, None),
            "file-reordered-cells": (full, None), "file-edited-test-cells-with-stubs": (0, None)}


def set_limits(course, limits):
    """Set the grading ``limits`` (``{GradingLimits trait: value}``) in the nbgrader_config.py of ``course``."""
    with open(os.path.join(course, "nbgrader_config.py"), "a", encoding="utf-8") as handle:
        handle.writelines(f"\nc.GradingLimits.{name} = {value!r}" for name, value in limits.items())
        handle.write("\n")


def _tree_hashes(folder):
    hashes = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                hashes[os.path.relpath(path, folder)] = hashlib.sha256(handle.read()).hexdigest()
    return hashes


def grade_corpora(released_template, course):
    """Copy the released course ``released_template`` to ``course`` with the limits :data:`CORPORA_LIMITS`, submit
    every corpus entry and the broken files, and run ``make autograde feedback`` there under :data:`KERNEL`;
    return a :class:`GradedCorpora`."""
    from tests.conftest import make

    shutil.copytree(released_template, course, symlinks=True)
    set_limits(course, CORPORA_LIMITS)
    release = read_release()
    solutions = reference_solutions()
    for student_id, entry in ENTRIES.items():
        notebook = make_submission(entry_solutions(entry, solutions), getattr(entry, "EXTRA_CELLS", ()),
                                   release=release)
        write_submission(notebook, course, student_id)
    broken = _broken_files(course, release, make_submission(solutions, release=release))
    before = _tree_hashes(os.path.join(course, "submitted"))
    result = make(course, "autograde", "feedback", environment={"OPENBLAS_CORETYPE": KERNEL})
    after = _tree_hashes(os.path.join(course, "submitted"))
    return GradedCorpora(course, broken, before, after, result.stdout, KERNEL, CORPORA_LIMITS)
