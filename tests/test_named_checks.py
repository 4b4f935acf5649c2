"""Every named check has a witness: a submission that this check, and no other, fails.

A witness is a reference solution with one change, written below as data. It is graded for real (the notebook
in the sandbox, :func:`graders.grading.grade_notebook`), and its verdict must name exactly its check, with a part
of the message that tells the site of the check apart from other sites of the same name. A witness of a check that
comes before "values" in the ladder is a mistake that would fail later if the check were gone (most often on
"values", sometimes on a later check or by breaking the judge), so removing any check changes a verdict here.

Witnesses of different functions share a notebook (the k-th witness of each function goes in the k-th
notebook), so the module grades few notebooks; notebooks are graded when a test first needs them.

A few checks cannot arise from a notebook graded in the sandbox; their witnesses go through the code that emits
them, with real inputs: "readable" (the intake takes in an unreadable file, the nbgrader preprocessor gives the
verdict), "dtype" (the sandbox carries only arrays of numbers, so the judge is called on a complex array), and
the grader's own sites for a worker report without a record, with an output it cannot read, or with a call that
did not finish (a notebook would spend the ten seconds of a call's time limit).

A check added to the registry without a witness fails :func:`test_every_registered_check_has_a_witness`.
"""
import importlib.util
import os
from dataclasses import dataclass

import numpy as np
import pytest

from graders.assignment import check_names
from graders.grading import Verdict, expected_cases, grade_notebook, judge, judge_function
from graders.ladder import NOT_SHOWN, Failed
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, grade_id
from graders.plain import flatten
from graders.sandbox import RunResult
from tests.notebooks import make_submission, read_release, reference_solutions

COST, L2, FORWARD, BACKWARD = GRADED_FUNCTIONS
STUB = object()  # a witness whose function is the release's untouched stub
HIDDEN = f"({NOT_SHOWN})"


@dataclass(frozen=True)
class Witness:
    """A reference solution with ``changes`` (each ``(old, new)``, every occurrence replaced) that fails ``check``.

    ``message`` is a part of the verdict's message; ``extra_cells`` are cells the student added.
    """

    check: str
    label: str
    function: str
    changes: object
    message: str
    extra_cells: tuple = ()

    @property
    def id(self):
        return f"{self.check}/{self.label}"


