"""Regenerate the expected arrays from the reference solution.

Writes ``graders/<assignment>/expected/<function>.npz`` (inputs, expected outputs and the outputs of the
catalogued mistakes of every case of the assignment's case table) and, when the source folder has a
``public_tests.py`` with ``public_results``, ``source/<assignment>/public_expected.npz`` (the outputs of the
public cases, shown to students). Running it twice gives identical bytes.

Usage: ``python -m graders.make_expected [--out DIR] [--public-out FILE]``
"""
import argparse
import copy
import os
import platform
import warnings

import numpy as np

from graders.assignment import graders_module
from graders.notebook import ASSIGNMENT, EXPECTED_DIR, SOURCE_DIR
from graders.npzfile import save_npz
from graders.plain import CALL_SEED, flatten
from graders.reference import mistaken_function, reference_namespace

PUBLIC_EXPECTED = os.path.join(SOURCE_DIR, "public_expected.npz")


def library_versions():
    """Versions that the floating-point results depend on."""
    return {"numpy": np.__version__, "python": platform.python_version()}


def call_quietly(function, arguments):
    """``function(*deepcopy(arguments))`` with warnings silenced; None when it raises.

    The global generator is seeded with ``CALL_SEED`` first, as the grading worker does before every call.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        np.random.seed(CALL_SEED)
        try:
            return function(*copy.deepcopy(arguments))
        except (ValueError, IndexError):
            return None


def expected_for_function(function_name, reference):
    """Arrays and metadata of every case of one function: arguments, expected output, mistakes' outputs."""
    assignment = graders_module(ASSIGNMENT)
    mistakes = {m.mistake_id: mistaken_function(m) for m in assignment.MISTAKES if m.function == function_name}
    arrays, cases = {}, {}
    for case in assignment.CASES[function_name]:
        arguments = assignment.case_arguments(function_name, case, reference)
        outputs = {"arguments": arguments, "expected": call_quietly(reference[function_name], arguments)}
        outputs.update({f"mistake/{mistake_id}": call_quietly(function, arguments)
                        for mistake_id, function in mistakes.items()})
        specs = {}
        for name, value in outputs.items():
            value_arrays, specs[name] = flatten(value, f"{case.case_id}/{name}")
            arrays.update(value_arrays)
        cases[case.case_id] = specs
    meta = {"function": function_name, "cases": cases,
            "case_order": [case.case_id for case in assignment.CASES[function_name]],
            "versions": library_versions()}
    return arrays, meta


def public_expected(reference):
    """Outputs of the public cases under the names the notebook's visible checks print, or None.

    Only for an assignment whose ``public_tests.py`` has ``public_results(functions)``.
    """
    import public_tests

    if not hasattr(public_tests, "public_results"):
        return None
    functions = {name: reference[name] for name in graders_module(ASSIGNMENT).CASES}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = public_tests.public_results(functions)
    return {key: np.asarray(value) for key, value in results.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=EXPECTED_DIR, help="folder for <function>.npz")
    parser.add_argument("--public-out", default=PUBLIC_EXPECTED, help="path of public_expected.npz")
    args = parser.parse_args(argv)
    reference = reference_namespace()
    os.makedirs(args.out, exist_ok=True)
    functions = graders_module(ASSIGNMENT).CASES
    for function_name in functions:
        arrays, meta = expected_for_function(function_name, reference)
        save_npz(os.path.join(args.out, function_name + ".npz"), arrays, meta)
    written = [args.out]
    public = public_expected(reference) if os.path.exists(os.path.join(SOURCE_DIR, "public_tests.py")) else None
    if public is not None:
        save_npz(args.public_out, public)
        written.append(args.public_out)
    print(f"wrote {len(functions)} expected files to {' and '.join(written)}")


if __name__ == "__main__":
    main()
