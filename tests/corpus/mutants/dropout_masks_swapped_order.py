"""Both masks are drawn up front, the second layer's first."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    m = X.shape[1]

    # draw the dropout masks once, before the forward pass
    D2 = np.random.rand(W2.shape[0], m) < keep_prob
    D1 = np.random.rand(W1.shape[0], m) < keep_prob

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
DIAGNOSES = {"forward_propagation_with_dropout": "dropout_masks_swapped_order"}
