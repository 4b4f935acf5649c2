"""The same verdicts and the same feedback text under two BLAS kernels (``OPENBLAS_CORETYPE``).

Floating-point results differ in the last bits between kernels; the checks compare with tolerances, so the
mutant, variant and hostile corpora must get identical verdicts and messages under both, the sandboxed
student code included (the sandbox passes the kernel choice on).
"""
import json
import os
import subprocess
import sys

import pytest

from graders.notebook import ROOT

KERNELS = ("Haswell", "Prescott")
GRADE_CORPORA = r"""
import dataclasses, json, os, sys
from concurrent.futures import ProcessPoolExecutor
import nbformat
from graders.grading import grade_notebook
from tests.corpus import entry_solutions, load_entries
from tests.notebooks import make_submission, read_release, reference_solutions

def grade(text):
    verdicts, cell_errors = grade_notebook(nbformat.reads(text, as_version=4))
    return {"verdicts": {name: dataclasses.asdict(v) for name, v in verdicts.items()}, "cell_errors": cell_errors,
            "coretype": os.environ.get("OPENBLAS_CORETYPE")}

release, solutions = read_release(), reference_solutions()
only = set(sys.argv[1:])  # these entries alone, one at a time, when named
notebooks = {f"{kind}-{name}": nbformat.writes(make_submission(entry_solutions(entry, solutions),
                                                                getattr(entry, "EXTRA_CELLS", ()), release=release))
             for kind in ("mutants", "variants", "hostile") for name, entry in load_entries(kind).items()
             if not only or f"{kind}-{name}" in only}
with ProcessPoolExecutor(1 if only else 2) as pool:
    results = dict(zip(notebooks, pool.map(grade, notebooks.values())))
json.dump(results, sys.stdout, sort_keys=True)
"""


def _graded_under(kernel, only=()):
    environment = {**os.environ, "OPENBLAS_CORETYPE": kernel, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", GRADE_CORPORA, *only], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _timed_out(outcome):
    """Whether the grader's clock stopped a step of this submission (a wall-clock limit, which a loaded machine
    can reach where an idle one does not: a hog of memory is stopped by the clock instead of the memory limit)."""
    return "did not finish within" in json.dumps(outcome)


@pytest.fixture(scope="module")
def graded():
    results = {kernel: _graded_under(kernel) for kernel in KERNELS}
    # An entry whose verdicts differ where a clock stopped it under one of the kernels is graded again, alone,
    # under both (up to twice): what the test compares is then the kernels, not the machine's load at one moment.
    for _ in range(2):
        first, second = (results[kernel] for kernel in KERNELS)
        again = sorted(name for name in set(first) & set(second)
                       if first[name] != second[name] and (_timed_out(first[name]) or _timed_out(second[name])))
        if not again:
            break
        for kernel in KERNELS:
            results[kernel].update(_graded_under(kernel, again))
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
    assert sorted(first) == sorted(second) and len(first) > 60
    for name in first:
        assert first[name]["coretype"] == KERNELS[0] and second[name]["coretype"] == KERNELS[1]
        assert {k: v for k, v in first[name].items() if k != "coretype"} == \
            {k: v for k, v in second[name].items() if k != "coretype"}, name
