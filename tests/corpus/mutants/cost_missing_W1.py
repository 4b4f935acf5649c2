"""Only W2 and W3 are penalised."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W2 = parameters["W2"]
    W3 = parameters["W3"]
    penalty = np.sum(np.square(W2)) + np.sum(np.square(W3))
    cost = compute_cost(A3, Y) + lambd * penalty / (2. * m)
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_missing_W1"}
