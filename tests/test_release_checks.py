"""graders.release_checks: the release carries the grader's own checks, up to date, and nothing hidden."""
import os
import re
import shutil

import numpy as np
import pytest

from graders import release_checks
from graders.grading import PUBLIC_CASE, expected_cases
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT, SOURCE_DIR, read_source_notebook
from graders.npzfile import load_npz, save_npz
from graders.plain import flatten, unflatten
from tests.notebooks import solution_region_lines

FOLDERS = {"source": SOURCE_DIR, "release": os.path.join(ROOT, "release", ASSIGNMENT)}
HIDDEN_CASE_IDS = sorted({case_id for name in GRADED_FUNCTIONS for case_id, *_ in expected_cases(name)} - {PUBLIC_CASE})


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release-checks")
    assert sorted(release_checks.write(str(folder))) == ["public_case.npz", "public_checks.py"]
    return folder


@pytest.mark.parametrize("where", sorted(FOLDERS))
def test_committed_checks_are_made_from_the_current_grader(regenerated, where):
    with open(os.path.join(FOLDERS[where], "public_checks.py"), encoding="utf-8") as handle:
        assert handle.read() == (regenerated / "public_checks.py").read_text(encoding="utf-8"), \
            f"{where}/public_checks.py is stale: run make release"
    fresh, fresh_meta = load_npz(regenerated / "public_case.npz")
    assert release_checks.same_arrays(os.path.join(FOLDERS[where], "public_case.npz"), fresh, fresh_meta), \
        f"{where}/public_case.npz is stale: run make release"


def test_up_to_date_files_are_not_rewritten(tmp_path):
    assert sorted(release_checks.write(str(tmp_path))) == ["public_case.npz", "public_checks.py"]
    assert release_checks.write(str(tmp_path)) == []
    (tmp_path / "public_checks.py").write_text("# edited by hand\n")
    assert release_checks.write(str(tmp_path)) == ["public_checks.py"]


def test_last_bit_differences_in_the_arrays_do_not_rewrite_them(tmp_path):
    """Numerical gradients differ by about 1e-9 of their size between BLAS kernels: no change to commit for that."""
    arrays, meta = release_checks.public_case()
    nudged = {key: value * (1 + 1e-9) if value.dtype.kind == "f" else value for key, value in arrays.items()}
    save_npz(tmp_path / "public_case.npz", nudged, meta)
    assert release_checks.same_arrays(tmp_path / "public_case.npz", arrays, meta)
    changed = {key: value + 1e-6 if key.startswith("precomputed/") else value for key, value in arrays.items()}
    save_npz(tmp_path / "public_case.npz", changed, meta)
    assert not release_checks.same_arrays(tmp_path / "public_case.npz", arrays, meta)


def test_the_public_case_file_holds_the_public_case_only(regenerated):
    arrays, meta = load_npz(regenerated / "public_case.npz")
    assert meta["case"] == PUBLIC_CASE and sorted(meta["cases"]) == sorted(GRADED_FUNCTIONS)
    hidden = []
    for name in GRADED_FUNCTIONS:
        for case_id, arguments, expected, _ in expected_cases(name):
            if case_id != PUBLIC_CASE:
                hidden += list(flatten((arguments, expected), "hidden")[0].values())
    for key, value in arrays.items():
        for secret in hidden:
            same = value.shape == secret.shape and np.allclose(value.astype(float), secret.astype(float))
            assert not (same and value.size > 1), f"{key} equals an array of a hidden case"




def test_the_checks_module_holds_no_solution_and_no_hidden_case(regenerated):
    text = (regenerated / "public_checks.py").read_text(encoding="utf-8")
    leaked = [line for line in solution_region_lines() if line in text]
    assert not leaked, leaked[:3]
    for case_id in HIDDEN_CASE_IDS:
        assert case_id not in text
    assert not re.search(r"^\s*(from|import) (graders|plain)\b", text, re.M)
    assert "expected_cases = public_expected_cases" in text and "numerical_gradients = public_precomputed" in text


def test_the_release_carries_each_precomputed_call_on_the_public_case(regenerated):
    """The gradient check's numerical gradients (which need the reference) ship for the public case alone."""
    from graders.regularization.gradient_check import numerical_gradients

    arrays, meta = load_npz(regenerated / "public_case.npz")
    [call] = meta["precomputed"]
    [(_, arguments, _, _)] = [case for case in expected_cases("backward_propagation_with_regularization")
                              if case[0] == PUBLIC_CASE]
    stored = unflatten(arrays, call["result"])
    fresh = numerical_gradients(*arguments)
    assert sorted(stored) == sorted(fresh)
    for key, value in fresh.items():
        np.testing.assert_allclose(stored[key], value, rtol=release_checks.RTOL, atol=release_checks.ATOL)


def test_a_copy_of_the_release_without_graders_imports_the_checks(tmp_path):
    folder = tmp_path / "regularization"
    shutil.copytree(FOLDERS["release"], folder, ignore=shutil.ignore_patterns("__pycache__"))
    import subprocess
    import sys

    code = ("import importlib.util, public_checks\n"
            "assert importlib.util.find_spec('graders') is None\n"
            "print(sorted(public_checks.public_expected_cases('forward_propagation_with_dropout')[0][3])[:2])")
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-E", "-s", "-c", code], cwd=folder, capture_output=True, text=True,
                            timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['dropout_divide_by_drop_prob', 'dropout_mask_greater']"


def test_a_grader_that_cannot_be_copied_stops_the_release_in_one_line(tmp_path, monkeypatch, capsys):
    def unbundleable(*arguments):
        raise release_checks.BundleError("graders.grading.JUDGES = <object> cannot be written as a literal")

    monkeypatch.setattr(release_checks, "bundle", unbundleable)
    with pytest.raises(SystemExit) as stopped:
        release_checks.main(["--folder", str(tmp_path)])
    assert stopped.value.code == ("make release: the grader's checks cannot be copied into the release: "
                                  "graders.grading.JUDGES = <object> cannot be written as a literal")
    assert os.listdir(tmp_path) == []
