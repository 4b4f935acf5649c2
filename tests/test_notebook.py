"""The notebook itself: a completed release runs top to bottom headless, with its plots and results table."""
import pytest
from nbclient import NotebookClient

from graders.notebook import points_by_function, read_source_notebook
from graders.sandbox import copy_student_files
from tests.notebooks import make_submission, reference_solutions


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    copy_student_files(folder)
    notebook = make_submission(reference_solutions())
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()
    return notebook


def test_runs_without_error(executed):
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []


def test_every_model_run_shows_a_cost_curve_and_a_decision_boundary(executed):
    images = [o for c in executed.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1 + 3 * 2  # the dataset, then a cost curve and a decision boundary per model


def test_results_table_lists_the_three_models(executed):
    [table] = [c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "run_results_table"]
    text = "".join(o.get("text", "") for o in table.outputs)
    for model in ("no regularization", "L2, lambd = 0.7", "dropout, keep_prob = 0.86"):
        assert model in text


def test_visible_tests_all_pass_for_the_reference(executed):
    visible = [c for c in executed.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("public_test_")]
    assert len(visible) == 4
    for cell in visible:
        assert "All public checks passed." in "".join(o.get("text", "") for o in cell.outputs)


def test_points_are_declared_once_and_agree_with_the_readme():
    import os

    from graders.notebook import ROOT

    points = points_by_function(read_source_notebook())
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    rows = {line.split("`")[1].split("(")[0]: line for line in readme.splitlines() if line.startswith("| `")}
    assert {name: rows[name].rstrip().endswith(f"| {value:g} |") for name, value in points.items()} == \
        {name: True for name in points}
