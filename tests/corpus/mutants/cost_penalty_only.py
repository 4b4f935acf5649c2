"""Only the L2 penalty is returned; the cross-entropy is forgotten."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    frob = np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3))
    cost = (lambd / (2 * m)) * frob
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_penalty_only"}
