"""Unit tests of :mod:`graders.ladder`: every generic step of a ladder, its check name and its wording.

A hidden case (``detail=False``) must never show a number that depends on the expected values; a public case
(``detail=True``) shows counts, the largest difference and its index.
"""
import re

import numpy as np
import pytest

from graders import ladder
from graders.ladder import Failed
from graders.plain import Opaque

SECRET = 7319.25  # an expected value whose digits must never reach a hidden message


def failure(step, *arguments):
    """The CheckFailure ``step(*arguments)`` raises (the test fails if it raises none)."""
    with pytest.raises(Failed) as raised:
        step(*arguments)
    return raised.value.failure


def digits_besides(message, *allowed):
    """The digits left in ``message`` once the ``allowed`` texts (shapes...) are taken out."""
    for text in allowed:
        message = message.replace(text, "")
    return re.findall(r"\d", message)


# ---------------------------------------------------------------- check_scalar

@pytest.mark.parametrize("value", [SECRET, np.float64(SECRET), np.float32(SECRET), np.array(SECRET)],
                         ids=["float", "float64", "float32", "0-d array"])
def test_check_scalar_accepts_numbers_equal_to_the_expected_one(value):
    ladder.check_scalar("cost", value, SECRET, detail=False)


def test_check_scalar_accepts_an_int():
    ladder.check_scalar("cost", 3, 3.0, detail=False)


@pytest.mark.parametrize("value, shown", [
    (True, "a value of type bool"),
    (np.bool_(True), f"a value of type {np.bool_.__name__}"),
    ("1.0", "a value of type str"),
    (None, "a value of type NoneType"),
    (np.array([1.0]), "an array of shape (1,)"),
    ([1.0], "a list of length 1"),
], ids=["bool", "numpy bool", "str", "None", "1-d array", "list"])
def test_check_scalar_refuses_what_is_not_a_number(value, shown):
    result = failure(ladder.check_scalar, "cost", value, 1.0, False)
    assert result.check == "type"
    assert result.message == f"returned {shown}; the cost must be a float"


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_check_scalar_refuses_a_number_that_is_not_finite(value):
    result = failure(ladder.check_scalar, "cost", value, 1.0, False)
    assert result.check == "value"
    assert result.message.endswith("the cost must be a finite number")


def test_check_scalar_hidden_message_shows_no_number():
    result = failure(ladder.check_scalar, "cost", SECRET + 1, SECRET, False)
    assert result.check == "values"
    assert result.message == f"cost: the value is wrong ({ladder.NOT_SHOWN})"


def test_check_scalar_public_message_shows_both_values():
    result = failure(ladder.check_scalar, "cost", 1.5, 2.0, True)
    assert result.message == "cost is 1.5, expected 2"


# ---------------------------------------------------------------- check_keys

def test_check_keys_refuses_a_value_that_is_not_a_dict():
    result = failure(ladder.check_keys, (1, 2), ("a",), "a dict of gradients")
    assert (result.check, result.message) == ("type", "returned a tuple of length 2; a dict of gradients is expected")


def test_check_keys_names_every_missing_key_in_order():
    result = failure(ladder.check_keys, {"b": 1}, ("a", "b", "c"), "a dict")
    assert (result.check, result.message) == ("keys", "the returned dict lacks the key(s) a, c")


def test_check_keys_accepts_extra_keys():
    ladder.check_keys({"a": 1, "extra": 2}, ("a",), "a dict")


# ---------------------------------------------------------------- check_array_form and compare_array

class Subclass(np.ndarray):
    pass


@pytest.mark.parametrize("actual, check, message", [
    ([[1.0, 2.0]], "type", "grad is a list of length 1; a numpy array is expected"),
    (np.zeros((1, 2)).view(Subclass), "type",
     "grad is a Subclass of shape (1, 2) (a subclass of numpy arrays); a numpy array is expected"),
    (np.zeros((2, 1)), "shape", "grad has shape (2, 1), expected (1, 2)"),
    (np.zeros(2), "shape", "grad has shape (2,), expected (1, 2)"),
    (np.array([["a", "b"]]), "dtype", "grad has dtype <U1; numbers are expected"),
    (np.array([[1j, 2j]]), "dtype", "grad has dtype complex128; numbers are expected"),
    (np.array([[None, None]]), "dtype", "grad has dtype object; numbers are expected"),
], ids=["list", "ndarray subclass", "transposed", "1-d", "strings", "complex", "object"])
def test_check_array_form_names_the_first_wrong_property(actual, check, message):
    result = failure(ladder.check_array_form, "grad", actual, np.zeros((1, 2)))
    assert (result.check, result.message) == (check, message)


def test_check_array_form_names_the_type_of_an_ndarray_subclass():
    result = failure(ladder.check_array_form, "A3", np.asmatrix(np.zeros((1, 2))), np.zeros((1, 2)))
    assert "matrix" in result.message


@pytest.mark.parametrize("dtype", [bool, np.int8, np.uint16, np.float32, np.float64])
def test_check_array_form_accepts_every_numeric_dtype(dtype):
    ladder.check_array_form("grad", np.zeros((1, 2), dtype=dtype), np.zeros((1, 2)))


