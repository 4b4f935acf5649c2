"""Unit tests of :mod:`graders.regularization.checks`: every judge passes the expected output of every case, and
each of the assignment's checks raises its named failure on an output crafted to break it (and only it).
(Whole mutants of the functions are in ``tests/test_oracle.py`` and ``tests/test_corpora.py``.)"""
import copy
import re

import numpy as np
import pytest

from graders.assignment import check_names
from graders.grading import expected_cases
from graders.ladder import NOT_SHOWN, Failed
from graders.notebook import GRADED_FUNCTIONS
from graders.regularization import checks
from graders.regularization.checks import DROPOUT_CACHE_NAMES, GRADIENT_KEYS, JUDGES

CASES = [(function, case) for function in GRADED_FUNCTIONS for case in expected_cases(function)]
IDS = [f"{function}-{case[0]}" for function, case in CASES]


def case(function, case_id="public"):
    _, arguments, expected, _ = next(c for c in expected_cases(function) if c[0] == case_id)
    return arguments, expected


def failure(judge, actual, expected, arguments, detail):
    with pytest.raises(Failed) as raised:
        judge(actual, expected, arguments, detail)
    return raised.value.failure


def test_there_is_one_judge_per_graded_function_and_registered_names():
    assert tuple(JUDGES) == GRADED_FUNCTIONS
    names = check_names("regularization")
    assert set(checks.CHECK_NAMES) <= set(names)


@pytest.mark.parametrize("detail", [True, False], ids=["public wording", "hidden wording"])
@pytest.mark.parametrize("function, expected_case", CASES, ids=IDS)
def test_each_judge_passes_the_expected_output(function, expected_case, detail):
    _, arguments, expected, _ = expected_case
    JUDGES[function](copy.deepcopy(expected), expected, arguments, detail)


# ---------------------------------------------------------------- the L2 gradients and the gradient check

L2 = "backward_propagation_with_regularization"


@pytest.mark.parametrize("case_id", ["public", "wide_layers"])
@pytest.mark.parametrize("key", ["dW1", "db2", "dW3"])
def test_a_gradient_off_the_cost_fails_the_gradient_check(key, case_id):
    arguments, expected = case(L2, case_id)
    actual = copy.deepcopy(expected)
    actual[key] = actual[key] * 1.01 + 1e-3
    result = failure(checks.judge_l2_gradients, actual, expected, arguments, detail=case_id == "public")
    assert result.check == "gradient check"
    assert result.message.startswith(f"{key} is not the gradient of the L2-regularized cost")


def test_the_gradient_check_shows_a_number_on_the_public_case_only():
    arguments, expected = case(L2)
    actual = copy.deepcopy(expected)
    actual["dW2"] = actual["dW2"] * 2
    public = failure(checks.judge_l2_gradients, actual, expected, arguments, True).message
    hidden = failure(checks.judge_l2_gradients, actual, expected, arguments, False).message
    assert re.search(r"by a relative \d", public)
    assert hidden.endswith(f"beyond the tolerance ({NOT_SHOWN})")
    assert re.findall(r"\d", hidden.replace("dW2", "").replace("L2", "")) == []


def test_a_wrong_intermediate_gradient_fails_on_values_not_on_the_gradient_check():
    arguments, expected = case(L2)
    actual = copy.deepcopy(expected)
    actual["dZ2"] = actual["dZ2"] + 1.0
    result = failure(checks.judge_l2_gradients, actual, expected, arguments, True)
    assert result.check == "values" and result.message.startswith("dZ2:")


def test_the_l2_judge_checks_the_form_before_the_gradient_check():
    arguments, expected = case(L2)
    actual = copy.deepcopy(expected)
    actual["dW1"] = actual["dW1"].T
    assert failure(checks.judge_l2_gradients, actual, expected, arguments, True).check == "shape"
    del actual["db1"]
    assert failure(checks.judge_l2_gradients, actual, expected, arguments, True).check == "keys"


def test_the_gradient_check_alone_accepts_the_expected_gradients():
    arguments, expected = case(L2, "many_examples")
    checks.check_numerical_gradients(expected, arguments, False)


# ---------------------------------------------------------------- the dropout forward pass

FORWARD = "forward_propagation_with_dropout"


def forward(case_id="public"):
    arguments, expected = case(FORWARD, case_id)
    A3, cache = copy.deepcopy(expected)
    return arguments, expected, A3, dict(zip(DROPOUT_CACHE_NAMES, cache))


def packed(A3, named):
    return A3, tuple(named[name] for name in DROPOUT_CACHE_NAMES)


