"""A generic loop over the layers from the output back, returning extra keys (dA0, dA3) besides the required ones."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    A = {0: X, 1: A1, 2: A2, 3: A3}
    W = {1: W1, 2: W2, 3: W3}
    grads = {}
    dZ = A3 - Y
    for l in range(3, 0, -1):
        if l < 3:
            dZ = grads["dA%d" % l] * (A[l] > 0)
        grads["dZ%d" % l] = dZ
        grads["dW%d" % l] = (dZ @ A[l - 1].T + lambd * W[l]) / m
        grads["db%d" % l] = dZ.sum(axis=1, keepdims=True) / m
        grads["dA%d" % (l - 1)] = W[l].T @ dZ
    grads["dA3"] = -(np.divide(Y, A3) - np.divide(1 - Y, 1 - A3))
    return grads
''',
}
