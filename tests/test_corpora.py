"""The corpora of submissions, graded in one batch through the real ``make autograde`` (tests.corpora).

- mutants: one catalogued mistake each; the function loses its points and the feedback names the mistake, and
  the property it declares (see graders.regularization.diagnosis) when it has one;
- variants: correct solutions written differently; full marks;
- hostile: attacks and broken code; each gets exactly its honest score;
- broken files: unreadable or unusual notebook files; a one-line reason, the batch goes on.

Submissions must be byte-identical after grading.
"""
import os
import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, grade_id
from graders.regularization.mistakes import MISTAKES
from graders.reports import VERDICT_KEY
from tests.conftest import given_lines, make
from tests.corpora import ENTRIES, GIB, POINTS
from tests.corpus import load_entries
from tests.notebooks import make_submission, reference_solutions, write_submission

MISTAKES_BY_ID = {mistake.mistake_id: mistake for mistake in MISTAKES}


@pytest.fixture(scope="module")
def graded(graded_corpora):
    """``(course, broken files, hashes of submitted/ before and after the run, its output)``: the corpora graded
    once for the session (tests.corpora, shared with tests/test_kernels.py)."""
    return graded_corpora[:5]


@pytest.fixture(scope="module")
def grades(graded):
    """``{student id: {function: score}}`` of every graded submission: the corpora's gradebook, read once for the
    module's tests (a student without a graded notebook is left out: their test fails alone)."""
    course = graded[0]
    grades = {}
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        for student in gradebook.students:
            try:
                notebook = gradebook.find_submission_notebook("Regularization", ASSIGNMENT, student.id)
            except MissingEntry:
                continue
            grades[student.id] = {grade.name[len("test_"):]: grade.score for grade in notebook.grades}
    return grades


def _test_cells(course, student_id):
    path = os.path.join(course, "autograded", student_id, ASSIGNMENT, "Regularization.ipynb")
    notebook = nbformat.read(path, as_version=4)
    return {grade_id(cell)[len("test_"):]: cell for cell in notebook.cells
            if (grade_id(cell) or "").startswith("test_")}


def _test_cell_messages(course, student_id):
    return {name: " ".join(output.get("evalue", output.get("text", "")) for output in cell.outputs)
            for name, cell in _test_cells(course, student_id).items()}


def _recorded_verdicts(course, student_id):
    return {name: cell.metadata.get(VERDICT_KEY, {}) for name, cell in _test_cells(course, student_id).items()}


@pytest.mark.parametrize("student_id", sorted(ENTRIES))
def test_corpus_entry_gets_its_honest_score_and_diagnosis(graded, grades, student_id):
    course = graded[0]
    entry = ENTRIES[student_id]
    expected = {name: float(getattr(entry, "EXPECTED_SCORES", {}).get(name, POINTS[name]))
                for name in GRADED_FUNCTIONS}
    assert grades[student_id] == expected
    messages, verdicts = _test_cell_messages(course, student_id), _recorded_verdicts(course, student_id)
    for function_name, mistake_id in getattr(entry, "DIAGNOSES", {}).items():
        mistake = MISTAKES_BY_ID[mistake_id]
        assert "Likely mistake: " + mistake.message in messages[function_name]
        assert verdicts[function_name]["diagnosis"] == mistake_id
        assert verdicts[function_name]["property"] == mistake.property
        if mistake.property is not None:
            assert f"Likely mistake: {mistake.message}. " in messages[function_name]


def test_the_hostile_entries_are_stopped_at_the_limits_of_the_corpora_course(graded_corpora):
    """The corpora's course grades under its own limits (tests.corpora.CORPORA_LIMITS): the endless loop is
    stopped by the clock of a call, the hog of memory by the memory limit or, on a loaded machine, that clock."""
    course, limits = graded_corpora.course, graded_corpora.limits
    clock = f"did not finish within {limits['seconds_per_call']:g} s"
    memory = f"used more than the {limits['memory_bytes'] / GIB:g} GiB of memory"
    assert clock in _test_cell_messages(course, "hostile-infinite_loop_and_memory")["forward_propagation_with_dropout"]
    hog = _test_cell_messages(course, "hostile-missing_function_and_memory")["compute_cost_with_regularization"]
    assert clock in hog or memory in hog


