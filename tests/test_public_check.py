"""The release's own check: with the release folder alone, a student gets the autograder's public-case verdict.

Every notebook below is checked twice: by the sandboxed autograder of this repository on the public case
(what ``make validate`` prints), and in a copy of ``release/regularization/`` where ``graders`` cannot be
imported (``python public_tests.py``, the visible check cells in a Jupyter kernel, nbgrader's Validate).
"""
import copy
import json
import os
import re
import subprocess
import sys

import pytest
from nbclient import NotebookClient

from graders.grading import PUBLIC_CASE, grade_notebook
from graders.notebook import GRADED_FUNCTIONS, grade_id
from tests.completed_notebook import (NOTEBOOK_NAME, SHARES_THE_EXECUTION, completed_notebook_validation,
                                     nbgrader_validate, release_copy, student_environment)
from tests.corpus import load_entries
from tests.notebooks import make_submission, reference_solutions

MUTANTS = load_entries("mutants")
COST, L2_BACKWARD, DROPOUT_FORWARD, DROPOUT_BACKWARD = GRADED_FUNCTIONS
PRINT_VERDICTS = """\
import importlib.util, json, public_checks
assert importlib.util.find_spec("graders") is None, "graders is importable"
errors, verdicts = public_checks.notebook_verdicts("Regularization.ipynb")
print(json.dumps({"errors": errors, "verdicts": [[v.function, v.passed, v.check, v.message] for v in verdicts]}))
"""


def _mutant(name, function):
    return MUTANTS[name].SOLUTIONS[function]


def _reference(function, old="", new=""):
    source = reference_solutions()[function]
    assert old in source
    return source.replace(old, new, 1)


# Each notebook: {function: source of its cell, or None for the untouched stub}, and extra cells of the student.
NOTEBOOKS = {
    "classic_mistakes": ({
        COST: _mutant("cost_lambda_over_m", COST),
        L2_BACKWARD: _mutant("l2grad_missing_dW1", L2_BACKWARD),
        DROPOUT_FORWARD: _mutant("dropout_no_scaling", DROPOUT_FORWARD),
        DROPOUT_BACKWARD: _mutant("dropout_backward_no_mask", DROPOUT_BACKWARD),
    }, []),
    "stub_globals_flipped_mask_new_masks": ({
        COST: None,
        L2_BACKWARD: _reference(L2_BACKWARD, "    m = X.shape[1]\n"),
        DROPOUT_FORWARD: _mutant("dropout_mask_greater", DROPOUT_FORWARD),
        DROPOUT_BACKWARD: _mutant("dropout_backward_new_masks", DROPOUT_BACKWARD),
    }, [(2, "m = 5  # a variable of the notebook, which graded functions must not read")]),
    "mutation_type_renamed_correct": ({
        COST: _reference(COST, "    return cost", "    parameters['W1'][0, 0] = 0.0\n    return cost"),
        L2_BACKWARD: _reference(L2_BACKWARD, "    return gradients", "    return tuple(gradients.values())"),
        DROPOUT_FORWARD: _reference(DROPOUT_FORWARD, "def forward_propagation_with_dropout(",
                                    "def forward_propagation_with_dropout_v2("),
        DROPOUT_BACKWARD: reference_solutions()[DROPOUT_BACKWARD],
    }, []),
}
# The check each notebook's functions must fail (None: pass), as the autograder names it.
EXPECTED_CHECKS = {
    "classic_mistakes": {COST: "values", L2_BACKWARD: "gradient check", DROPOUT_FORWARD: "dropout scaling",
                         DROPOUT_BACKWARD: "values"},
    "stub_globals_flipped_mask_new_masks": {COST: "implemented", L2_BACKWARD: "no notebook globals",
                                            DROPOUT_FORWARD: "mask", DROPOUT_BACKWARD: "masks reused"},
    "mutation_type_renamed_correct": {COST: "inputs unchanged", L2_BACKWARD: "type", DROPOUT_FORWARD: "exists",
                                      DROPOUT_BACKWARD: None},
}


def notebook(name):
    sources, extra_cells = NOTEBOOKS[name]
    return make_submission({function: source for function, source in sources.items() if source is not None},
                           extra_cells=extra_cells)


