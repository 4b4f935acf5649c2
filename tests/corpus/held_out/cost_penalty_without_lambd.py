"""The penalty is the sum of squared weights over 2m, with lambd left out."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """Cross-entropy plus the L2 penalty."""
    m = Y.shape[1]
    sum_of_squares = sum(np.sum(np.square(parameters[key])) for key in ("W1", "W2", "W3"))
    L2_regularization_cost = sum_of_squares / (2 * m)
    cost = compute_cost(A3, Y) + L2_regularization_cost
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "penalty_factor"}
