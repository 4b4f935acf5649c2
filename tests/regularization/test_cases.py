"""Unit tests of :mod:`graders.regularization.cases`: the case table, the shapes of every case's arguments, seeds
that reproduce, and a public case that is the notebook's own."""
import numpy as np
import pytest

import public_tests
from graders.notebook import GRADED_FUNCTIONS
from graders.reference import reference_namespace
from graders.regularization.cases import CASES, Case, case_arguments

ALL_CASES = [(function, case) for function in CASES for case in CASES[function]]
IDS = [f"{function}-{case.case_id}" for function, case in ALL_CASES]


@pytest.fixture(scope="module")
def reference():
    return reference_namespace()


def parameter_shapes(layer_dims):
    shapes = {}
    for layer in range(1, len(layer_dims)):
        shapes[f"W{layer}"] = (layer_dims[layer], layer_dims[layer - 1])
        shapes[f"b{layer}"] = (layer_dims[layer], 1)
    return shapes


def cache_shapes(case, dropout):
    n_x, n_1, n_2, n_3 = case.layer_dims
    p = parameter_shapes(case.layer_dims)
    layer = {1: (n_1, case.m), 2: (n_2, case.m), 3: (n_3, case.m)}
    if dropout:
        return (layer[1], layer[1], layer[1], p["W1"], p["b1"], layer[2], layer[2], layer[2], p["W2"], p["b2"],
                layer[3], layer[3], p["W3"], p["b3"])
    return (layer[1], layer[1], p["W1"], p["b1"], layer[2], layer[2], p["W2"], p["b2"], layer[3], layer[3],
            p["W3"], p["b3"])


def shapes(value):
    if isinstance(value, dict):
        return {key: shapes(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(shapes(item) for item in value)
    return np.shape(value)


def declared_shapes(function, case):
    """The shapes the Case declares for the arguments of ``function``."""
    X, Y = (case.layer_dims[0], case.m), (1, case.m)
    parameters = parameter_shapes(case.layer_dims)
    return {
        "compute_cost_with_regularization": ((1, case.m), Y, parameters, ()),
        "backward_propagation_with_regularization": (X, Y, cache_shapes(case, dropout=False), ()),
        "forward_propagation_with_dropout": (X, parameters, ()),
        "backward_propagation_with_dropout": (X, Y, cache_shapes(case, dropout=True), ()),
    }[function]


def test_the_table_has_every_graded_function_in_the_notebooks_order():
    assert tuple(CASES) == GRADED_FUNCTIONS


@pytest.mark.parametrize("function", CASES)
def test_each_function_has_one_public_case_first_and_unique_ids(function):
    ids = [case.case_id for case in CASES[function]]
    assert ids[0] == "public" and ids.count("public") == 1
    assert len(set(ids)) == len(ids)
    assert CASES[function][0].seed is None
    assert all(isinstance(case.seed, int) for case in CASES[function][1:])


def test_hidden_seeds_differ_from_each_other():
    seeds = [case.seed for _, case in ALL_CASES if case.seed is not None]
    assert len(set(seeds)) == len(seeds)


@pytest.mark.parametrize("function, case", ALL_CASES, ids=IDS)
def test_arguments_have_the_shapes_the_case_declares(reference, function, case):
    arguments = case_arguments(function, case, reference)
    assert shapes(arguments) == declared_shapes(function, case)
    assert arguments[-1] == case.hyperparameter


@pytest.mark.parametrize("function, case", ALL_CASES, ids=IDS)
def test_arguments_are_finite_numbers_and_labels_are_zero_or_one(reference, function, case):
    arguments = case_arguments(function, case, reference)
    leaves = [leaf for argument in arguments[:-1]
              for leaf in (argument.values() if isinstance(argument, dict) else
                           argument if isinstance(argument, tuple) else (argument,))]
    assert all(np.isfinite(np.asarray(leaf, dtype=float)).all() for leaf in leaves)
    if function != "forward_propagation_with_dropout":
        assert set(np.unique(arguments[1])) <= {0, 1}


@pytest.mark.parametrize("function, case", ALL_CASES, ids=IDS)
def test_seeds_reproduce_whatever_the_global_generator_holds(reference, function, case):
    np.random.seed(12345)
    first = case_arguments(function, case, reference)
    np.random.seed(999)
    np.random.rand(7)
    second = case_arguments(function, case, reference)
    np.testing.assert_equal(second, first)


@pytest.mark.parametrize("function", [f for f in CASES if f != "backward_propagation_with_dropout"])
def test_drawing_a_case_leaves_the_global_generator_alone(reference, function):
    np.random.seed(5)
    state = np.random.get_state()
    for case in CASES[function]:
        case_arguments(function, case, reference)
    after = np.random.get_state()
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]


def test_different_seeds_draw_different_inputs(reference):
    function = "forward_propagation_with_dropout"
    case = CASES[function][1]
    other = Case("other", case.seed + 1000, case.m, case.layer_dims, case.hyperparameter)
    assert not np.array_equal(case_arguments(function, case, reference)[0],
                              case_arguments(function, other, reference)[0])


def recorders():
    """Functions that record the arguments ``public_tests.public_results`` calls them with."""
    calls = {}

    def recorder(name, result):
        def record(*arguments):
            calls[name] = arguments
            return result
        return record

    functions = {
        "compute_cost_with_regularization": recorder("compute_cost_with_regularization", 0.0),
        "backward_propagation_with_regularization": recorder("backward_propagation_with_regularization", {}),
        "forward_propagation_with_dropout": recorder("forward_propagation_with_dropout", (None, ())),
        "backward_propagation_with_dropout": recorder("backward_propagation_with_dropout", {}),
    }
    return functions, calls


@pytest.mark.parametrize("function", CASES)
def test_the_public_case_is_the_notebooks_public_test_case(reference, function):
    functions, calls = recorders()
    public_tests.public_results(functions)
    public = CASES[function][0]
    np.testing.assert_equal(case_arguments(function, public, reference), calls[function])


@pytest.mark.parametrize("function, case", ALL_CASES, ids=IDS)
def test_the_committed_expected_arrays_hold_these_arguments(reference, function, case):
    """Grading calls students' functions with the arguments stored by ``make expected``: they must be this table's."""
    from graders.grading import expected_cases

    stored = {case_id: arguments for case_id, arguments, _, _ in expected_cases(function)}
    assert list(stored) == [c.case_id for c in CASES[function]]
    np.testing.assert_allclose(*(np.concatenate([np.ravel(leaf) for leaf in leaves(value)]) for value in
                                 (stored[case.case_id], case_arguments(function, case, reference))),
                               rtol=1e-12, atol=0)


def leaves(value):
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in leaves(value[key])]
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in leaves(item)]
    return [np.asarray(value, dtype=float)]
