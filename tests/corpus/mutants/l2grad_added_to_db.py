"""Every parameter gradient, biases included, gets lambd / m times its parameter."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    grads = backward_propagation(X, Y, cache)
    for name, value in params.items():
        grads["d" + name] = grads["d" + name] + (lambd / m) * value
    return grads
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
DIAGNOSES = {"backward_propagation_with_regularization": "l2grad_added_to_db"}
