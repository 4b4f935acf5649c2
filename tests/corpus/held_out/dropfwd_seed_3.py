"""The generator is seeded with 3 instead of 1; a loop over the two hidden layers."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(3)
    A = X
    saved = []
    for l in (1, 2):
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A) + b
        A = relu(Z)
        D = np.random.rand(A.shape[0], A.shape[1]) < keep_prob
        A = A * D / keep_prob
        saved += [Z, D, A, W, b]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z3 = np.dot(W3, A) + b3
    A3 = sigmoid(Z3)
    cache = tuple(saved) + (Z3, A3, W3, b3)
    return A3, cache
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
EXPECTED_DIAGNOSIS = {"function": "forward_propagation_with_dropout", "origin": ["D1", "D2"], "property": "no_seed"}
