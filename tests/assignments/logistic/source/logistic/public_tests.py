"""The visible checks of the Logistic assignment: each judges a function on its public case as the autograder does.

``public_checks.py`` (written by ``make release`` from the autograder's own checks) holds the public case; to
check a whole notebook from a terminal, in this folder: ``python public_tests.py Logistic.ipynb``.
"""


def check_public_case(name, namespace):
    """Print one PASS line, or stop with the autograder's message for the public case."""
    from public_checks import check_function

    verdict = check_function(name, namespace)
    if not verdict.passed:
        raise AssertionError(verdict.message)
    print(f"PASS {name}: the public case passes")


if __name__ == "__main__":
    import sys

    from public_checks import main

    sys.exit(main())
