"""The plain backward pass with a loop adding lambd / (2 * m) * W to every dW, half the right penalty."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    gradients = backward_propagation(X, Y, cache)
    weights = {"W1": W1, "W2": W2, "W3": W3}
    for name, W in weights.items():
        gradients["d" + name] = gradients["d" + name] + lambd / (2 * m) * W
    return gradients
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "backward_propagation_with_regularization", "origin": ["dW1", "dW2", "dW3"], "property": "penalty_factor"}
