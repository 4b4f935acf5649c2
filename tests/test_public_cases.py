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


def test_visible_check_prints_one_line_for_the_reference(reference, capsys):
    import public_tests

    assert public_tests.run_public_test("compute_cost_with_regularization",
                                        reference["compute_cost_with_regularization"])
    assert capsys.readouterr().out == ("PASS  compute_cost_with_regularization on the public case (hidden cases are "
                                       "checked when the notebook is graded)\n")


@pytest.mark.parametrize("factor, check", [(2, "values"), (0, "values")])
def test_visible_check_raises_the_autograders_verdict_on_one_line(reference, capsys, factor, check):
    import public_tests
    from graders.grading import PUBLIC_CASE, expected_cases, judge
    from graders.in_kernel import to_plain

    cost = reference["compute_cost_with_regularization"]
    wrong = lambda A3, Y, parameters, lambd: cost(A3, Y, parameters, factor * lambd)  # noqa: E731
    with pytest.raises(AssertionError) as raised:
        public_tests.run_public_test("compute_cost_with_regularization", wrong)
    [(_, arguments, expected, _)] = [case for case in expected_cases("compute_cost_with_regularization")
                                     if case[0] == PUBLIC_CASE]
    failure = judge("compute_cost_with_regularization", to_plain(wrong(*arguments)), expected, arguments, detail=True)
    assert failure.check == check
    assert str(raised.value).startswith(f"compute_cost_with_regularization, case 'public', check '{check}': "
                                        f"{failure.message}")
    assert raised.value._render_traceback_() == [f"AssertionError: {raised.value}"]
    assert capsys.readouterr().out == ""


def test_the_autograded_cells_check_quietly(reference, capsys):
    import public_tests

    assert public_tests.check_public_case("forward_propagation_with_dropout", reference) is None
    assert capsys.readouterr().out == ""
    with pytest.raises(AssertionError, match="forward_propagation_with_dropout is not defined"):
        public_tests.check_public_case("forward_propagation_with_dropout", {})
