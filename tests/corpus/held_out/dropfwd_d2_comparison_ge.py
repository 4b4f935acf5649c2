"""The second mask is drawn as rand >= keep_prob, keeping the wrong units; written with *shape and astype(int)."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))

    Z1 = W1 @ X + b1
    A1 = relu(Z1)
    D1 = (np.random.rand(*A1.shape) < keep_prob).astype(int)
    A1 = A1 * D1 / keep_prob

    Z2 = W2 @ A1 + b2
    A2 = relu(Z2)
    D2 = (np.random.rand(*A2.shape) >= keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob

    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
EXPECTED_DIAGNOSIS = {"function": "forward_propagation_with_dropout", "origin": ["D2"], "property": "mask_comparison_flipped"}
