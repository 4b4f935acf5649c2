"""Forward dropout with @, explicit .copy() of the activations before in-place masking, and the boolean mask used as an index."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0).copy()
    r1 = np.random.rand(*A1.shape)
    D1 = r1 < keep_prob
    A1[~D1] = 0
    A1 /= keep_prob

    Z2 = W2 @ A1 + b2
    A2 = np.maximum(Z2, 0).copy()
    r2 = np.random.rand(*A2.shape)
    D2 = r2 < keep_prob
    A2[~D2] = 0
    A2 /= keep_prob

    Z3 = W3 @ A2 + b3
    A3 = 1 / (1 + np.exp(-Z3))
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
''',
}
