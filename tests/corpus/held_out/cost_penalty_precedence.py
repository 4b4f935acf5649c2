"""The penalty is written lambd / 2 * m, which multiplies by m where it should divide by 2m."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    squares = np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2)
    L2 = lambd / 2 * m * squares
    return compute_cost(A3, Y) + L2
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "penalty_factor"}
