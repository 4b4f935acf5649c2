"""Converting nested Python values to flat dicts of arrays and back, and the worker's report format.

Inputs and expected outputs are stored as ``.npz`` files (never pickles); the
student's outputs travel from the worker to the grader as frames on a pipe
(see :func:`encode_results` and :func:`decode_results`). A value is
flattened to arrays under path-like keys plus a JSON-able ``spec`` that
records its structure and the type of every leaf.
"""
import json
import numbers
import re
import struct
from typing import NotRequired, TypedDict

import numpy as np


def flatten(value, prefix):
    """Flatten ``value`` into ``(arrays, spec)``.

    Parameters
    ----------
    value : object
        An ndarray, a number, a bool, None, or a dict/tuple/list of those.
        Any other object becomes a leaf recording only its type name.
    prefix : str
        Key of the value; nested values get ``prefix/<key or index>``.

    Returns
    -------
    arrays : dict of str to numpy.ndarray
    spec : dict
    """
    if type(value) is dict and all(isinstance(key, str) for key in value):
        arrays, items = {}, {}
        for key, item in value.items():
            item_arrays, items[key] = flatten(item, f"{prefix}/{key}")
            arrays.update(item_arrays)
        return arrays, {"kind": "dict", "items": items}
    if type(value) in (tuple, list):
        arrays, items = {}, []
        for index, item in enumerate(value):
            item_arrays, item_spec = flatten(item, f"{prefix}/{index}")
            arrays.update(item_arrays)
            items.append(item_spec)
        return arrays, {"kind": type(value).__name__, "items": items}
    return _flatten_leaf(value, prefix)


def type_name(value):
    """``module.QualifiedName`` of the type of ``value``, at most :data:`MAX_NAME_CHARS` characters.

    A class may set its ``__module__`` to anything; only a plain string is used.
    """
    module = type(value).__module__
    return ((module if type(module) is str else "?") + "." + type(value).__qualname__)[:MAX_NAME_CHARS]


def _flatten_leaf(value, prefix):
    name = type_name(value)
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return {prefix: value}, {"kind": "array", "key": prefix, "type": name}
    if isinstance(value, (bool, np.bool_, numbers.Real)) and type(value).__module__ in ("builtins", "numpy"):
        return {prefix: np.asarray(value)}, {"kind": "scalar", "key": prefix, "type": name}
    if value is None:
        return {}, {"kind": "none", "type": name}
    return {}, {"kind": "other", "type": name}


def unflatten(arrays, spec):
    """Rebuild a value flattened by :func:`flatten`.

    Leaves of kind ``other`` come back as :class:`Opaque`, which carries the type name only.
    """
    kind = spec["kind"]
    if kind == "dict":
        return {key: unflatten(arrays, item) for key, item in spec["items"].items()}
    if kind in ("tuple", "list"):
        items = [unflatten(arrays, item) for item in spec["items"]]
        return tuple(items) if kind == "tuple" else items
    if kind == "array":
        return arrays[spec["key"]]
    if kind == "scalar":
        return _scalar(arrays[spec["key"]], spec["type"])
    if kind == "none":
        return None
    return Opaque(spec["type"])


def _scalar(array, type_name):
    if type_name == "builtins.bool":
        return bool(array)
    if type_name == "builtins.int":
        return int(array)
    if type_name == "builtins.float":
        return float(array)
    return array[()]


