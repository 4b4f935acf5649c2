"""The autograder's verdict on the public case, computed where the student's notebook runs.

A function is checked the way the sandboxed grader checks it: rebound to the notebook's functions and
modules only (no notebook variable, :func:`graders.worker.without_data`), called on a deep copy of the
public case's arguments with numpy's generator seeded with 0 and the grader's time limit per call
(:func:`graders.worker.call_case`), its output recorded as plain data (:func:`graders.worker.record_output`)
and judged by :func:`graders.grading.judge_function`: the ladder of named checks, the wording of every
verdict and the catalogue of mistakes are the grader's own.

``make release`` copies this module, with every part of the grader it calls, into the release as
``public_checks.py`` (:mod:`graders.release_checks`). The copy reads the public case from
``public_case.npz`` beside it (:func:`public_expected_cases`, :func:`public_precomputed`) instead of
the grader's expected arrays: its arguments, its expected output, the outputs of the catalogued mistakes on
it and what the assignment's checks compute from the reference on it (its ``RELEASE_PRECOMPUTED``, such as
numerical gradients). Nothing about the hidden cases ships.

Students run the copy in two ways: the notebook's visible checks call :func:`check_function`, and
``python public_tests.py <notebook>`` calls :func:`main` (:func:`check_notebook`).
"""
import contextlib
import json
import os
import signal
import sys
import threading
import types
import warnings

import numpy as np

from graders.grading import PUBLIC_CASE, expected_cases, judge_function
from graders.ladder import same_output
from graders.notebook import GRADED_FUNCTIONS, NON_DEFINITION_PREFIXES, NOTEBOOK_NAME
from graders.npzfile import load_npz
from graders.plain import unflatten
from graders.sandbox import SECONDS_PER_CALL, SECONDS_PER_CELL

PUBLIC_CASE_FILE = "public_case.npz"
# Room for the output of one call: the worker's budget for the outputs of all cases together.
OUTPUT_BUDGET = (32 * 1024 ** 2, 8 * 1024 ** 2)


def _import_worker():
    """:mod:`graders.worker`, which imports its helpers as the top-level module ``plain`` (as in the sandbox)."""
    import importlib

    import graders.plain

    saved = sys.modules.get("plain")
    sys.modules["plain"] = graders.plain
    try:
        return importlib.import_module("graders.worker")
    finally:
        if saved is None:
            del sys.modules["plain"]
        else:
            sys.modules["plain"] = saved


_worker = _import_worker()
call_case, describe_error, record_output = _worker.call_case, _worker.describe_error, _worker.record_output
run_with_time_limit, strip_magics, without_data = (_worker.run_with_time_limit, _worker.strip_magics,
                                                   _worker.without_data)
CELL_SOURCES = _worker.CELL_SOURCES  # what describe_error quotes of a cell


def check_function(function_name, function):
    """The autograder's verdict on the public case of one graded function.

    Parameters
    ----------
    function_name : str
    function : callable or dict
        The student's function, or the notebook's namespace (``globals()``) to find it in by name, as the
        autograder does.

    Returns
    -------
    Verdict
        ``passed``, ``check`` and ``message`` exactly as the autograder words them for the public case.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # nothing on stderr: nbgrader fails such a cell
        warnings.simplefilter("ignore")
        return _check(function_name, function)


def _check(function_name, function):
    if isinstance(function, dict):
        candidate = without_data(function).get(function_name)
    elif getattr(function, "__globals__", {}).get(function_name) is function:
        candidate = without_data(function.__globals__)[function_name]
    else:
        candidate = function
    arrays = {}
    if callable(candidate):
        [(_, arguments, _, _)] = [case for case in expected_cases(function_name) if case[0] == PUBLIC_CASE]
        record, output = _call(candidate, arguments)
        if record["status"] == "ok":
            record["output"], arrays = record_output(output, f"{function_name}/{PUBLIC_CASE}/output",
                                                     list(OUTPUT_BUDGET))
        report = {"defined": True, "cases": {PUBLIC_CASE: record}}
    else:
        report = {"defined": False, "cases": {}}
    result = types.SimpleNamespace(crashed_functions={}, functions={function_name: report}, arrays=arrays)
    return judge_function(function_name, result, (PUBLIC_CASE,))


def _call(function, arguments):
    """``call_case``, without a time limit where there is no alarm clock."""
    with _clock():
        return call_case(function, arguments, SECONDS_PER_CALL)


@contextlib.contextmanager
def _clock():
    """Keep the caller's SIGALRM handler; off the main thread or on Windows, run calls with no time limit."""
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGALRM)
        try:
            yield
        finally:
            signal.signal(signal.SIGALRM, previous)
        return
    names = call_case.__globals__
    timed = names["run_with_time_limit"]
    names["run_with_time_limit"] = _run_without_time_limit
    try:
        yield
    finally:
        names["run_with_time_limit"] = timed


