"""Check every held-out entry against the reference solution.

Run from anywhere: ``python tests/corpus/held_out/_verify.py``. For each entry
the mistaken function and the reference one are called on the grader's cases
(``graders.regularization.cases.CASES``) and on a few extra seeded argument sets, and the
script asserts that

1. the entry runs without error on every argument set;
2. its outputs differ from the reference somewhere (not allclose, rtol 1e-7);
3. every ``origin`` key of ``EXPECTED_DIAGNOSIS`` is among the differing keys;
4. the ``origin`` keys are the earliest differing ones: every other differing
   key lies downstream of an origin key, no origin key lies downstream of a
   differing key outside ``origin``, and no origin key lies downstream of
   another origin key.

"Downstream" follows the data flow of the network (the DEPENDS_ON tables
below). In the dropout forward pass the second mask is drawn after the first
from the same generator, so a change to how D1 is drawn may shift D2 as well;
that link counts when explaining a differing D2, not when judging whether the
origin is minimal.

Prints one row per entry and exits with status 1 if any entry fails.
"""
import copy
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, ROOT)

from graders.regularization.cases import CASES, Case, case_arguments  # noqa: E402
from graders.notebook import GRADED_FUNCTIONS, SOURCE_DIR, strip_magics  # noqa: E402
from graders.regularization.gradient_check import reference_function  # noqa: E402
from tests.corpus import load_entries  # noqa: E402

if SOURCE_DIR not in sys.path:
    sys.path.insert(0, SOURCE_DIR)
import reg_utils  # noqa: E402

PROPERTIES = {
    "penalty_factor", "penalty_missing", "penalty_sign", "penalty_missing_layer", "penalty_on_bias",
    "penalty_wrong_weights", "gradient_factor", "cross_entropy_wrong", "scaling_missing", "scaling_inverted",
    "mask_comparison_flipped", "mask_not_applied", "wrong_layer_mask", "no_seed", "fresh_draws",
    "wrong_distribution", "activation_derivative", "wrong_order",
}
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
CACHE_NAMES = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")

BACKWARD_DEPENDS_ON = {
    "dZ3": (), "dW3": ("dZ3",), "db3": ("dZ3",), "dA2": ("dZ3",), "dZ2": ("dA2",),
    "dW2": ("dZ2",), "db2": ("dZ2",), "dA1": ("dZ2",), "dZ1": ("dA1",), "dW1": ("dZ1",), "db1": ("dZ1",),
}
FORWARD_DEPENDS_ON = {
    "Z1": (), "D1": (), "A1": ("Z1", "D1"), "Z2": ("A1",), "D2": (), "A2": ("Z2", "D2"),
    "Z3": ("A2",), "A3": ("Z3",), "W1": (), "b1": (), "W2": (), "b2": (), "W3": (), "b3": (),
}
# D2 is drawn after D1 from the same generator.
FORWARD_DRAW_ORDER = {"D2": ("D1",)}

DEPENDS_ON = {
    "compute_cost_with_regularization": {"cost": ()},
    "backward_propagation_with_regularization": BACKWARD_DEPENDS_ON,
    "forward_propagation_with_dropout": FORWARD_DEPENDS_ON,
    "backward_propagation_with_dropout": BACKWARD_DEPENDS_ON,
}
EXTRA_LINKS = {"forward_propagation_with_dropout": FORWARD_DRAW_ORDER}

# Argument sets beyond the grader's cases: the notebook's network widths, and equal hidden widths.
EXTRA_CASES = {
    "compute_cost_with_regularization": (Case("extra_notebook", 101, 12, (2, 20, 3, 1), 0.7),
                                         Case("extra_equal", 102, 9, (3, 4, 4, 1), 0.3)),
    "backward_propagation_with_regularization": (Case("extra_notebook", 201, 12, (2, 20, 3, 1), 0.7),
                                                 Case("extra_equal", 202, 9, (3, 4, 4, 1), 0.3)),
    "forward_propagation_with_dropout": (Case("extra_notebook", 301, 12, (2, 20, 3, 1), 0.86),
                                         Case("extra_equal", 302, 9, (3, 4, 4, 1), 0.6)),
    "backward_propagation_with_dropout": (Case("extra_notebook", 401, 12, (2, 20, 3, 1), 0.86),
                                          Case("extra_equal", 402, 9, (3, 4, 4, 1), 0.6)),
}
GLOBAL_SEED = 2024  # state of numpy's global generator before every call


def define(function_name, source):
    """The function defined by ``source`` over the helper module, as a solution cell runs in the notebook."""
    namespace = {**vars(reg_utils), "np": np}
    exec(compile(strip_magics(source), function_name, "exec"), namespace)
    return namespace[function_name]


def named_outputs(function_name, result):
    """The outputs of one call as ``{key: value}``."""
    if function_name == "compute_cost_with_regularization":
        return {"cost": result}
    if function_name == "forward_propagation_with_dropout":
        A3, cache = result
        named = dict(zip(CACHE_NAMES, cache))
        named["A3"] = (A3, named.get("A3"))
        return named
    return {key: result.get(key) for key in GRADIENT_KEYS}


