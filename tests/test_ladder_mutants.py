"""Tests that kill the mutants of the ladder and the grading that the witnesses of named checks leave alive.

``make mutation`` (``bench/mutation.py``) changes the code of :mod:`graders.ladder`, :mod:`graders.grading` and
the assignment's checks one mutant at a time; a mutant no test notices is either harmless (the report says why)
or a gap, closed here. These are unit tests of the pieces whose result no named check shows: comparing outputs
for the diagnosis (:func:`graders.ladder.same_output`), the words of a message, the 0-d array a worker may send.
"""
import dataclasses

import numpy as np
import pytest

from graders.grading import Verdict, expected_cases, judge, judge_function
from graders.ladder import CheckFailure, Failed, check_keys, check_scalar, describe, same_output
from graders.plain import Opaque, flatten
from graders.sandbox import RunResult

COST, FORWARD, BACKWARD = ("compute_cost_with_regularization", "forward_propagation_with_dropout",
                           "backward_propagation_with_dropout")


def _public(function):
    return next(case for case in expected_cases(function) if case[0] == "public")


ARRAY = np.array([[1.0, 2.0], [3.0, np.nan]])


@pytest.mark.parametrize("actual, other, same", [
    ({"a": ARRAY, "extra": 1}, {"a": ARRAY.copy()}, True),
    ({"a": ARRAY}, {"a": ARRAY, "b": ARRAY}, False),
    ({"a": ARRAY + 1}, {"a": ARRAY}, False),
    ([ARRAY, 1.0], (ARRAY, 1.0), True),
    ((ARRAY,), (ARRAY, ARRAY), False),
    ((ARRAY, 2.0), (ARRAY, 1.0), False),
    (ARRAY, (ARRAY,), False),
    (ARRAY, {"a": ARRAY}, False),
    (None, None, True),
    (ARRAY, None, False),
    (ARRAY, ARRAY * (1 + 1e-9), True),
    (ARRAY, ARRAY.T, False),
    (ARRAY[:1], ARRAY, False),
    (np.ones((1, 3)), np.ones((3,)), False),
    (np.array([np.inf, 1.0]), np.array([np.inf, 1.0]), True),
    (np.array([np.nan, 1.0]), np.array([0.0, 1.0]), False),
    (np.array([True, False]), np.array([1, 0]), True),
    (Opaque("builtins.str"), np.array(1.0), False),
    (1.0, 1.0, True),
    (1.0, 1.5, False),
])
def test_same_output_says_whether_two_outputs_agree(actual, other, same):
    assert same_output(actual, other) is same


def test_a_check_failure_is_a_frozen_value():
    failure = CheckFailure("values", "wrong")
    with pytest.raises(dataclasses.FrozenInstanceError):
        failure.check = "type"
    assert {failure, CheckFailure("values", "wrong")} == {failure}


def test_an_object_is_described_by_its_type_only():
    assert describe(Opaque("builtins.str")) == "an object of type builtins.str"
    with pytest.raises(Failed, match="returned an object of type builtins.str; a dict of gradients is expected"):
        check_keys(Opaque("builtins.str"), ("dW1",), "a dict of gradients")


@pytest.mark.parametrize("make", [np.array, np.float64, float], ids=["0-d array", "numpy float", "float"])
def test_a_cost_may_be_any_kind_of_float(make):
    _, arguments, expected, _ = _public(COST)
    assert judge(COST, make(expected), expected, arguments, detail=True) is None


@pytest.mark.parametrize("value", [True, np.bool_(False), "1.0", None, np.array([1.0])],
                         ids=["bool", "numpy bool", "str", "None", "1-d array"])
def test_a_cost_that_is_not_a_float_fails_on_type(value):
    with pytest.raises(Failed) as failed:
        check_scalar("cost", value, 1.0, True)
    assert failed.value.failure.check == "type"


# --- The grading's diagnosis, on the outputs of the catalogue's own mistakes ---

def _report(function, outputs, random_draws=None):
    """A worker report in which ``function`` returned ``outputs[case_id]`` (None: the call raised ValueError)."""
    records, arrays = {}, {}
    for case_id, output in outputs.items():
        record = {"status": "ok", "error": None, "mutated": [],
                  "random_draws": function == FORWARD if random_draws is None else random_draws}
        if output is None:
            record.update(status="error", error="ValueError: operands could not be broadcast together")
        else:
            case_arrays, record["output"] = flatten(output, f"{function}/{case_id}/output")
            arrays.update(case_arrays)
        records[case_id] = record
    return RunResult(functions={function: {"defined": True, "cases": records}}, arrays=arrays)


def _mistake_outputs(function, mistake_id):
    return {case_id: mistakes[mistake_id] for case_id, _, _, mistakes in expected_cases(function)}


def test_a_catalogued_mistake_and_its_property_are_named():
    verdict = judge_function(COST, _report(COST, _mistake_outputs(COST, "cost_lambda_over_m")))
    assert (verdict.check, verdict.diagnosis, verdict.property) == ("values", "cost_lambda_over_m", "penalty_factor")
    assert "Likely mistake: the penalty uses lambd / m instead of lambd / (2 * m). cost: the L2 term is twice" \
        in verdict.message


