"""Unit tests of :mod:`graders.make_expected` beside ``tests/test_expected.py`` (which runs the command twice and
compares with the committed files): the seeded quiet call every stored output comes from, and the layout of one
function's arrays."""
import platform
import warnings

import numpy as np
import pytest

from graders import make_expected
from graders.assignment import graders_module
from graders.make_expected import call_quietly, expected_for_function
from graders.plain import CALL_SEED, unflatten
from graders.reference import reference_namespace

COST = "compute_cost_with_regularization"


def test_library_versions_are_the_running_ones():
    assert make_expected.library_versions() == {"numpy": np.__version__, "python": platform.python_version()}


def test_call_quietly_seeds_the_global_generator_first():
    np.random.seed(CALL_SEED)
    expected = np.random.rand(3)
    np.random.seed(99)
    np.testing.assert_array_equal(call_quietly(lambda: np.random.rand(3), ()), expected)


def test_call_quietly_passes_deep_copies():
    argument = {"W": np.ones(2)}

    def mutate(parameters):
        parameters["W"][0] = 5
        parameters["new"] = 1
        return parameters["W"].sum()

    assert call_quietly(mutate, (argument,)) == 6
    assert list(argument) == ["W"]
    np.testing.assert_array_equal(argument["W"], np.ones(2))


def test_call_quietly_silences_warnings():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call_quietly(lambda x: np.log(x) + np.float64(1) / x, (np.array(0.0),))
    assert np.isnan(result)
    assert caught == []


@pytest.mark.parametrize("error", [ValueError, IndexError])
def test_call_quietly_gives_none_for_a_mistake_that_cannot_run_on_a_case(error):
    def raises():
        raise error("shapes do not align")
    assert call_quietly(raises, ()) is None


def test_call_quietly_lets_other_errors_through():
    with pytest.raises(TypeError):
        call_quietly(lambda: None + 1, ())


def test_one_functions_arrays_hold_arguments_expected_and_every_mistake_per_case():
    reference = reference_namespace()
    assignment = graders_module("regularization")
    arrays, meta = expected_for_function(COST, reference)
    cases = assignment.CASES[COST]
    mistakes = [m.mistake_id for m in assignment.MISTAKES if m.function == COST]
    assert meta["function"] == COST
    assert meta["case_order"] == [case.case_id for case in cases]
    assert meta["versions"] == make_expected.library_versions()
    for case in cases:
        specs = meta["cases"][case.case_id]
        assert list(specs) == ["arguments", "expected"] + [f"mistake/{m}" for m in mistakes]
        arguments = unflatten(arrays, specs["arguments"])
        np.testing.assert_equal(arguments, assignment.case_arguments(COST, case, reference))
        assert unflatten(arrays, specs["expected"]) == reference[COST](*arguments)
    assert all(key.split("/")[0] in meta["case_order"] for key in arrays)