def same(a, b):
    """True when two outputs agree to rtol 1e-7 (and shape)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    if a is None or b is None:
        return a is None and b is None
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-7, atol=1e-12, equal_nan=True))


def call(function, function_name, arguments):
    np.random.seed(GLOBAL_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return named_outputs(function_name, function(*copy.deepcopy(arguments)))


def ancestors(key, links):
    """Every key that ``key`` depends on, directly or not, through ``links``."""
    seen, stack = set(), list(links.get(key, ()))
    while stack:
        parent = stack.pop()
        if parent not in seen:
            seen.add(parent)
            stack.extend(links.get(parent, ()))
    return seen


def argument_sets(function_name):
    reference = {"forward_propagation": reg_utils.forward_propagation,
                 "forward_propagation_with_dropout": reference_function("forward_propagation_with_dropout")}
    cases = CASES[function_name] + EXTRA_CASES[function_name]
    return [(case.case_id, case_arguments(function_name, case, reference)) for case in cases]


def check_entry(entry):
    """``(function, property, differing keys, problems)`` of one entry."""
    problems = []
    if not (entry.__doc__ or "").strip() or "\n" in entry.__doc__.strip():
        problems.append("module docstring missing or longer than one line")
    if len(entry.SOLUTIONS) != 1:
        return None, None, [], ["SOLUTIONS must change exactly one function"]
    (function_name, source), = entry.SOLUTIONS.items()
    diagnosis = entry.EXPECTED_DIAGNOSIS
    if function_name not in GRADED_FUNCTIONS:
        problems.append(f"unknown function {function_name}")
    if entry.EXPECTED_SCORES != {function_name: 0}:
        problems.append("EXPECTED_SCORES must be {function: 0}")
    if diagnosis.get("function") != function_name:
        problems.append("EXPECTED_DIAGNOSIS names another function")
    if diagnosis.get("property") not in PROPERTIES:
        problems.append(f"property {diagnosis.get('property')!r} is not in the vocabulary")
    origin = list(diagnosis.get("origin") or ())
    depends = DEPENDS_ON.get(function_name, {})
    if not origin or any(key not in depends for key in origin):
        problems.append(f"origin {origin} is empty or names unknown keys")
    if problems:
        return function_name, diagnosis.get("property"), [], problems

    try:
        mistaken = define(function_name, source)
    except Exception as error:  # noqa: BLE001
        return function_name, diagnosis["property"], [], [f"(1) the cell does not run: {type(error).__name__}: {error}"]
    reference = reference_function(function_name)
    differing = set()
    for case_id, arguments in argument_sets(function_name):
        expected = call(reference, function_name, arguments)
        try:
            actual = call(mistaken, function_name, arguments)
        except Exception as error:  # noqa: BLE001 - any failure of the entry is reported
            problems.append(f"{case_id}: raised {type(error).__name__}: {error}")
            continue
        differing |= {key for key in expected if not same(actual.get(key), expected[key])}

    order = list(depends)
    differing_sorted = sorted(differing, key=order.index)
    if not problems:
        if not differing:
            problems.append("(2) no output differs from the reference")
        missing = [key for key in origin if key not in differing]
        if missing:
            problems.append(f"(3) origin keys {missing} do not differ")
        links = {key: depends[key] + EXTRA_LINKS.get(function_name, {}).get(key, ()) for key in depends}
        unexplained = [key for key in differing - set(origin) if not ancestors(key, links) & set(origin)]
        if unexplained:
            problems.append(f"(4) {sorted(unexplained, key=order.index)} differ but are not downstream of the origin")
        for key in origin:
            upstream = ancestors(key, depends)
            if upstream & (differing - set(origin)):
                problems.append(f"(4) origin {key} lies downstream of differing {sorted(upstream & differing)}")
            if upstream & set(origin):
                problems.append(f"(4) origin {key} lies downstream of origin {sorted(upstream & set(origin))}")
    return function_name, diagnosis["property"], differing_sorted, problems


def main():
    entries = load_entries("held_out")
    failures = 0
    per_function, per_property = {}, {}
    print(f"{'entry':<38} {'function':<41} {'property':<24} differing keys")
    for name, entry in entries.items():
        function_name, prop, differing, problems = check_entry(entry)
        status = "ok" if not problems else "FAIL"
        print(f"{name:<38} {str(function_name):<41} {str(prop):<24} {','.join(differing)}  [{status}]")
        for problem in problems:
            print(f"    {problem}")
        failures += bool(problems)
        per_function[function_name] = per_function.get(function_name, 0) + 1
        per_property[prop] = per_property.get(prop, 0) + 1
    print()
    print("per function:", ", ".join(f"{k} {v}" for k, v in sorted(per_function.items(), key=lambda kv: str(kv[0]))))
    print("per property:", ", ".join(f"{k} {v}" for k, v in sorted(per_property.items(), key=lambda kv: str(kv[0]))))
    print(f"{len(entries) - failures} of {len(entries)} entries pass")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
