"""The case table: every input the graders call a student's function with.

Each function has the public case of the notebook plus hidden cases with
other numbers of examples, layer widths, ``lambd`` and ``keep_prob``. Inputs
come from fixed seeds through local ``RandomState`` generators; only the
dropout backward case needs a forward pass with dropout, taken from the
reference solution.
"""
from dataclasses import dataclass

import numpy as np

from graders.notebook import GRADED_FUNCTIONS


@dataclass(frozen=True)
class Case:
    """One call of a graded function.

    Attributes
    ----------
    case_id : str
    seed : int
        Seed of the ``RandomState`` that draws the inputs; None for the public case.
    m : int
        Number of examples.
    layer_dims : tuple of int
        Widths ``(n_x, n_1, n_2, 1)`` of the network.
    hyperparameter : float
        ``lambd`` for the L2 functions, ``keep_prob`` for the dropout ones.
    """

    case_id: str
    seed: int | None
    m: int
    layer_dims: tuple
    hyperparameter: float


CASES = {
    "compute_cost_with_regularization": (
        Case("public", None, 5, (3, 2, 3, 1), 0.1),
        Case("wide_layers", 11, 9, (2, 20, 3, 1), 0.7),
        Case("one_example", 12, 1, (4, 3, 2, 1), 1.3),
        Case("many_examples", 13, 40, (5, 6, 4, 1), 0.05),
    ),
    "backward_propagation_with_regularization": (
        Case("public", None, 5, (3, 2, 3, 1), 0.7),
        Case("wide_layers", 21, 8, (2, 20, 3, 1), 0.7),
        Case("one_example", 22, 1, (3, 4, 2, 1), 2.0),
        Case("many_examples", 23, 30, (4, 5, 6, 1), 0.3),
    ),
    "forward_propagation_with_dropout": (
        Case("public", None, 5, (3, 2, 3, 1), 0.7),
        Case("wide_layers", 31, 10, (2, 20, 3, 1), 0.86),
        Case("half_dropped", 32, 6, (4, 5, 4, 1), 0.5),
        Case("nothing_dropped", 33, 7, (3, 4, 2, 1), 1.0),
        Case("equal_widths", 34, 8, (3, 4, 4, 1), 0.6),
    ),
    "backward_propagation_with_dropout": (
        Case("public", None, 5, (3, 2, 3, 1), 0.8),
        Case("wide_layers", 41, 10, (2, 20, 3, 1), 0.86),
        Case("half_dropped", 42, 6, (4, 5, 4, 1), 0.5),
        Case("nothing_dropped", 43, 7, (3, 4, 2, 1), 1.0),
        Case("equal_widths", 44, 8, (3, 4, 4, 1), 0.6),
    ),
}
assert tuple(CASES) == GRADED_FUNCTIONS


def _draw(rng, case):
    X = rng.randn(case.layer_dims[0], case.m)
    Y = (rng.rand(1, case.m) < 0.5).astype(np.int64)
    parameters = {}
    for layer in range(1, len(case.layer_dims)):
        parameters["W" + str(layer)] = rng.randn(case.layer_dims[layer], case.layer_dims[layer - 1])
        parameters["b" + str(layer)] = rng.randn(case.layer_dims[layer], 1) * 0.5
    return X, Y, parameters


def case_arguments(function_name, case, reference):
    """The positional arguments of one call.

    Parameters
    ----------
    function_name : str
    case : Case
    reference : dict
        The reference namespace (helpers, public test cases and the reference solution).

    Returns
    -------
    tuple
    """
    if case.seed is None:
        return _public_arguments(function_name, case, reference)
    X, Y, parameters = _draw(np.random.RandomState(case.seed), case)
    if function_name == "compute_cost_with_regularization":
        A3, _ = reference["forward_propagation"](X, parameters)
        return A3, Y, parameters, case.hyperparameter
    if function_name == "backward_propagation_with_regularization":
        _, cache = reference["forward_propagation"](X, parameters)
        return X, Y, cache, case.hyperparameter
    if function_name == "forward_propagation_with_dropout":
        return X, parameters, case.hyperparameter
    _, cache = reference["forward_propagation_with_dropout"](X, parameters, case.hyperparameter)
    return X, Y, cache, case.hyperparameter


def _public_arguments(function_name, case, reference):
    import public_tests

    build = getattr(public_tests, function_name + "_test_case")
    return (*build(), case.hyperparameter)
