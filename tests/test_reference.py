"""Unit tests of :mod:`graders.reference`: the reference namespace built from the source notebook's definition
cells, and functions with one catalogued mistake written in."""
import sys

import numpy as np
import pytest

from graders.grading import expected_cases
from graders.ladder import same_output
from graders.make_expected import call_quietly
from graders.mistakes import Mistake
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS
from graders.reference import mistaken_function, reference_namespace
from graders.regularization.mistakes import MISTAKES


@pytest.fixture(scope="module")
def reference():
    return reference_namespace()


def test_the_namespace_holds_the_graded_functions_the_model_and_the_helpers(reference):
    for name in (*GRADED_FUNCTIONS, "model", "forward_propagation", "compute_cost", "np"):
        assert callable(reference[name]) or name == "np"
    assert reference["__name__"] == f"{ASSIGNMENT}_reference"
    assert f"{ASSIGNMENT}_reference" not in sys.modules


def test_the_namespace_is_built_once(reference):
    assert reference_namespace() is reference


def test_training_and_test_cells_are_not_run(reference):
    assert "runs" not in reference and "train_X" not in reference


@pytest.mark.parametrize("function", GRADED_FUNCTIONS)
def test_the_reference_gives_the_committed_expected_outputs(reference, function):
    for case_id, arguments, expected, _ in expected_cases(function):
        assert same_output(call_quietly(reference[function], arguments), expected), case_id


@pytest.mark.parametrize("mistake", [MISTAKES[0], MISTAKES[-1]], ids=lambda m: m.mistake_id)
def test_a_mistaken_function_gives_the_outputs_stored_for_it(mistake):
    function = mistaken_function(mistake)
    for case_id, arguments, _, mistakes in expected_cases(mistake.function):
        assert same_output(call_quietly(function, arguments), mistakes[mistake.mistake_id]), case_id


def test_a_mistaken_function_leaves_the_reference_untouched(reference):
    original = reference[GRADED_FUNCTIONS[0]]
    mistaken_function(MISTAKES[0])
    assert reference[GRADED_FUNCTIONS[0]] is original


def test_a_mistake_that_does_not_apply_is_refused():
    mistake = Mistake("nowhere", GRADED_FUNCTIONS[0], None, "m", (("no such text", "x"),))
    with pytest.raises(ValueError, match="^mistake nowhere: 'no such text' is not in the reference source$"):
        mistaken_function(mistake)


def test_a_mistaken_function_is_a_different_function(reference):
    mistake = next(m for m in MISTAKES if m.mistake_id == "cost_wrong_sign")
    arguments = expected_cases(mistake.function)[0][1]
    right, wrong = reference[mistake.function](*arguments), mistaken_function(mistake)(*arguments)
    assert not np.isclose(right, wrong)
    assert mistaken_function(mistake).__code__.co_filename == "cost_wrong_sign"
