"""Helpers for the Regularization assignment.

Everything here is given to students: the activations, the unregularized
three-layer network (LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID), the
cross-entropy cost, gradient descent, prediction, training runs with their
results, plotting and the dataset loader. The regularized variants are what
the students write in the notebook.
"""
import numpy as np

DATASET_VARIABLES = {"X": 2, "y": 1, "Xval": 2, "yval": 1}


def sigmoid(x):
    """Logistic function, element-wise.

    Parameters
    ----------
    x : numpy.ndarray
        Any shape.

    Returns
    -------
    numpy.ndarray
        ``1 / (1 + exp(-x))``, same shape as ``x``.
    """
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Rectified linear unit, element-wise: ``max(0, x)``."""
    return np.maximum(0, x)


def initialize_parameters(layer_dims):
    """Initialise weights and biases of a fully connected network.

    Seeds numpy's global generator with 3, then draws
    ``W_l = randn(n_l, n_{l-1}) / sqrt(n_{l-1})`` and sets ``b_l = 0``.

    Parameters
    ----------
    layer_dims : list of int
        Layer widths, input first, e.g. ``[2, 20, 3, 1]``.

    Returns
    -------
    dict
        ``W1, b1, ..., WL, bL`` with ``W_l`` of shape ``(n_l, n_{l-1})``
        and ``b_l`` of shape ``(n_l, 1)``.
    """
    np.random.seed(3)
    parameters = {}
    for layer in range(1, len(layer_dims)):
        fan_in = layer_dims[layer - 1]
        parameters["W" + str(layer)] = np.random.randn(layer_dims[layer], fan_in) / np.sqrt(fan_in)
        parameters["b" + str(layer)] = np.zeros((layer_dims[layer], 1))
    return parameters


def forward_propagation(X, parameters):
    """Forward pass LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
        Input examples, one per column.
    parameters : dict
        ``W1, b1, W2, b2, W3, b3``.

    Returns
    -------
    A3 : numpy.ndarray, shape (1, m)
        Output probabilities.
    cache : tuple
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` for the backward pass.
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation(X, Y, cache):
    """Gradients of the cross-entropy cost for the unregularized network.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    Y : numpy.ndarray, shape (1, m)
        True labels, 0 or 1.
    cache : tuple
        As returned by :func:`forward_propagation`.

    Returns
    -------
    dict
        ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * dZ3.sum(axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = dA2 * (A2 > 0)
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * dZ2.sum(axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = dA1 * (A1 > 0)
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * dZ1.sum(axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3,
            "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def compute_cost(A3, Y):
    """Cross-entropy cost, ignoring NaN terms (``0 * log(0)``).

    Parameters
    ----------
    A3 : numpy.ndarray, shape (1, m)
        Output probabilities.
    Y : numpy.ndarray, shape (1, m)
        True labels.

    Returns
    -------
    float
    """
    m = Y.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_terms = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    return 1.0 / m * np.nansum(log_terms)


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent: ``W_l -= learning_rate * dW_l`` (and the same for b).

    Returns a new dict; ``parameters`` is left unchanged.
    """
    updated = {}
    for layer in range(1, len(parameters) // 2 + 1):
        for name in ("W", "b"):
            key = name + str(layer)
            updated[key] = parameters[key] - learning_rate * grads["d" + key]
    return updated


def predict(X, y, parameters):
    """Predict labels with threshold 0.5 and print the accuracy.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    y : numpy.ndarray, shape (1, m)
        True labels.
    parameters : dict

    Returns
    -------
    numpy.ndarray of int, shape (1, m)
        The predicted labels.
    """
    predictions = predict_dec(parameters, X).astype(int)
    print("Accuracy: " + str(np.mean(predictions[0, :] == y[0, :])))
    return predictions


def accuracy(parameters, X, Y):
    """Fraction of the examples of ``X`` whose predicted label (``A3 > 0.5``) equals ``Y``."""
    return float(np.mean(predict_dec(parameters, X) == Y))


def one_line(error, line=None):
    """``error``, shown by Jupyter as one line instead of a traceback.

    Parameters
    ----------
    error : BaseException
    line : str, optional
        The line; ``"Type: message"`` by default.

    Returns
    -------
    BaseException
        ``error`` itself, ready to be raised (its type and message are unchanged).
    """
    text = line if line is not None else f"{type(error).__name__}: {error}"
    try:
        error._render_traceback_ = lambda: [text]
    except AttributeError:  # an exception type without attributes of its own: raise a plain one instead
        error = RuntimeError(text)
        error._render_traceback_ = lambda: [text]
    return error


def describe_model(lambd=0, keep_prob=1):
    """The name of a model by its regularization, as plots and tables show it, e.g. ``"L2 regularization, λ = 0.7"``."""
    if lambd and keep_prob < 1:
        return f"L2 regularization, λ = {lambd:g}, and dropout, keep_prob = {keep_prob:g}"
    if lambd:
        return f"L2 regularization, λ = {lambd:g}"
    if keep_prob < 1:
        return f"dropout, keep_prob = {keep_prob:g}"
    return "no regularization"


class TrainingRun:
    """One model trained by :func:`train_and_measure`: its parameters and accuracies, or why its training stopped.

    Attributes
    ----------
    title : str
        The model's name (:func:`describe_model`).
    parameters : dict or None
        None when training stopped.
    train_accuracy, test_accuracy : float or None
    failure : str or None
        ``"<error type> in <function>[: <message>]"`` when training stopped.
    """

    def __init__(self, title, parameters=None, train_accuracy=None, test_accuracy=None, failure=None):
        self.title = title
        self.parameters = parameters
        self.train_accuracy = train_accuracy
        self.test_accuracy = test_accuracy
        self.failure = failure


def where_it_stopped(error, namespace):
    """``"<error type> in <function>[: <message>]"``: the innermost function of the notebook the error came through.

    ``namespace`` is the notebook's (a function of the notebook has it as its globals).
    """
    function = None
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_globals is namespace and frame.tb_frame.f_code.co_name != "<module>":
            function = frame.tb_frame.f_code.co_name
        frame = frame.tb_next
    message = " ".join(str(error).split())
    if len(message) > 200:
        message = message[:200] + "..."
    return (f"{type(error).__name__}" + (f" in {function}" if function else "")
            + (f": {message}" if message else ""))


def train_and_measure(runs, name, model, train_X, train_Y, test_X, test_Y, **hyperparameters):
    """Train ``model`` and record the outcome as ``runs[name]``: its accuracies, or why training stopped.

    Prints one line with the two accuracies. When training raises, the reason is recorded first and the
    error is raised again, shown as one line (``Training stopped: NotImplementedError in ...``).

    Parameters
    ----------
    runs : dict
        The models trained so far, by name; updated.
    name : str
        Short name of this model (``"L2"``), for :func:`plot_model`.
    model : callable
        ``model(X, Y, **hyperparameters)`` returning the parameters.
    train_X, train_Y, test_X, test_Y : numpy.ndarray
    **hyperparameters
        ``lambd`` or ``keep_prob``, passed to ``model``.
    """
    title = describe_model(hyperparameters.get("lambd", 0), hyperparameters.get("keep_prob", 1))
    runs.pop(name, None)
    try:
        parameters = model(train_X, train_Y, **hyperparameters)
        run = TrainingRun(title, parameters, accuracy(parameters, train_X, train_Y),
                          accuracy(parameters, test_X, test_Y))
    except Exception as error:
        runs[name] = TrainingRun(title, failure=where_it_stopped(error, getattr(model, "__globals__", None)))
        raise one_line(error, f"Training stopped: {runs[name].failure}") from None
    runs[name] = run
    print(f"{title}: train accuracy {run.train_accuracy:.4f}, test accuracy {run.test_accuracy:.4f}")


def plot_model(runs, name, X, Y):
    """Draw the decision boundary of ``runs[name]`` over the examples, or say in one line why there is none."""
    run = runs.get(name)
    if run is None:
        print(f"No {name} model to plot: run the training cell above first.")
    elif run.parameters is None:
        print(f"No {name} model to plot: training stopped with {run.failure}")
    else:
        plot_decision_boundary(lambda points: predict_dec(run.parameters, points.T), X, Y,
                               title=f"Decision boundary — {run.title}")


def print_results_table(results):
    """Print train and test accuracy per model, and the change in test accuracy over the first model.

    Parameters
    ----------
    results : dict
        Maps a model's short name to its :class:`TrainingRun` (or its description to its
        ``(train_accuracy, test_accuracy)``). The first model is the baseline.
    """
    rows = [run if isinstance(run, TrainingRun) else TrainingRun(name, None, *run)
            for name, run in results.items()]
    width = max([len("model")] + [len(row.title) for row in rows])
    baseline = rows[0].test_accuracy if rows else None
    print(f"{'model':<{width}}  train accuracy  test accuracy  test accuracy vs {rows[0].title if rows else ''}")
    for index, row in enumerate(rows):
        if row.test_accuracy is None:
            print(f"{row.title:<{width}}  not trained: {row.failure}")
            continue
        change = ("" if index == 0 or baseline is None
                  else f"{100 * (row.test_accuracy - baseline):+.1f} points")
        print(f"{row.title:<{width}}  {row.train_accuracy:>14.4f}  {row.test_accuracy:>13.4f}  {change}".rstrip())


def predict_dec(parameters, X):
    """Predicted labels (``A3 > 0.5``) as a boolean array of shape (1, m); prints nothing."""
    A3, _ = forward_propagation(X, parameters)
    return A3 > 0.5


def plot_decision_boundary(predict_labels, X, y, title=None, ax=None):
    """Shade the plane by predicted class and overlay the examples.

    Parameters
    ----------
    predict_labels : callable
        Maps an array of points of shape (m, 2) to labels.
    X : numpy.ndarray, shape (2, m)
    y : numpy.ndarray, shape (1, m)
    title : str, optional
    ax : matplotlib.axes.Axes, optional
        Drawn into a new figure when not given.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    pad, step = 0.1, 0.01
    x_min, x_max = X[0, :].min() - pad, X[0, :].max() + pad
    y_min, y_max = X[1, :].min() - pad, X[1, :].max() + pad
    xx, yy = np.meshgrid(np.arange(x_min, x_max, step), np.arange(y_min, y_max, step))
    grid_labels = np.asarray(predict_labels(np.c_[xx.ravel(), yy.ravel()])).reshape(xx.shape)
    ax.contourf(xx, yy, grid_labels, cmap=plt.cm.Spectral)
    ax.scatter(X[0, :], X[1, :], c=np.ravel(y), s=40, cmap=plt.cm.Spectral, edgecolors="k")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    return ax


def load_2D_dataset(path="datasets/data.mat"):
    """Load the football-field dataset from a .mat file.

    The file must hold ``X`` (m, 2), ``y`` (m, 1), ``Xval`` (m_test, 2) and
    ``yval`` (m_test, 1); any file of that layout works.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    train_X, train_Y, test_X, test_Y : numpy.ndarray
        Shapes (2, m), (1, m), (2, m_test), (1, m_test): one example per column.

    Raises
    ------
    ValueError
        One line naming the file and what is wrong with it.
    """
    import scipy.io

    try:
        contents = scipy.io.loadmat(path)
    except (OSError, ValueError, TypeError, scipy.io.matlab.MatReadError) as error:
        raise ValueError(f"{path}: not a readable .mat file ({error})") from None
    arrays = []
    for name, columns in DATASET_VARIABLES.items():
        if name not in contents:
            raise ValueError(f"{path}: missing variable '{name}'")
        array = np.asarray(contents[name], dtype=float)
        if array.ndim != 2 or array.shape[1] != columns:
            raise ValueError(f"{path}: variable '{name}' has shape {array.shape}, expected (m, {columns})")
        arrays.append(array.T)
    train_X, train_Y, test_X, test_Y = arrays
    if train_X.shape[1] != train_Y.shape[1] or test_X.shape[1] != test_Y.shape[1]:
        raise ValueError(f"{path}: X and y (or Xval and yval) have different numbers of examples")
    return train_X, train_Y, test_X, test_Y


def plot_dataset(X, Y, title=None, ax=None):
    """Scatter the examples of a (2, m) dataset coloured by their (1, m) labels."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(X[0, :], X[1, :], c=np.ravel(Y), s=40, cmap=plt.cm.Spectral, edgecolors="k")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    return ax
