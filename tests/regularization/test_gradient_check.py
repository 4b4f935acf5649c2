"""Unit tests of :mod:`graders.regularization.gradient_check`: central differences of the regularized cost against
gradients known in closed form, and the relative difference's edge cases."""
import numpy as np
import pytest

from graders.regularization import gradient_check
from graders.regularization.gradient_check import numerical_gradients, relative_difference
from reg_utils import backward_propagation, forward_propagation

PARAMETERS = ("W1", "b1", "W2", "b2", "W3", "b3")


def network(seed=3, layer_dims=(3, 4, 2, 1), m=6):
    rng = np.random.RandomState(seed)
    X = rng.randn(layer_dims[0], m)
    Y = (rng.rand(1, m) < 0.5).astype(np.int64)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        parameters[f"W{layer}"] = rng.randn(layer_dims[layer], layer_dims[layer - 1])
        parameters[f"b{layer}"] = rng.randn(layer_dims[layer], 1)
    _, cache = forward_propagation(X, parameters)
    return X, Y, cache, parameters


def test_without_penalty_the_numerical_gradients_are_backpropagations():
    X, Y, cache, _ = network()
    numerical = numerical_gradients(X, Y, cache, 0.0)
    analytic = backward_propagation(X, Y, cache)
    assert sorted(numerical) == sorted("d" + name for name in PARAMETERS)
    for key, gradient in numerical.items():
        np.testing.assert_allclose(gradient, analytic[key], rtol=1e-5, atol=1e-8, strict=True)


@pytest.mark.parametrize("lambd", [0.1, 0.7, 3.0])
def test_the_penalty_adds_lambd_over_m_times_each_weight_and_nothing_to_biases(lambd):
    X, Y, cache, parameters = network()
    m = X.shape[1]
    plain = numerical_gradients(X, Y, cache, 0.0)
    penalized = numerical_gradients(X, Y, cache, lambd)
    for name in PARAMETERS:
        expected = lambd / m * parameters[name] if name.startswith("W") else np.zeros_like(parameters[name])
        np.testing.assert_allclose(penalized["d" + name] - plain["d" + name], expected, atol=1e-7)


def test_the_cache_is_not_changed():
    X, Y, cache, _ = network()
    before = tuple(value.copy() for value in cache)
    numerical_gradients(X, Y, cache, 0.5)
    for value, original in zip(cache, before):
        np.testing.assert_array_equal(value, original, strict=True)


def test_integer_parameters_are_differentiated_as_floats():
    X, Y, cache, _ = network()
    rounded = tuple(np.round(value).astype(np.int64) for value in cache)
    gradients = numerical_gradients(X, Y, rounded, 0.4)
    as_floats = numerical_gradients(X, Y, tuple(value.astype(np.float64) for value in rounded), 0.4)
    for key, gradient in gradients.items():
        assert gradient.dtype == np.float64
        np.testing.assert_array_equal(gradient, as_floats[key])
    assert np.abs(gradients["dW3"]).sum() > 0  # the penalty alone moves every weight


@pytest.mark.parametrize("actual, numerical, difference", [
    (np.zeros(3), np.zeros(3), 0.0),
    (np.ones(3), np.ones(3), 0.0),
    (np.ones(3), -np.ones(3), 1.0),
    (np.ones(3), np.zeros(3), 1.0),
    (np.zeros(3), np.ones(3), 1.0),
    (np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-9]), 1e-9 / 10),
], ids=["both zero", "equal", "opposite", "numerical zero", "actual zero", "tiny"])
def test_relative_difference(actual, numerical, difference):
    assert relative_difference(actual, numerical) == pytest.approx(difference, rel=1e-6, abs=1e-15)


def test_relative_difference_does_not_depend_on_the_scale():
    a, b = np.array([1.0, 2.0]), np.array([1.1, 2.0])
    assert relative_difference(a * 1e8, b * 1e8) == pytest.approx(relative_difference(a, b))
    assert relative_difference(a * 1e-8, b * 1e-8) == pytest.approx(relative_difference(a, b))


def test_relative_difference_of_nan_is_never_below_a_tolerance():
    with np.errstate(all="ignore"):
        difference = relative_difference(np.array([np.nan]), np.array([1.0]))
    assert not difference < 1e-6


def test_reference_function_is_the_notebooks_solution():
    from graders.reference import reference_namespace

    cost = gradient_check.reference_function("compute_cost_with_regularization")
    _, _, cache, parameters = network()
    A3, Y = cache[9], np.array([[1, 0, 1, 0, 1, 0]])
    assert cost(A3, Y, parameters, 0.3) == reference_namespace()["compute_cost_with_regularization"](
        A3, Y, parameters, 0.3)


def _counting_central_differences(monkeypatch):
    calls = []
    compute = gradient_check._central_differences

    def counted(*arguments):
        calls.append(arguments)
        return compute(*arguments)

    monkeypatch.setattr(gradient_check, "_central_differences", counted)
    monkeypatch.setattr(gradient_check, "_COMPUTED", {})
    return calls


def test_a_case_is_differentiated_once_per_process_and_each_caller_gets_its_own_copy(monkeypatch):
    calls = _counting_central_differences(monkeypatch)
    X, Y, cache, _ = network()
    first = numerical_gradients(X, Y, cache, 0.7)
    first["dW1"][...] = 0.0  # a caller that writes into its result changes nothing of the next caller's
    second = numerical_gradients(X, Y, cache, 0.7)
    assert len(calls) == 1
    assert not np.array_equal(second["dW1"], first["dW1"])


@pytest.mark.parametrize("change", ["lambd", "X", "Y", "weight", "dtype"])
def test_any_change_of_the_case_is_differentiated_anew(monkeypatch, change):
    calls = _counting_central_differences(monkeypatch)
    X, Y, cache, _ = network()
    lambd = 0.7
    before = numerical_gradients(X, Y, cache, lambd)
    cache = list(cache)
    if change == "lambd":
        lambd = 0.8
    elif change == "X":
        X = X.copy()
        X[0, 0] += 1e-9
    elif change == "Y":
        Y = 1 - Y
    elif change == "weight":
        cache[2] = cache[2] * 1.5
    else:
        X = X.astype(np.float32)
    after = numerical_gradients(X, Y, tuple(cache), lambd)
    assert len(calls) == 2
    assert sorted(after) == sorted(before)
