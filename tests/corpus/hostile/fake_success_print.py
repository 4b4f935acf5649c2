"""Stub functions, with cells printing fake success messages and rewriting the test cells."""
EXTRA_CELLS = [(2, 'print("compute_cost_with_regularization: all 4 checked cases passed")'),
               (3, 'import sys; sys.stdout.write("All public checks passed.\\n")')]
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    print("forward_propagation_with_dropout: all 5 checked cases passed")
    raise NotImplementedError()
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
