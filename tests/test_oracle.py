"""Feedback on a hidden case is no oracle for its expected values.

A failed check on a hidden case names the function, the case, the check, the array and the shapes of
the specification, and no number that depends on the expected values or the hidden inputs: two wrong
outputs that fail the same check get the same message, so repeated submissions learn nothing to
bisect on. The public case, whose expected values the student has, keeps its detailed numbers.
"""
import math
import re

import numpy as np
import pytest

from graders.grading import judge
from graders.regularization.checks import DROPOUT_CACHE_NAMES
from graders.grading import PUBLIC_CASE, expected_cases, judge_function
from graders.plain import flatten
from graders.sandbox import RunResult

COST = "compute_cost_with_regularization"
L2_BACKWARD = "backward_propagation_with_regularization"
DROPOUT_FORWARD = "forward_propagation_with_dropout"
DROPOUT_BACKWARD = "backward_propagation_with_dropout"
DEGREES = (1, 2, 3)
CONSTANTS = (-1e6, -2.5, -1e-9, 0.0, 1e-12, 0.05, 0.3, 0.6931, 1.0, 1.7, 42.0, 1e6,
             math.inf, -math.inf, math.nan)


def _run_result(function_name, outputs):
    """A worker report in which ``function_name`` returned ``outputs[case_id]`` on each case."""
    records, arrays = {}, {}
    for case_id, output in outputs.items():
        case_arrays, spec = flatten(output, f"{function_name}/{case_id}/output")
        arrays.update(case_arrays)
        records[case_id] = {"status": "ok", "error": None, "error_kind": None, "output": spec, "mutated": [],
                            "random_draws": function_name == DROPOUT_FORWARD}
    return RunResult(functions={function_name: {"defined": True, "cases": records}}, arrays=arrays)


def _shapes(value):
    """The texts of the shapes of every array in ``value``: the shapes of the specification."""
    if isinstance(value, np.ndarray):
        return {str(value.shape)}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        return set().union(*map(_shapes, value))
    return set()


def _numbers(message, shapes):
    """The numbers of ``message`` once the given shapes and every name (``dW2``, ``L2``...) are left out."""
    for shape in sorted(shapes, key=len, reverse=True):
        message = message.replace(shape, " ")
    return re.findall(r"\d+", re.sub(r"[A-Za-z_][A-Za-z0-9_]*", " ", message))


def _amount(degree):
    return 10.0 ** (3 * degree - 7)


def _cost_off(expected, degree):
    return float(expected) + _amount(degree)


def _gradient_off(key):
    def craft(expected, degree):
        return {**expected, key: expected[key] + _amount(degree)}
    return craft


def _cache_changed(name, change):
    def craft(expected, degree):
        A3, cache = expected
        cache = list(cache)
        cache[DROPOUT_CACHE_NAMES.index(name)] = change(cache[DROPOUT_CACHE_NAMES.index(name)], degree)
        return A3, tuple(cache)
    return craft


def _flipped(mask, degree):
    flat = mask.copy().ravel()
    count = min(degree ** 3, flat.size)
    flat[:count] = 1 - flat[:count]
    return flat.reshape(mask.shape)


def _A3_off(expected, degree):
    return expected[0] + _amount(degree), expected[1]


# kind: (function, failed check, name in the message, wrong output from (expected, degree), public detail)
KINDS = {
    "cost value": (COST, "values", "cost", _cost_off, ", expected "),
    "gradient values": (DROPOUT_BACKWARD, "values", "dW2", _gradient_off("dW2"), "the one that differs most"),
    "values after the gradient check": (L2_BACKWARD, "values", "dZ3", _gradient_off("dZ3"),
                                        "the one that differs most"),
    "gradient check": (L2_BACKWARD, "gradient check", "dW1", _gradient_off("dW1"), "by a relative"),
    "mask": (DROPOUT_FORWARD, "mask", "mask D1", _cache_changed("D1", _flipped), "entries, first at index"),
    "dropout scaling": (DROPOUT_FORWARD, "dropout scaling", "A1",
                        _cache_changed("A1", lambda A1, degree: A1 * (1 + _amount(degree))), None),
    "cache values": (DROPOUT_FORWARD, "values", "cache W1",
                     _cache_changed("W1", lambda W1, degree: W1 + _amount(degree)), "the one that differs most"),
    "output layer": (DROPOUT_FORWARD, "output layer", "A3", _A3_off, None),
}


def _case(function_name, case_id):
    return next(case for case in expected_cases(function_name) if case[0] == case_id)


