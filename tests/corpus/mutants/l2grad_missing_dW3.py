"""The helper's gradients, with the term added in a loop that skips layer 3."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    W1, W2 = cache[2], cache[6]
    gradients = backward_propagation(X, Y, cache)
    for l, W in ((1, W1), (2, W2)):
        gradients["dW" + str(l)] = gradients["dW" + str(l)] + lambd / m * W
    return gradients
''',
}
EXPECTED_SCORES = {"backward_propagation_with_regularization": 0}
DIAGNOSES = {"backward_propagation_with_regularization": "l2grad_missing_dW3"}
