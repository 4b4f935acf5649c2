"""The public cases and the reference solution reproduce the original assignment's published numbers."""
import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from graders.reference import reference_namespace
from tests.conftest import reference_file

ATOL = 1e-7


@pytest.fixture(scope="module")
def published():
    with open(reference_file("original_assignment.json"), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def reference():
    return reference_namespace()


def test_cost(published, reference):
    import public_tests

    case = published["compute_cost_with_regularization"]
    A3, Y, parameters = public_tests.compute_cost_with_regularization_test_case()
    assert_allclose(A3, case["a3_literal"], atol=ATOL)
    cost = reference["compute_cost_with_regularization"](A3, Y, parameters, 0.1)
    assert_allclose(cost, case["expected_cost"], atol=ATOL)


def test_backward_with_regularization(published, reference):
    import public_tests

    grads = reference["backward_propagation_with_regularization"](
        *public_tests.backward_propagation_with_regularization_test_case(), 0.7)
    for key, value in published["backward_propagation_with_regularization"]["expected"].items():
        assert_allclose(grads[key], value, atol=ATOL, err_msg=key)


def test_forward_with_dropout(published, reference):
    import public_tests

    case = published["forward_propagation_with_dropout"]
    A3, cache = reference["forward_propagation_with_dropout"](
        *public_tests.forward_propagation_with_dropout_test_case(), 0.7)
    assert_allclose(A3, case["expected_A3"], atol=ATOL)
    assert_array_equal(cache[1].astype(bool), case["expected_D1"])
    assert_array_equal(cache[6].astype(bool), case["expected_D2"])


def test_backward_with_dropout(published, reference):
    import public_tests

    case = published["backward_propagation_with_dropout"]
    X, Y, cache = public_tests.backward_propagation_with_dropout_test_case()
    names = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
    for name, value in zip(names, cache):
        if name in case["cache_literal"]:
            assert_allclose(value.astype(float), np.array(case["cache_literal"][name], dtype=float),
                            atol=ATOL, err_msg=name)
    grads = reference["backward_propagation_with_dropout"](X, Y, cache, 0.8)
    for key, value in case["expected"].items():
        assert_allclose(grads[key], value, atol=ATOL, err_msg=key)


def test_public_cases_leave_global_random_state_alone():
    import public_tests

    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    for name in ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                 "forward_propagation_with_dropout", "backward_propagation_with_dropout"):
        getattr(public_tests, name + "_test_case")()
    assert_array_equal(np.random.get_state()[1], before)


def test_visible_check_passes_reference_and_flags_a_wrong_answer(reference, capsys):
    import public_tests

    assert public_tests.run_public_test("compute_cost_with_regularization",
                                        reference["compute_cost_with_regularization"])
    assert "All public checks passed." in capsys.readouterr().out
    wrong = lambda A3, Y, parameters, lambd: reference["compute_cost_with_regularization"](A3, Y, parameters, 2 * lambd)
    assert not public_tests.run_public_test("compute_cost_with_regularization", wrong)
    assert "MISMATCH" in capsys.readouterr().out