def _hidden_ids(function_name):
    return [case[0] for case in expected_cases(function_name) if case[0] != PUBLIC_CASE]


def _verdict(function_name, case_id, output):
    return judge_function(function_name, _run_result(function_name, {case_id: output}), (case_id,))


@pytest.mark.parametrize("kind, case_id", [pytest.param(kind, case_id, id=f"{kind}-{case_id}")
                                           for kind, (function_name, *_) in KINDS.items()
                                           for case_id in _hidden_ids(function_name)])
def test_a_hidden_case_names_the_check_and_gives_no_number(kind, case_id):
    function_name, check, name, craft, _ = KINDS[kind]
    _, arguments, expected, _ = _case(function_name, case_id)
    messages = set()
    for degree in DEGREES:
        verdict = _verdict(function_name, case_id, craft(expected, degree))
        assert not verdict.passed and verdict.check == check, verdict.message
        assert f"case '{case_id}', check '{check}'" in verdict.message and name in verdict.message
        assert _numbers(verdict.message, _shapes((arguments, expected))) == [], verdict.message
        messages.add(verdict.message)
    assert len(messages) == 1, messages


@pytest.mark.parametrize("kind", [kind for kind, spec in KINDS.items() if spec[-1]])
def test_the_public_case_keeps_its_numbers_and_only_it(kind):
    function_name, check, _, craft, detail = KINDS[kind]
    _, arguments, expected, _ = _case(function_name, PUBLIC_CASE)
    output = craft(expected, 2)
    verdict = _verdict(function_name, PUBLIC_CASE, output)
    assert verdict.check == check and detail in verdict.message
    assert _numbers(verdict.message, _shapes((arguments, expected)))
    assert verdict.message.endswith(judge(function_name, output, expected, arguments, detail=True).message)
    terse = judge(function_name, output, expected, arguments)
    assert terse.check == check and detail not in terse.message
    assert _numbers(terse.message, _shapes((arguments, expected))) == []


def _constant_output(function_name, expected, constant):
    """What a function returning the constant ``constant`` everywhere gives, in the expected form."""
    if function_name == COST:
        return constant
    return {key: np.full_like(value, constant, dtype=np.float64) for key, value in expected.items()}


def _attack_result(function_name, constant):
    """The public expected output (it is public) and the constant on every hidden case."""
    return _run_result(function_name, {
        case_id: expected if case_id == PUBLIC_CASE else _constant_output(function_name, expected, constant)
        for case_id, _, expected, _ in expected_cases(function_name)})


def _constant_class(constant):
    return "nan" if math.isnan(constant) else (math.isfinite(constant), constant > 0)


@pytest.mark.parametrize("function_name", [COST, L2_BACKWARD, DROPOUT_BACKWARD])
def test_constant_outputs_get_one_message_per_class_on_hidden_cases(function_name):
    for case_ids in [None] + [(case_id,) for case_id in _hidden_ids(function_name)]:
        by_class = {}
        for constant in CONSTANTS:
            verdict = judge_function(function_name, _attack_result(function_name, constant), case_ids)
            assert not verdict.passed and f"case '{PUBLIC_CASE}'" not in verdict.message
            by_class.setdefault(_constant_class(constant), set()).add(verdict.message)
        assert all(len(messages) == 1 for messages in by_class.values()), by_class
    public_expected = _case(function_name, PUBLIC_CASE)[2]
    public = {judge_function(function_name, _run_result(function_name, {
        PUBLIC_CASE: _constant_output(function_name, public_expected, constant)}), (PUBLIC_CASE,)).message
        for constant in CONSTANTS if math.isfinite(constant)}
    assert len(public) > 1


def _recover_cost(case_id, submissions=30):
    """Guess a cost from the messages alone, stepping by the difference they report; the passing guess or None."""
    def submit(guess):
        return judge_function(COST, _run_result(COST, {case_id: guess}), (case_id,))

    guess, verdict = 0.0, submit(0.0)
    for _ in range(submissions):
        if verdict.passed:
            return guess
        reported = re.search(r"is (\S+), expected (\S+)$", verdict.message)
        if reported is None:
            return None
        guess += float(reported.group(2)) - float(reported.group(1))
        verdict = submit(guess)
    return None


def test_the_reported_bisection_attack_recovers_only_the_public_cost():
    public = _recover_cost(PUBLIC_CASE)
    assert public == pytest.approx(float(_case(COST, PUBLIC_CASE)[2]), rel=1e-6)
    for case_id in _hidden_ids(COST):
        assert _recover_cost(case_id) is None
