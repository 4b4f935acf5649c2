"""Converting nested Python values to flat dicts of arrays and back.

Inputs, expected outputs and student outputs are stored as ``.npz`` files
(never pickles). A value is flattened to arrays under path-like keys plus a
JSON-able ``spec`` that records its structure and the type of every leaf.
"""
import numbers

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


def _flatten_leaf(value, prefix):
    type_name = type(value).__module__ + "." + type(value).__qualname__
    if type(value) is np.ndarray and value.dtype.kind in "biuf":
        return {prefix: value}, {"kind": "array", "key": prefix, "type": type_name}
    if isinstance(value, (bool, np.bool_, numbers.Real)) and type(value).__module__ in ("builtins", "numpy"):
        return {prefix: np.asarray(value)}, {"kind": "scalar", "key": prefix, "type": type_name}
    if value is None:
        return {}, {"kind": "none", "type": type_name}
    return {}, {"kind": "other", "type": type_name}


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
