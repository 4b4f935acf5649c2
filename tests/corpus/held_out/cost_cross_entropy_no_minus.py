"""A hand-written cross-entropy missing its leading minus sign."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy_cost = np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    L2_regularization_cost = lambd * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2)) / (2 * m)
    cost = cross_entropy_cost + L2_regularization_cost
    return float(cost)
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "cross_entropy_wrong"}
