"""The loop over the layers starts at layer 2, so W1 is not penalised."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    L2_sum = 0
    for layer in range(2, 4):
        L2_sum = L2_sum + np.sum(parameters["W%d" % layer] * parameters["W%d" % layer])
    return compute_cost(A3, Y) + lambd * L2_sum / (2 * m)
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
EXPECTED_DIAGNOSIS = {"function": "compute_cost_with_regularization", "origin": ["cost"], "property": "penalty_missing_layer"}
