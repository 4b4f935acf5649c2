"""The penalty divided by m instead of 2m."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    penalty = 0
    for name in ("W1", "W2", "W3"):
        penalty += np.sum(parameters[name] ** 2)
    return compute_cost(A3, Y) + lambd / m * penalty
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_lambda_over_m"}
