"""dA1 is divided by keep_prob but the D1 mask is not applied; dA2 is handled right."""
SOLUTIONS = {
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache

    dZ3 = A3 - Y
    dW3 = (1 / m) * dZ3.dot(A2.T)
    db3 = (1 / m) * dZ3.sum(axis=1, keepdims=True)

    dA2 = W3.T.dot(dZ3) * D2 / keep_prob
    dZ2 = dA2 * np.int64(A2 > 0)
    dW2 = (1 / m) * dZ2.dot(A1.T)
    db2 = (1 / m) * dZ2.sum(axis=1, keepdims=True)

    dA1 = W2.T.dot(dZ2) / keep_prob
    dZ1 = dA1 * np.int64(A1 > 0)
    dW1 = (1 / m) * dZ1.dot(X.T)
    db1 = (1 / m) * dZ1.sum(axis=1, keepdims=True)

    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2,
            "db2": db2, "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}
EXPECTED_SCORES = {"backward_propagation_with_dropout": 0}
EXPECTED_DIAGNOSIS = {"function": "backward_propagation_with_dropout", "origin": ["dA1"], "property": "mask_not_applied"}