class Opaque:
    """Stands for a value that was not plain data; only its type name is known."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"


# The seed numpy's global generator gets before every call of a graded function (by the worker, and by
# ``make expected`` for the catalogue's mistakes): a function that draws without seeding draws from it.
CALL_SEED = 0

# The worker's report: a stream of frames written to a pipe the grader opened.
#
# A frame is one kind byte, the payload's length (8 bytes, little-endian) and the payload. A progress frame
# (``P``) names the step about to run ("cell 3", "call <function>"); the results frame
# (``R``), last, holds the length of a JSON header (8 bytes, little-endian), the header
# ``{"record": ..., "arrays": [{"key", "dtype", "shape"}, ...]}`` and the raw little-endian bytes of the
# arrays in the header's order. Nothing in it is ever unpickled, and nothing names a file.
FRAME = struct.Struct("<cQ")
PROGRESS_FRAME = b"P"
RESULTS_FRAME = b"R"
HEADER_LENGTH = struct.Struct("<Q")
ARRAY_DTYPE = re.compile(r"[<|][biuf](1|2|4|8|16)")
# What the grader accepts: error texts, names (keys, type names), and one output; the worker records an
# output beyond these limits as an unrecordable object instead.
MAX_TEXT_CHARS = 1000
MAX_NAME_CHARS = 300
MAX_OUTPUT_NODES = 200
MAX_SPEC_DEPTH = 16
MAX_OUTPUT_BYTES = 4 * 1024 ** 2
MAX_DIMENSIONS = 32
SPEC_KINDS = ("dict", "tuple", "list", "array", "scalar", "none", "other")


# How a call of a graded function ended when it raised, as the worker names it in the case record
# (``error_kind``): the grader chooses the verdict's check from the kind, and only shows the text.
ERROR_KINDS = (
    "timeout",            # it ran past its time limit
    "not_implemented",    # it raised NotImplementedError (the release's stub)
    "notebook_variable",  # it read a variable of the notebook, which graded functions do not see
    "undefined_name",     # it read a name that is not defined anywhere
    "signature",          # it was called with the release's arguments and refused them
    "exception",          # anything else it raised
)


class CaseRecord(TypedDict):
    """One call of a graded function on one case, as the worker reports it and the grader checks it.

    ``status`` is ``"ok"`` or ``"error"``; ``error`` (one line for the student) and ``error_kind`` (one of
    :data:`ERROR_KINDS`) are None when it is ``"ok"``; ``random_draws`` says whether the call drew from numpy's
    global generator, ``mutated`` which array arguments it changed in place; ``output``, present when the
    status is ``"ok"``, is the spec of what it returned (see :func:`flatten`).
    """

    status: str
    error: str | None
    error_kind: str | None
    random_draws: bool
    mutated: list
    output: NotRequired[dict]


class MalformedOutput(ValueError):
    """What a worker sent does not follow the format (or exceeds its limits)."""


def encode_frame(kind, payload):
    """The bytes of one frame."""
    return FRAME.pack(kind, len(payload)) + payload


def encode_results(record, arrays):
    """The payload of the results frame: the JSON-able ``record`` and the numeric ``arrays``."""
    table, blobs = [], []
    for key, value in arrays.items():
        array = np.asarray(value)
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        table.append({"key": key, "dtype": array.dtype.str, "shape": list(array.shape)})
        blobs.append(array.tobytes())
    header = json.dumps({"record": record, "arrays": table}, allow_nan=False).encode()
    return HEADER_LENGTH.pack(len(header)) + header + b"".join(blobs)


def iter_frames(data, max_payload):
    """The frames of ``data``, in order, as ``(kind, payload memoryview)``.

    A frame cut short at the end of ``data`` (the writer died while writing it) is left out. Raises
    :class:`MalformedOutput` on reaching an unknown kind or a payload over ``max_payload`` bytes.
    """
    view = memoryview(data)
    offset = 0
    while len(view) - offset >= FRAME.size:
        kind, length = FRAME.unpack_from(view, offset)
        if kind not in (PROGRESS_FRAME, RESULTS_FRAME):
            raise MalformedOutput(f"unknown frame kind {kind!r}")
        if length > max_payload:
            raise MalformedOutput(f"a frame of {length} bytes")
        start = offset + FRAME.size
        if start + length > len(view):
            return
        yield kind, view[start:start + length]
        offset = start + length


def decode_results(payload, max_header_bytes, max_arrays, max_depth):
    """``(record, arrays)`` from the payload of a results frame, checked against the format.

    The header is JSON of at most ``max_header_bytes`` bytes and ``max_depth`` levels; the arrays, at most
    ``max_arrays``, must be numeric (bool, int, unsigned, float) and fill the rest of the payload exactly.
    Raises :class:`MalformedOutput`.
    """
    if len(payload) < HEADER_LENGTH.size:
        raise MalformedOutput("a results frame without header")
    (header_length,) = HEADER_LENGTH.unpack_from(payload)
    offset = HEADER_LENGTH.size + header_length
    if header_length > max_header_bytes or offset > len(payload):
        raise MalformedOutput(f"a results header of {header_length} bytes")
    header = parse_json(bytes(payload[HEADER_LENGTH.size:offset]), max_depth)
    if not _is_dict(header, {"record", "arrays"}) or not isinstance(header["arrays"], list):
        raise MalformedOutput("the results header is not {record, arrays}")
    if len(header["arrays"]) > max_arrays:
        raise MalformedOutput(f"{len(header['arrays'])} arrays")
    arrays = {}
    for entry in header["arrays"]:
        key, dtype, shape = _array_entry(entry)
        if key in arrays:
            raise MalformedOutput("an array key given twice")
        count = 1
        for size in shape:
            count *= size
        end = offset + count * dtype.itemsize
        if end > len(payload):
            raise MalformedOutput(f"array {key[:MAX_NAME_CHARS]!r} runs past the end of the results")
        try:
            arrays[key] = np.frombuffer(payload, dtype, count, offset).reshape(shape).copy()
        except ValueError:
            raise MalformedOutput(f"array {key!r} has an invalid shape") from None
        offset = end
    if offset != len(payload):
        raise MalformedOutput("bytes after the last array")
    return header["record"], arrays


def _array_entry(entry):
    if not _is_dict(entry, {"key", "dtype", "shape"}):
        raise MalformedOutput("an array entry is not {key, dtype, shape}")
    key, dtype, shape = entry["key"], entry["dtype"], entry["shape"]
    if not is_text(key, MAX_NAME_CHARS):
        raise MalformedOutput("an array key is not a short string")
    if not isinstance(dtype, str) or not ARRAY_DTYPE.fullmatch(dtype):
        raise MalformedOutput(f"array {key!r} has a dtype that is not numeric")
    try:
        numpy_dtype = np.dtype(dtype)
    except TypeError:
        raise MalformedOutput(f"array {key!r} has an unknown dtype") from None
    if numpy_dtype.str != dtype or numpy_dtype.kind not in "biuf":
        raise MalformedOutput(f"array {key!r} has a dtype that is not numeric")
    if (not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS
            or not all(is_count(size, 2 ** 40) for size in shape)):
        raise MalformedOutput(f"array {key!r} has an invalid shape")
    return key, numpy_dtype, shape


def parse_json(raw, max_depth):
    """JSON ``raw`` bytes as Python values, at most ``max_depth`` lists and dicts deep; no NaN or Infinity."""
    def refuse(constant):
        raise MalformedOutput(f"{constant} in JSON")

    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=refuse)
    except MalformedOutput:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise MalformedOutput(f"not JSON ({type(error).__name__})") from None
    if nesting_depth(value) > max_depth:
        raise MalformedOutput(f"JSON nested more than {max_depth} levels deep")
    return value


def nesting_depth(value):
    """How many lists and dicts deep ``value`` goes (computed without recursion)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def check_spec(spec, arrays, prefix):
    """Raise :class:`MalformedOutput` unless ``spec`` is a recordable output whose arrays are in ``arrays``.

    Recordable: at most :data:`MAX_SPEC_DEPTH` levels and :data:`MAX_OUTPUT_NODES` values, names of at most
    :data:`MAX_NAME_CHARS` characters, arrays under the key ``prefix`` (or ``prefix/...``), scalars 0-d, and
    at most :data:`MAX_OUTPUT_BYTES` bytes of arrays. The worker applies the same test before recording.
    """
    pending, nodes, size = [(spec, 1)], 0, 0
    while pending:
        item, depth = pending.pop()
        nodes += 1
        if nodes > MAX_OUTPUT_NODES or depth > MAX_SPEC_DEPTH:
            raise MalformedOutput("an output too large or nested too deeply")
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in SPEC_KINDS:
            raise MalformedOutput("an output of unknown kind")
        if kind == "dict":
            if not _is_dict(item, {"kind", "items"}) or not isinstance(item["items"], dict):
                raise MalformedOutput("a dict output without items")
            if not all(is_text(key, MAX_NAME_CHARS) for key in item["items"]):
                raise MalformedOutput("a dict output with a long key")
            pending.extend((child, depth + 1) for child in item["items"].values())
        elif kind in ("tuple", "list"):
            if not _is_dict(item, {"kind", "items"}) or not isinstance(item["items"], list):
                raise MalformedOutput(f"a {kind} output without items")
            pending.extend((child, depth + 1) for child in item["items"])
        elif kind in ("array", "scalar"):
            if not _is_dict(item, {"kind", "key", "type"}) or not is_text(item["type"], MAX_NAME_CHARS):
                raise MalformedOutput(f"an {kind} output without key or type")
            key = item["key"]
            if not isinstance(key, str) or not (key == prefix or key.startswith(prefix + "/")) or key not in arrays:
                raise MalformedOutput(f"an {kind} output whose array is missing")
            if kind == "scalar" and np.shape(arrays[key]) != ():
                raise MalformedOutput("a scalar output that is not 0-d")
            size += np.asarray(arrays[key]).nbytes
            if size > MAX_OUTPUT_BYTES:
                raise MalformedOutput("an output too large")
        elif not _is_dict(item, {"kind", "type"}) or not is_text(item["type"], MAX_NAME_CHARS):
            raise MalformedOutput(f"a {kind} output without type")


def leaf_keys(spec, prefix):
    """The keys :func:`flatten` gives the arrays of a value whose spec is ``spec`` (a trusted one), under ``prefix``."""
    keys, pending = set(), [(spec, prefix)]
    while pending:
        item, key = pending.pop()
        if item["kind"] == "dict":
            pending.extend((child, f"{key}/{name}") for name, child in item["items"].items())
        elif item["kind"] in ("tuple", "list"):
            pending.extend((child, f"{key}/{index}") for index, child in enumerate(item["items"]))
        elif item["kind"] in ("array", "scalar"):
            keys.add(key)
    return keys


def is_text(value, max_chars):
    """Whether ``value`` is a string of at most ``max_chars`` characters."""
    return isinstance(value, str) and len(value) <= max_chars


def is_count(value, maximum):
    """Whether ``value`` is an int (not a bool) from 0 to ``maximum``."""
    return type(value) is int and 0 <= value <= maximum


def _is_dict(value, keys):
    return isinstance(value, dict) and set(value) == keys
