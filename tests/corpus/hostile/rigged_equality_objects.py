"""Returned objects that claim to equal anything: rigged __eq__, __array__, ndarray subclass, float subclass."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
class AlwaysEqual(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __lt__(self, other): return True
    def __le__(self, other): return True
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    return AlwaysEqual(0.0)
''',
    "backward_propagation_with_regularization": '''
class Anything:
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None): return np.zeros((1, 1))
    def __array_ufunc__(self, *args, **kwargs): return True
    def __array_function__(self, *args, **kwargs): return True
    shape = property(lambda self: (1, 1))
def backward_propagation_with_regularization(X, Y, cache, lambd):
    names = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    return {name: Anything() for name in names}
''',
    "forward_propagation_with_dropout": '''
class Lenient(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
    def __sub__(self, other): return np.zeros(np.shape(other))
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    zero = np.zeros((1, X.shape[1])).view(Lenient)
    return zero, tuple(zero for _ in range(14))
''',
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    names = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    return {name: np.full((1, 1), np.nan) for name in names}
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0, "backward_propagation_with_regularization": 0,
                   "forward_propagation_with_dropout": 0, "backward_propagation_with_dropout": 0}
