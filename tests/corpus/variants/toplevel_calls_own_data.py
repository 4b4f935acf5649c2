"""Extra cells that call the graded functions at top level on the student's own random data, and a gradient check."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
''',
}
EXTRA_CELLS = [(17, '''
# numerical gradient check of dW1[0, 0]
rng = np.random.RandomState(0)
Xc, Yc = rng.randn(2, 6), (rng.rand(1, 6) > 0.5).astype(int)
pc = initialize_parameters([2, 4, 3, 1])
A3c, cachec = forward_propagation(Xc, pc)
grads_c = backward_propagation_with_regularization(Xc, Yc, cachec, 0.7)
eps = 1e-6
plus = {k: v.copy() for k, v in pc.items()}; plus["W1"][0, 0] += eps
minus = {k: v.copy() for k, v in pc.items()}; minus["W1"][0, 0] -= eps
numeric = (compute_cost_with_regularization(forward_propagation(Xc, plus)[0], Yc, plus, 0.7)
           - compute_cost_with_regularization(forward_propagation(Xc, minus)[0], Yc, minus, 0.7)) / (2 * eps)
print("analytic", grads_c["dW1"][0, 0], "numeric", numeric)
''')]
