"""Backward dropout reading the cache by index and returning a dict with an extra key."""
SOLUTIONS = {
    "backward_propagation_with_dropout": '''
def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    Z1, D1, A1, W1 = cache[0], cache[1], cache[2], cache[3]
    Z2, D2, A2, W2 = cache[5], cache[6], cache[7], cache[8]
    A3, W3 = cache[11], cache[12]

    grads = {"keep_prob_used": keep_prob}
    dZ3 = A3 - Y
    grads.update(dZ3=dZ3, dW3=dZ3 @ A2.T / m, db3=dZ3.sum(axis=1, keepdims=True) / m)
    dA2 = (W3.T @ dZ3) * D2 / keep_prob
    dZ2 = dA2 * (Z2 > 0)
    grads.update(dA2=dA2, dZ2=dZ2, dW2=dZ2 @ A1.T / m, db2=dZ2.sum(axis=1, keepdims=True) / m)
    dA1 = (W2.T @ dZ2) * D1 / keep_prob
    dZ1 = dA1 * (Z1 > 0)
    grads.update(dA1=dA1, dZ1=dZ1, dW1=dZ1 @ X.T / m, db1=dZ1.sum(axis=1, keepdims=True) / m)
    return grads
''',
}