def test_compare_array_checks_the_form_before_the_values():
    result = failure(ladder.compare_array, "A3", np.full((2, 1), SECRET), np.zeros((1, 2)), False)
    assert result.check == "shape"


def test_compare_array_accepts_ints_equal_to_float_expectations():
    ladder.compare_array("A3", np.array([[1, 2]]), np.array([[1.0, 2.0]]), False)


# ---------------------------------------------------------------- check_dict_of_arrays

def test_check_dict_of_arrays_checks_every_form_before_any_value():
    expected = {"a": np.zeros(3), "b": np.zeros(3)}
    actual = {"a": np.ones(3), "b": np.zeros(4)}  # a has wrong values, b a wrong shape: the shape is told
    result = failure(ladder.check_dict_of_arrays, actual, expected, ("a", "b"), "a dict", False)
    assert (result.check, result.message) == ("shape", "b has shape (4,), expected (3,)")


def test_check_dict_of_arrays_compares_values_in_key_order():
    expected = {"a": np.zeros(3), "b": np.zeros(3)}
    actual = {"a": np.zeros(3), "b": np.ones(3)}
    result = failure(ladder.check_dict_of_arrays, actual, expected, ("a", "b"), "a dict", True)
    assert result.check == "values"
    assert result.message.startswith("b: 3 of 3 entries are wrong")


def test_check_dict_of_arrays_passes_equal_dicts():
    expected = {"a": np.arange(3.0), "b": np.eye(2)}
    ladder.check_dict_of_arrays({k: v.copy() for k, v in expected.items()}, expected, ("a", "b"), "a dict", False)


# ---------------------------------------------------------------- compare_mask

@pytest.mark.parametrize("actual, check, message", [
    ([[1, 0]], "type", "mask D1 is a list of length 1; a numpy array is expected"),
    (np.ones((2, 1)), "shape", "mask D1 has shape (2, 1), expected (1, 2)"),
    (np.array([[1.0, 0.5]]), "mask values", "mask D1 holds values other than 0 and 1 (or True and False)"),
    (np.array([[2, 0]]), "mask values", "mask D1 holds values other than 0 and 1 (or True and False)"),
], ids=["list", "shape", "fraction", "two"])
def test_compare_mask_refuses_what_is_not_a_mask(actual, check, message):
    result = failure(ladder.compare_mask, "D1", actual, np.array([[1, 0]]), False)
    assert (result.check, result.message) == (check, message)


@pytest.mark.parametrize("actual", [np.array([[True, False]]), np.array([[1.0, 0.0]]), np.array([[1, 0]])],
                         ids=["bool", "float", "int"])
def test_compare_mask_compares_as_booleans(actual):
    ladder.compare_mask("D1", actual, np.array([[1, 0]]), False)


def test_compare_mask_public_message_counts_and_locates():
    expected = np.array([[1, 1, 1], [1, 1, 1]])
    actual = np.array([[1, 0, 1], [0, 1, 1]])
    result = failure(ladder.compare_mask, "D2", actual, expected, True)
    assert result.check == "mask"
    assert result.message == "mask D2 differs from the seeded draw in 2 of 6 entries, first at index (0, 1)"


def test_compare_mask_hidden_message_shows_only_the_shape():
    expected = np.ones((4, 5))
    actual = expected.copy()
    actual[3, 2] = 0
    result = failure(ladder.compare_mask, "D", actual, expected, False, "the cache's mask")
    assert result.message == f"mask D (shape (4, 5)) differs from the cache's mask ({ladder.NOT_SHOWN})"
    assert digits_besides(result.message, "(4, 5)") == []


# ---------------------------------------------------------------- compare_values and the tolerance

def test_compare_values_refuses_nan_and_infinity_first():
    result = failure(ladder.compare_values, "Z", np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), True)
    assert (result.check, result.message) == ("value", "Z contains NaN or infinite values")


@pytest.mark.parametrize("expected, actual, wrong", [
    (1.0, 1.0 + 0.9 * ladder.RTOL, False),
    (1.0, 1.0 + 1.5 * ladder.RTOL, True),
    (1e6, 1e6 * (1 - 0.9 * ladder.RTOL), False),
    (1e6, 1e6 * (1 - 1.5 * ladder.RTOL), True),
    (0.0, 0.9 * ladder.ATOL, False),
    (0.0, 1.5 * ladder.ATOL, True),
    (0.0, -1.5 * ladder.ATOL, True),
], ids=["within rtol", "beyond rtol", "large within", "large beyond", "zero within atol", "zero beyond atol",
        "negative beyond atol"])
def test_mismatch_is_the_tolerance_edge(expected, actual, wrong):
    assert bool(ladder.mismatch(np.array(actual), np.array(expected))) is wrong
    if wrong:
        assert failure(ladder.compare_values, "x", actual, expected, False).check == "values"
    else:
        ladder.compare_values("x", actual, expected, False)


@pytest.mark.parametrize("relative, wrong", [(1e-8, False), (5e-8, False), (2e-7, True), (1e-6, True)],
                         ids=["1e-8", "5e-8", "2e-7", "1e-6"])
