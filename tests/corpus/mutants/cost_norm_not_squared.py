"""Frobenius norms of the weights, not squared."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    norms = np.linalg.norm(parameters["W1"]) + np.linalg.norm(parameters["W2"]) + np.linalg.norm(parameters["W3"])
    L2_regularization_cost = lambd * norms / (2 * m)
    return compute_cost(A3, Y) + L2_regularization_cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_norm_not_squared"}
