"""Correct functions that write to stderr: a UserWarning, a numpy RuntimeWarning and a plain stderr print."""
EXTRA_CELLS = [(2, 'import sys\nprint("note to self: check the shapes", file=sys.stderr)')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    import warnings
    warnings.warn("lambd is a strange name for lambda")
    m = Y.shape[1]
    squares = np.sum(np.square(parameters["W1"])) + np.sum(np.square(parameters["W2"])) \\
        + np.sum(np.square(parameters["W3"]))
    return compute_cost(A3, Y) + lambd / (2 * m) * squares
''',
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    import sys
    print("dropout backward: reusing the masks of the forward pass", file=sys.stderr)
    np.log(np.zeros(1))  # a RuntimeWarning on stderr, harmless
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T)
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3) * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T)
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2) * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T)
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}
