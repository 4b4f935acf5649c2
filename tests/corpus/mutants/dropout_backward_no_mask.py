"""dA1 and dA2 are only rescaled by keep_prob; the cached masks are unpacked but never used."""
SOLUTIONS = {
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    grads = {}

    grads["dZ3"] = A3 - Y
    grads["dW3"] = (1 / m) * grads["dZ3"].dot(A2.T)
    grads["db3"] = (1 / m) * grads["dZ3"].sum(axis=1, keepdims=True)

    grads["dA2"] = W3.T.dot(grads["dZ3"]) / keep_prob
    grads["dZ2"] = grads["dA2"] * (A2 > 0)
    grads["dW2"] = (1 / m) * grads["dZ2"].dot(A1.T)
    grads["db2"] = (1 / m) * grads["dZ2"].sum(axis=1, keepdims=True)

    grads["dA1"] = W2.T.dot(grads["dZ2"]) / keep_prob
    grads["dZ1"] = grads["dA1"] * (A1 > 0)
    grads["dW1"] = (1 / m) * grads["dZ1"].dot(X.T)
    grads["db1"] = (1 / m) * grads["dZ1"].sum(axis=1, keepdims=True)
    return grads
''',
}
EXPECTED_SCORES = {"backward_propagation_with_dropout": 0}
DIAGNOSES = {"backward_propagation_with_dropout": "dropout_backward_no_mask"}