def _run_limited(action, seconds):
    """``run_with_time_limit`` where an alarm clock can be set, else :func:`_run_without_time_limit`."""
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return run_with_time_limit(action, seconds)
    return _run_without_time_limit(action, seconds)


def _run_without_time_limit(action, seconds):
    """``run_with_time_limit`` where no alarm clock can be set: ``None`` or how ``action()`` failed."""
    try:
        action()
        return None
    except BaseException as error:  # a student's function may raise anything
        return describe_error(error)


def verdict_line(verdict):
    """One line of a report: ``PASS  name`` or ``FAIL  name: message``."""
    return f"  {'PASS' if verdict.passed else 'FAIL'}  {verdict.function}" + (
        "" if verdict.passed else f": {verdict.message}")


def definition_cells(notebook):
    """``[(label, index, source)]`` of the code cells the autograder runs: all but model runs and tests."""
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        nbgrader = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        name = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        name = name if isinstance(name, str) else ""
        if name.startswith(NON_DEFINITION_PREFIXES):
            continue
        source = cell.get("source", "")
        cells.append((name or f"cell {index}", index, source if isinstance(source, str) else "".join(source)))
    return cells


def notebook_verdicts(path):
    """Run a notebook's definition cells in this process, then check the four functions on the public case.

    The notebook's folder (with the release's files) becomes the working folder, as in Jupyter.

    Returns
    -------
    cell_errors : list of (str, str)
        ``(cell, error)`` for each definition cell that failed.
    verdicts : list of Verdict
        One per graded function, in the notebook's order.

    Raises
    ------
    OSError, ValueError
        The file cannot be read as a notebook.
    """
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    if not isinstance(notebook, dict):
        raise ValueError("not a notebook")
    folder = os.path.dirname(os.path.abspath(path))
    os.chdir(folder)
    sys.path.insert(0, folder)
    os.environ.setdefault("MPLBACKEND", "Agg")
    namespace = {"__name__": "__main__"}
    cell_errors = []
    for label, index, source in definition_cells(notebook):
        CELL_SOURCES[str(index)] = strip_magics(source)

        def run(source=source, index=index):  # compiled as the grader compiles it, so errors name their line
            exec(compile(strip_magics(source), f"cell {index}", "exec"), namespace)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            error = _run_limited(run, SECONDS_PER_CELL)
        if error is not None:
            cell_errors.append((label, str(error)))
    return cell_errors, [check_function(name, namespace) for name in GRADED_FUNCTIONS]


def check_notebook(path):
    """Print the public-case verdict of each function of the notebook at ``path``; return the exit status."""
    try:
        cell_errors, verdicts = notebook_verdicts(path)
    except (OSError, ValueError) as problem:
        print(f"{path}: cannot read the notebook ({problem})")
        return 2
    print(f"Checked {path} with the autograder's checks and wording, on the public case only:")
    for label, error in cell_errors:
        print(f"  error in {label}: {error}")
    for verdict in verdicts:
        print(verdict_line(verdict))
    passed = all(verdict.passed for verdict in verdicts)
    print("All public checks pass. Hidden cases are checked when the notebook is graded." if passed
          else "Fix the failures above before submitting.")
    return 0 if passed else 1


def main(argv=None):
    """``python public_tests.py NOTEBOOK``: exit status 0 when every public check passes, 1 if not, 2 unreadable."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(f"usage: python public_tests.py {NOTEBOOK_NAME}", file=sys.stderr)
        return 2
    return check_notebook(argv[0])


def public_case_path():
    """``public_case.npz`` beside the bundled module."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), PUBLIC_CASE_FILE)


def public_expected_cases(function_name):
    """In the release, ``expected_cases``: the public case alone, ``[(case_id, arguments, expected, mistakes)]``."""
    arrays, meta = load_npz(public_case_path())
    specs = meta["cases"][function_name]
    mistakes = {name[len("mistake/"):]: unflatten(arrays, spec)
                for name, spec in specs.items() if name.startswith("mistake/")}
    return [(PUBLIC_CASE, unflatten(arrays, specs["arguments"]), unflatten(arrays, specs["expected"]), mistakes)]


def public_precomputed(*arguments):
    """In the release, each function of the assignment's ``RELEASE_PRECOMPUTED``: its result on the public case.

    The release step recorded every call the checks made on the public case, with its arguments; the call
    whose arguments equal these (no two recorded calls have equal arguments) gives the result.
    """
    arrays, meta = load_npz(public_case_path())
    for call in meta["precomputed"]:
        if same_output(arguments, unflatten(arrays, call["arguments"])):
            return unflatten(arrays, call["result"])
    raise ValueError("this call was not made on the public case when the release was written")


def no_property_diagnosis(function_name, cases, case_records, outputs):
    """What the public check has in place of the diagnosis from properties, which only full grading gives."""
    return None
