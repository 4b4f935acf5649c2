"""The worker's descriptions of errors point at the student's own code (run in the real sandbox)."""
import pytest

from graders.grading import worker_job
from graders.sandbox import definition_cells, run_submission
from tests.notebooks import make_submission, reference_solutions

SOLUTIONS = reference_solutions()
COST, FORWARD, BACKWARD = ("compute_cost_with_regularization", "forward_propagation_with_dropout",
                           "backward_propagation_with_dropout")


def _changed(function, old, new):
    source = SOLUTIONS[function]
    assert old in source
    return {function: source.replace(old, new, 1)}


CALL_ERRORS = {
    "typo-of-a-local": (_changed(COST, "    return cost", "    return cross_entropy_cost + L2_regularisation_cost"),
                        COST, ["NameError: name 'L2_regularisation_cost' is not defined; did you mean "
                               "'L2_regularization_cost'?", f"(in {COST}, line ",
                               "of its cell: return cross_entropy_cost + L2_regularisation_cost)"]),
    "notebook-variable": (_changed(FORWARD, "keep_prob=0.5):", "kp=0.5):"), FORWARD,
                          ["NameError: name 'keep_prob' is not defined ('keep_prob' is a variable of the notebook, "
                           "which a graded function does not see)", f"(in {FORWARD}, line "]),
    "broadcasting": (_changed(BACKWARD, "dA2 = dA2 * D2", "dA2 = dA2 * D1"), BACKWARD,
                     ["ValueError: operands could not be broadcast together",
                      f"(in {BACKWARD}, line ", "of its cell: dA2 = dA2 * D1)"]),
    "inside-a-helper": (_changed(FORWARD, "A1 = relu(Z1)", "A1 = relu(Z1, 2)"), FORWARD,
                        ["TypeError:", f"(in {FORWARD}, line ", "of its cell: A1 = relu(Z1, 2))"]),
}


def _run(solutions, extra_cells=()):
    notebook = make_submission({**SOLUTIONS, **solutions}, extra_cells=list(extra_cells))
    cases, arrays = worker_job(("public",))
    return notebook, run_submission(notebook, cases, arrays)


@pytest.mark.parametrize("name", CALL_ERRORS, ids=CALL_ERRORS)
def test_a_call_error_names_its_line_in_the_students_function(name):
    solutions, function, said = CALL_ERRORS[name]
    _, result = _run(solutions, [(9, "keep_prob = 0.86")])
    error = result.functions[function]["cases"]["public"]["error"]
    assert all(part in error for part in said), error
    assert "reg_utils" not in error and "worker" not in error  # no frame but the student's


def test_the_line_of_a_call_error_counts_the_cells_own_lines():
    source = SOLUTIONS[COST]
    lines = source.splitlines()
    _, result = _run({COST: source.replace("    return cost", "    return 1 / 0", 1)})
    error = result.functions[COST]["cases"]["public"]["error"]
    assert f"line {lines.index('    return cost') + 1} of its cell: return 1 / 0)" in error


def test_a_syntax_error_names_its_line_and_code():
    notebook, result = _run(_changed(BACKWARD, "dA2 = ", "dA2 = ("))
    cell = next(index for index, source in definition_cells(notebook) if f"def {BACKWARD}" in source)
    lines = notebook.cells[cell].source.splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "dA2 = (" in text)
    assert result.cell_errors == [{"cell": cell, "error": f"SyntaxError: '(' was never closed at line {line}: "
                                                        f"{lines[line - 1].strip()}"}]


def test_magic_lines_keep_the_line_numbers_of_the_cell():
    _, result = _run({}, [(9, "%matplotlib inline\n!ls\nx = 1\nraise ValueError('here')")])
    assert [error["error"] for error in result.cell_errors] == [
        "ValueError: here (line 4 of its cell: raise ValueError('here'))"]


def _stub(function):
    from tests.notebooks import read_release

    return {function: next(cell.source for cell in read_release().cells
                           if cell.metadata.get("nbgrader", {}).get("grade_id") == function)}


ERROR_KINDS = {
    "typo-of-a-local": (CALL_ERRORS["typo-of-a-local"][0], COST, "undefined_name"),
    "notebook-variable": (CALL_ERRORS["notebook-variable"][0], FORWARD, "notebook_variable"),
    "broadcasting": (CALL_ERRORS["broadcasting"][0], BACKWARD, "exception"),
    "argument-error-inside-the-function": (CALL_ERRORS["inside-a-helper"][0], FORWARD, "exception"),
    "parameters-changed": (_changed(COST, "(A3, Y, parameters, lambd):", "(A3, Y, parameters):"), COST, "signature"),
    "stub": (_stub(BACKWARD), BACKWARD, "not_implemented"),
    "endless-loop": (_changed(COST, "    return cost", "    while True:\n        pass"), COST, "timeout"),
}


@pytest.mark.parametrize("name", ERROR_KINDS, ids=ERROR_KINDS)
def test_the_worker_names_the_kind_of_a_call_error_from_the_exception(name, monkeypatch):
    """The grader chooses the verdict's check from this kind: a TypeError the student's own line raised about an
    argument is not a changed signature."""
    from graders import sandbox

    monkeypatch.setattr(sandbox, "SECONDS_PER_CALL", 1.0)
    solutions, function, kind = ERROR_KINDS[name]
    _, result = _run(solutions, [(9, "keep_prob = 0.86")])
    record = result.functions[function]["cases"]["public"]
    assert (record["status"], record["error_kind"]) == ("error", kind), record["error"]


GARBAGE = """import gc
import weakref


class Node:
    pass


node = Node()
node.itself = node
alive = weakref.ref(node)
del node
gc.collect()
assert (gc.isenabled(), gc.get_threshold()) == (True, (700, 10, 10)), (gc.isenabled(), gc.get_threshold())
assert alive() is None, 'a cycle of the cell was not collected'
"""


def test_the_students_code_runs_with_the_garbage_collector_on_and_collecting_its_cycles():
    """The worker starts with the collector off (for its own imports); the student's code finds it on, with
    Python's thresholds, as in any process."""
    _, result = _run({}, [(9, GARBAGE)])
    assert result.cell_errors == []
