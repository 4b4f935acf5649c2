"""An infinite loop inside one graded function and a memory bomb at the top of a cell."""
EXTRA_CELLS = [(2, "import numpy\ntry:\n    hog = numpy.ones((50_000, 1_000_000))\nexcept MemoryError:\n    hog = None")]
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    while True:
        pass
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
