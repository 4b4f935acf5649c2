"""The trusted verdict: run a submission in the sandbox, then judge what came back.

Everything the student's process wrote is treated as untrusted data; the
expected arrays never leave this process, and the messages of hidden cases
carry no number computed from them (see :mod:`graders.ladder` and the assignment's judges).
"""
import copy
import functools
import os
import sys
from dataclasses import dataclass

from graders.assignment import check_names, graders_module
from graders.ladder import Failed, same_output
from graders.mistakes import CaseOutcome
from graders.notebook import ASSIGNMENT, EXPECTED_DIR, GRADED_FUNCTIONS, grade_id
from graders.npzfile import load_npz
from graders.plain import flatten, unflatten
from graders.sandbox import run_submission

PUBLIC_CASE = "public"  # the notebook's own case: the student sees its expected values, so its messages give numbers
# What a verdict shows of each catalogued mistake: ``{mistake id: (message, property or None)}`` (plain text,
# which the release's public check carries; the rewrites themselves stay with the grader).
ASSIGNMENT_GRADERS = graders_module(ASSIGNMENT)
MISTAKE_TEXTS = {mistake.mistake_id: (mistake.message, mistake.property) for mistake in ASSIGNMENT_GRADERS.MISTAKES}
# Every check a verdict may name, from one registry: the ladder's and the engine's, then the assignment's own.
CHECKS = check_names(ASSIGNMENT)
# The assignment's judges and optional checks, bound here so that the release's public check carries them.
JUDGES = ASSIGNMENT_GRADERS.JUDGES
random_draw_failure = getattr(ASSIGNMENT_GRADERS, "random_draw_failure", None)
diagnose_cases = getattr(ASSIGNMENT_GRADERS, "diagnose_cases", None)


@dataclass(frozen=True)
class Verdict:
    """The grade of one function.

    Attributes
    ----------
    function : str
    passed : bool
    check : str or None
        Name of the first failed check.
    message : str
        One line for the student.
    diagnosis : str or None
        Id of the catalogued mistake recognised, if any.
    property : str or None
        The property the assignment's diagnosis from properties names (its ``diagnose_cases``), if any.
    """

    function: str
    passed: bool
    check: str | None
    message: str
    diagnosis: str | None = None
    property: str | None = None

    def __post_init__(self):
        if self.check is not None and self.check not in CHECKS:
            raise ValueError(f"the check {self.check!r} is in no registry: add it to graders.ladder.CHECK_NAMES "
                             f"or to the CHECK_NAMES of graders/{ASSIGNMENT}")


def version_mismatches(recorded):
    """Libraries whose running version differs from the one the expected arrays were made with."""
    from graders.make_expected import library_versions

    running = library_versions()
    return {name: (version, running.get(name)) for name, version in recorded.items() if running.get(name) != version}


@functools.lru_cache(maxsize=None)
def expected_cases(function_name):
    """``[(case_id, arguments, expected, {mistake_id: output})]`` of one function.

    A library version that differs from the one recorded in the file is reported on stderr, once.
    """
    path = os.path.join(EXPECTED_DIR, function_name + ".npz")
    arrays, meta = load_npz(path)
    for name, (recorded, running) in version_mismatches(meta["versions"]).items():
        print(f"{path}: made with {name} {recorded}, grading runs {name} {running}; regenerate with "
              "'make expected' if results differ", file=sys.stderr)
    cases = []
    for case_id in meta["case_order"]:
        specs = meta["cases"][case_id]
        mistakes = {name[len("mistake/"):]: unflatten(arrays, spec)
                    for name, spec in specs.items() if name.startswith("mistake/")}
        cases.append((case_id, unflatten(arrays, specs["arguments"]), unflatten(arrays, specs["expected"]),
                      mistakes))
    return cases


@functools.lru_cache(maxsize=None)
def worker_job(case_ids=None):
    """The arguments of the cases (all, or those of ``case_ids``), flattened for the worker: ``(spec, arrays)``."""
    cases, arrays = {}, {}
    for function_name in GRADED_FUNCTIONS:
        cases[function_name] = {}
        for case_id, arguments, _, _ in _cases(function_name, case_ids):
            case_arrays, cases[function_name][case_id] = flatten(arguments, f"{function_name}/{case_id}")
            arrays.update(case_arrays)
    return cases, arrays


def _cases(function_name, case_ids):
    return [case for case in expected_cases(function_name) if case_ids is None or case[0] in case_ids]


