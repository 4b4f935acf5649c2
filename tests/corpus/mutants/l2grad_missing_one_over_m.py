"""The unregularized gradients from the helper, plus lambd * W without 1/m."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    grads = backward_propagation(X, Y, cache)
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    grads["dW1"] = grads["dW1"] + lambd * W1
    grads["dW2"] = grads["dW2"] + lambd * W2
    grads["dW3"] = grads["dW3"] + lambd * W3
    return grads
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
DIAGNOSES = {"backward_propagation_with_regularization": "l2grad_missing_one_over_m"}
