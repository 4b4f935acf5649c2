"""reg_utils: training runs that say why they stopped, plots titled with their model, the results table."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import reg_utils  # noqa: E402
from graders.reference import reference_namespace  # noqa: E402

NOTEBOOK_CODE = """
def helper(x):
    raise ValueError("shapes (3, 2) and (5, 1) not aligned")

def broken_cost(A3, Y, parameters, lambd):
    return helper(A3)

def stub(A3, Y, parameters, lambd):
    raise NotImplementedError()

def model_stub(X, Y, lambd=0, keep_prob=1):
    return stub(X, Y, {}, lambd)

def model_broken_cost(X, Y, lambd=0, keep_prob=1):
    return broken_cost(X, Y, {}, lambd)
"""


@pytest.fixture(autouse=True)
def no_figures_left():
    yield
    plt.close("all")


def _notebook():
    namespace = {"__name__": "__main__"}
    exec(NOTEBOOK_CODE, namespace)
    return namespace


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, (2, 60))
    Y = (X[0:1] + X[1:2] > 0).astype(float)
    return X, Y


@pytest.mark.parametrize("options, name", [
    ({}, "no regularization"),
    ({"lambd": 0.7}, "L2 regularization, λ = 0.7"),
    ({"keep_prob": 0.86}, "dropout, keep_prob = 0.86"),
    ({"lambd": 0, "keep_prob": 1}, "no regularization"),
])
def test_describe_model(options, name):
    assert reg_utils.describe_model(**options) == name


@pytest.mark.parametrize("function, reason", [
    ("stub", "NotImplementedError in stub"),
    ("broken_cost", "ValueError in helper: shapes (3, 2) and (5, 1) not aligned"),
])
def test_a_stopped_training_is_recorded_and_raised_as_one_line(data, function, reason):
    runs = {"L2": "an earlier run"}
    with pytest.raises(Exception) as raised:
        reg_utils.train_and_measure(runs, "L2", _notebook()["model_" + function], *data, *data, lambd=0.7)
    error = raised.value
    assert type(error).__name__ == reason.split()[0]
    assert error._render_traceback_() == [f"Training stopped: {reason}"]
    run = runs["L2"]
    assert (run.title, run.parameters, run.failure) == ("L2 regularization, λ = 0.7", None, reason)


def test_a_finished_training_prints_one_line(data, capsys):
    reference = reference_namespace()
    runs = {}

    def short_model(X, Y, **options):
        return reference["model"](X, Y, num_iterations=300, print_cost=False, **options)

    reg_utils.train_and_measure(runs, "dropout", short_model, *data, *data, keep_prob=0.86)
    run = runs["dropout"]
    assert run.failure is None and set(run.parameters) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert capsys.readouterr().out == (f"dropout, keep_prob = 0.86: train accuracy {run.train_accuracy:.4f}, "
                                       f"test accuracy {run.test_accuracy:.4f}\n")


@pytest.mark.parametrize("runs, line", [
    ({}, "No L2 model to plot: run the training cell above first.\n"),
    ({"L2": reg_utils.TrainingRun("L2 regularization, λ = 0.7", failure="NotImplementedError in "
                                  "compute_cost_with_regularization")},
     "No L2 model to plot: training stopped with NotImplementedError in compute_cost_with_regularization\n"),
])
def test_no_model_no_plot_and_one_line_saying_why(data, capsys, runs, line):
    before = plt.get_fignums()
    reg_utils.plot_model(runs, "L2", *data)
    assert plt.get_fignums() == before
    assert capsys.readouterr().out == line


def test_a_boundary_is_titled_with_its_model(data):
    parameters = reference_namespace()["initialize_parameters"]([2, 4, 3, 1])
    run = reg_utils.TrainingRun("dropout, keep_prob = 0.86", parameters, 0.9, 0.8)
    reg_utils.plot_model({"dropout": run}, "dropout", *data)
    axes = plt.gcf().axes[0]
    assert (axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) == \
        ("Decision boundary — dropout, keep_prob = 0.86", "x1", "x2")


@pytest.mark.parametrize("options, title", [
    ({}, "Cost — no regularization"),
    ({"lambd": 0.7}, "Cost — L2 regularization, λ = 0.7"),
    ({"keep_prob": 0.86}, "Cost — dropout, keep_prob = 0.86"),
])
def test_each_cost_curve_is_titled_with_its_model(data, monkeypatch, options, title):
    reference = reference_namespace()
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf().axes[0]))
    monkeypatch.setitem(reference, "forward_propagation_with_dropout", _dropout_free(reference))
    monkeypatch.setitem(reference, "backward_propagation_with_dropout",
                        lambda X, Y, cache, keep_prob: reference["backward_propagation"](X, Y, cache))
    reference["model"](*data, num_iterations=1, **options)
    [axes] = shown
    assert (axes.get_title(), axes.get_xlabel(), axes.get_ylabel()) == (title, "iteration (learning rate 0.3)",
                                                                         "cost J")


@pytest.mark.parametrize("options, cost_function", [
    ({}, "compute_cost"),
    ({"lambd": 0.7}, "compute_cost_with_regularization"),
])
def test_the_cost_is_computed_only_where_it_is_printed_or_plotted(data, monkeypatch, capsys, options, cost_function):
    """Every 1000th iteration with ``print_cost`` (printed every 10000th), never without: the training is the same."""
    reference = reference_namespace()
    computed = []

    def counted(*arguments):
        computed.append(reference_cost(*arguments))
        return computed[-1]

    reference_cost = reference[cost_function]
    monkeypatch.setitem(reference, cost_function, counted)
    curves = []
    monkeypatch.setattr(plt, "show", lambda: curves.append(list(plt.gcf().axes[0].lines[0].get_ydata())))
    printed = reference["model"](*data, num_iterations=1001, **options)
    assert len(computed) == 2 and curves == [computed]
    assert capsys.readouterr().out == f"Cost after iteration 0: {computed[0]}\n"
    computed.clear()
    silent = reference["model"](*data, num_iterations=1001, print_cost=False, **options)
    assert computed == [] and curves == [curves[0]] and capsys.readouterr().out == ""
    for name, value in printed.items():
        np.testing.assert_array_equal(silent[name], value, strict=True)


def _dropout_free(reference):
    def forward(X, parameters, keep_prob):
        return reference["forward_propagation"](X, parameters)
    return forward


def test_the_results_table_compares_test_accuracy_and_names_a_stopped_run(capsys):
    reg_utils.print_results_table({
        "unregularized": reg_utils.TrainingRun("no regularization", {}, 0.9526, 0.915),
        "L2": reg_utils.TrainingRun("L2 regularization, λ = 0.7", {}, 0.9384, 0.93),
        "dropout": reg_utils.TrainingRun("dropout, keep_prob = 0.86", failure="NotImplementedError in "
                                         "forward_propagation_with_dropout"),
    })
    assert capsys.readouterr().out.splitlines() == [
        "model                       train accuracy  test accuracy  test accuracy vs no regularization",
        "no regularization                   0.9526         0.9150",
        "L2 regularization, λ = 0.7          0.9384         0.9300  +1.5 points",
        "dropout, keep_prob = 0.86   not trained: NotImplementedError in forward_propagation_with_dropout",
    ]


def test_one_line_keeps_the_error_and_shows_one_line():
    error = reg_utils.one_line(AssertionError("cost: the value is wrong"))
    assert isinstance(error, AssertionError) and str(error) == "cost: the value is wrong"
    assert error._render_traceback_() == ["AssertionError: cost: the value is wrong"]
