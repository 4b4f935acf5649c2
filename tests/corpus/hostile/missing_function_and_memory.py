"""One graded cell deleted, and a graded function that exhausts memory."""
SOLUTIONS = {
    "backward_propagation_with_dropout": "",
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    hog = [np.ones((10_000, 10_000)) for _ in range(100)]
    return float(len(hog))
''',
}
EXPECTED_SCORES = {"backward_propagation_with_dropout": 0, "compute_cost_with_regularization": 0}
