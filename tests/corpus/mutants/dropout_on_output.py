"""A loop applies dropout after every activation, the output layer included."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    A = X
    values = {}
    for l in (1, 2, 3):
        W, b = parameters["W%d" % l], parameters["b%d" % l]
        Z = np.dot(W, A) + b
        A = relu(Z) if l < 3 else sigmoid(Z)
        D = np.random.rand(*A.shape) < keep_prob
        A = A * D / keep_prob
        values[l] = (Z, D, A, W, b)
    Z1, D1, A1, W1, b1 = values[1]
    Z2, D2, A2, W2, b2 = values[2]
    Z3, D3, A3, W3, b3 = values[3]
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
DIAGNOSES = {"forward_propagation_with_dropout": "dropout_on_output"}