def test_the_grading_tolerance_is_a_relative_1e_7(relative, wrong):
    expected = np.array([0.5, -3.0, 40.0])
    assert bool(ladder.mismatch(expected * (1 + relative), expected).any()) is wrong


def test_mismatch_counts_nan_as_wrong():
    assert ladder.mismatch(np.array([np.nan]), np.array([1.0])).tolist() == [True]


@pytest.mark.parametrize("shape", [(3,), (2, 5), (1, 1)], ids=["1-d", "2-d", "1x1"])
def test_hidden_array_message_shows_the_shape_and_no_other_number(shape):
    expected = np.full(shape, SECRET)
    actual = expected * 1.5
    result = failure(ladder.compare_values, "grad", actual, expected, False)
    assert result.check == "values"
    assert result.message == f"grad (shape {shape}): some values are wrong ({ladder.NOT_SHOWN})"
    assert digits_besides(result.message, str(shape)) == []


def test_hidden_scalar_message_shows_no_number():
    result = failure(ladder.compare_values, "cost", np.float64(SECRET * 2), np.float64(SECRET), False)
    assert digits_besides(result.message) == []


# ---------------------------------------------------------------- public_difference

def test_public_difference_of_a_scalar_gives_both_values():
    assert ladder.public_difference("cost", np.float64(0.123456789), np.float64(0.5), np.array(True)) \
        == "cost is 0.12345679, expected 0.5"


def test_public_difference_names_the_count_and_the_entry_that_differs_most():
    expected = np.zeros((2, 3))
    actual = expected.copy()
    actual[0, 2] = 0.5
    actual[1, 1] = -2.0
    bad = ladder.mismatch(actual, expected)
    assert ladder.public_difference("dW1", actual, expected, bad) == \
        "dW1: 2 of 6 entries are wrong; the one that differs most, dW1[1, 1], is -2 instead of 0"


def test_public_difference_ignores_differences_within_the_tolerance():
    expected = np.array([1.0, 1.0])
    actual = np.array([1.0 + 1e-9 * 0.5, 1.1])
    assert ladder.public_difference("v", actual, expected, ladder.mismatch(actual, expected)).startswith(
        "v: 1 of 2 entries are wrong; the one that differs most, v[1], is 1.1 instead of 1")


# ---------------------------------------------------------------- same_output

@pytest.mark.parametrize("actual, other, same", [
    ({"a": np.ones(2), "extra": 1}, {"a": np.ones(2)}, True),
    ({"a": np.ones(2)}, {"a": np.ones(2), "b": None}, False),
    ({"a": np.ones(2)}, {"a": np.zeros(2)}, False),
    ((np.ones(2), [1.0, None]), (np.ones(2), (1.0, None)), True),
    ((np.ones(2),), (np.ones(2), None), False),
    ({"a": 1}, (1,), False),
    (None, None, True),
    (0.0, None, False),
    (None, 0.0, False),
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), True),
    (np.array([np.nan, 1.0]), np.array([0.0, 1.0]), False),
    (np.array([np.inf]), np.array([np.inf]), True),
    (np.array([True, False]), np.array([1, 0]), True),
    (np.ones((2, 1)), np.ones((1, 2)), False),
    (np.ones(3), np.ones(3) * (1 + 0.5 * ladder.RTOL), True),
    ("text", 1.0, False),
    (Opaque("mod.Thing"), 1.0, False),
    ({"a": {"b": (np.zeros(1), None)}}, {"a": {"b": (np.zeros(1), None)}}, True),
    ({"a": {"b": (np.zeros(1), None)}}, {"a": {"b": (np.zeros(1), 0)}}, False),
], ids=["extra key", "missing key", "dict values", "tuple vs list", "length", "dict vs tuple", "None", "0 vs None",
        "None vs 0", "nan equals nan", "nan vs number", "inf", "bool mask", "no broadcasting", "within tolerance",
        "string", "opaque", "nested same", "nested None vs 0"])
def test_same_output(actual, other, same):
    assert ladder.same_output(actual, other) is same


# ---------------------------------------------------------------- describe and the registry

@pytest.mark.parametrize("value, words", [
    (Opaque("torch.Tensor"), "an object of type torch.Tensor"),
    (np.zeros((2, 3)), "an array of shape (2, 3)"),
    ((1, 2, 3), "a tuple of length 3"),
    ([], "a list of length 0"),
    ({"a": SECRET}, "a value of type dict"),
    (SECRET, "a value of type float"),
], ids=["opaque", "array", "tuple", "list", "dict", "float"])
def test_describe_gives_no_value_away(value, words):
    assert ladder.describe(value) == words


def test_failed_carries_its_check_and_message():
    error = Failed("shape", "x has shape (1,), expected (2,)")
    assert error.failure == ladder.CheckFailure("shape", "x has shape (1,), expected (2,)")
    assert str(error) == "x has shape (1,), expected (2,)"


def test_every_check_a_step_raises_is_registered():
    raised = {"type", "value", "values", "keys", "shape", "dtype", "mask values", "mask"}
    assert raised <= set(ladder.CHECK_NAMES)
