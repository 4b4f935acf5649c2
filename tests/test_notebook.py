"""The notebook itself: a completed release runs top to bottom headless, with its plots and results table; an
untouched one says in one line per cell what is missing, and never shows one model under another's name."""
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, ROOT, grade_id, points_by_function, read_source_notebook
from tests.completed_notebook import completed_notebook


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The completed release, run top to bottom (one execution per test run, shared with tests/test_dataset.py)."""
    return completed_notebook(tmp_path_factory)


def test_runs_without_error(executed):
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_every_model_run_shows_a_cost_curve_and_a_decision_boundary(executed):
    images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1 + 3 * 2  # the dataset, then a cost curve and a decision boundary per model


def _text(cell):
    return "".join(output.get("text", "") for output in cell.outputs)


def test_results_table_lists_the_three_models(executed):
    [table] = [c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "run_results_table"]
    rows = _text(table).splitlines()
    assert rows[0].split() == ["model", "train", "accuracy", "test", "accuracy", "test", "accuracy", "vs", "no",
                               "regularization"]
    assert [row.startswith(model) for row, model in zip(rows[1:], (
        "no regularization ", "L2 regularization, λ = 0.7 ", "dropout, keep_prob = 0.86 "))] == [True] * 3
    assert rows[2].endswith(" points") and rows[3].endswith(" points") and len(rows) == 4


def test_visible_tests_print_one_line_each_for_the_reference(executed):
    cells = {grade_id(cell): cell for cell in executed.cells}
    for name in GRADED_FUNCTIONS:
        assert _text(cells["public_test_" + name]) == \
            f"PASS  {name} on the public case (hidden cases are checked when the notebook is graded)\n"
        assert cells["test_" + name].outputs == []


def test_each_training_cell_prints_its_accuracies_in_one_line(executed):
    cells = {grade_id(cell): cell for cell in executed.cells}
    for cell_id, model in (("run_no_regularization", "no regularization"), ("run_l2", "L2 regularization, λ = 0.7"),
                           ("run_dropout", "dropout, keep_prob = 0.86")):
        last = _text(cells[cell_id]).splitlines()[-1]
        assert last.startswith(f"{model}: train accuracy 0.") and ", test accuracy 0." in last


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """The untouched release, run top to bottom by ``jupyter nbconvert --execute --allow-errors``."""
    folder = tmp_path_factory.mktemp("untouched") / ASSIGNMENT
    shutil.copytree(os.path.join(ROOT, "release", ASSIGNMENT), folder, ignore=shutil.ignore_patterns("__pycache__"))
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "jupyter"), "nbconvert", "--to", "notebook",
                    "--execute", "--allow-errors", "--output", "executed.ipynb", "Regularization.ipynb"],
                   cwd=folder, check=True, capture_output=True, timeout=600, env=environment)
    notebook = nbformat.read(folder / "executed.ipynb", as_version=4)
    return {grade_id(cell): cell for cell in notebook.cells if grade_id(cell)}


def test_every_failing_cell_of_an_untouched_release_says_why_in_one_line(untouched):
    failing = {cell_id: output for cell_id, cell in untouched.items() for output in cell.get("outputs", [])
               if output.output_type == "error"}
    assert sorted(failing) == sorted([f"{kind}{name}" for name in GRADED_FUNCTIONS
                                      for kind in ("public_test_", "test_")] + ["run_l2", "run_dropout"])
    for cell_id, output in failing.items():
        assert len(output.traceback) == 1, (cell_id, output.traceback)
    for name in GRADED_FUNCTIONS:
        for kind in ("public_test_", "test_"):
            assert failing[kind + name].traceback == [f"AssertionError: {name} is not implemented yet: replace "
                                                      "'raise NotImplementedError()' with your code"]
    assert failing["run_l2"].traceback == ["Training stopped: NotImplementedError in compute_cost_with_regularization"]
    assert failing["run_dropout"].traceback == ["Training stopped: NotImplementedError in "
                                                "forward_propagation_with_dropout"]


@pytest.mark.parametrize("cell_id, line", [
    ("run_plot_l2", "No L2 model to plot: training stopped with NotImplementedError in "
                    "compute_cost_with_regularization\n"),
    ("run_plot_dropout", "No dropout model to plot: training stopped with NotImplementedError in "
                         "forward_propagation_with_dropout\n"),
])
def test_a_model_that_did_not_train_is_not_drawn(untouched, cell_id, line):
    [output] = untouched[cell_id].outputs
    assert output.output_type == "stream" and output.text == line


def test_the_results_of_an_untouched_release_name_what_did_not_train(untouched):
    rows = _text(untouched["run_results_table"]).splitlines()
    assert rows[2].split("  ")[-1].strip() == "not trained: NotImplementedError in compute_cost_with_regularization"
    assert rows[3].split("  ")[-1].strip() == "not trained: NotImplementedError in forward_propagation_with_dropout"
    assert [len(output.get("data", {})) for output in untouched["run_plot_no_regularization"].outputs] == [2]


def test_the_text_after_a_regularized_model_asserts_nothing_it_did_not_measure():
    cells = read_source_notebook().cells
    after_l2 = cells[[grade_id(cell) for cell in cells].index("run_plot_l2") + 1].source
    paragraph = after_l2.split("\n\n")[0]
    assert paragraph.startswith("If a boundary is drawn above") and "When nothing is drawn" in paragraph
    results = cells[[grade_id(cell) for cell in cells].index("run_results_table") + 1].source
    assert results.startswith("Read the table with what regularization is meant to do")


def test_points_are_declared_once_and_agree_with_the_readme():
    import os

    from graders.notebook import ROOT

    points = points_by_function(read_source_notebook())
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    rows = {line.split("`")[1].split("(")[0]: line for line in readme.splitlines() if line.startswith("| `")}
    assert {name: rows[name].rstrip().endswith(f"| {value:g} |") for name, value in points.items()} == \
        {name: True for name in points}
