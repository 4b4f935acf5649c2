"""Expected arrays are generated from the reference: byte-identical on one machine, and equal within a
tolerance to what is committed on any machine (BLAS kernels differ in the last bits)."""
import filecmp
import os

import numpy as np
import pytest

from graders import make_expected
from graders.npzfile import load_npz
from graders.notebook import GRADED_FUNCTIONS

# Far below the grading tolerance (graders.ladder.RTOL = 1e-7), far above last-bit differences (~1e-14).
RTOL, ATOL = 1e-11, 1e-13
FILES = [f + ".npz" for f in GRADED_FUNCTIONS]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("expected")
    for run in ("first", "second"):
        make_expected.main(["--out", str(folder / run), "--public-out", str(folder / run / "public.npz")])
    return folder


@pytest.mark.parametrize("name", FILES + ["public.npz"])
def test_regenerating_twice_gives_identical_bytes(regenerated, name):
    assert filecmp.cmp(regenerated / "first" / name, regenerated / "second" / name, shallow=False), name


@pytest.mark.parametrize("name", FILES + ["public.npz"])
def test_regenerated_arrays_equal_the_committed_ones_within_tolerance(regenerated, name):
    committed = (make_expected.PUBLIC_EXPECTED if name == "public.npz"
                 else os.path.join(make_expected.EXPECTED_DIR, name))
    fresh_arrays, fresh_meta = load_npz(regenerated / "first" / name)
    arrays, meta = load_npz(committed)
    assert sorted(fresh_arrays) == sorted(arrays), f"{name} is stale: run make expected"
    if meta is not None:
        assert {k: v for k, v in fresh_meta.items() if k != "versions"} == \
            {k: v for k, v in meta.items() if k != "versions"}, f"{name} is stale: run make expected"
    for key, array in arrays.items():
        assert fresh_arrays[key].dtype == array.dtype and fresh_arrays[key].shape == array.shape, key
        np.testing.assert_allclose(fresh_arrays[key], array, rtol=RTOL, atol=ATOL, err_msg=f"{name}: {key}")
