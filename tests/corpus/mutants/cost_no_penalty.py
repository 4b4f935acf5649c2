"""The penalty is computed but never added to the returned cost."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1 = parameters["W1"]
    W2 = parameters["W2"]
    W3 = parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))
    cost = cross_entropy_cost
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_no_penalty"}
