"""The penalty is lambd / 2 times the sum of squares: the 1/m factor is forgotten."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    cross_entropy = compute_cost(A3, Y)
    squares = np.sum(parameters["W1"] ** 2) + np.sum(parameters["W2"] ** 2) + np.sum(parameters["W3"] ** 2)
    l2 = (lambd / 2) * squares
    return cross_entropy + l2
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_missing_one_over_m"}
