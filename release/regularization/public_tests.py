"""Public test cases for the four graded functions, and the visible checks.

Each case is rebuilt from fixed seeds with a local ``numpy.random.RandomState``,
so building a case never touches numpy's global random state. The expected
outputs of the public cases are generated from the reference solution, not
typed: ``public_expected.npz`` beside this file holds them under the names of
the outputs (``np.load`` reads it).

The visible checks judge your function on its public case exactly as the
autograder does (``public_checks.py``, made from the autograder's own checks).
To check a whole notebook from a terminal, in this folder::

    python public_tests.py Regularization.ipynb
"""
import numpy as np

from public_checks import check_function
from reg_utils import forward_propagation, one_line, relu, sigmoid

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
    """Check one graded function on its public case, with the autograder's checks and wording.

    Prints one line when every check passes; otherwise raises an ``AssertionError`` whose message is the
    autograder's verdict on the public case (the failed check and what is wrong), shown as one line.

    Parameters
    ----------
    name : str
        The graded function's name, e.g. ``"compute_cost_with_regularization"``.
    function : dict or callable
        The notebook's ``globals()``, to find the function in by its name as the autograder does, or the
        function itself.

    Returns
    -------
    bool
        True (a failure raises).
    """
    check_public_case(name, function)
    print(f"PASS  {name} on the public case (hidden cases are checked when the notebook is graded)")
    return True


def check_public_case(name, function):
    """Raise the autograder's verdict on the public case as a one-line ``AssertionError`` unless it passes.

    The autograded test cells call it, so that nbgrader's Validate fails while a public case fails.
    Prints nothing and returns None when the public case passes.
    """
    verdict = check_function(name, function)
    if not verdict.passed:
        raise one_line(AssertionError(verdict.message))


if __name__ == "__main__":
    import sys

    from public_checks import main

    sys.exit(main())