def test_on_the_public_case_alone_the_mistake_is_named_without_the_property():
    verdict = judge_function(COST, _report(COST, _mistake_outputs(COST, "cost_lambda_over_m")), ("public",))
    assert (verdict.diagnosis, verdict.property) == ("cost_lambda_over_m", None)
    assert verdict.message.endswith("Likely mistake: the penalty uses lambd / m instead of lambd / (2 * m)")


def test_a_mistake_that_raises_on_some_cases_is_recognised_by_the_cases_that_raise():
    outputs = _mistake_outputs(BACKWARD, "dropout_backward_swapped_masks")
    assert None in outputs.values() and any(output is not None for output in outputs.values())
    verdict = judge_function(BACKWARD, _report(BACKWARD, outputs))
    assert (verdict.check, verdict.diagnosis) == ("runs", "dropout_backward_swapped_masks")


def test_a_call_that_raised_where_the_mistake_returned_is_no_such_mistake():
    outputs = _mistake_outputs(COST, "cost_lambda_over_m")
    verdict = judge_function(COST, _report(COST, {**outputs, "many_examples": None}))
    assert (verdict.check, verdict.diagnosis) == ("values", None)


def test_a_submission_that_raised_everywhere_gets_no_diagnosis():
    outputs = _mistake_outputs(BACKWARD, "dropout_backward_swapped_masks")
    verdict = judge_function(BACKWARD, _report(BACKWARD, {case_id: None for case_id in outputs}))
    assert (verdict.check, verdict.diagnosis, verdict.property) == ("runs", None, None)


def test_a_missing_record_leaves_no_diagnosis_and_no_error():
    outputs = _mistake_outputs(COST, "cost_lambda_over_m")
    verdict = judge_function(COST, _report(COST, {"public": outputs["public"]}))
    assert (verdict.check, verdict.diagnosis, verdict.property) == ("values", None, None)


def test_a_verdict_is_a_frozen_value_with_a_registered_check():
    verdict = Verdict(COST, False, "values", "wrong")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.check = "type"
    with pytest.raises(ValueError, match="the check 'sign' is in no registry"):
        Verdict(COST, False, "sign", "wrong")


def test_a_mistake_without_a_property_is_named_alone():
    verdict = judge_function(COST, _report(COST, _mistake_outputs(COST, "cost_weights_not_squared")))
    assert (verdict.diagnosis, verdict.property) == ("cost_weights_not_squared", None)


def test_a_property_is_named_when_no_catalogued_mistake_matches():
    def without_W2(arguments, expected):
        _, Y, parameters, lambd = arguments
        return expected - lambd / (2 * Y.shape[1]) * np.sum(np.square(parameters["W2"]))

    outputs = {case_id: without_W2(arguments, expected) for case_id, arguments, expected, _ in expected_cases(COST)}
    verdict = judge_function(COST, _report(COST, outputs))
    assert (verdict.check, verdict.diagnosis, verdict.property) == ("values", None, "penalty_missing_layer")
    assert "Likely mistake: " in verdict.message and "leaves out W2" in verdict.message


def test_masks_drawn_afresh_in_the_backward_pass_are_named_from_the_draws():
    outputs = _mistake_outputs(BACKWARD, "dropout_backward_new_masks")
    verdict = judge_function(BACKWARD, _report(BACKWARD, outputs, random_draws=True))
    assert (verdict.check, verdict.diagnosis, verdict.property) == ("masks reused", "dropout_backward_new_masks",
                                                                   "fresh_draws")


def test_a_call_that_raised_does_not_agree_with_a_mistake_that_returned_nan():
    from graders.grading import _catalogued_mistake

    cases = [("public", (), np.float64(1.0), {"nan": np.float64(2.0)}),
             ("hidden", (), np.float64(1.0), {"nan": np.float64(np.nan)})]
    assert _catalogued_mistake(cases, {"public": np.float64(2.0), "hidden": np.float64(np.nan)}) == "nan"
    assert _catalogued_mistake(cases, {"public": np.float64(2.0), "hidden": None}) is None


def test_a_library_version_is_reported_only_when_it_differs():
    from graders.grading import version_mismatches
    from graders.make_expected import library_versions

    running = library_versions()
    assert version_mismatches(running) == {}
    name = next(iter(running))
    assert version_mismatches({name: "0.0.0"}) == {name: ("0.0.0", running[name])}


def test_a_mistake_is_a_frozen_rewrite_of_the_reference_that_must_match():
    from graders.mistakes import Diagnosis, Mistake, apply_rewrites

    mistake = Mistake("halved", COST, None, "halved", (("a + b", "a - b"), ("return", "return 0.5 *")))
    assert apply_rewrites("def f(a, b):\n    return a + b", mistake) == "def f(a, b):\n    return 0.5 * a - b"
    with pytest.raises(ValueError, match="mistake halved: 'a \\+ b' is not in the reference source"):
        apply_rewrites("def f(a, b):\n    return a * b", mistake)
    for value in (mistake, Diagnosis("penalty_factor", ("cost",), "twice")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.message = "changed"
