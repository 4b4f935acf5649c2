"""Correct functions with renamed parameters, cells that raise or kill their own process, a huge output."""
EXTRA_CELLS = [(2, 'raise ValueError("a cell of mine that fails")'),
               (3, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
               (4, 'print("x" * 100_000_000)')]
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(output, labels, params, strength):
    m = labels.shape[1]
    squares = sum(np.sum(np.square(params[name])) for name in ("W1", "W2", "W3"))
    return compute_cost(output, labels) + strength / (2 * m) * squares
''',
}
