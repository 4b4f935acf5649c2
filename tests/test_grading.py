"""The verdict's wording: what a student reads for each kind of failure, one function name per line."""
import json
import pickle

import pytest

from graders import grading
from graders.grading import grade_notebook
from graders.notebook import GRADED_FUNCTIONS
from tests.notebooks import make_submission, read_release, reference_solutions

SOLUTIONS = reference_solutions()
COST, FORWARD, BACKWARD = ("compute_cost_with_regularization", "forward_propagation_with_dropout",
                           "backward_propagation_with_dropout")


def _changed(function, old, new):
    assert old in SOLUTIONS[function]
    return {function: SOLUTIONS[function].replace(old, new, 1)}


def _stub(function):
    return {function: next(cell.source for cell in read_release().cells
                           if cell.metadata.get("nbgrader", {}).get("grade_id") == function)}


# name: (solutions changed, function, failed check, parts of the message in order)
FAILURES = {
    "syntax-error": (_changed(BACKWARD, "dA2 = ", "dA2 = ("), BACKWARD, "exists",
                     [f"{BACKWARD} is not defined because its cell failed to run: SyntaxError: '(' was never closed "
                      "at line ", ": dA2 = ("]),
    "typo": (_changed(COST, "    return cost", "    return cross_entropy_cost + L2_regularisation_cost"), COST,
             "names defined", ["NameError: name 'L2_regularisation_cost' is not defined; did you mean "
                               "'L2_regularization_cost'?", "Check the spelling of the name"]),
    "notebook-variable": (_changed(FORWARD, "keep_prob=0.5):", "kp=0.5):"), FORWARD, "no notebook globals",
                          ["'keep_prob' is a variable of the notebook", "not variables of the notebook"]),
    "broadcasting": (_changed(BACKWARD, "dA2 = dA2 * D2", "dA2 = dA2 * D1"), BACKWARD, "runs",
                     ["raised ValueError: operands could not be broadcast together", "of its cell: dA2 = dA2 * D1)"]),
    "untouched-stub": (_stub(FORWARD), FORWARD, "implemented",
                       [f"{FORWARD} is not implemented yet: replace 'raise NotImplementedError()' with your code"]),
}


@pytest.fixture(scope="module")
def verdicts():
    return {name: grade_notebook(make_submission({**SOLUTIONS, **solutions},
                                                 extra_cells=[(9, "keep_prob = 0.86")]))[0]
            for name, (solutions, _, _, _) in FAILURES.items()}


@pytest.mark.parametrize("name", FAILURES, ids=FAILURES)
def test_a_failure_is_worded_for_the_student(verdicts, name):
    _, function, check, parts = FAILURES[name]
    verdict = verdicts[name][function]
    assert not verdict.passed and verdict.check == check
    positions = [verdict.message.find(part) for part in parts]
    assert -1 not in positions and positions == sorted(positions), verdict.message
    assert all(other.passed for other_name, other in verdicts[name].items() if other_name != function)


@pytest.mark.parametrize("name", FAILURES, ids=FAILURES)
def test_a_verdict_names_its_function_once(verdicts, name):
    _, function, _, _ = FAILURES[name]
    assert verdicts[name][function].message.count(function) == 1, verdicts[name][function].message


def _other_layout(sources):
    """A notebook of another course's layout (no release grade id) whose code cells are ``sources``."""
    import nbformat

    cells = [nbformat.v4.new_code_cell("import numpy as np\nfrom reg_utils import relu, sigmoid")]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    return json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))


@pytest.mark.parametrize("sources, passed", [
    ([SOLUTIONS[BACKWARD].replace("dA2 = ", "dA2 = (", 1)], False),
    ([SOLUTIONS[BACKWARD].replace("dA2 = ", "dA2 = (", 1), SOLUTIONS[BACKWARD]], True),
    ([SOLUTIONS[BACKWARD], SOLUTIONS[BACKWARD].replace("dA2 = ", "dA2 = (", 1)], True),
], ids=["only-a-broken-cell", "fixed-below", "broken-below-a-working-one"])
def test_a_syntax_error_in_another_layout_is_named_like_in_the_release_s(sources, passed):
    """A broken cell of a notebook in another layout stands for its function only where no cell that parses
    defines it, as when the notebook runs top to bottom; then its syntax error is named."""
    from graders.gradable import gradable_notebook

    notebook, notes = gradable_notebook(_other_layout(sources), read_release())
    verdict = grade_notebook(notebook)[0][BACKWARD]
    assert any("not in the release's layout" in note and BACKWARD in note for note in notes), notes
    assert verdict.passed is passed, verdict.message
    if not passed:
        assert verdict.check == "exists"
        assert verdict.message.startswith(f"{BACKWARD} is not defined because its cell failed to run: SyntaxError")


def _spoil(value):
    """Change every mutable part of ``value`` in place."""
    if isinstance(value, (tuple, list)):
        for item in value:
            _spoil(item)
    if isinstance(value, (dict, list)):
        value.clear()
    elif hasattr(value, "fill") and getattr(value, "flags", None) is not None and value.flags.writeable:
        value.fill(-1)


def test_warming_up_computes_the_shared_cases_and_judges_each_expected_output_on_a_copy(monkeypatch):
    """What every grading of a process shares is computed by warm_up, before a pool forks; the judges get copies
    of the expected outputs, so the cached ones stay as they were whatever a judge does."""
    before = {name: pickle.dumps(grading.expected_cases(name)) for name in GRADED_FUNCTIONS}
    judged = []
    monkeypatch.setattr(grading, "judge", lambda name, actual, expected, arguments, detail: judged.append(name)
                        or _spoil(actual))
    grading.worker_job.cache_clear()
    grading.warm_up()
    assert grading.worker_job.cache_info().currsize == 1
    assert judged == [name for name in GRADED_FUNCTIONS for _ in grading.expected_cases(name)]
    assert {name: pickle.dumps(grading.expected_cases(name)) for name in GRADED_FUNCTIONS} == before
