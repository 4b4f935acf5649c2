"""A dropout helper with its own keep_prob default, defined in an extra cell; an extra cell calls the graded function with its default keep_prob."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = np.dot(W1, X) + b1
    A1, D1 = apply_dropout(relu(Z1), keep_prob)
    Z2 = np.dot(W2, A1) + b2
    A2, D2 = apply_dropout(relu(Z2), keep_prob)
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
''',
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dA2 = undo_dropout(np.dot(W3.T, dZ3), D2, keep_prob)
    dZ2 = relu_backward(dA2, A2)
    dA1 = undo_dropout(np.dot(W2.T, dZ2), D1, keep_prob)
    dZ1 = relu_backward(dA1, A1)
    gradients = {"dZ3": dZ3, "dA2": dA2, "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1}
    for l, dZ, A_prev in ((3, dZ3, A2), (2, dZ2, A1), (1, dZ1, X)):
        gradients["dW%d" % l] = np.dot(dZ, A_prev.T) / m
        gradients["db%d" % l] = np.sum(dZ, axis=1, keepdims=True) / m
    return gradients
''',
}
EXTRA_CELLS = [
    (21, '''
def apply_dropout(A, keep_prob=0.5):
    """Inverted dropout: returns the scaled activations and the boolean mask."""
    D = np.random.rand(A.shape[0], A.shape[1]) < keep_prob
    return A * D / keep_prob, D


def undo_dropout(dA, D, keep_prob=0.5):
    return dA * D / keep_prob


def relu_backward(dA, A):
    return dA * (A > 0)
'''),
    (24, '''
_X = np.random.randn(2, 4)
_params = initialize_parameters([2, 5, 3, 1])
_A3, _cache = forward_propagation_with_dropout(_X, _params)
print("output with the default keep_prob:", _A3)
print("kept fraction of layer 1:", _cache[1].mean())
'''),
]
