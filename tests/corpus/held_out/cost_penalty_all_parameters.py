"""The penalty sums the squares of every entry of parameters, biases included."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy_cost = compute_cost(A3, Y)
    squared = 0
    for value in parameters.values():
        squared += np.sum(np.square(value))
    L2_regularization_cost = lambd / (2 * m) * squared
    cost = cross_entropy_cost + L2_regularization_cost
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "penalty_on_bias"}
