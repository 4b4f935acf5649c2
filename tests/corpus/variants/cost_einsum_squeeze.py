"""Sums of squares with np.einsum, the cost squeezed to a 0-d numpy value."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = (parameters[k] for k in ("W1", "W2", "W3"))
    frobenius = np.einsum("ij,ij->", W1, W1) + np.einsum("ij,ij->", W2, W2) + np.einsum("ij,ij->", W3, W3)
    cost = compute_cost(A3, Y) + 0.5 * lambd * frobenius / m
    return np.squeeze(cost)
''',
}