WITNESSES = (
    # --- compute_cost_with_regularization ---
    Witness("exists", "renamed", COST,
            (("def compute_cost_with_regularization(", "def compute_cost_regularized("),),
            "is not defined: keep the cell that defines it"),
    Witness("signature", "parameter dropped", COST,
            (("(A3, Y, parameters, lambd):", "(A3, Y, parameters):"), ("lambd /", "0.1 /")),
            "Keep the parameters of the function as given"),
    Witness("names defined", "typo", COST,
            (("    return cost", "    return cross_entropy_cost + L2_regularisation_cost"),),
            "NameError: name 'L2_regularisation_cost' is not defined"),
    Witness("inputs unchanged", "weights zeroed in place", COST,
            (("    return cost", "    parameters['W1'][...] = 0\n    return cost"),),
            "changed its input(s) arguments/2/W1 in place"),
    Witness("type", "cost in a list", COST, (("    return cost", "    return [cost]"),),
            "returned a list of length 1; the cost must be a float"),
    Witness("value", "infinite cost", COST, (("    return cost", "    return cost * np.inf"),),
            "returned inf; the cost must be a finite number"),
    Witness("values", "public scalar", COST, (("lambd / (2 * m)", "lambd / m"),), ", expected "),
    Witness("values", "hidden scalar", COST, (("m = Y.shape[1]", "m = 5"),), f"the value is wrong {HIDDEN}"),
    Witness("runs", "process ended", COST, (("    m = Y.shape[1]", "    import os\n    os._exit(3)"),),
            "calling it ended the grading process"),
    # --- backward_propagation_with_regularization ---
    Witness("exists", "cell fails", L2, (("dA2 = ", "dA2 = ("),),
            "is not defined because its cell failed to run: SyntaxError"),
    Witness("gradient check", "public, lambda term left out of dW1", L2,
            (("dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1", "dW1 = 1.0 / m * np.dot(dZ1, X.T)"),),
            "dW1 is not the gradient of the L2-regularized cost: it differs from the numerical gradient by a "
            "relative"),
    Witness("gradient check", "hidden, m of the public case", L2, (("m = X.shape[1]", "m = 5"),),
            f"differs from the numerical gradient beyond the tolerance {HIDDEN}"),
    Witness("shape", "db1 without keepdims, before the gradient check", L2,
            (("db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)", "db1 = 1.0 / m * np.sum(dZ1, axis=1)"),),
            "db1 has shape (2,), expected (2, 1)"),
    Witness("keys", "a key left out, no gradient check", L2,
            (("    return gradients", "    del gradients['dW1']\n    return gradients"),),
            "the returned dict lacks the key(s) dW1"),
    Witness("runs", "a TypeError that is not about arguments", L2,
            (("dA2 = np.dot(W3.T, dZ3)", "dA2 = np.dot(W3.T, dZ3) + None"),),
            "raised TypeError: unsupported operand type(s)"),
    Witness("values", "public dZ3 off, the parameters' gradients right", L2,
            (('gradients = {"dZ3": dZ3,', 'gradients = {"dZ3": dZ3 + 1,'),), "dZ3: 5 of 5 entries are wrong"),
    # --- forward_propagation_with_dropout ---
    Witness("implemented", "untouched stub", FORWARD, STUB, "is not implemented yet"),
    Witness("no notebook globals", "keep_prob of the notebook", FORWARD, (("keep_prob=0.5):", "kp=0.5):"),),
            "'keep_prob' is a variable of the notebook", extra_cells=((9, "keep_prob = 0.86"),)),
    Witness("masks drawn", "own generator", FORWARD,
            (("np.random.seed(1)", "rng = np.random.RandomState(1)"), ("np.random.rand(", "rng.rand(")),
            "no random numbers were drawn"),
    Witness("mask values", "scaled mask kept", FORWARD,
            (("A1 = A1 * D1\n    A1 = A1 / keep_prob", "D1 = D1 / keep_prob\n    A1 = A1 * D1"),),
            "mask D1 holds values other than 0 and 1"),
    Witness("mask", "public, kept where rand > keep_prob", FORWARD,
            (("A1.shape[1]) < keep_prob", "A1.shape[1]) > keep_prob"),),
            "mask D1 differs from the seeded draw in 10 of 10 entries, first at index (0, 0)"),
    Witness("mask", "hidden, keep_prob of the public case", FORWARD,
            (("A2.shape[1]) < keep_prob", "A2.shape[1]) < 0.7"),),
            f"mask D2 (shape (3, 10)) differs from the seeded draw {HIDDEN}"),
    Witness("type", "mask as a list", FORWARD, (("cache = (Z1, D1,", "cache = (Z1, D1.tolist(),"),),
            "mask D1 is a list of length 2; a numpy array is expected"),
    Witness("shape", "one mask per unit", FORWARD,
            (("np.random.rand(A1.shape[0], A1.shape[1])", "np.random.rand(A1.shape[0], 1)"),),
            "mask D1 has shape (2, 1), expected (2, 5)"),
    Witness("cache layout", "plain cache without masks", FORWARD,
            (("cache = (Z1, D1, A1, W1, b1, Z2, D2, A2,", "cache = (Z1, A1, W1, b1, Z2, A2,"),),
            "the cache is a tuple of length 12; a tuple of 14 values"),
    Witness("cache layout", "Z1 of another shape", FORWARD, (("cache = (Z1,", "cache = (Z1[None],"),),
            "Z1, D1 and A1 in the cache must be arrays of one shape"),
    Witness("cache layout", "Z2 as a list", FORWARD, (("b1, Z2, D2,", "b1, Z2.tolist(), D2,"),),
            "Z2, D2 and A2 in the cache must be arrays of one shape"),
    Witness("dropout scaling", "A1 not divided by keep_prob", FORWARD, (("    A1 = A1 / keep_prob\n", ""),),
            "A1 is not relu(Z1) * D1 / keep_prob"),
    Witness("dropout scaling", "A2 not divided by keep_prob", FORWARD, (("    A2 = A2 / keep_prob\n", ""),),
            "A2 is not relu(Z2) * D2 / keep_prob"),
    Witness("output layer", "A3 scaled", FORWARD, (("A3 = sigmoid(Z3)", "A3 = sigmoid(Z3) / keep_prob"),),
            "A3 is not sigmoid(Z3)"),
    Witness("output layer", "A3 flattened", FORWARD, (("    return A3, cache", "    return A3.ravel(), cache"),),
            "A3 and Z3 in the cache must be arrays of one shape"),
    Witness("type", "a triple", FORWARD, (("    return A3, cache", "    return A3, cache, keep_prob"),),
            "returned a tuple of length 3; the pair (A3, cache) is expected"),
    Witness("type", "A3 alone", FORWARD, (("    return A3, cache", "    return A3"),),
            "returned an array of shape (1, 5); the pair (A3, cache) is expected"),
    Witness("values", "public cache b1", FORWARD, (("cache = (Z1, D1, A1, W1, b1,", "cache = (Z1, D1, A1, W1, b1 + 1,"),),
            "cache b1: 2 of 2 entries are wrong"),
    # --- backward_propagation_with_dropout ---
    Witness("runs", "broadcasting", BACKWARD, (("dA2 = dA2 * D2", "dA2 = dA2 * D1"),),
            "raised ValueError: operands could not be broadcast together"),
    Witness("masks reused", "draws a number", BACKWARD, (("    m = X.shape[1]", "    np.random.rand()\n    m = X.shape[1]"),),
            "the backward pass draws new random numbers"),
    Witness("type", "a list of pairs", BACKWARD, (("    return gradients", "    return list(gradients.items())"),),
            "returned a list of length 11; a dict of gradients is expected"),
    Witness("type", "db3 a number", BACKWARD, (('"db3": db3,', '"db3": db3.sum(),'),),
            "db3 is a value of type float64; a numpy array is expected"),
    Witness("value", "NaN gradient", BACKWARD, (('"db1": db1}', '"db1": db1 * np.nan}'),),
            "db1 contains NaN or infinite values"),
    Witness("values", "public, dA1 not divided by keep_prob", BACKWARD, (("    dA1 = dA1 / keep_prob\n", ""),),
            "the one that differs most"),
    Witness("values", "hidden array, keep_prob of the public case", BACKWARD, (("/ keep_prob", "/ 0.8"),),
            f"some values are wrong {HIDDEN}"),
    Witness("keys", "a key left out", BACKWARD,
            (("    return gradients", "    del gradients['db2']\n    return gradients"),),
            "the returned dict lacks the key(s) db2"),
)