@pytest.fixture(scope="module", params=sorted(NOTEBOOKS))
def checked(request, tmp_path_factory):
    """``(name, notebook, autograder's public verdicts, release-only verdicts, release folder)``."""
    name = request.param
    node = notebook(name)
    folder = release_copy(tmp_path_factory.mktemp(name) / "regularization", node)
    result = subprocess.run([sys.executable, "-E", "-s", "-c", PRINT_VERDICTS], cwd=folder, capture_output=True,
                            text=True, timeout=300, env=student_environment())
    assert result.returncode == 0, result.stderr
    release_only = json.loads(result.stdout.strip().splitlines()[-1])
    autograder, _ = grade_notebook(node, case_ids=(PUBLIC_CASE,))
    return name, node, autograder, release_only, folder


def test_release_only_check_words_every_verdict_as_the_autograder(checked):
    name, _, autograder, release_only, _ = checked
    assert release_only["errors"] == []
    by_function = {function: (passed, check, message) for function, passed, check, message in release_only["verdicts"]}
    assert list(by_function) == list(GRADED_FUNCTIONS)
    for function in GRADED_FUNCTIONS:
        verdict = autograder[function]
        assert by_function[function] == (verdict.passed, verdict.check, verdict.message), function
        assert verdict.check == EXPECTED_CHECKS[name][function], (function, verdict.message)


def test_the_autograder_gives_the_same_verdict_with_its_hidden_cases(checked):
    """A function failing on the public case fails there in a full grading too: same check, same message (which
    full grading may follow with the diagnosis from properties, given on full grading only)."""
    _, node, public_only, _, _ = checked
    full, _ = grade_notebook(node)
    for function in GRADED_FUNCTIONS:
        if not public_only[function].passed:
            assert full[function].check == public_only[function].check, function
            assert full[function].message.startswith(public_only[function].message), function


def test_the_command_line_prints_what_make_validate_prints(checked):
    _, _, autograder, _, folder = checked
    result = subprocess.run([sys.executable, "-E", "-s", "public_tests.py", "Regularization.ipynb"], cwd=folder,
                            capture_output=True, text=True, timeout=300, env=student_environment())
    from graders.public_check import verdict_line

    assert result.returncode == (0 if all(v.passed for v in autograder.values()) else 1), result.stderr
    for function in GRADED_FUNCTIONS:
        assert verdict_line(autograder[function]) in result.stdout.splitlines()
    for hidden_case in ("wide_layers", "one_example", "many_examples", "half_dropped", "equal_widths"):
        assert hidden_case not in result.stdout


