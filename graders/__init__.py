"""Hidden graders of the Regularization assignment.

Nothing in this package is given to students: it holds the case table, the
expected arrays generated from the reference solution, and the checks that
turn a student's outputs into a verdict.
"""
