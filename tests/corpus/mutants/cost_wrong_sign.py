"""The penalty is subtracted from the cross-entropy."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    weights = [parameters[k] for k in ("W1", "W2", "W3")]
    reg = sum(np.sum(w * w) for w in weights)
    reg = reg * lambd / (2 * m)
    cost = compute_cost(A3, Y) - reg
    return cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_wrong_sign"}
