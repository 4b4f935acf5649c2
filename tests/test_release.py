"""The student release: stubs and visible tests in, no solution and no hidden test out."""
import os
import re

import nbformat
import pytest

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT, grade_id, read_source_notebook
from tests.conftest import given_lines
from tests.notebooks import solution_region_lines

HIDDEN_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "graders")


def solution_lines():
    """Non-trivial lines written inside the solution regions of the source notebook, not given elsewhere."""
    return solution_region_lines() - given_lines()


def hidden_test_lines():
    lines = set()
    for cell in read_source_notebook().cells:
        match = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
        if match:
            lines.update(line.strip() for line in match.group(1).splitlines() if line.strip())
    return lines


@pytest.fixture(scope="module")
def release_notebook(released_course):
    return nbformat.read(os.path.join(released_course, "release", ASSIGNMENT, "Regularization.ipynb"), 4)


def test_solution_and_hidden_lines_exist_in_source():
    assert len(solution_lines()) >= 10
    assert len(hidden_test_lines()) >= 1


def test_no_cell_of_the_release_leaks(release_notebook):
    secrets = solution_lines() | hidden_test_lines()
    for index, cell in enumerate(release_notebook.cells):
        for marker in HIDDEN_MARKERS:
            assert marker not in cell.source, f"cell {index} contains {marker!r}"
        for line in cell.source.splitlines():
            assert line.strip() not in secrets, f"cell {index} leaks the line {line.strip()!r}"


def test_no_release_file_holds_a_secret(released_course):
    secrets = solution_lines() | hidden_test_lines()
    for folder, _, files in os.walk(os.path.join(released_course, "release")):
        for name in files:
            assert not name.startswith(GRADED_FUNCTIONS), f"{name} looks like an expected-array file"
            if name.endswith((".py", ".ipynb")):
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                leaked = [line for line in secrets if line in text]
                assert not leaked, f"{name} leaks {leaked[:3]}"


@pytest.mark.parametrize("function_name", GRADED_FUNCTIONS)
def test_each_exercise_has_stub_visible_test_and_graded_cell(release_notebook, function_name):
    cells = {grade_id(cell): cell for cell in release_notebook.cells}
    stub = cells[function_name].source
    assert "# YOUR CODE HERE" in stub and "raise NotImplementedError()" in stub
    assert f"def {function_name}(" in stub
    assert function_name in cells["public_test_" + function_name].source
    graded = cells["test_" + function_name].metadata.nbgrader
    assert graded.grade and graded.points > 0


def test_committed_release_is_up_to_date(release_notebook):
    committed = nbformat.read(os.path.join(ROOT, "release", ASSIGNMENT, "Regularization.ipynb"), 4)
    assert [c.source for c in committed.cells] == [c.source for c in release_notebook.cells]


@pytest.mark.parametrize("function_name", GRADED_FUNCTIONS)
def test_each_autograded_cell_checks_the_public_case_in_the_release(release_notebook, function_name):
    """nbgrader's Validate looks at autograded cells only: each one raises while its public case fails."""
    cells = {grade_id(cell): cell for cell in release_notebook.cells}
    code = [line for line in cells["test_" + function_name].source.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    assert code == [f'check_public_case("{function_name}", globals())']
    assert cells["public_test_" + function_name].source == f'run_public_test("{function_name}", globals());'


@pytest.mark.parametrize("name", ["public_tests.py", "reg_utils.py", "public_checks.py", "public_case.npz",
                                  "public_expected.npz"])
def test_committed_release_files_are_up_to_date(released_course, name):
    import numpy as np

    from graders import release_checks
    from graders.npzfile import load_npz

    fresh, committed = (os.path.join(root, "release", ASSIGNMENT, name) for root in (released_course, ROOT))
    if name.endswith(".py"):
        assert open(fresh, encoding="utf-8").read() == open(committed, encoding="utf-8").read(), name
        return
    (fresh_arrays, fresh_meta), (arrays, meta) = load_npz(fresh), load_npz(committed)
    assert fresh_meta == meta and sorted(fresh_arrays) == sorted(arrays), name
    for key, array in arrays.items():  # within what counts as up to date on every BLAS kernel
        np.testing.assert_allclose(fresh_arrays[key], array, rtol=release_checks.RTOL, atol=release_checks.ATOL,
                                   err_msg=f"{name}: {key}")
