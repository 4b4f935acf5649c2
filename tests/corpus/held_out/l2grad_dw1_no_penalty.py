"""dW1 lacks the lambd / m * W1 term; written with the @ operator."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    reg = lambd / m

    dZ3 = A3 - Y
    dW3 = (dZ3 @ A2.T) / m + reg * W3
    db3 = dZ3.sum(axis=1, keepdims=True) / m

    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = (dZ2 @ A1.T) / m + reg * W2
    db2 = dZ2.sum(axis=1, keepdims=True) / m

    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = (dZ1 @ X.T) / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "backward_propagation_with_regularization", "origin": ["dW1"], "property": "penalty_missing"}
