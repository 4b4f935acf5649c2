"""lambd is accepted but never used: these are the plain gradients."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    grads = {}
    grads["dZ3"] = A3 - Y
    grads["dW3"] = grads["dZ3"] @ A2.T / m
    grads["db3"] = grads["dZ3"].sum(axis=1, keepdims=True) / m
    grads["dA2"] = W3.T @ grads["dZ3"]
    grads["dZ2"] = grads["dA2"] * (A2 > 0).astype(float)
    grads["dW2"] = grads["dZ2"] @ A1.T / m
    grads["db2"] = grads["dZ2"].sum(axis=1, keepdims=True) / m
    grads["dA1"] = W2.T @ grads["dZ2"]
    grads["dZ1"] = grads["dA1"] * (A1 > 0).astype(float)
    grads["dW1"] = grads["dZ1"] @ X.T / m
    grads["db1"] = grads["dZ1"].sum(axis=1, keepdims=True) / m
    return grads
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
DIAGNOSES = {"backward_propagation_with_regularization": "l2grad_no_term"}