def warm_up():
    """Compute in this process what every grading here shares, so that processes forked afterwards share it too.

    That is the cases and their expected outputs, the worker's arguments, and what the judges compute once per
    case (the assignment's numerical gradients, say): each judge is run once on a copy of each expected output.
    A pool forked after it starts grading at once, instead of each of its processes computing the same.
    """
    worker_job()
    for function_name in GRADED_FUNCTIONS:
        for case_id, arguments, expected, _ in expected_cases(function_name):
            judge(function_name, copy.deepcopy(expected), expected, arguments, detail=case_id == PUBLIC_CASE)


def grade_notebook(notebook, case_ids=None):
    """Grade the four functions of a notebook.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
    case_ids : tuple of str, optional
        Grade on these cases only (``("public",)`` for the student's own validation); default: all.

    Returns
    -------
    verdicts : dict
        ``{function: Verdict}``.
    cell_errors : list of dict
        ``{"cell": index, "error": text}`` for each definition cell that failed to run.
    """
    cases, arrays = worker_job(case_ids)
    result = run_submission(notebook, cases, arrays)
    errors = {error["cell"]: error["error"] for error in result.cell_errors}
    cells = {grade_id(cell): index for index, cell in enumerate(notebook.cells)}
    verdicts = {name: judge_function(name, result, case_ids, errors.get(cells.get(name))) for name in GRADED_FUNCTIONS}
    return verdicts, result.cell_errors


def judge(function_name, actual, expected, arguments, *, detail=False):
    """Compare one output of a student's function with the expected one: the first failed check of its judge.

    Parameters
    ----------
    function_name : str
    actual : object
        The student's output, already converted to plain data (see :mod:`graders.plain`).
    expected : object
        The reference output for the same case.
    arguments : tuple
        The arguments of the call.
    detail : bool
        Whether messages may give numbers computed from ``expected`` and ``arguments`` (counts,
        errors, indices): only for a case whose expected output the student already has.

    Returns
    -------
    CheckFailure or None
        The first failed check, or None when every check passes.
    """
    try:
        JUDGES[function_name](actual, expected, arguments, detail)
    except Failed as failed:
        return failed.failure
    return None


def judge_function(function_name, result, case_ids=None, defining_cell_error=None):
    """The verdict of one function from the worker's untrusted report (on ``case_ids``, default all).

    ``defining_cell_error`` is the error of the release cell that defines the function, if it failed to run.
    """
    if function_name in result.crashed_functions:
        return _fail(function_name, "runs", f"{function_name}: {result.crashed_functions[function_name]}")
    record = result.functions.get(function_name)
    if not isinstance(record, dict) or not record.get("defined"):
        return _undefined_verdict(function_name, defining_cell_error)
    case_records = record.get("cases", {}) if isinstance(record.get("cases"), dict) else {}
    cases = _cases(function_name, case_ids)
    for case_id, arguments, expected, _ in cases:
        verdict = _judge_case(function_name, case_id, case_records.get(case_id), result, arguments, expected)
        if verdict is not None:
            outputs = _student_outputs(cases, case_records, result)
            return _with_diagnosis(verdict, _catalogued_mistake(cases, outputs),
                                   _property_diagnosis(function_name, cases, case_records, outputs)
                                   if case_ids is None else None)
    return Verdict(function_name, True, None, f"{function_name}: all {len(cases)} checked cases passed")


def _student_output(record, result):
    """The student's output of one case as plain data, or raise ValueError."""
    try:
        return unflatten(result.arrays, record["output"])
    except (KeyError, TypeError, ValueError, IndexError):
        raise ValueError("unreadable output") from None


def _judge_case(function_name, case_id, record, result, arguments, expected):
    where = f"{function_name}, case '{case_id}'"
    if not isinstance(record, dict):
        return _fail(function_name, "runs", f"{where}: no result was recorded")
    if record.get("status") != "ok":
        return _error_verdict(function_name, where, str(record.get("error")), record.get("error_kind"))
    try:
        output = _student_output(record, result)
    except ValueError:
        return _fail(function_name, "type", f"{where}: the returned value could not be read as plain data")
    if record.get("mutated"):
        return _fail(function_name, "inputs unchanged", f"{where}: the function changed its input(s) "
                     f"{', '.join(map(str, record['mutated']))} in place; work on copies instead")
    failure = random_draw_failure and random_draw_failure(function_name, record.get("random_draws"))
    failure = failure or judge(function_name, output, expected, arguments, detail=case_id == PUBLIC_CASE)
    if failure is None:
        return None
    return Verdict(function_name, False, failure.check, f"{where}, check '{failure.check}': {failure.message}")


