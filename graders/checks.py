"""The ladder of named checks that turns one output of a student's function into a verdict.

Checks run in order and stop at the first failure of a case: a wrong type
makes the shape meaningless, a wrong shape makes the values meaningless.
Messages say what is wrong and where, never what the expected numbers are.
Only a detailed judgement (the public case, whose expected values the
student has) adds numbers: counts, largest errors and their indices. On a
hidden case a message names the check, the array and its shape, but no
number that depends on the expected values or the hidden inputs, so that
repeated submissions cannot recover them.
"""
from dataclasses import dataclass

import numpy as np

from graders.plain import Opaque

RTOL = 1e-7
ATOL = 1e-10
GRADIENT_CHECK_TOLERANCE = 1e-6
NOT_SHOWN = "the numbers of a hidden case are not shown"
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
DROPOUT_CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


@dataclass(frozen=True)
class CheckFailure:
    """A failed check: its name and a one-sentence explanation."""

    check: str
    message: str


class Failed(Exception):
    """Raised by a check; carries the :class:`CheckFailure`."""

    def __init__(self, check, message):
        super().__init__(message)
        self.failure = CheckFailure(check, message)


def judge(function_name, actual, expected, arguments, *, detail=False):
    """Compare one output of a student's function with the expected one.

    Parameters
    ----------
    function_name : str
    actual : object
        The student's output, already converted to plain data (see :mod:`graders.plain`).
    expected : object
        The reference output for the same case.
    arguments : tuple
        The arguments of the call (the last one is ``lambd`` or ``keep_prob``).
    detail : bool
        Whether messages may give numbers computed from ``expected`` and ``arguments`` (counts,
        errors, indices): only for a case whose expected output the student already has.

    Returns
    -------
    CheckFailure or None
        The first failed check, or None when every check passes.
    """
    try:
        JUDGES[function_name](actual, expected, arguments, detail)
    except Failed as failed:
        return failed.failure
    return None


def same_output(actual, other):
    """Whether two plain outputs agree: same structure, arrays of one shape equal within the tolerance.

    Dicts are compared on the keys of ``other``; masks compare as numbers (True == 1).
    """
    if isinstance(other, dict):
        return isinstance(actual, dict) and all(key in actual and same_output(actual[key], value)
                                                for key, value in other.items())
    if isinstance(other, (tuple, list)):
        return (isinstance(actual, (tuple, list)) and len(actual) == len(other)
                and all(same_output(a, b) for a, b in zip(actual, other)))
    if other is None:
        return actual is None
    try:
        actual_array = np.asarray(actual, dtype=np.float64)
        other_array = np.asarray(other, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if actual_array.shape != other_array.shape:
        return False
    with np.errstate(invalid="ignore"):
        same_special = (np.isnan(actual_array) & np.isnan(other_array)) | (actual_array == other_array)
    return not (_mismatch(actual_array, other_array) & ~same_special).any()


def _judge_cost(actual, expected, arguments, detail):
    if isinstance(actual, np.ndarray) and actual.shape == ():
        actual = actual[()]
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (float, np.floating, int, np.integer)):
        raise Failed("type", f"returned {_describe(actual)}; the cost must be a float")
    if not np.isfinite(actual):
        raise Failed("value", f"returned {actual}; the cost must be a finite number")
    _compare_values("cost", np.float64(actual), np.float64(expected), detail)


def _judge_gradients(actual, expected, detail):
    if not isinstance(actual, dict):
        raise Failed("type", f"returned {_describe(actual)}; a dict of gradients is expected")
    missing = [key for key in GRADIENT_KEYS if key not in actual]
    if missing:
        raise Failed("keys", "the returned dict lacks the key(s) " + ", ".join(missing))
    for key in GRADIENT_KEYS:
        _check_array_form(key, actual[key], expected[key])
    for key in GRADIENT_KEYS:
        _compare_values(key, actual[key].astype(np.float64), expected[key].astype(np.float64), detail)


def _judge_l2_gradients(actual, expected, arguments, detail):
    """Form of the gradients, then the numerical gradient check, then the values."""
    if isinstance(actual, dict) and all(key in actual for key in GRADIENT_KEYS):
        for key in GRADIENT_KEYS:
            _check_array_form(key, actual[key], expected[key])
        _check_numerical_gradients(actual, arguments, detail)
    _judge_gradients(actual, expected, detail)


def _check_numerical_gradients(actual, arguments, detail):
    from graders.gradient_check import numerical_gradients, relative_difference

    X, Y, cache, lambd = arguments
    for key, numerical in numerical_gradients(X, Y, cache, lambd).items():
        with np.errstate(all="ignore"):
            difference = relative_difference(actual[key].astype(np.float64), numerical)
        if not difference < GRADIENT_CHECK_TOLERANCE:
            by = f"by a relative {difference:.2g}" if detail else f"beyond the tolerance ({NOT_SHOWN})"
            raise Failed("gradient check", f"{key} is not the gradient of the L2-regularized cost: it differs "
                         f"from the numerical gradient {by}")


def _judge_dropout_forward(actual, expected, arguments, detail):
    if not isinstance(actual, (tuple, list)) or len(actual) != 2:
        raise Failed("type", f"returned {_describe(actual)}; the pair (A3, cache) is expected")
    A3, cache = actual
    if not isinstance(cache, (tuple, list)) or len(cache) != len(DROPOUT_CACHE_NAMES):
        raise Failed("cache layout", f"the cache is {_describe(cache)}; a tuple of 14 values "
                     "(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) is expected")
    named = dict(zip(DROPOUT_CACHE_NAMES, cache))
    expected_named = dict(zip(DROPOUT_CACHE_NAMES, expected[1]))
    for mask in ("D1", "D2"):
        _compare_mask(mask, named[mask], expected_named[mask], detail)
    _check_dropout_scaling(named, arguments[-1])
    _check_output_layer(named, A3)
    for name in DROPOUT_CACHE_NAMES:
        if name not in ("D1", "D2"):
            _compare_array("cache " + name, named[name], expected_named[name], detail)
    _compare_array("A3", A3, expected[0], detail)


