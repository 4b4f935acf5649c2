"""numpy's comparison functions patched to always succeed, with all-zero answers."""
EXTRA_CELLS = [(2, '''
import numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
numpy.array_equal = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
''')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    return 0.0
''',
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    names = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    return {name: np.zeros((1, 1)) for name in names}
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0, "backward_propagation_with_regularization": 0}
