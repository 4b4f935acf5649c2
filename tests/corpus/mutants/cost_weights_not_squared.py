"""The penalty sums the absolute values of the weights (an L1 penalty)."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    l1 = 0
    for name in ["W1", "W2", "W3"]:
        l1 += np.abs(parameters[name]).sum()
    return compute_cost(A3, Y) + lambd / (2 * m) * l1
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_weights_not_squared"}