def _notebooks():
    """``[{function: witness}]``: the k-th witness of each function in the k-th notebook."""
    notebooks = []
    for witness in WITNESSES:
        index = next(k for k, notebook in enumerate(notebooks + [{}]) if witness.function not in notebook)
        if index == len(notebooks):
            notebooks.append({})
        notebooks[index][witness.function] = witness
    return notebooks


NOTEBOOKS = _notebooks()
NOTEBOOK_OF = {witness.id: index for index, notebook in enumerate(NOTEBOOKS) for witness in notebook.values()}
SOLUTIONS = reference_solutions()


def _stub(function):
    return next(cell.source for cell in read_release().cells if grade_id(cell) == function)


def _source(witness):
    if witness.changes is STUB:
        return _stub(witness.function)
    source = SOLUTIONS[witness.function]
    for old, new in witness.changes:
        assert old in source, f"{witness.id}: {old!r} is not in the reference solution"
        source = source.replace(old, new)
    return source


@pytest.fixture(scope="module")
def graded():
    """``graded(index)``: the verdicts of the index-th notebook, graded in the sandbox on first use."""
    verdicts = {}

    def grade(index):
        if index not in verdicts:
            witnesses = NOTEBOOKS[index]
            solutions = {**SOLUTIONS, **{function: _source(witness) for function, witness in witnesses.items()}}
            extra = [cell for witness in witnesses.values() for cell in witness.extra_cells]
            verdicts[index] = grade_notebook(make_submission(solutions, extra_cells=extra))[0]
        return verdicts[index]
    return grade


def test_witness_ids_are_unique():
    ids = [witness.id for witness in WITNESSES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("witness", WITNESSES, ids=[witness.id for witness in WITNESSES])
def test_a_witness_fails_on_its_check(graded, witness):
    verdict = graded(NOTEBOOK_OF[witness.id])[witness.function]
    assert (verdict.passed, verdict.check) == (False, witness.check), verdict.message
    assert witness.message in verdict.message, verdict.message


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)))
def test_the_functions_without_a_witness_pass(graded, index):
    """The witnesses of one notebook do not interfere: the reference solutions beside them pass."""
    verdicts = graded(index)
    for function in GRADED_FUNCTIONS:
        if function not in NOTEBOOKS[index]:
            assert verdicts[function].passed, verdicts[function].message


