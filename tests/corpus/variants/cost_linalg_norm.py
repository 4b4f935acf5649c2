"""The penalty from squared Frobenius norms, with an extra print and an extra cell."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    norms = [np.linalg.norm(parameters["W%d" % layer]) ** 2 for layer in (1, 2, 3)]
    print("computing the regularized cost")
    return compute_cost(A3, Y) + lambd * sum(norms) / (2 * m)
''',
}
EXTRA_CELLS = [(3, 'print("my own cell")')]
