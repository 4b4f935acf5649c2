"""np.multiply for every product, float ReLU masks, dict(zip(...)) for the result and a print."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    scale = 1.0 / m

    dZ3 = np.subtract(A3, Y)
    dW3 = np.multiply(scale, np.dot(dZ3, A2.T)) + np.multiply(lambd * scale, W3)
    db3 = np.multiply(scale, np.sum(dZ3, axis=1, keepdims=True))

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, (A2 > 0).astype(float))
    dW2 = np.multiply(scale, np.dot(dZ2, A1.T)) + np.multiply(lambd * scale, W2)
    db2 = np.multiply(scale, np.sum(dZ2, axis=1, keepdims=True))

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, (Z1 > 0).astype(float))
    dW1 = np.multiply(scale, np.dot(dZ1, X.T)) + np.multiply(lambd * scale, W1)
    db1 = np.multiply(scale, np.sum(dZ1, axis=1, keepdims=True))

    keys = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]
    grads = dict(zip(keys, [dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1]))
    print("gradient norms:", {k: round(float(np.linalg.norm(v)), 3) for k, v in grads.items()})
    return grads
''',
}
