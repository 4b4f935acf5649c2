"""np.square in a loop over names built as "W%d", the cost returned as a Python float."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    L = 3
    squares = 0.0
    for l in range(1, L + 1):
        squares += np.sum(np.square(parameters["W%d" % l]))
    cost = compute_cost(A3, Y) + (lambd / (2 * m)) * squares
    return float(cost)
''',
}
