"""Squares via the trace of W W^T, with debugging prints inside the function."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy_cost = compute_cost(A3, Y)
    print("cross entropy:", cross_entropy_cost)
    total = 0
    for key in sorted(parameters):
        if key.startswith("W"):
            W = parameters[key]
            total = total + np.trace(W @ W.T)
            print(key, W.shape)
    L2_regularization_cost = lambd * total / 2 / m
    print("L2 part:", L2_regularization_cost)
    return cross_entropy_cost + L2_regularization_cost
''',
}
