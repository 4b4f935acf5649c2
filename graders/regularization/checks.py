"""The judges of the Regularization assignment: one ladder of named checks per graded function.

Each judge is composed of the generic steps of :mod:`graders.ladder` and of the checks below, which know this
assignment's network: the numerical gradient check of the L2-regularized cost, the dropout scaling of the
hidden layers and the output layer without dropout.
"""
import numpy as np

from graders.ladder import (Failed, check_array_form, check_dict_of_arrays, check_scalar, compare_array,
                            compare_mask, describe, mismatch, NOT_SHOWN)

GRADIENT_CHECK_TOLERANCE = 1e-6
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
GRADIENTS = "a dict of gradients"

# The checks of this assignment, beside those of graders.ladder: {name: what it asserts}.
CHECK_NAMES = {
    "gradient check": "the L2 gradients are the derivatives of the regularized cost (central differences)",
    "cache layout": "the dropout cache is the tuple (Z1, D1, A1, W1, b1, ..., Z3, A3, W3, b3) of arrays",
    "dropout scaling": "A1 and A2 are relu(Z) * D / keep_prob of the student's own Z and D",
    "output layer": "A3 is sigmoid(Z3): no dropout on the output layer",
    "masks drawn": "the dropout forward pass draws its masks with np.random.rand",
    "masks reused": "the dropout backward pass reuses the cache's masks and draws nothing",
}


def judge_cost(actual, expected, arguments, detail):
    """``compute_cost_with_regularization``: a finite float equal to the regularized cost."""
    check_scalar("cost", actual, expected, detail)


def judge_l2_gradients(actual, expected, arguments, detail):
    """``backward_propagation_with_regularization``: form of the gradients, numerical gradient check, values."""
    if isinstance(actual, dict) and all(key in actual for key in GRADIENT_KEYS):
        for key in GRADIENT_KEYS:
            check_array_form(key, actual[key], expected[key])
        check_numerical_gradients(actual, arguments, detail)
    check_dict_of_arrays(actual, expected, GRADIENT_KEYS, GRADIENTS, detail)


def check_numerical_gradients(actual, arguments, detail):
    """Each gradient within :data:`GRADIENT_CHECK_TOLERANCE` (relative) of the numerical gradient of the cost."""
    from graders.regularization.gradient_check import numerical_gradients, relative_difference

    X, Y, cache, lambd = arguments
    for key, numerical in numerical_gradients(X, Y, cache, lambd).items():
        with np.errstate(all="ignore"):
            difference = relative_difference(actual[key].astype(np.float64), numerical)
        if not difference < GRADIENT_CHECK_TOLERANCE:
            by = f"by a relative {difference:.2g}" if detail else f"beyond the tolerance ({NOT_SHOWN})"
            raise Failed("gradient check", f"{key} is not the gradient of the L2-regularized cost: it differs "
                         f"from the numerical gradient {by}")


def judge_dropout_forward(actual, expected, arguments, detail):
    """``forward_propagation_with_dropout``: the pair, the cache's layout, masks, scaling, output layer, values."""
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        raise Failed("type", f"returned {describe(actual)}; the pair (A3, cache) is expected")
    A3, cache = actual
    if not isinstance(cache, (tuple, list)) or len(cache) != len(DROPOUT_CACHE_NAMES):
        raise Failed("cache layout", f"the cache is {describe(cache)}; a tuple of 14 values "
                     "(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) is expected")
    named = dict(zip(DROPOUT_CACHE_NAMES, cache))
    expected_named = dict(zip(DROPOUT_CACHE_NAMES, expected[1]))
    for mask in ("D1", "D2"):
        compare_mask(mask, named[mask], expected_named[mask], detail)
    check_dropout_scaling(named, arguments[-1])
    check_output_layer(named, A3)
    for name in DROPOUT_CACHE_NAMES:
        if name not in ("D1", "D2"):
            compare_array("cache " + name, named[name], expected_named[name], detail)
    compare_array("A3", A3, expected[0], detail)


def judge_dropout_backward(actual, expected, arguments, detail):
    """``backward_propagation_with_dropout``: the dict of gradients and their values."""
    check_dict_of_arrays(actual, expected, GRADIENT_KEYS, GRADIENTS, detail)


def check_dropout_scaling(named, keep_prob):
    """A1 and A2 must be relu(Z) * D / keep_prob, computed from the student's own Z and D."""
    for layer in ("1", "2"):
        Z, D, A = named["Z" + layer], named["D" + layer], named["A" + layer]
        if not all(type(v) is np.ndarray for v in (Z, D, A)) or not Z.shape == D.shape == A.shape:
            raise Failed("cache layout", f"Z{layer}, D{layer} and A{layer} in the cache must be arrays of one shape")
        with np.errstate(all="ignore"):
            rebuilt = np.maximum(Z.astype(float), 0) * D.astype(float) / keep_prob
        if mismatch(A.astype(float), rebuilt).any():
            raise Failed("dropout scaling", f"A{layer} is not relu(Z{layer}) * D{layer} / keep_prob: the kept "
                         "activations must be divided by keep_prob and the dropped ones set to zero")


def check_output_layer(named, A3):
    """The output layer has no dropout: A3 is sigmoid(Z3) of the student's own Z3."""
    Z3 = named["Z3"]
    if type(Z3) is not np.ndarray or type(A3) is not np.ndarray or Z3.shape != A3.shape:
        raise Failed("output layer", "A3 and Z3 in the cache must be arrays of one shape")
    with np.errstate(all="ignore"):
        untouched = 1 / (1 + np.exp(-Z3.astype(float)))
    if mismatch(A3.astype(float), untouched).any():
        raise Failed("output layer", "A3 is not sigmoid(Z3): the output layer must not be dropped or scaled")


def random_draw_failure(function_name, random_draws):
    """The check on the random numbers a call drew (``random_draws``: whether it drew any; None if unknown)."""
    from graders.ladder import CheckFailure

    if function_name == "backward_propagation_with_dropout" and random_draws:
        return CheckFailure("masks reused", "the backward pass draws new random numbers; it must reuse the "
                            "masks D1 and D2 stored in the cache")
    if function_name == "forward_propagation_with_dropout" and random_draws is False:
        return CheckFailure("masks drawn", "no random numbers were drawn: draw D1 and D2 with np.random.rand")
    return None


JUDGES = {
    "compute_cost_with_regularization": judge_cost,
    "backward_propagation_with_regularization": judge_l2_gradients,
    "forward_propagation_with_dropout": judge_dropout_forward,
    "backward_propagation_with_dropout": judge_dropout_backward,
}
