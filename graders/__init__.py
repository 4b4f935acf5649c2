"""The grading engine and, in one package per assignment (``graders/<assignment>/``), the hidden graders.

Nothing in this package is given to students, except what ``make release`` bundles for an assignment's public
case (see :mod:`graders.release_checks`). The engine knows no assignment: it reads each one's source folder and
graders package through :mod:`graders.assignment`.
"""
