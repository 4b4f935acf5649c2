"""Unit tests of :mod:`graders.plain`: flatten/unflatten round trips, and the worker's frames and results
format with its limits (the end-to-end use over a real pipe is in ``tests/test_sandbox.py``)."""
import json

import numpy as np
import pytest

from graders import plain
from graders.plain import MalformedOutput, Opaque


class Custom:
    pass


ROUND_TRIPS = {
    "array": np.arange(6.0).reshape(2, 3),
    "int array": np.array([[1, 2]], dtype=np.int32),
    "bool array": np.array([True, False]),
    "float": 1.25,
    "int": 7,
    "bool": True,
    "numpy float": np.float32(2.5),
    "None": None,
    "dict": {"a": np.ones(2), "b": {"c": 3.0, "d": None}},
    "tuple": (np.zeros(1), (1, [2.0, None])),
    "empty": ((), [], {}),
}


def assert_same(actual, expected):
    assert type(actual) is type(expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for key in expected:
            assert_same(actual[key], expected[key])
    elif isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    elif isinstance(expected, np.ndarray):
        np.testing.assert_array_equal(actual, expected, strict=True)
    else:
        assert actual == expected


@pytest.mark.parametrize("value", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_flatten_then_unflatten_gives_the_value_back(value):
    arrays, spec = plain.flatten(value, "case/expected")
    assert all(key == "case/expected" or key.startswith("case/expected/") for key in arrays)
    json.dumps(spec)  # a spec is JSON-able
    assert_same(plain.unflatten(arrays, spec), value)


def test_flatten_keys_follow_the_path_of_each_leaf():
    arrays, _ = plain.flatten({"grads": (np.ones(1), {"dW": np.zeros(2)})}, "p")
    assert sorted(arrays) == ["p/grads/0", "p/grads/1/dW"]


@pytest.mark.parametrize("value, type_name", [
    (Custom(), "tests.test_plain.Custom"),
    (np.array(["a"]), "numpy.ndarray"),
    (np.array([1j]), "numpy.ndarray"),
    (np.array([None], dtype=object), "numpy.ndarray"),
    ("text", "builtins.str"),
    (1j, "builtins.complex"),
    ({1: np.ones(1)}, "builtins.dict"),
], ids=["object", "string array", "complex array", "object array", "str", "complex", "dict with int keys"])
def test_values_that_are_not_plain_data_come_back_opaque(value, type_name):
    arrays, spec = plain.flatten(value, "p")
    assert arrays == {}
    restored = plain.unflatten(arrays, spec)
    assert isinstance(restored, Opaque)
    assert restored.type_name == type_name
    assert repr(restored) == f"<{type_name} object>"


def test_a_subclass_of_a_plain_type_is_opaque():
    class Tricky(float):
        pass

    _, spec = plain.flatten(Tricky(1.0), "p")
    assert spec["kind"] == "other"


def test_type_name_is_cut_and_ignores_a_module_that_is_not_a_string():
    Long = type("L" * 500, (), {})
    Long.__module__ = 42
    name = plain.type_name(Long())
    assert name.startswith("?.LLL")
    assert len(name) == plain.MAX_NAME_CHARS


def test_leaf_keys_are_the_keys_flatten_gives():
    value = {"a": (np.ones(1), 2.0, None, Custom()), "b": {"c": np.zeros(2)}}
    arrays, spec = plain.flatten(value, "x")
    assert plain.leaf_keys(spec, "x") == set(arrays)


# ---------------------------------------------------------------- frames

def test_frames_round_trip_and_a_cut_frame_is_left_out():
    data = plain.encode_frame(plain.PROGRESS_FRAME, b"cell 3") + plain.encode_frame(plain.RESULTS_FRAME, b"xyz")
    frames = [(kind, bytes(payload)) for kind, payload in plain.iter_frames(data, 100)]
    assert frames == [(b"P", b"cell 3"), (b"R", b"xyz")]
    assert [bytes(p) for _, p in plain.iter_frames(data[:-1], 100)] == [b"cell 3"]


@pytest.mark.parametrize("data, message", [
    (plain.FRAME.pack(b"X", 0), "unknown frame kind b'X'"),
    (plain.FRAME.pack(b"P", 101), "a frame of 101 bytes"),
], ids=["kind", "too long"])
def test_iter_frames_refuses(data, message):
    with pytest.raises(MalformedOutput, match=f"^{message}$"):
        list(plain.iter_frames(data, 100))


def decode(payload):
    return plain.decode_results(payload, max_header_bytes=10000, max_arrays=10, max_depth=8)


def test_results_round_trip():
    arrays = {"a": np.arange(6, dtype=np.int16).reshape(2, 3), "b": np.array(True), "c": np.ones((0, 2))}
    record, decoded = decode(plain.encode_results({"cells": [1, "x"]}, arrays))
    assert record == {"cells": [1, "x"]}
    assert list(decoded) == ["a", "b", "c"]
    for key in arrays:
        np.testing.assert_array_equal(decoded[key], arrays[key], strict=True)


def test_results_are_little_endian_whatever_the_input():
    (_, decoded) = decode(plain.encode_results({}, {"a": np.array([1.5, 2.0], dtype=">f8")}))
    assert decoded["a"].dtype.str == "<f8"
    np.testing.assert_array_equal(decoded["a"], [1.5, 2.0])


def header(entries, record=None):
    text = json.dumps({"record": record, "arrays": entries}).encode()
    return plain.HEADER_LENGTH.pack(len(text)) + text


@pytest.mark.parametrize("payload, message", [
    (b"abc", "a results frame without header"),
    (plain.HEADER_LENGTH.pack(10 ** 6) + b"{}", "a results header of 1000000 bytes"),
    (plain.HEADER_LENGTH.pack(2) + b"[]", r"the results header is not \{record, arrays\}"),
    (header([{"key": "a", "dtype": "|O", "shape": [1]}]) + b"\0" * 8, "array 'a' has a dtype that is not numeric"),
    (header([{"key": "a", "dtype": "<c16", "shape": [1]}]) + b"\0" * 16, "array 'a' has a dtype that is not numeric"),
    (header([{"key": "a", "dtype": "<f8", "shape": [2]}]) + b"\0" * 8, "array 'a' runs past the end of the results"),
    (header([{"key": "a", "dtype": "<f8", "shape": [1]}]) + b"\0" * 9, "bytes after the last array"),
    (header([{"key": "a", "dtype": "<f8", "shape": [-1]}]), "array 'a' has an invalid shape"),
    (header([{"key": "a", "dtype": "<f8", "shape": [True]}]), "array 'a' has an invalid shape"),
    (header([{"key": "a", "dtype": "<f8", "shape": [0]}] * 2), "an array key given twice"),
    (header([{"key": "a", "dtype": "<f8"}]), r"an array entry is not \{key, dtype, shape\}"),
    (header([{"key": 1, "dtype": "<f8", "shape": []}]), "an array key is not a short string"),
    (header([{"key": str(i), "dtype": "<f8", "shape": [0]} for i in range(11)]), "11 arrays"),
    (plain.HEADER_LENGTH.pack(3) + b"NaN", "NaN in JSON"),
    (plain.HEADER_LENGTH.pack(2) + b"\xff\xfe", r"not JSON \(UnicodeDecodeError\)"),
], ids=["no header", "header too long", "not a dict", "object dtype", "complex dtype", "short", "trailing bytes",
        "negative size", "bool size", "twice", "entry", "key", "too many", "nan", "not utf-8"])
def test_decode_results_refuses_malformed_payloads(payload, message):
    with pytest.raises(MalformedOutput, match=f"^{message}$"):
        decode(payload)


def test_parse_json_refuses_deep_nesting_without_recursion():
    assert plain.nesting_depth([[[]], {"a": [1]}]) == 3
    with pytest.raises(MalformedOutput, match="^JSON nested more than 2 levels deep$"):
        plain.parse_json(b"[[[1]]]", 2)
    deep = []
    for _ in range(5000):
        deep = [deep]
    assert plain.nesting_depth(deep) == 5001


@pytest.mark.parametrize("raw", [b"NaN", b"[Infinity]", b"{\"a\": -Infinity}"], ids=["nan", "inf", "-inf"])
def test_parse_json_refuses_non_finite_constants(raw):
    with pytest.raises(MalformedOutput):
        plain.parse_json(raw, 8)


def test_parse_json_names_a_non_finite_constant():
    with pytest.raises(MalformedOutput, match="^NaN in JSON$"):
        plain.parse_json(b"NaN", 8)


# ---------------------------------------------------------------- check_spec

def test_check_spec_accepts_what_flatten_gives():
    arrays, spec = plain.flatten({"a": (np.ones((3, 3)), 1.0, None, Custom())}, "c/out")
    plain.check_spec(spec, arrays, "c/out")


def nested(depth):
    spec = {"kind": "none", "type": "builtins.NoneType"}
    for _ in range(depth - 1):
        spec = {"kind": "list", "items": [spec]}
    return spec


@pytest.mark.parametrize("spec, arrays, message", [
    (nested(plain.MAX_SPEC_DEPTH + 1), {}, "an output too large or nested too deeply"),
    ({"kind": "list", "items": [{"kind": "none", "type": "n"}] * plain.MAX_OUTPUT_NODES}, {},
     "an output too large or nested too deeply"),
    ({"kind": "set", "items": []}, {}, "an output of unknown kind"),
    ({"kind": "dict", "items": []}, {}, "a dict output without items"),
    ({"kind": "dict", "items": {"k" * 301: {"kind": "none", "type": "n"}}}, {}, "a dict output with a long key"),
    ({"kind": "array", "key": "p/x", "type": "t"}, {}, "an array output whose array is missing"),
    ({"kind": "array", "key": "other", "type": "t"}, {"other": np.ones(1)}, "an array output whose array is missing"),
    ({"kind": "scalar", "key": "p", "type": "t"}, {"p": np.ones(2)}, "a scalar output that is not 0-d"),
    ({"kind": "array", "key": "p", "type": "t"}, {"p": np.zeros(plain.MAX_OUTPUT_BYTES // 8 + 1)},
     "an output too large"),
    ({"kind": "other"}, {}, "a other output without type"),
], ids=["deep", "many nodes", "kind", "dict items", "long key", "missing array", "outside the prefix",
        "scalar not 0-d", "too many bytes", "other without type"])
def test_check_spec_refuses(spec, arrays, message):
    with pytest.raises(MalformedOutput, match=f"^{message}$"):
        plain.check_spec(spec, arrays, "p")


def test_check_spec_accepts_the_limits_themselves():
    plain.check_spec(nested(plain.MAX_SPEC_DEPTH), {}, "p")
    plain.check_spec({"kind": "list", "items": [{"kind": "none", "type": "n"}] * (plain.MAX_OUTPUT_NODES - 1)}, {},
                     "p")


@pytest.mark.parametrize("value, expected", [(0, True), (5, True), (6, False), (-1, False), (True, False),
                                             (1.0, False)])
def test_is_count(value, expected):
    assert plain.is_count(value, 5) is expected


# ---------------------------------------------------------------- the protocol's exact limits and forms

@pytest.mark.parametrize("dtype, message", [
    (7, "array 'a' has a dtype that is not numeric"),
    ("|f8", "array 'a' has a dtype that is not numeric"),  # numeric, but not numpy's own spelling of it
    ("<u1", "array 'a' has a dtype that is not numeric"),
    ("<b16", "array 'a' has an unknown dtype"),
    ("|u16", "array 'a' has an unknown dtype"),
], ids=["not text", "not canonical", "not canonical byte", "no such bool", "no such unsigned"])
def test_an_array_entry_names_its_dtype_as_numpy_spells_a_numeric_one(dtype, message):
    with pytest.raises(MalformedOutput, match=f"^{message}$"):
        decode(header([{"key": "a", "dtype": dtype, "shape": [1]}]) + b"\0" * 16)


@pytest.mark.parametrize("spec, message", [
    ({"kind": "list"}, "a list output without items"),
    ({"kind": "tuple", "items": {}}, "a tuple output without items"),
    ({"kind": "array", "type": "t"}, "an array output without key or type"),
    ({"kind": "scalar", "key": "p", "type": 7}, "an scalar output without key or type"),
], ids=["list without items", "tuple of a dict", "array without key", "type not text"])
def test_check_spec_refuses_a_container_or_leaf_missing_its_fields(spec, message):
    with pytest.raises(MalformedOutput, match=f"^{message}$"):
        plain.check_spec(spec, {"p": np.array(1.0)}, "p")


def _leaves(count):
    return {"kind": "list", "items": [{"kind": "none", "type": "n"}] * (count - 1)}


@pytest.mark.parametrize("accepted, refused", [
    (lambda: (nested(16), {}), lambda: (nested(17), {})),
    (lambda: (_leaves(200), {}), lambda: (_leaves(201), {})),
    (lambda: ({"kind": "dict", "items": {"k" * 300: {"kind": "none", "type": "n"}}}, {}),
     lambda: ({"kind": "dict", "items": {"k" * 301: {"kind": "none", "type": "n"}}}, {})),
    (lambda: ({"kind": "array", "key": "p", "type": "t" * 300}, {"p": np.zeros(4 * 1024 ** 2 // 8)}),
     lambda: ({"kind": "array", "key": "p", "type": "t" * 301}, {"p": np.zeros(1)})),
    (lambda: ({"kind": "array", "key": "p", "type": "t"}, {"p": np.zeros(4 * 1024 ** 2 // 8)}),
     lambda: ({"kind": "array", "key": "p", "type": "t"}, {"p": np.zeros(4 * 1024 ** 2 + 1, dtype=np.uint8)})),
], ids=["16 levels", "200 values", "names of 300 characters", "type names of 300 characters", "4 MiB of arrays"])
def test_an_output_at_a_limit_of_the_protocol_is_accepted_and_one_beyond_refused(accepted, refused):
    plain.check_spec(*accepted(), "p")
    with pytest.raises(MalformedOutput):
        plain.check_spec(*refused(), "p")


@pytest.mark.parametrize("dimensions, accepted", [(32, True), (33, False)])
def test_an_array_has_at_most_32_dimensions(dimensions, accepted):
    payload = header([{"key": "a", "dtype": "<f8", "shape": [1] * dimensions}]) + b"\0" * 8
    if accepted:
        assert decode(payload)[1]["a"].ndim == dimensions
    else:
        with pytest.raises(MalformedOutput, match="^array 'a' has an invalid shape$"):
            decode(payload)


@pytest.mark.parametrize("name, limit", [("MAX_TEXT_CHARS", 1000), ("MAX_NAME_CHARS", 300)])
def test_texts_and_names_the_grader_accepts_end_at_their_limit(name, limit):
    assert plain.is_text("x" * limit, getattr(plain, name))
    assert not plain.is_text("x" * (limit + 1), getattr(plain, name))


def _header_of(length):
    """A results payload whose JSON header is exactly ``length`` bytes (no arrays)."""
    text = json.dumps({"record": "", "arrays": []})
    text = json.dumps({"record": " " * (length - len(text)), "arrays": []}).encode()
    assert len(text) == length
    return plain.HEADER_LENGTH.pack(len(text)) + text


@pytest.mark.parametrize("payload, refusal", [
    (lambda: _header_of(10000), None),
    (lambda: _header_of(10001), "a results header of 10001 bytes"),
    (lambda: plain.HEADER_LENGTH.pack(0), r"not JSON \(JSONDecodeError\)"),
    (lambda: header([{"key": str(i), "dtype": "<f8", "shape": [0]} for i in range(10)]), None),
    (lambda: header([{"key": "a", "dtype": "|u1", "shape": [2 ** 40 + 1]}]), "array 'a' has an invalid shape"),
    (lambda: header([{"key": "a", "dtype": "|u1", "shape": [2 ** 40]}]), "array 'a' runs past the end of the results"),
], ids=["header at the limit", "header over it", "empty header", "10 arrays", "size over 2**40", "size 2**40"])
def test_decode_results_at_its_limits(payload, refusal):
    if refusal is None:
        decode(payload())
    else:
        with pytest.raises(MalformedOutput, match=f"^{refusal}$"):
            decode(payload())


def test_json_and_frames_at_their_limits():
    assert plain.nesting_depth(5) == 0 and plain.nesting_depth([]) == 1
    assert plain.parse_json(b"[[1]]", 2) == [[1]]
    frame = plain.encode_frame(plain.PROGRESS_FRAME, b"x" * 10)
    assert [bytes(payload) for _, payload in plain.iter_frames(frame, 10)] == [b"x" * 10]
    with pytest.raises(MalformedOutput, match="^a frame of 10 bytes$"):
        list(plain.iter_frames(frame, 9))


def test_the_worker_never_encodes_a_non_finite_number_in_its_record():
    with pytest.raises(ValueError):
        plain.encode_results({"x": float("nan")}, {})


def _nested_dicts(depth):
    spec = {"kind": "none", "type": "n"}
    for _ in range(depth - 1):
        spec = {"kind": "dict", "items": {"k": spec}}
    return spec


def test_dicts_count_one_level_each():
    plain.check_spec(_nested_dicts(16), {}, "p")
    with pytest.raises(MalformedOutput, match="^an output too large or nested too deeply$"):
        plain.check_spec(_nested_dicts(17), {}, "p")
