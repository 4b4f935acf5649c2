"""Byte-identical .npz files: fixed member order and timestamps; read without numpy's per-member overhead."""
import io
import json
import math
import re
import zipfile

import numpy as np

FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def save_npz(path, arrays, meta=None):
    """Write ``arrays`` to ``path`` so that the same input always gives the same bytes.

    Parameters
    ----------
    path : str or path-like
    arrays : dict of str to numpy.ndarray
        Written in sorted key order; object arrays are refused.
    meta : dict, optional
        JSON-able data stored as the string array ``__meta__``.
    """
    members = dict(arrays)
    if meta is not None:
        members["__meta__"] = np.array(json.dumps(meta, sort_keys=True))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(members):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(members[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


#: The header numpy's format (version 1.0) writes for an array of numbers, booleans or text: its dtype, its
#: order and its shape. :func:`read_array` reads such a header directly; any other goes to numpy's reader.
PLAIN_HEADER = re.compile(r"\{'descr': '([<>|][biufcU][0-9]{1,9})', 'fortran_order': (False|True), "
                          r"'shape': \(((?:[0-9]{1,12}, )*(?:[0-9]{1,12},?)?)\), \} *\n")
NPY_MAGIC = b"\x93NUMPY\x01\x00"


def read_array(data):
    """The array stored in ``data``, the bytes of a ``.npy`` file, never unpickled.

    An array of numbers, booleans or text with a version 1.0 header (what :func:`save_npz` writes) is read from
    its header and bytes directly: numpy's reader parses each header as Python source, most of the time of a
    file of many small arrays. Anything else is read by numpy (which refuses object arrays).

    Returns
    -------
    numpy.ndarray
        Writeable, with the dtype, shape and memory order stored.
    """
    if data[:8] == NPY_MAGIC:
        length = int.from_bytes(data[8:10], "little")
        header = PLAIN_HEADER.fullmatch(data[10:10 + length].decode("latin-1"))
        if header is not None:
            dtype = np.dtype(header[1])
            shape = tuple(int(size) for size in header[3].replace(",", " ").split())
            payload = memoryview(data)[10 + length:]
            count = math.prod(shape)
            if len(payload) == count * dtype.itemsize:
                order = "F" if header[2] == "True" else "C"
                return np.frombuffer(payload, dtype=dtype, count=count).reshape(shape, order=order).copy(order="K")
    return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)


def load_npz(path):
    """Read an .npz written by :func:`save_npz`: ``(arrays, meta)``, without unpickling anything.

    Its members are ``<key>.npy`` files (:func:`read_array`); an archive with another member is read by numpy.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if not all(info.filename.endswith(".npy") for info in infos):
            return _load_by_numpy(path)
        members = {info.filename[:-len(".npy")]: read_array(archive.read(info)) for info in infos}
    meta = members.pop("__meta__", None)
    return members, (json.loads(str(meta)) if meta is not None else None)


def _load_by_numpy(path):
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files if key != "__meta__"}
        meta = json.loads(str(stored["__meta__"])) if "__meta__" in stored.files else None
    return arrays, meta
