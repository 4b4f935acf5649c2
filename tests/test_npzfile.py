"""Unit tests of :mod:`graders.npzfile`: round trips and byte-identical reruns."""
import hashlib
import io
import os
import zipfile

import numpy as np
import pytest

from graders import npzfile
from graders.npzfile import FIXED_DATE, load_npz, save_npz

ARRAYS = {"b": np.arange(6.0).reshape(2, 3), "a": np.array([True, False]), "c/nested": np.array(3, dtype=np.int64)}


def test_round_trip_keeps_values_dtypes_shapes_and_meta(tmp_path):
    path = tmp_path / "x.npz"
    save_npz(path, ARRAYS, {"cases": {"public": [1, 2]}, "z": None})
    arrays, meta = load_npz(path)
    assert set(arrays) == set(ARRAYS)
    for key, value in ARRAYS.items():
        np.testing.assert_array_equal(arrays[key], value, strict=True)
    assert meta == {"cases": {"public": [1, 2]}, "z": None}


def test_without_meta_load_gives_none(tmp_path):
    save_npz(tmp_path / "x.npz", {"a": np.ones(1)})
    assert load_npz(tmp_path / "x.npz")[1] is None


def test_a_rerun_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "1.npz", tmp_path / "2.npz"
    save_npz(first, ARRAYS, {"b": 1, "a": 2})
    save_npz(second, dict(reversed(list(ARRAYS.items()))), {"a": 2, "b": 1})
    assert first.read_bytes() == second.read_bytes()


def test_members_are_sorted_with_a_fixed_date_and_mode(tmp_path):
    save_npz(tmp_path / "x.npz", ARRAYS, {"m": 1})
    with zipfile.ZipFile(tmp_path / "x.npz") as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == ["__meta__.npy", "a.npy", "b.npy", "c/nested.npy"]
    assert {info.date_time for info in infos} == {FIXED_DATE}
    assert {info.external_attr >> 16 for info in infos} == {0o644}


def test_a_different_value_gives_different_bytes(tmp_path):
    save_npz(tmp_path / "1.npz", {"a": np.zeros(3)})
    save_npz(tmp_path / "2.npz", {"a": np.array([0.0, 0.0, 1e-300])})
    digests = {hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name in ("1.npz", "2.npz")}
    assert len(digests) == 2


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(ValueError):
        save_npz(tmp_path / "x.npz", {"a": np.array([{}], dtype=object)})


def test_load_never_unpickles(tmp_path):
    path = os.fspath(tmp_path / "pickled.npz")
    np.savez(path, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        load_npz(path)


def _npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize("array", [
    np.arange(6.0).reshape(2, 3), np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.array(3, dtype=np.int64),
    np.array([True, False]), np.zeros((0, 3)), np.array("text of a meta"), np.arange(4, dtype=">f8"),
    np.arange(3, dtype=np.uint8), np.array([1 + 2j]), np.arange(24.0).reshape(2, 3, 4)[:, ::2],
], ids=["2d", "fortran", "0d-int", "bool", "empty", "text", "big-endian", "uint8", "complex", "strided"])
def test_a_plain_array_is_read_as_numpy_reads_it(array):
    data = _npy_bytes(array)
    assert npzfile.PLAIN_HEADER.fullmatch(data[10:10 + int.from_bytes(data[8:10], "little")].decode("latin-1"))
    ours, numpys = npzfile.read_array(data), np.lib.format.read_array(io.BytesIO(data))
    np.testing.assert_array_equal(ours, numpys, strict=True)
    assert ours.flags.writeable and ours.flags.f_contiguous == numpys.flags.f_contiguous
    assert ours.flags.c_contiguous == numpys.flags.c_contiguous


@pytest.mark.parametrize("array", [
    np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]), np.array(["a", "b"], dtype="S1"),
], ids=["structured", "bytes"])
def test_another_header_is_read_by_numpy(array, monkeypatch):
    read = []
    monkeypatch.setattr(np.lib.format, "read_array", lambda handle, allow_pickle: read.append(1) or array)
    assert npzfile.read_array(_npy_bytes(array)) is array and read == [1]


def test_a_header_whose_data_is_cut_short_is_left_to_numpy():
    data = _npy_bytes(np.arange(4.0))
    with pytest.raises(ValueError):
        npzfile.read_array(data[:-8])