@pytest.mark.parametrize("actual, check", [
    (np.zeros((1, 5)), "type"),
    ((np.zeros((1, 5)),), "type"),
    ((np.zeros((1, 5)), None, None), "type"),
    ((np.zeros((1, 5)), (1, 2, 3)), "cache layout"),
    ((np.zeros((1, 5)), {"Z1": 1}), "cache layout"),
], ids=["array", "one value", "three values", "short cache", "dict cache"])
def test_the_forward_judge_wants_the_pair_and_the_cache_layout(actual, check):
    arguments, expected = case(FORWARD)
    assert failure(checks.judge_dropout_forward, actual, expected, arguments, True).check == check


def test_a_mask_that_is_not_the_seeded_draw_fails_mask():
    arguments, expected, A3, named = forward()
    named["D1"] = ~named["D1"].astype(bool)
    result = failure(checks.judge_dropout_forward, packed(A3, named), expected, arguments, False)
    assert result.check == "mask" and result.message.startswith("mask D1 (shape ")


@pytest.mark.parametrize("case_id", ["public", "half_dropped"])
@pytest.mark.parametrize("layer", ["1", "2"])
def test_activations_not_divided_by_keep_prob_fail_dropout_scaling(layer, case_id):
    arguments, expected, A3, named = forward(case_id)
    named["A" + layer] = named["A" + layer] * arguments[-1]
    result = failure(checks.judge_dropout_forward, packed(A3, named), expected, arguments, False)
    assert result.check == "dropout scaling"
    assert result.message.startswith(f"A{layer} is not relu(Z{layer}) * D{layer} / keep_prob")


def test_a_dropped_output_layer_fails_output_layer():
    arguments, expected, A3, named = forward()
    A3 = A3 * np.array([[1, 0, 1, 0, 1]]) / 0.5
    result = failure(checks.judge_dropout_forward, packed(A3, named), expected, arguments, True)
    assert (result.check, result.message) == ("output layer", "A3 is not sigmoid(Z3): the output layer must not be "
                                              "dropped or scaled")


def test_an_output_of_another_shape_than_z3_fails_output_layer():
    arguments, expected, A3, named = forward()
    result = failure(checks.judge_dropout_forward, packed(A3.T, named), expected, arguments, True)
    assert (result.check, result.message) == ("output layer", "A3 and Z3 in the cache must be arrays of one shape")


def test_a_cache_entry_that_is_not_an_array_fails_cache_layout():
    arguments, expected, A3, named = forward()
    named["Z2"] = named["Z2"].tolist()
    result = failure(checks.judge_dropout_forward, packed(A3, named), expected, arguments, True)
    assert (result.check, result.message) == ("cache layout", "Z2, D2 and A2 in the cache must be arrays of one shape")


def test_a_wrong_value_that_keeps_every_relation_fails_values():
    arguments, expected, A3, named = forward()
    named["W2"] = named["W2"] + 1.0
    result = failure(checks.judge_dropout_forward, packed(A3, named), expected, arguments, True)
    assert result.check == "values" and result.message.startswith("cache W2:")


def test_the_scaling_check_on_its_own():
    _, _, _, named = forward()
    checks.check_dropout_scaling(named, 0.7)
    with pytest.raises(Failed, match="^A1 is not"):
        checks.check_dropout_scaling(named, 0.5)


def test_the_output_layer_check_on_its_own():
    Z3 = np.array([[-2.0, 0.0, 3.0]])
    checks.check_output_layer({"Z3": Z3}, 1 / (1 + np.exp(-Z3)))
    with pytest.raises(Failed, match="^A3 is not sigmoid"):
        checks.check_output_layer({"Z3": Z3}, 1 / (1 + np.exp(-Z3)) / 0.9)


# ---------------------------------------------------------------- the dropout backward pass and the draws

BACKWARD = "backward_propagation_with_dropout"


def test_the_backward_judge_compares_every_gradient():
    arguments, expected = case(BACKWARD, "half_dropped")
    for key in GRADIENT_KEYS:
        actual = copy.deepcopy(expected)
        actual[key] = actual[key] - 0.5
        result = failure(checks.judge_dropout_backward, actual, expected, arguments, False)
        assert result.check == "values" and result.message.startswith(f"{key} (shape ")


@pytest.mark.parametrize("function, draws, check", [
    (BACKWARD, True, "masks reused"),
    (BACKWARD, False, None),
    (BACKWARD, None, None),
    (FORWARD, False, "masks drawn"),
    (FORWARD, True, None),
    (FORWARD, None, None),
    ("compute_cost_with_regularization", True, None),
    (L2, False, None),
], ids=["backward draws", "backward does not", "backward unknown", "forward does not draw", "forward draws",
        "forward unknown", "cost draws", "l2 does not"])
def test_random_draw_failure(function, draws, check):
    result = checks.random_draw_failure(function, draws)
    assert (result.check if result else None) == check


def test_every_check_of_the_assignment_is_raised_by_a_test_above():
    raised = {"gradient check", "cache layout", "dropout scaling", "output layer", "masks drawn", "masks reused"}
    assert raised == set(checks.CHECK_NAMES)
