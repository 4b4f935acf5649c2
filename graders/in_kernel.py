"""Grading inside the student's own kernel, as stock ``nbgrader autograde`` runs hidden tests.

Each autograded test cell of the notebook calls :func:`grade`. It raises an
``AssertionError`` naming the first failed check when the function is wrong,
so nbgrader scores the cell 0; otherwise the cell scores its full points.
"""
import copy
import warnings

import numpy as np

from graders.grading import PUBLIC_CASE, expected_cases, judge
from graders.plain import flatten, unflatten


def to_plain(value):
    """The value as plain data: what the checks see of a student's output."""
    arrays, spec = flatten(value, "output")
    return unflatten({key: np.array(array, copy=True) for key, array in arrays.items()}, spec)


def grade(function_name, namespace):
    """Check one graded function of a notebook namespace on every case.

    Parameters
    ----------
    function_name : str
    namespace : dict
        The notebook's ``globals()``.

    Raises
    ------
    AssertionError
        With the first failed check of the first failing case.
    """
    function = namespace.get(function_name)
    if not callable(function):
        raise AssertionError(f"{function_name} is not defined: run the cell that defines it")
    for case_id, arguments, expected, _ in expected_cases(function_name):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                output = function(*copy.deepcopy(arguments))
            except Exception as error:
                raise AssertionError(f"{function_name} raised {type(error).__name__}: {error}") from None
        failure = judge(function_name, to_plain(output), expected, arguments, detail=case_id == PUBLIC_CASE)
        if failure is not None:
            raise AssertionError(f"{function_name}, case {case_id}, check '{failure.check}': {failure.message}")
    print(f"{function_name}: all hidden checks passed")
