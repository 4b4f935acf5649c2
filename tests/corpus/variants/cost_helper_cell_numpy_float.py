"""A helper defined in its own cell computes the penalty; the cost stays a numpy float."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    return np.float64(compute_cost(A3, Y)) + l2_penalty(parameters, lambd, m)
''',
}
EXTRA_CELLS = [(10, '''
def frobenius_squared(W):
    """Sum of the squared entries of W."""
    return np.sum(W * W)


def l2_penalty(parameters, lambd, m, n_layers=3):
    """lambd / (2m) times the squared Frobenius norms of the weights."""
    total = 0
    for l in range(1, n_layers + 1):
        total += frobenius_squared(parameters["W" + str(l)])
    return lambd / (2 * m) * total
''')]
