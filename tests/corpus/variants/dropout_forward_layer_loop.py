"""A loop over the layers with names built as "W%d" and "b%d", dropout on every hidden layer."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    L = len(parameters) // 2
    values = {"A0": X}
    for l in range(1, L + 1):
        W = parameters["W%d" % l]
        b = parameters["b%d" % l]
        Z = W.dot(values["A%d" % (l - 1)]) + b
        values["Z%d" % l] = Z
        if l == L:
            values["A%d" % l] = sigmoid(Z)
        else:
            D = np.random.rand(*Z.shape) < keep_prob
            values["D%d" % l] = D
            values["A%d" % l] = relu(Z) * D / keep_prob
    cache = []
    for l in range(1, L + 1):
        cache.append(values["Z%d" % l])
        if l < L:
            cache.append(values["D%d" % l])
        cache += [values["A%d" % l], parameters["W%d" % l], parameters["b%d" % l]]
    return values["A%d" % L], tuple(cache)
''',
}
