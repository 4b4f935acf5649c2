"""The generic steps of a ladder of named checks, from which an assignment composes its judges.

A judge (one per graded function, in the assignment's ``checks`` module) calls these steps in order and stops
at the first :class:`Failed`: a wrong type makes the shape meaningless, a wrong shape makes the values
meaningless. Messages say what is wrong and where; only a detailed judgement (the public case, whose expected
values the student has) adds numbers: counts, largest errors and their indices. On a hidden case a message names
the check, the array and its shape, but no number that depends on the expected values or the hidden inputs, so
that repeated submissions cannot recover them.

Every check name a verdict can carry is registered once, in :data:`CHECK_NAMES` (the engine's own) or in the
assignment's ``CHECK_NAMES`` (see :func:`graders.assignment.check_names`).
"""
from dataclasses import dataclass

import numpy as np

from graders.plain import Opaque

RTOL = 1e-7
ATOL = 1e-10
NOT_SHOWN = "the numbers of a hidden case are not shown"

# The checks of the engine and of this ladder, in the order a verdict meets them: {name: what it asserts}.
CHECK_NAMES = {
    "readable": "the submitted file could be read as a notebook",
    "exists": "the notebook defines the function",
    "implemented": "the function no longer raises NotImplementedError",
    "runs": "each call returns within its time and memory without raising",
    "signature": "the function takes the parameters it was given",
    "names defined": "every name the function reads is defined",
    "no notebook globals": "the function reads no variable of the notebook, only its arguments",
    "inputs unchanged": "the function does not change its inputs in place",
    "type": "the returned value (or an array in it) has the expected type",
    "keys": "a returned dict has every expected key",
    "shape": "each array has the expected shape",
    "dtype": "each array holds numbers",
    "mask values": "a mask holds only 0 and 1 (or False and True)",
    "mask": "a mask equals the seeded draw",
    "value": "a number is finite",
    "values": "the values equal the expected ones within the tolerance",
}


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
    return not (mismatch(actual_array, other_array) & ~same_special).any()


def check_scalar(name, actual, expected, detail):
    """A returned number (a float, an int or a 0-d array): type, finite, then its value."""
    if isinstance(actual, np.ndarray) and actual.shape == ():
        actual = actual[()]
    if isinstance(actual, (bool, np.bool_)) or not isinstance(actual, (float, np.floating, int, np.integer)):
        raise Failed("type", f"returned {describe(actual)}; the {name} must be a float")
    if not np.isfinite(actual):
        raise Failed("value", f"returned {actual}; the {name} must be a finite number")
    compare_values(name, np.float64(actual), np.float64(expected), detail)


def check_keys(actual, keys, what):
    """A returned dict holding every one of ``keys`` (``what`` names it: "a dict of gradients")."""
    if not isinstance(actual, dict):
        raise Failed("type", f"returned {describe(actual)}; {what} is expected")
    missing = [key for key in keys if key not in actual]
    if missing:
        raise Failed("keys", "the returned dict lacks the key(s) " + ", ".join(missing))


def check_dict_of_arrays(actual, expected, keys, what, detail):
    """A dict of arrays: keys, then the form of every array, then the values of every array, in ``keys`` order."""
    check_keys(actual, keys, what)
    for key in keys:
        check_array_form(key, actual[key], expected[key])
    for key in keys:
        compare_values(key, actual[key].astype(np.float64), expected[key].astype(np.float64), detail)


def compare_array(name, actual, expected, detail):
    """One array: its form, then its values."""
    check_array_form(name, actual, expected)
    compare_values(name, actual.astype(np.float64), expected.astype(np.float64), detail)


def check_array_form(name, actual, expected):
    """A numpy array of the expected shape holding numbers."""
    if type(actual) is not np.ndarray:
        raise Failed("type", f"{name} is {describe(actual)}; a numpy array is expected")
    if actual.shape != expected.shape:
        raise Failed("shape", f"{name} has shape {actual.shape}, expected {expected.shape}")
    if actual.dtype.kind not in "biuf":
        raise Failed("dtype", f"{name} has dtype {actual.dtype}; numbers are expected")


def compare_mask(name, actual, expected, detail, drawn="the seeded draw"):
    """A 0/1 mask equal to ``expected`` entry by entry."""
    if type(actual) is not np.ndarray:
        raise Failed("type", f"mask {name} is {describe(actual)}; a numpy array is expected")
    if actual.shape != expected.shape:
        raise Failed("shape", f"mask {name} has shape {actual.shape}, expected {expected.shape}")
    if not np.isin(actual, (0, 1)).all():
        raise Failed("mask values", f"mask {name} holds values other than 0 and 1 (or True and False)")
    wrong = np.argwhere(actual.astype(bool) != expected.astype(bool))
    if not len(wrong):
        return
    if not detail:
        raise Failed("mask", f"mask {name} (shape {expected.shape}) differs from {drawn} ({NOT_SHOWN})")
    raise Failed("mask", f"mask {name} differs from {drawn} in {len(wrong)} of {actual.size} "
                 f"entries, first at index {tuple(int(i) for i in wrong[0])}")


def compare_values(name, actual, expected, detail):
    """Values (of one shape) equal within the tolerance, finite."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if not np.isfinite(actual).all():
        raise Failed("value", f"{name} contains NaN or infinite values")
    bad = mismatch(actual, expected)
    if not bad.any():
        return
    if not detail:
        if expected.shape == ():
            raise Failed("values", f"{name}: the value is wrong ({NOT_SHOWN})")
        raise Failed("values", f"{name} (shape {expected.shape}): some values are wrong ({NOT_SHOWN})")
    raise Failed("values", public_difference(name, actual, expected, bad))


def public_difference(name, actual, expected, bad):
    """Where the public case's values differ, in words that fit the value: a scalar's two values, or how many
    entries of an array differ and the entry that differs most, with both values."""
    if expected.shape == ():
        return f"{name} is {float(actual):.8g}, expected {float(expected):.8g}"
    error = np.where(bad, np.abs(actual - expected), -1.0)
    where = np.unravel_index(int(np.argmax(error)), error.shape)
    index = ", ".join(str(int(i)) for i in where)
    return (f"{name}: {int(bad.sum())} of {bad.size} entries are wrong; the one that differs most, {name}[{index}], "
            f"is {float(actual[where]):.8g} instead of {float(expected[where]):.8g}")


def mismatch(actual, expected):
    """Element-wise: where ``actual`` (same shape as ``expected``) is outside the tolerance, NaN included."""
    return ~np.isclose(actual, expected, rtol=RTOL, atol=ATOL)


def describe(value):
    """A returned value in a few words that give nothing of the expected one away."""
    if isinstance(value, Opaque):
        return f"an object of type {value.type_name}"
    if type(value) is np.ndarray:
        return f"an array of shape {value.shape}"
    if isinstance(value, np.ndarray):
        return f"a {type(value).__name__} of shape {value.shape} (a subclass of numpy arrays)"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a value of type {type(value).__name__}"
