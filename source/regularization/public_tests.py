"""Public test cases for the four graded functions, and the visible checks.

Each case is rebuilt from fixed seeds with a local ``numpy.random.RandomState``,
so building a case never touches numpy's global random state. The expected
results of the public cases are stored in ``public_expected.npz`` beside this
file; they are generated from the reference solution, not typed.
"""
import copy
import os
import warnings

import numpy as np

from reg_utils import forward_propagation, relu, sigmoid

PUBLIC_EXPECTED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "public_expected.npz")
LABELS = np.array([[1, 1, 0, 1, 0]])
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


def _draw_parameters(rng, layer_dims=(3, 2, 3, 1)):
    """Draw W1, b1, W2, b2, W3, b3 from ``rng`` with randn, in that order."""
    parameters = {}
    for layer in range(1, len(layer_dims)):
        parameters["W" + str(layer)] = rng.randn(layer_dims[layer], layer_dims[layer - 1])
        parameters["b" + str(layer)] = rng.randn(layer_dims[layer], 1)
    return parameters


def _inputs_and_parameters():
    """X = randn(3, 5) then the parameters, all from seed 1."""
    rng = np.random.RandomState(1)
    X = rng.randn(3, 5)
    return X, _draw_parameters(rng)


def compute_cost_with_regularization_test_case():
    """Public case for ``compute_cost_with_regularization``.

    Returns
    -------
    A3 : numpy.ndarray, shape (1, 5)
        Output of the plain forward pass of the seed-1 inputs, rounded to 8 decimals.
    Y : numpy.ndarray, shape (1, 5)
    parameters : dict
        Drawn from seed 1 (with no input drawn first). Use ``lambd = 0.1``.
    """
    X, forward_parameters = _inputs_and_parameters()
    A3, _ = forward_propagation(X, forward_parameters)
    parameters = _draw_parameters(np.random.RandomState(1))
    return np.round(A3, 8), LABELS.copy(), parameters


def backward_propagation_with_regularization_test_case():
    """Public case for ``backward_propagation_with_regularization``.

    Returns
    -------
    X : numpy.ndarray, shape (3, 5)
    Y : numpy.ndarray, shape (1, 5)
    cache : tuple
        The plain forward pass of ``X``, rounded to 8 decimals. Use ``lambd = 0.7``.
    """
    X, parameters = _inputs_and_parameters()
    _, cache = forward_propagation(X, parameters)
    return X, LABELS.copy(), tuple(np.round(value, 8) for value in cache)


def forward_propagation_with_dropout_test_case():
    """Public case for ``forward_propagation_with_dropout``: ``(X, parameters)``; use ``keep_prob = 0.7``."""
    return _inputs_and_parameters()


def backward_propagation_with_dropout_test_case():
    """Public case for ``backward_propagation_with_dropout``.

    The cache is a dropout forward pass of the seed-1 inputs in which the masks
    were kept with probability 0.5 (masks drawn from seed 1, first layer 1 then
    layer 2). The backward pass is then called with ``keep_prob = 0.8``.

    Returns
    -------
    X : numpy.ndarray, shape (3, 5)
    Y : numpy.ndarray, shape (1, 5)
    cache : tuple
        ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``, rounded to 8 decimals.
    """
    X, p = _inputs_and_parameters()
    mask_rng = np.random.RandomState(1)
    Z1 = np.dot(p["W1"], X) + p["b1"]
    D1 = mask_rng.rand(*Z1.shape) < 0.5
    A1 = np.where(D1, relu(Z1), 0.0) * 2
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    D2 = mask_rng.rand(*Z2.shape) < 0.5
    A2 = np.where(D2, relu(Z2), 0.0) * 2
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = sigmoid(Z3)
    cache = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
    return X, LABELS.copy(), tuple(v if v.dtype == bool else np.round(v, 8) for v in cache)


def public_results(functions):
    """Call each available function on its public case.

    Parameters
    ----------
    functions : dict
        Maps graded function names to callables (missing names are skipped).

    Returns
    -------
    dict
        ``{"<function>/<output>": value}`` with the outputs under the same names
        as in ``public_expected.npz``.
    """
    calls = {
        "compute_cost_with_regularization": lambda f: {
            "cost": f(*compute_cost_with_regularization_test_case(), 0.1)},
        "backward_propagation_with_regularization": lambda f: _gradients(
            f(*backward_propagation_with_regularization_test_case(), 0.7)),
        "forward_propagation_with_dropout": lambda f: _forward_outputs(
            *f(*forward_propagation_with_dropout_test_case(), 0.7)),
        "backward_propagation_with_dropout": lambda f: _gradients(
            f(*backward_propagation_with_dropout_test_case(), 0.8)),
    }
    results = {}
    for name, call in calls.items():
        if name in functions:
            for output, value in call(functions[name]).items():
                results[name + "/" + output] = value
    return results


def _gradients(grads):
    return {key: grads[key] for key in GRADIENT_KEYS if key in grads}


def _forward_outputs(A3, cache):
    named = dict(zip(DROPOUT_CACHE_NAMES, cache))
    return {"A3": A3, "D1": named.get("D1"), "D2": named.get("D2")}


def run_public_test(name, function):
    """Run the public case of one graded function and print each output beside its expected value.

    Parameters
    ----------
    name : str
        The graded function's name, e.g. ``"compute_cost_with_regularization"``.
    function : callable
        Your implementation.

    Returns
    -------
    bool
        True when every output matches the expected one (to 1e-7).
    """
    with np.load(PUBLIC_EXPECTED_PATH) as stored:
        expected = {key: stored[key] for key in stored.files if key.startswith(name + "/")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        actual = public_results({name: function})
    all_match = True
    np.set_printoptions(precision=8, suppress=True)
    for key, expected_value in expected.items():
        output = key.split("/", 1)[1]
        value = actual.get(key)
        match = _matches(value, expected_value)
        all_match = all_match and match
        print(f"{output} = {_format(value)}")
        print(f"{'expected':>{len(output)}} = {_format(expected_value)}   [{'ok' if match else 'MISMATCH'}]")
    print("All public checks passed." if all_match else "Some outputs differ from the expected values.")
    return all_match


def _matches(value, expected):
    try:
        value = np.asarray(copy.deepcopy(value))
        return value.shape == expected.shape and bool(np.all(np.abs(value.astype(float) - expected) <= 1e-7))
    except (TypeError, ValueError):
        return False


def _format(value):
    text = np.array2string(np.asarray(value), precision=8, suppress_small=True) if value is not None else "None"
    return text.replace("\n", "\n" + " " * 4)