def test_visible_checks_in_a_kernel_raise_the_verdict_as_one_line(checked, monkeypatch):
    """The visible check cell and the autograded test cell raise the verdict (one line); a pass prints one line."""
    _, node, autograder, _, folder = checked
    monkeypatch.delenv("PYTHONPATH", raising=False)
    runnable = copy.deepcopy(node)
    runnable.cells = [cell for cell in runnable.cells if not (grade_id(cell) or "").startswith("run_")]
    NotebookClient(runnable, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": folder}}).execute()
    cells = {grade_id(cell): cell for cell in runnable.cells}
    for function in GRADED_FUNCTIONS:
        verdict = autograder[function]
        for cell_id in ("public_test_" + function, "test_" + function):
            outputs = cells[cell_id].outputs
            if verdict.passed:
                text = "".join(output.get("text", "") for output in outputs)
                assert all(output.output_type == "stream" for output in outputs), cell_id
                assert text == ("" if cell_id.startswith("test_") else
                                f"PASS  {function} on the public case (hidden cases are checked when the notebook "
                                "is graded)\n"), cell_id
            else:
                [error] = outputs
                assert (error.output_type, error.ename, error.evalue) == ("error", "AssertionError", verdict.message)
                assert error.traceback == [f"AssertionError: {verdict.message}"], cell_id


WRONG_PUBLIC_RESULTS = [  # (mistake, the function it is made in, the check that fails)
    ("dropout_no_scaling", DROPOUT_FORWARD, "dropout scaling"),
    ("cost_lambda_over_m", COST, "values"),
]
VALIDATING = re.compile(r"^\[ValidateApp \| INFO\] Validating '(.*)'$", re.MULTILINE)


def split_by_notebook(output):
    """``{notebook path: its part of the output}`` of one ``nbgrader validate`` over several notebooks, cut at the
    line nbgrader logs before validating each (the log's lines stay in the parts)."""
    starts = list(VALIDATING.finditer(output))
    ends = [match.start() for match in starts[1:]] + [len(output)]
    return {match.group(1): output[match.start():end] for match, end in zip(starts, ends)}


@pytest.fixture(scope="module")
def validated_wrong_results(tmp_path_factory):
    """``{mistake: what nbgrader validate prints for it}``: each mistake's notebook without the model runs
    (``run_*`` cells, most of the time Validate takes) in a release copy of its own, all validated by one command
    run as a student runs it, whose log (unbuffered, on the same pipe) says where each notebook's part starts."""
    root = tmp_path_factory.mktemp("wrong-public-results")
    paths = {}
    for mistake, function, _ in WRONG_PUBLIC_RESULTS:
        node = make_submission({**reference_solutions(), function: _mutant(mistake, function)})
        node.cells = [cell for cell in node.cells if not (grade_id(cell) or "").startswith("run_")]
        folder = release_copy(root / mistake / "regularization", node)
        paths[mistake] = os.path.join(folder, NOTEBOOK_NAME)
    output = nbgrader_validate(root, list(paths.values()), with_log=True)
    parts = split_by_notebook(output)
    assert list(parts) == list(paths.values()), output
    return {mistake: parts[path] for mistake, path in paths.items()}


@pytest.mark.parametrize("mistake, function, failed_check", WRONG_PUBLIC_RESULTS)
def test_nbgrader_validate_fails_on_a_wrong_public_result(validated_wrong_results, mistake, function, failed_check):
    """The check cells are what fails here; the test below validates the whole notebook."""
    output = validated_wrong_results[mistake]
    assert "VALIDATION FAILED ON 1 CELL(S)!" in output, output
    assert f'check_public_case("{function}", globals())' in output
    assert f"AssertionError: {function}, case 'public', check '{failed_check[:8]}" in output
    assert "Success!" not in output


@SHARES_THE_EXECUTION
def test_nbgrader_validate_passes_a_correct_notebook(tmp_path_factory):
    """The whole completed notebook, models trained: the validation tests/test_notebook.py reads the cells of."""
    assert completed_notebook_validation(tmp_path_factory).strip() == "Success! Your notebook passes all the tests."


def _endless(A3, Y, parameters, lambd):
    while True:
        pass


def test_a_call_keeps_the_callers_alarm_handler_and_has_a_time_limit(monkeypatch):
    import signal

    import public_checks

    handler = lambda signum, frame: None  # noqa: E731
    previous = signal.signal(signal.SIGALRM, handler)
    try:
        monkeypatch.setitem(public_checks.__dict__, "SECONDS_PER_CALL", 0.2)
        verdict = public_checks.check_function(COST, _endless)
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert (verdict.check, verdict.message) == ("runs", f"{COST}, case 'public': the call did not finish within 0.2 s "
                                                        "(an endless loop?)")


def test_off_the_main_thread_a_call_runs_without_an_alarm_clock():
    import threading

    import public_checks
    from graders.reference import reference_namespace

    wrong = lambda A3, Y, parameters, lambd: reference_namespace()[COST](A3, Y, parameters, 2 * lambd)  # noqa: E731
    verdicts = []
    thread = threading.Thread(target=lambda: verdicts.append(public_checks.check_function(COST, wrong)))
    thread.start()
    thread.join(60)
    assert verdicts == [public_checks.check_function(COST, wrong)] and verdicts[0].check == "values"
    assert public_checks.call_case.__globals__["run_with_time_limit"] is public_checks.run_with_time_limit


NOISY = """
import warnings
import numpy as np
import public_checks
from reg_utils import compute_cost

def noisy(A3, Y, parameters, lambd):
    warnings.warn("a warning of the student's own")
    np.log(np.zeros(1))
    return compute_cost(A3, Y) + lambd / (2 * Y.shape[1]) * sum(np.sum(np.square(parameters[name]))
                                                               for name in ("W1", "W2", "W3"))

print(public_checks.check_function("compute_cost_with_regularization", noisy).passed)
"""


def test_a_check_writes_nothing_to_stderr(tmp_path):
    """Anything on stderr makes nbgrader fail an autograded cell, a passing one included."""
    folder = release_copy(tmp_path / "regularization", make_submission({}))
    result = subprocess.run([sys.executable, "-E", "-s", "-c", NOISY], cwd=folder, capture_output=True, text=True,
                            timeout=120, env=student_environment())
    assert (result.stdout, result.stderr) == ("True\n", "")
