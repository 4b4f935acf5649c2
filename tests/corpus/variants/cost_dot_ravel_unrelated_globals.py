"""np.dot(w.ravel(), w.ravel()) for the squares; extra cells redefine lambd, m and parameters at top level."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    weights = [parameters["W1"], parameters["W2"], parameters["W3"]]
    penalty = sum(np.dot(w.ravel(), w.ravel()) for w in weights)
    return compute_cost(A3, Y) + lambd * penalty / (2 * m)
''',
}
EXTRA_CELLS = [
    (10, "lambd = 0.7\nm = 211\nparameters = {'W1': 'not a matrix'}"),
    (12, "lambd = 'oops'\nY = None"),
]