# --- Witnesses through the code that emits checks a notebook graded in the sandbox cannot reach ---

def _public_case(function):
    return next(case for case in expected_cases(function) if case[0] == "public")


def _report(function, records, arrays=None):
    return RunResult(functions={function: {"defined": True, "cases": records}}, arrays=arrays or {})


def _ok_record(output_spec):
    return {"status": "ok", "error": None, "error_kind": None, "output": output_spec, "mutated": [],
            "random_draws": False}


def unreadable_file(tmp_path):
    """An empty notebook file taken in by the intake, then graded by the nbgrader preprocessor."""
    from graders.intake import read_release as intake_release, take_in
    from graders.nbgrader_plugin import RESOURCES_KEY, GradeInSandbox

    folder = tmp_path / "submitted" / "student" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "Regularization.ipynb").write_bytes(b"")
    submitted_fd = os.open(tmp_path / "submitted", os.O_RDONLY | os.O_DIRECTORY)
    try:
        submission = take_in(submitted_fd, "student", intake_release())
    finally:
        os.close(submitted_fd)
    _, resources = GradeInSandbox().preprocess(submission.notebook, {})
    return Verdict(**resources[RESOURCES_KEY]["verdicts"][COST])  # a check name outside the registry raises


def complex_array(tmp_path):
    """A gradient of complex numbers (the worker records such an array as an object, so only the judge sees it)."""
    _, arguments, expected, _ = _public_case(BACKWARD)
    actual = {**expected, "dW1": expected["dW1"].astype(np.complex128)}
    return judge(BACKWARD, actual, expected, arguments, detail=True)


def no_record(tmp_path):
    """A worker report in which the public case of a defined function has no record."""
    return judge_function(COST, _report(COST, {}), ("public",))


def unreadable_output(tmp_path):
    """A record whose output names an array the report does not carry."""
    return judge_function(COST, _report(COST, {"public": _ok_record({"kind": "array", "key": "absent"})}),
                          ("public",))


def endless_call(tmp_path):
    """The worker's record of a call stopped at its time limit."""
    record = {**_ok_record(None), "status": "error", "error": "did not finish within 10 s",
              "error_kind": "timeout"}
    return judge_function(COST, _report(COST, {"public": record}), ("public",))


def negative_array_output(tmp_path):
    """Sanity of the helper above: a readable output goes past the 'type' site (it is judged on its values)."""
    arrays, spec = flatten(-1.0, f"{COST}/public/output")
    return judge_function(COST, _report(COST, {"public": _ok_record(spec)}, arrays), ("public",))


# check: (label, how the failure is produced, part of the message)
UNIT_WITNESSES = (
    ("readable", "empty file", unreadable_file, "your submission could not be graded: the notebook file is empty"),
    ("dtype", "complex gradient", complex_array, "dW1 has dtype complex128; numbers are expected"),
    ("runs", "no record", no_record, "no result was recorded"),
    ("runs", "endless call", endless_call, "the call did not finish within 10 s (an endless loop?)"),
    ("type", "unreadable output", unreadable_output, "the returned value could not be read as plain data"),
    ("values", "readable output", negative_array_output, "cost is -1, expected "),
)


@pytest.mark.parametrize("check, label, produce, message", UNIT_WITNESSES,
                         ids=[f"{check}/{label}" for check, label, _, _ in UNIT_WITNESSES])
def test_a_unit_witness_fails_on_its_check(tmp_path, check, label, produce, message):
    failure = produce(tmp_path)
    assert failure is not None and failure.check == check, failure
    assert message in failure.message, failure.message


def test_every_registered_check_has_a_witness():
    witnessed = {witness.check for witness in WITNESSES} | {check for check, _, _, _ in UNIT_WITNESSES}
    assert witnessed == set(check_names(ASSIGNMENT))


def test_the_second_assignment_s_own_check_has_a_witness():
    """The Logistic assignment of the tests adds one check to the ladder's; a negative cost must fail on it (and
    not on "values", where it would fail without the check)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments", "logistic", "graders", "logistic",
                        "__init__.py")
    spec = importlib.util.spec_from_file_location("logistic_graders", path)
    logistic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(logistic)
    assert set(logistic.CHECK_NAMES) == {"non-negative"}
    with pytest.raises(Failed) as failed:
        logistic.judge_cost(-0.25, 0.25, (), False)
    assert failed.value.failure.check == "non-negative"