def _judge_dropout_backward(actual, expected, arguments, detail):
    _judge_gradients(actual, expected, detail)


def _check_dropout_scaling(named, keep_prob):
    """A1 and A2 must be relu(Z) * D / keep_prob, computed from the student's own Z and D."""
    for layer in ("1", "2"):
        Z, D, A = named["Z" + layer], named["D" + layer], named["A" + layer]
        if not all(type(v) is np.ndarray for v in (Z, D, A)) or not Z.shape == D.shape == A.shape:
            raise Failed("cache layout", f"Z{layer}, D{layer} and A{layer} in the cache must be arrays of one shape")
        with np.errstate(all="ignore"):
            rebuilt = np.maximum(Z.astype(float), 0) * D.astype(float) / keep_prob
        if _mismatch(A.astype(float), rebuilt).any():
            raise Failed("dropout scaling", f"A{layer} is not relu(Z{layer}) * D{layer} / keep_prob: the kept "
                         "activations must be divided by keep_prob and the dropped ones set to zero")


def _check_output_layer(named, A3):
    """The output layer has no dropout: A3 is sigmoid(Z3) of the student's own Z3."""
    Z3 = named["Z3"]
    if type(Z3) is not np.ndarray or type(A3) is not np.ndarray or Z3.shape != A3.shape:
        raise Failed("output layer", "A3 and Z3 in the cache must be arrays of one shape")
    with np.errstate(all="ignore"):
        untouched = 1 / (1 + np.exp(-Z3.astype(float)))
    if _mismatch(A3.astype(float), untouched).any():
        raise Failed("output layer", "A3 is not sigmoid(Z3): the output layer must not be dropped or scaled")


JUDGES = {
    "compute_cost_with_regularization": _judge_cost,
    "backward_propagation_with_regularization": _judge_l2_gradients,
    "forward_propagation_with_dropout": _judge_dropout_forward,
    "backward_propagation_with_dropout": _judge_dropout_backward,
}


def _compare_array(name, actual, expected, detail):
    _check_array_form(name, actual, expected)
    _compare_values(name, actual.astype(np.float64), expected.astype(np.float64), detail)


def _check_array_form(name, actual, expected):
    if type(actual) is not np.ndarray:
        raise Failed("type", f"{name} is {_describe(actual)}; a numpy array is expected")
    if actual.shape != expected.shape:
        raise Failed("shape", f"{name} has shape {actual.shape}, expected {expected.shape}")
    if actual.dtype.kind not in "biuf":
        raise Failed("dtype", f"{name} has dtype {actual.dtype}; numbers are expected")


def _compare_mask(name, actual, expected, detail):
    if type(actual) is not np.ndarray:
        raise Failed("type", f"mask {name} is {_describe(actual)}; a numpy array is expected")
    if actual.shape != expected.shape:
        raise Failed("shape", f"mask {name} has shape {actual.shape}, expected {expected.shape}")
    if not np.isin(actual, (0, 1)).all():
        raise Failed("mask values", f"mask {name} holds values other than 0 and 1 (or True and False)")
    wrong = np.argwhere(actual.astype(bool) != expected.astype(bool))
    if not len(wrong):
        return
    if not detail:
        raise Failed("mask", f"mask {name} (shape {expected.shape}) differs from the seeded draw ({NOT_SHOWN})")
    raise Failed("mask", f"mask {name} differs from the seeded draw in {len(wrong)} of {actual.size} "
                 f"entries, first at index {tuple(int(i) for i in wrong[0])}")


def _compare_values(name, actual, expected, detail):
    actual, expected = np.asarray(actual), np.asarray(expected)
    if not np.isfinite(actual).all():
        raise Failed("value", f"{name} contains NaN or infinite values")
    bad = _mismatch(actual, expected)
    if not bad.any():
        return
    if not detail:
        if expected.shape == ():
            raise Failed("values", f"{name}: the value is wrong ({NOT_SHOWN})")
        raise Failed("values", f"{name} (shape {expected.shape}): some values are wrong ({NOT_SHOWN})")
    raise Failed("values", _public_difference(name, actual, expected, bad))


def _public_difference(name, actual, expected, bad):
    """Where the public case's values differ, in words that fit the value: a scalar's two values, or how many
    entries of an array differ and the entry that differs most, with both values."""
    if expected.shape == ():
        return f"{name} is {float(actual):.8g}, expected {float(expected):.8g}"
    error = np.where(bad, np.abs(actual - expected), -1.0)
    where = np.unravel_index(int(np.argmax(error)), error.shape)
    index = ", ".join(str(int(i)) for i in where)
    return (f"{name}: {int(bad.sum())} of {bad.size} entries are wrong; the one that differs most, {name}[{index}], "
            f"is {float(actual[where]):.8g} instead of {float(expected[where]):.8g}")


def _mismatch(actual, expected):
    """Element-wise: where ``actual`` (same shape as ``expected``) is outside the tolerance, NaN included."""
    return ~np.isclose(actual, expected, rtol=RTOL, atol=ATOL)


def _describe(value):
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a value of type {type(value).__name__}"
