"""The graders of the Logistic assignment: a logistic unit's activation and its cross-entropy cost.

A small assignment with two graded functions, kept beside the engine's tests to show that an assignment is its
source folder and this package, and nothing else (see :mod:`graders.assignment`).
"""
from dataclasses import dataclass

import numpy as np

from graders.ladder import Failed, check_scalar, compare_array
from graders.mistakes import Mistake


@dataclass(frozen=True)
class Case:
    """One call: its id, the seed of its inputs, their shape, and how far the inputs of ``sigmoid`` spread."""

    case_id: str
    seed: int
    shape: tuple
    spread: float = 1.0


CASES = {
    "sigmoid": (Case("public", 0, (1, 3)), Case("matrix", 1, (3, 4)), Case("large_inputs", 2, (2, 5), 30.0)),
    "logistic_cost": (Case("public", 0, (1, 4)), Case("many_examples", 3, (1, 50))),
}

CHECK_NAMES = {"non-negative": "a cross-entropy cost is never negative"}

MISTAKES = (
    Mistake("cost_summed", "logistic_cost", None,
            "the cost sums over the examples instead of averaging them (divide by m)", (("np.mean(", "np.sum("),)),
)


def case_arguments(function_name, case, reference):
    """The arguments of one call, drawn from the case's seed."""
    rng = np.random.RandomState(case.seed)
    if function_name == "sigmoid":
        return (rng.randn(*case.shape) * case.spread,)
    activations = rng.rand(*case.shape) * 0.98 + 0.01
    labels = (rng.rand(*case.shape) < 0.5).astype(np.int64)
    return activations, labels


def judge_sigmoid(actual, expected, arguments, detail):
    """An array of the input's shape, equal to 1 / (1 + exp(-z))."""
    compare_array("sigmoid(z)", actual, expected, detail)


def judge_cost(actual, expected, arguments, detail):
    """A finite, non-negative float equal to the mean cross-entropy."""
    if isinstance(actual, (float, np.floating)) and actual < 0:
        raise Failed("non-negative", f"the cost is negative; a cross-entropy is -mean(y log a + (1 - y) log(1 - a))")
    check_scalar("cost", actual, expected, detail)


JUDGES = {"sigmoid": judge_sigmoid, "logistic_cost": judge_cost}
