"""Byte-identical .npz files: fixed member order and timestamps."""
import io
import json
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


def load_npz(path):
    """Read an .npz written by :func:`save_npz`: ``(arrays, meta)``, without unpickling anything."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files if key != "__meta__"}
        meta = json.loads(str(stored["__meta__"])) if "__meta__" in stored.files else None
    return arrays, meta
