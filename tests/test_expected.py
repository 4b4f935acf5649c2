"""Expected arrays are generated from the reference, byte-identical, and what is committed."""
import filecmp
import os

from graders import make_expected
from graders.notebook import GRADED_FUNCTIONS


def test_regenerating_twice_gives_the_committed_bytes(tmp_path):
    for run in ("first", "second"):
        make_expected.main(["--out", str(tmp_path / run), "--public-out", str(tmp_path / run / "public.npz")])
    for name in [f + ".npz" for f in GRADED_FUNCTIONS]:
        assert filecmp.cmp(tmp_path / "first" / name, tmp_path / "second" / name, shallow=False), name
        assert filecmp.cmp(tmp_path / "first" / name, os.path.join(make_expected.EXPECTED_DIR, name),
                           shallow=False), f"{name} is stale: run make expected"
    assert filecmp.cmp(tmp_path / "first" / "public.npz", make_expected.PUBLIC_EXPECTED, shallow=False)
