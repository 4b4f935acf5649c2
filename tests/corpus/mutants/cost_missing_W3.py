"""An off-by-one range over the layers: W3 is never penalised."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy_cost = compute_cost(A3, Y)
    sum_sq = 0
    for l in range(1, 3):
        W = parameters["W" + str(l)]
        sum_sq += np.sum(np.multiply(W, W))
    L2_regularization_cost = (1 / m) * (lambd / 2) * sum_sq
    return cross_entropy_cost + L2_regularization_cost
''',
}
EXPECTED_SCORES = {"compute_cost_with_regularization": 0}
DIAGNOSES = {"compute_cost_with_regularization": "cost_missing_W3"}
