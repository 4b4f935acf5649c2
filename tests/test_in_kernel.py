"""The stock-nbgrader path (hidden tests run in the student's kernel), used by the benchmark for comparison."""
import pytest

from graders import in_kernel
from graders.notebook import GRADED_FUNCTIONS
from graders.reference import reference_namespace


@pytest.mark.parametrize("function_name", GRADED_FUNCTIONS)
def test_reference_passes(function_name, capsys):
    in_kernel.grade(function_name, dict(reference_namespace()))
    assert "all hidden checks passed" in capsys.readouterr().out


def test_wrong_function_fails_with_the_check_named():
    namespace = dict(reference_namespace(), compute_cost_with_regularization=lambda *arguments: 0.0)
    with pytest.raises(AssertionError, match="case public, check 'values'"):
        in_kernel.grade("compute_cost_with_regularization", namespace)


def test_missing_function_fails():
    namespace = dict(reference_namespace())
    del namespace["forward_propagation_with_dropout"]
    with pytest.raises(AssertionError, match="is not defined"):
        in_kernel.grade("forward_propagation_with_dropout", namespace)
