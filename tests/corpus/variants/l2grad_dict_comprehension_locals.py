"""Gradients via np.where for the ReLU, the dict built with a comprehension over the names."""
SOLUTIONS = {
    "backward_propagation_with_regularization": '''
def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3 = cache
    reg = lambd / m
    g = {}
    g["dZ3"] = A3 - Y
    g["dW3"] = g["dZ3"].dot(A2.T) / m + reg * W3
    g["db3"] = np.mean(g["dZ3"], axis=1, keepdims=True)
    g["dA2"] = W3.T.dot(g["dZ3"])
    g["dZ2"] = np.where(A2 > 0, g["dA2"], 0.0)
    g["dW2"] = g["dZ2"].dot(A1.T) / m + reg * W2
    g["db2"] = np.mean(g["dZ2"], axis=1, keepdims=True)
    g["dA1"] = W2.T.dot(g["dZ2"])
    g["dZ1"] = np.where(A1 > 0, g["dA1"], 0.0)
    g["dW1"] = g["dZ1"].dot(X.T) / m + reg * W1
    g["db1"] = np.mean(g["dZ1"], axis=1, keepdims=True)
    order = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
    return {name: g[name] for name in order}
''',
}