def _student_outputs(cases, case_records, result):
    """``{case_id: output}`` of the student, None for a call that raised; None when a record is unreadable."""
    outputs = {}
    for case_id, _, _, _ in cases:
        record = case_records.get(case_id)
        try:
            outputs[case_id] = _student_output(record, result) if record.get("status") == "ok" else None
        except (ValueError, AttributeError):
            return None
    return outputs


def _catalogued_mistake(cases, outputs):
    """The catalogued mistake whose outcomes agree with the student's on every case, if any.

    A case agrees when both raised, or both returned the same output; at least one must be an output.
    """
    if outputs is None or not any(output is not None for output in outputs.values()):
        return None
    for mistake_id in cases[0][3]:
        if all(_agrees(outputs[case_id], mistakes[mistake_id]) for case_id, _, _, mistakes in cases):
            return mistake_id
    return None


def _agrees(student_output, mistake_output):
    if student_output is None or mistake_output is None:
        return student_output is None and mistake_output is None
    return same_output(student_output, mistake_output)


def _property_diagnosis(function_name, cases, case_records, outputs):
    """The assignment's diagnosis from properties (its ``diagnose_cases``) on which the student's outputs agree.

    Given on full grading only, never on the public case alone: the diagnosis recomputes the right values
    from the arguments, so its code stays with the grader and out of the release's public check, which says
    exactly what the grader says on the public case."""
    if outputs is None or diagnose_cases is None:
        return None
    return diagnose_cases(function_name, [
        CaseOutcome(outputs[case_id], expected, arguments, case_records[case_id].get("random_draws") is True)
        for case_id, arguments, expected, _ in cases])


def _with_diagnosis(verdict, mistake_id, diagnosis):
    """The verdict with its likely mistake: the catalogued one's message, then the diagnosis from properties.

    When both exist and name different properties, the catalogued mistake alone is kept: it reproduces
    every output, while a property is shown only when nothing contradicts it.
    """
    message, mistake_property = MISTAKE_TEXTS.get(mistake_id, (None, None))
    if diagnosis is not None and message is not None and mistake_property != diagnosis.property:
        diagnosis = None
    likely = [text for text in (message, diagnosis and diagnosis.message) if text]
    if not likely:
        return verdict
    return Verdict(verdict.function, False, verdict.check, f"{verdict.message}. Likely mistake: {'. '.join(likely)}",
                   mistake_id, diagnosis and diagnosis.property)


def _error_verdict(function_name, where, error, kind):
    """The verdict of a call that raised: ``error`` is the worker's one-line description, ``kind`` its kind
    (one of :data:`graders.plain.ERROR_KINDS`), which alone chooses the check."""
    error = error.replace(f"(in {function_name}, ", "(")  # the verdict names the function already
    if kind == "not_implemented":
        return _fail(function_name, "implemented", f"{function_name} is not implemented yet: replace "
                     "'raise NotImplementedError()' with your code")
    if kind == "notebook_variable":
        return _fail(function_name, "no notebook globals", f"{where}: {error}. A graded function may use only "
                     "its arguments and the notebook's imports and functions, not variables of the notebook")
    if kind == "undefined_name":
        return _fail(function_name, "names defined", f"{where}: {error}. Check the spelling of the name, or "
                     "define it before it is used")
    if kind == "timeout":
        return _fail(function_name, "runs", f"{where}: the call {error} (an endless loop?)")
    if kind == "signature":
        return _fail(function_name, "signature", f"{where}: {error}. Keep the parameters of the function "
                     "as given")
    return _fail(function_name, "runs", f"{where}: raised {error}")


def _undefined_verdict(function_name, cell_error):
    """The verdict of a function the notebook did not define, saying why when its own cell failed to run."""
    if cell_error is not None:
        return _fail(function_name, "exists", f"{function_name} is not defined because its cell failed to run: "
                     f"{cell_error}")
    return _fail(function_name, "exists", f"{function_name} is not defined: keep the cell that defines it "
                 "and the function's name unchanged")


def _fail(function_name, check, message):
    return Verdict(function_name, False, check, message)

