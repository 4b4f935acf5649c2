"""Unit tests of :mod:`graders.assignment`: which assignment is graded, its notebook, its graded functions and
points, and what the engine requires of its graders package. Course folders are made in ``tmp_path``; graders
packages that cannot exist on disk are registered in ``sys.modules`` under a fresh name."""
import json
import os
import sys
import types

import nbformat
import pytest

from graders import assignment
from graders.assignment import AssignmentError
from graders.ladder import CHECK_NAMES as LADDER_CHECK_NAMES


def course(root, *names, graders=True):
    for name in names:
        (root / "source" / name).mkdir(parents=True)
        if graders:
            (root / "graders" / name).mkdir(parents=True)
            (root / "graders" / name / "__init__.py").write_text("")
    return root


def test_selected_name_is_the_environment_variable_when_set(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_ASSIGNMENT", "logistic")
    assert assignment.selected_name(course(tmp_path, "a", "b")) == "logistic"


def test_selected_name_is_the_only_assignment_when_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_ASSIGNMENT", raising=False)
    assert assignment.selected_name(course(tmp_path, "only")) == "only"


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_selected_name_with_two_assignments_names_the_folder(tmp_path, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("GRADER_ASSIGNMENT", raising=False)
    else:
        monkeypatch.setenv("GRADER_ASSIGNMENT", value)
    course(tmp_path, "beta", "alpha")
    with pytest.raises(AssignmentError) as raised:
        assignment.selected_name(tmp_path)
    assert str(raised.value) == (f"{tmp_path / 'source'}: 2 assignments (alpha, beta); choose one with "
                                 "GRADER_ASSIGNMENT=<name> (make ... ASSIGNMENT=<name>)")


def test_selected_name_with_no_assignment_says_none(tmp_path, monkeypatch):
    monkeypatch.delenv("GRADER_ASSIGNMENT", raising=False)
    with pytest.raises(AssignmentError, match=r": 0 assignments \(none\); choose one"):
        assignment.selected_name(tmp_path)


def test_assignment_names_need_a_source_folder_and_a_graders_package(tmp_path):
    course(tmp_path, "complete")
    course(tmp_path, "no_graders", graders=False)
    (tmp_path / "graders" / "no_source").mkdir(parents=True)
    (tmp_path / "graders" / "no_source" / "__init__.py").write_text("")
    (tmp_path / "source" / "a_file").write_text("")
    (tmp_path / "graders" / "no_init").mkdir()
    (tmp_path / "source" / "no_init").mkdir()
    assert assignment.assignment_names(tmp_path) == ["complete"]


@pytest.mark.parametrize("files, message", [
    ((), "0 notebooks"),
    (("A.ipynb", "B.ipynb"), "2 notebooks"),
], ids=["none", "two"])
def test_notebook_name_needs_exactly_one_notebook(tmp_path, files, message):
    for name in files + ("helpers.py",):
        (tmp_path / name).write_text("{}")
    with pytest.raises(AssignmentError) as raised:
        assignment.notebook_name(str(tmp_path))
    assert str(raised.value) == f"{tmp_path}: {message}; an assignment has exactly one"


def test_notebook_name_is_the_one_notebook(tmp_path):
    (tmp_path / "Work.ipynb").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    assert assignment.notebook_name(str(tmp_path)) == "Work.ipynb"


def grade_cell(grade_id, points, grade=True, cell_type="code"):
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make("pass")
    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "points": points, "solution": False,
                                 "locked": True, "schema_version": 3}
    return cell


def write_notebook(path, cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    nbformat.write(notebook, path)
    return path


def test_graded_functions_in_the_notebooks_order_with_their_points(tmp_path):
    path = write_notebook(tmp_path / "A.ipynb", [
        nbformat.v4.new_markdown_cell("intro"),
        grade_cell("test_second", 3),
        grade_cell("public_test_second", 0, grade=False),
        grade_cell("run_model", 1),
        grade_cell("test_first", "2.5"),
        grade_cell("test_ungraded", 4, grade=False),
        grade_cell("test_answer", 1, cell_type="markdown"),
    ])
    points = assignment.graded_functions(path)
    assert list(points.items()) == [("second", 3.0), ("first", 2.5), ("answer", 1.0)]


def test_graded_functions_without_test_cells_names_the_file(tmp_path):
    path = write_notebook(tmp_path / "A.ipynb", [grade_cell("run_model", 1), nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(AssignmentError) as raised:
        assignment.graded_functions(path)
    assert str(raised.value) == f"{path}: no autograded test cell 'test_<function>' names a graded function"


@pytest.mark.parametrize("text", ["not json", json.dumps({"metadata": {}})], ids=["text", "no cells"])
def test_graded_functions_of_a_file_that_is_no_notebook_names_it(tmp_path, text):
    path = tmp_path / "A.ipynb"
    path.write_text(text)
    with pytest.raises(AssignmentError, match=rf"^{path}: cannot be read as a notebook \("):
        assignment.graded_functions(path)


@pytest.mark.parametrize("text", [
    "[]",
    json.dumps({"cells": ["a cell"]}),
    json.dumps({"cells": [{"metadata": {"nbgrader": {"grade": True, "grade_id": "test_f", "points": "two"}}}]}),
], ids=["list", "cell not an object", "points not a number"])
def test_graded_functions_of_a_malformed_notebook_names_the_file(tmp_path, text):
    path = tmp_path / "A.ipynb"
    path.write_text(text)
    with pytest.raises(AssignmentError, match=rf"^{path}: "):
        assignment.graded_functions(path)


def test_graded_functions_of_a_missing_file_names_it(tmp_path):
    with pytest.raises(AssignmentError, match="^.*missing.ipynb: cannot be read as a notebook"):
        assignment.graded_functions(tmp_path / "missing.ipynb")


def test_test_cell_points_reads_plain_dicts_and_skips_cells_without_metadata():
    cells = [{"cell_type": "code", "source": ""},
             {"metadata": {"nbgrader": {"grade": True, "grade_id": "test_f", "points": 2}}},
             {"metadata": {"nbgrader": {"grade": True, "grade_id": "f", "points": 1}}}]
    assert assignment.test_cell_points(cells) == {"f": 2.0}


@pytest.fixture
def graders_package(monkeypatch, request):
    """A fresh graders package ``graders.<unique name>`` made of ``attributes``."""
    def make(**attributes):
        name = f"unit_{request.node.name}".replace("[", "_").replace("]", "_").replace("-", "_")
        module = types.ModuleType(f"graders.{name}")
        module.__dict__.update(attributes)
        monkeypatch.setitem(sys.modules, f"graders.{name}", module)
        assignment.graders_module.cache_clear()
        return name
    yield make
    assignment.graders_module.cache_clear()


COMPLETE = {"CASES": {}, "case_arguments": None, "JUDGES": {}, "CHECK_NAMES": {}, "MISTAKES": ()}


def test_graders_module_names_every_missing_attribute(graders_package):
    name = graders_package(CASES={}, JUDGES={})
    with pytest.raises(AssignmentError) as raised:
        assignment.graders_module(name)
    assert str(raised.value) == f"graders/{name}/__init__.py does not define case_arguments, CHECK_NAMES, MISTAKES"


def test_graders_module_gives_a_complete_package(graders_package):
    name = graders_package(**COMPLETE)
    assert assignment.graders_module(name) is sys.modules[f"graders.{name}"]


def test_the_regularization_package_is_complete():
    module = assignment.graders_module("regularization")
    assert set(module.CASES) == set(module.JUDGES)


def test_check_names_are_the_ladders_then_the_assignments(graders_package):
    name = graders_package(**{**COMPLETE, "CHECK_NAMES": {"own check": "what it asserts"}})
    names = assignment.check_names(name)
    assert list(names) == list(LADDER_CHECK_NAMES) + ["own check"]
    assert names["own check"] == "what it asserts"


def test_check_names_refuse_a_clash_with_the_ladder(graders_package):
    name = graders_package(**{**COMPLETE, "CHECK_NAMES": {"values": "x", "shape": "y", "mine": "z"}})
    with pytest.raises(AssignmentError) as raised:
        assignment.check_names(name)
    assert str(raised.value) == f"graders/{name}: the check name(s) shape, values are the ladder's already"


def test_after_release_calls_the_hook_with_the_course_root(graders_package):
    calls = []
    name = graders_package(**COMPLETE, after_release=calls.append)
    assignment.after_release(name)
    assert calls == [assignment.ROOT]


def test_after_release_without_a_hook_does_nothing(graders_package):
    assignment.after_release(graders_package(**COMPLETE))


def test_the_second_assignment_of_the_tests_is_read_the_same_way():
    root = os.path.join(os.path.dirname(__file__), "assignments", "logistic")
    assert assignment.assignment_names(root) == ["logistic"]
    source = os.path.join(root, "source", "logistic")
    assert assignment.notebook_name(source) == "Logistic.ipynb"
    assert assignment.graded_functions(os.path.join(source, "Logistic.ipynb")) == {"sigmoid": 1.0,
                                                                                    "logistic_cost": 2.0}


def test_the_regularization_notebook_gives_the_readmes_points():
    path = os.path.join(assignment.ROOT, "source", "regularization", "Regularization.ipynb")
    assert assignment.graded_functions(path) == {
        "compute_cost_with_regularization": 2.0, "backward_propagation_with_regularization": 3.0,
        "forward_propagation_with_dropout": 3.0, "backward_propagation_with_dropout": 2.0}
