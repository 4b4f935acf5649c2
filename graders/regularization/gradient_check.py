"""Numerical gradient check of the L2-regularized cost.

The gradients returned by ``backward_propagation_with_regularization`` must be
the derivatives of the regularized cost. Central differences of that cost
(the reference cost on the helper's forward pass) give them independently of
any backward pass.

They depend only on the case (the grader's own arguments, never a student's output), so a process computes
them once per case and every submission it grades is checked against the same arrays.
"""
import functools
import hashlib
import sys

import numpy as np

from graders.notebook import SOURCE_DIR, grade_id, read_source_notebook, strip_magics

EPSILON = 1e-6
PARAMETER_POSITIONS = {"W1": 2, "b1": 3, "W2": 6, "b2": 7, "W3": 10, "b3": 11}


def numerical_gradients(X, Y, cache, lambd):
    """``{"dW1": ..., "db1": ..., ..., "db3": ...}`` by central differences of the regularized cost.

    Computed once per process for each distinct case (keyed by a digest of the arguments' bytes, shapes and
    dtypes); each call returns its own copies.

    Parameters
    ----------
    X, Y : numpy.ndarray
    cache : tuple
        The plain forward pass cache ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``; only the
        parameters are read from it.
    lambd : float
    """
    parameters = {name: np.array(cache[position], dtype=np.float64)
                  for name, position in PARAMETER_POSITIONS.items()}
    key = _case_digest(X, Y, parameters, lambd)
    gradients = _COMPUTED.get(key)
    if gradients is None:
        gradients = _central_differences(X, Y, parameters, lambd)
        if len(_COMPUTED) < MAX_CASES_KEPT:
            _COMPUTED[key] = gradients
    return {name: value.copy() for name, value in gradients.items()}


MAX_CASES_KEPT = 256  # distinct cases whose gradients a process keeps (an assignment has a few dozen)
_COMPUTED = {}  # {case digest: gradients}


def _case_digest(X, Y, parameters, lambd):
    """A digest of everything the numerical gradients depend on."""
    digest = hashlib.sha256(repr(float(lambd)).encode())
    for value in (np.asarray(X), np.asarray(Y), *parameters.values()):
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    return digest.digest()


def _central_differences(X, Y, parameters, lambd):
    """The numerical gradients of the regularized cost at ``parameters`` (changed and restored in place)."""
    if SOURCE_DIR not in sys.path:
        sys.path.insert(0, SOURCE_DIR)
    from reg_utils import forward_propagation

    cost_function = reference_function("compute_cost_with_regularization")

    def cost():
        A3, _ = forward_propagation(X, parameters)
        return cost_function(A3, Y, parameters, lambd)

    gradients = {}
    with np.errstate(all="ignore"):
        for name, values in parameters.items():
            gradient = np.zeros_like(values)
            for index in np.ndindex(values.shape):
                original = values[index]
                values[index] = original + EPSILON
                plus = cost()
                values[index] = original - EPSILON
                minus = cost()
                values[index] = original
                gradient[index] = (plus - minus) / (2 * EPSILON)
            gradients["d" + name] = gradient
    return gradients


def relative_difference(actual, numerical):
    """``|actual - numerical| / (|actual| + |numerical|)`` in the Euclidean norm (0 when both are 0)."""
    denominator = np.linalg.norm(actual) + np.linalg.norm(numerical)
    return float(np.linalg.norm(actual - numerical) / denominator) if denominator else 0.0


@functools.lru_cache(maxsize=None)
def reference_function(function_name):
    """One reference function, defined by its solution cell alone on top of the helper module.

    Lighter than :func:`graders.reference.reference_namespace` (no notebook imports, no plotting library): the
    trusted grader uses it for the numerical gradient check.
    """
    if SOURCE_DIR not in sys.path:
        sys.path.insert(0, SOURCE_DIR)
    import reg_utils

    cell = next(cell for cell in read_source_notebook().cells if grade_id(cell) == function_name)
    namespace = {**vars(reg_utils), "np": np}
    exec(compile(strip_magics(cell.source), function_name, "exec"), namespace)
    return namespace[function_name]
