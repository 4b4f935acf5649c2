"""The L2 penalty is computed but the function returns the plain cross-entropy."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    cost = cross_entropy_cost
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "penalty_missing"}