def test_every_catalogued_mistake_has_a_mutant():
    mutants = load_entries("mutants")
    diagnosed = {m for entry in mutants.values() for m in getattr(entry, "DIAGNOSES", {}).values()}
    assert diagnosed == set(MISTAKES_BY_ID)
    assert len(MISTAKES_BY_ID) >= 20


def test_variant_corpus_is_large_enough():
    assert len(load_entries("variants")) >= 15


@pytest.mark.parametrize("student_id", ["file-bad-json", "file-empty", "file-not-a-notebook", "file-wrong-name",
                                        "file-nbformat3", "file-deleted-test-cells", "file-reordered-cells",
                                        "file-edited-test-cells-with-stubs"])
def test_broken_file_gets_its_score_and_a_one_line_reason(graded, grades, student_id):
    course, broken, _, _, stdout = graded
    total, reason = broken[student_id]
    assert sum(grades[student_id].values()) == total
    if reason:
        assert all(reason in message for message in _test_cell_messages(course, student_id).values())
        reason_lines = [line for line in stdout.splitlines() if student_id in line]
        assert len(reason_lines) == 1 and reason in reason_lines[0]


def test_submissions_are_byte_identical_after_grading(graded):
    _, _, before, after, _ = graded
    assert before == after and len(before) > len(ENTRIES)


def _hidden_strings():
    """What in a student-facing file would leak: ``(texts, numbers)``. Texts are the markers and lines of grader
    code (every module of graders/, the assignment's included); numbers are the hidden cases' values as written
    with 8 decimals."""
    from graders.grading import expected_cases
    from graders.plain import flatten

    texts = {"BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "graders.in_kernel", "BEGIN SOLUTION"}
    graders_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "graders")
    for folder, _, names in os.walk(graders_dir):
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    texts.update(line.strip() for line in handle
                                 if len(line.strip()) >= 40 and any(mark in line for mark in ("(", " = ", "return")))
    given = "\n".join(given_lines())  # what students receive (their helpers, the public check) is not secret
    texts = {text for text in texts if text not in given}
    numbers = set()
    for function_name in GRADED_FUNCTIONS:
        for case_id, arguments, expected, _ in expected_cases(function_name):
            if case_id == "public":
                continue
            arrays, _ = flatten((arguments, expected), "case")
            for array in arrays.values():
                numbers.update(f"{value:.8f}" for value in array.ravel().astype(float) if abs(value) >= 1e-3)
    return texts, numbers


NUMBER = re.compile(r"(-?)(\d+)\.(\d{8})")


def _numbers_in(text):
    """Every string ``[-]digits.8digits`` that occurs in ``text``, as a substring (``0.12345678`` in
    ``10.123456789``): one pass over the text, then each candidate is looked up in a set."""
    found = set()
    for sign, whole, decimals in NUMBER.findall(text):
        for start in range(len(whole)):
            found.add(f"{whole[start:]}.{decimals}")
        found.add(f"{sign}{whole}.{decimals}")
    return found


def _leaks(text, hidden):
    texts, numbers = hidden
    return sorted(_numbers_in(text) & numbers) + [string for string in texts if string in text]


def _strings_in(line, strings_by_start, length):
    """The strings that occur in ``line``, where ``strings_by_start`` (:func:`_by_start`) lists them by their first
    ``length`` characters: one lookup at each place in the line, then a comparison for each string listed."""
    found = set()
    for start in range(len(line) - length + 1):
        listed = strings_by_start.get(line[start:start + length])
        if listed:
            found.update(string for string in listed if line.startswith(string, start))
    return found


def _by_start(strings):
    """``({first characters: [strings]}, how many characters)``: ``strings`` listed by their first characters,
    as many as the shortest of them has."""
    length = min(map(len, strings), default=0)
    strings_by_start = {}
    for string in strings:
        strings_by_start.setdefault(string[:length], []).append(string)
    return strings_by_start, length


