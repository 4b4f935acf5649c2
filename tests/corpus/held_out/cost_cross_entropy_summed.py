"""A hand-written cross-entropy summed over the examples instead of averaged."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cross_entropy_cost = np.sum(logprobs)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(parameters["W1"]))
                                                + np.sum(np.square(parameters["W2"]))
                                                + np.sum(np.square(parameters["W3"])))
    return cross_entropy_cost + L2_regularization_cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "cross_entropy_wrong"}
