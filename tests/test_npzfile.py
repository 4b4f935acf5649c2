"""Unit tests of :mod:`graders.npzfile`: round trips and byte-identical reruns."""
import hashlib
import os
import zipfile

import numpy as np
import pytest

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
