"""Every entry of the parameters dict is penalised, the biases included."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    total = 0.0
    for key, value in parameters.items():
        total = total + np.sum(np.square(value))
    L2_regularization_cost = lambd * total / (2 * m)
    cost = compute_cost(A3, Y) + L2_regularization_cost
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_includes_biases"}
