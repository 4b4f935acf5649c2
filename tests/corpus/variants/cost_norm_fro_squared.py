"""np.linalg.norm(W, 'fro') ** 2 summed with a generator, the cost wrapped in np.squeeze then float."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    reg = sum(np.linalg.norm(parameters[f"W{i}"], "fro") ** 2 for i in range(1, 4))
    cost = np.squeeze(compute_cost(A3, Y) + lambd * reg / (2 * m))
    return float(cost)
''',
}