def _leaks_by_text(texts, hidden):
    """``{name: _leaks(text, hidden)}`` for each of ``texts`` (``{name: text}``), each distinct line scanned once:
    nothing searched for holds a line break, so it is in a text exactly when it is in one of the text's lines
    (the pages of a class share most of theirs)."""
    strings, numbers = hidden
    assert not any("\n" in string for string in strings)
    strings_by_start, length = _by_start(strings)
    found_in_line = {}
    leaks = {}
    for name, text in texts.items():
        found_numbers, found_strings = set(), set()
        for line in set(text.split("\n")):
            if line not in found_in_line:
                found_in_line[line] = (_numbers_in(line) & numbers, _strings_in(line, strings_by_start, length))
            found_numbers.update(found_in_line[line][0])
            found_strings.update(found_in_line[line][1])
        leaks[name] = sorted(found_numbers) + [string for string in strings if string in found_strings]
    return leaks


def _student_facing_texts(course):
    for folder in ("feedback", "autograded", "release"):
        for root, _, files in os.walk(os.path.join(course, folder)):
            for name in files:
                if name.endswith((".html", ".ipynb", ".py", ".txt")):
                    with open(os.path.join(root, name), encoding="utf-8", errors="replace") as handle:
                        yield os.path.relpath(os.path.join(root, name), course), handle.read()


def test_no_student_facing_artifact_leaks_hidden_material(graded):
    import subprocess
    import sys

    course, _, _, _, stdout = graded
    texts = dict(_student_facing_texts(course))
    texts["make autograde output"] = stdout
    for student_id in ("mutants-cost_lambda_over_m", "hostile-rigged_equality_objects"):
        path = os.path.join(course, "submitted", student_id, ASSIGNMENT, "Regularization.ipynb")
        validation = subprocess.run([sys.executable, "-m", "graders.validate", path], capture_output=True, text=True)
        texts["validate " + student_id] = validation.stdout + validation.stderr
    assert sum(name.endswith(".html") for name in texts) >= len(ENTRIES)
    hidden = _hidden_strings()
    assert len(hidden[0]) > 100 and len(hidden[1]) > 1000
    for name, leaked in _leaks_by_text(texts, hidden).items():
        assert not leaked, f"{name} leaks {leaked[:3]}"


@pytest.mark.parametrize("text, leaked", [
    ("the value is 0.12345678 here", ["0.12345678"]),
    ("x = 10.123456789", ["0.12345678"]),
    ("-0.12345678", ["-0.12345678", "0.12345678"]),
    ("0.1234567", []),
    ("graders.in_kernel.grade(", ["graders.in_kernel"]),
    ("graders.in_kerne, graders.in_kernel", ["graders.in_kernel"]),
], ids=["number", "inside a longer number", "negative", "seven decimals", "marker", "marker after a near miss"])
def test_the_leak_scan_finds_what_a_substring_search_finds(text, leaked):
    hidden = ({"graders.in_kernel"}, {"0.12345678", "-0.12345678"})
    assert sorted(_leaks(text, hidden)) == sorted(leaked)
    texts = {"alone": text, "among other lines": f"a first line\n{text}\n0.1 graders.in_\nkernel 0.1234\n5678"}
    assert _leaks_by_text(texts, hidden) == {name: _leaks(text, hidden) for name, text in texts.items()}


def test_a_library_version_mismatch_is_reported(released_template, tmp_path):
    """On a course of its own with one student: the warning comes from loading the expected arrays."""
    from graders.npzfile import load_npz, save_npz

    course = str(tmp_path / "course")
    shutil.copytree(released_template, course, symlinks=True)
    write_submission(make_submission(reference_solutions()), course, "one")
    path = os.path.join(course, "graders", "regularization", "expected", "compute_cost_with_regularization.npz")
    arrays, meta = load_npz(path)
    save_npz(path, arrays, {**meta, "versions": {**meta["versions"], "numpy": "0.0.0"}})
    result = make(course, "autograde")
    assert "made with numpy 0.0.0, grading runs numpy" in result.stderr
