"""A function raising an error whose message holds a lone surrogate and control characters: that function
scores 0 with its message shown escaped; the student is still recorded, with feedback and valid reports."""
SOLUTIONS = {
    "forward_propagation_with_dropout": '''
def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    raise RuntimeError("half a character: \\ud800, a bell: \\x07, an escape: \\x1b[31m")
''',
}
EXPECTED_SCORES = {"forward_propagation_with_dropout": 0}
