"""IPython magics, a shell escape and a plotting cell among the student's own cells."""
SOLUTIONS = {
    "compute_cost_with_regularization": '''
def compute_cost_with_regularization(A3, Y, parameters, lambd):
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    return compute_cost(A3, Y) + lambd / (2 * m) * (np.sum(W1 ** 2) + np.sum(W2 ** 2) + np.sum(W3 ** 2))
''',
}
EXTRA_CELLS = [
    (2, "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n!ls datasets\nprint('magics done')"),
    (4, "%%time\nfor i in range(3):\n    print(i)"),
    (9, '''
xs = np.linspace(-3, 3, 50)
plt.figure()
plt.plot(xs, relu(xs), label="relu")
plt.plot(xs, sigmoid(xs), label="sigmoid")
plt.legend()
plt.title("activations")
plt.show()
'''),
    (33, "%matplotlib inline\nplt.figure(); plt.bar(['a', 'b'], [1, 2]); plt.show()\nprint('the end')"),
]
