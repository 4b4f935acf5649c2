"""Regenerate the expected arrays from the reference solution.

Writes ``graders/expected/<function>.npz`` (inputs and expected outputs of
every case) and ``source/regularization/public_expected.npz`` (the outputs of
the public cases, shown to students). Running it twice gives identical bytes.

Usage: ``python -m graders.make_expected [--out DIR] [--public-out FILE]``
"""
import argparse
import copy
import os
import platform
import warnings

import numpy as np

from graders.cases import CASES, case_arguments
from graders.mistakes import MISTAKES
from graders.notebook import ROOT, SOURCE_DIR
from graders.npzfile import save_npz
from graders.plain import CALL_SEED, flatten
from graders.reference import mistaken_function, reference_namespace

EXPECTED_DIR = os.path.join(ROOT, "graders", "expected")
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
    mistakes = {m.mistake_id: mistaken_function(m) for m in MISTAKES if m.function == function_name}
    arrays, cases = {}, {}
    for case in CASES[function_name]:
        arguments = case_arguments(function_name, case, reference)
        outputs = {"arguments": arguments, "expected": call_quietly(reference[function_name], arguments)}
        outputs.update({f"mistake/{mistake_id}": call_quietly(function, arguments)
                        for mistake_id, function in mistakes.items()})
        specs = {}
        for name, value in outputs.items():
            value_arrays, specs[name] = flatten(value, f"{case.case_id}/{name}")
            arrays.update(value_arrays)
        cases[case.case_id] = specs
    meta = {"function": function_name, "cases": cases, "case_order": [case.case_id for case in CASES[function_name]],
            "versions": library_versions()}
    return arrays, meta


def public_expected(reference):
    """Outputs of the public cases under the names the notebook's visible checks print."""
    import public_tests

    functions = {name: reference[name] for name in CASES}
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
    for function_name in CASES:
        arrays, meta = expected_for_function(function_name, reference)
        save_npz(os.path.join(args.out, function_name + ".npz"), arrays, meta)
    save_npz(args.public_out, public_expected(reference))
    print(f"wrote {len(CASES)} expected files to {args.out} and {args.public_out}")


if __name__ == "__main__":
    main()
