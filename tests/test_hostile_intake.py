"""Hostile files, links, ids and metadata in ``submitted/``, graded in one real ``make autograde`` run.

Honest students sit before and after every attacker (ids are numbered, so the order is the
order of this table) and must keep full marks; each attacker gets exactly the outcome listed.
"""
import copy
import json
import os

import nbformat
import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, grade_id, points_by_function, read_source_notebook
from tests.conftest import make
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission

POINTS = points_by_function(read_source_notebook())
FULL = sum(POINTS.values())
NAME = "Regularization.ipynb"


def _folder(course, student_id):
    folder = os.path.join(course, "submitted", student_id, ASSIGNMENT)
    os.makedirs(folder, exist_ok=True)
    return folder


def _correct():
    return make_submission(reference_solutions())


def _write(course, student_id, notebook):
    write_submission(notebook, course, student_id)


def _write_json(course, student_id, raw):
    with open(os.path.join(_folder(course, student_id), NAME), "w", encoding="utf-8") as handle:
        json.dump(raw, handle)


def notebook_link_to_source(course, student_id):
    os.symlink("../../../source/regularization/Regularization.ipynb", os.path.join(_folder(course, student_id), NAME))


def folder_link_to_neighbour(course, student_id):
    os.symlink("s01-honest", os.path.join(course, "submitted", student_id))


def assignment_link_to_neighbour(course, student_id):
    os.makedirs(os.path.join(course, "submitted", student_id))
    os.symlink(os.path.join(course, "submitted", "s01-honest", ASSIGNMENT),
               os.path.join(course, "submitted", student_id, ASSIGNMENT))


def notebook_dangling_link(course, student_id):
    os.symlink("missing.ipynb", os.path.join(_folder(course, student_id), NAME))


def notebook_looping_link(course, student_id):
    folder = _folder(course, student_id)
    os.symlink("loop-b", os.path.join(folder, "loop-a"))
    os.symlink("loop-a", os.path.join(folder, "loop-b"))
    os.symlink("loop-a", os.path.join(folder, NAME))


def notebook_fifo(course, student_id):
    os.mkfifo(os.path.join(_folder(course, student_id), NAME))


def notebook_link_to_dev_zero(course, student_id):
    os.symlink("/dev/zero", os.path.join(_folder(course, student_id), NAME))


def notebook_is_a_folder(course, student_id):
    os.makedirs(os.path.join(_folder(course, student_id), NAME))


def json_nested_deep(course, student_id):
    with open(os.path.join(_folder(course, student_id), NAME), "w", encoding="utf-8") as handle:
        handle.write('{"cells": ' + "[" * 100000 + "]" * 100000 + "}")


def timestamp_fifo(course, student_id):
    _write(course, student_id, _correct())
    os.mkfifo(os.path.join(_folder(course, student_id), "timestamp.txt"))


def timestamp_dangling_link(course, student_id):
    _write(course, student_id, _correct())
    os.symlink("nowhere", os.path.join(_folder(course, student_id), "timestamp.txt"))


def timestamp_garbage(course, student_id):
    _write(course, student_id, _correct())
    with open(os.path.join(_folder(course, student_id), "timestamp.txt"), "wb") as handle:
        handle.write(b"\xff\x00 not a time " * 10)


def nbgrader_metadata_is_a_string(course, student_id):
    notebook = json.loads(nbformat.writes(_correct()))
    for cell in notebook["cells"]:
        if "nbgrader" in cell["metadata"]:
            cell["metadata"]["nbgrader"] = "grade me"
    _write_json(course, student_id, notebook)


def grade_id_is_a_list(course, student_id):
    notebook = json.loads(nbformat.writes(_correct()))
    for cell in notebook["cells"]:
        if "nbgrader" in cell["metadata"]:
            cell["metadata"]["nbgrader"]["grade_id"] = [cell["metadata"]["nbgrader"]["grade_id"]]
    _write_json(course, student_id, notebook)


def pasted_test_cell(course, student_id):
    notebook = _correct()
    tests = [cell for cell in notebook.cells if (grade_id(cell) or "").startswith("test_")]
    for cell in tests:
        pasted = copy.deepcopy(cell)
        pasted["id"] = "pasted-" + cell["id"]
        notebook.cells.append(pasted)
    _write(course, student_id, notebook)


def own_grade_cell_with_points(course, student_id):
    notebook = _correct()
    cell = nbformat.v4.new_code_cell("print('extra credit')")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "test_extra_credit", "points": 100, "locked": True,
                                 "solution": False, "schema_version": 3, "task": False}
    notebook.cells.append(cell)
    _write(course, student_id, notebook)


def schema_version_too_new(course, student_id):
    notebook = _correct()
    for cell in notebook.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader["schema_version"] = 99
    _write(course, student_id, notebook)


def original_course_layout(course, student_id):
    """The functions written in another course's notebook: other cells, other grade ids, other imports."""
    solutions = reference_solutions()
    cells = [nbformat.v4.new_markdown_cell("# Regularization\n\nWelcome to the second assignment of this week.")]
    cells.append(nbformat.v4.new_code_cell(
        "import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn\nimport sklearn.datasets\n"
        "from reg_utils import sigmoid, relu, compute_cost, load_2D_dataset\nfrom testCases import *\n"
        "from public_tests import *\n%matplotlib inline"))
    for number, name in enumerate(GRADED_FUNCTIONS):
        cell = nbformat.v4.new_code_cell(f"# GRADED FUNCTION: {name}\n\n{solutions[name]}")
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": f"cell-{number:016x}", "locked": False,
                                     "solution": True, "schema_version": 3, "task": False, "checksum": "0" * 32}
        cells.append(cell)
        test = nbformat.v4.new_code_cell(f"{name}_test({name})")
        test.metadata["nbgrader"] = {"grade": True, "grade_id": f"cell-test-{number}", "locked": True,
                                     "points": 25, "solution": False, "schema_version": 3, "task": False}
        cells.append(test)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.nbformat_minor = 4
    for cell in notebook.cells:
        cell.pop("id", None)
    _write(course, student_id, notebook)


MARKER = "pwned-grading-view"


def markup_for_the_grading_view(course, student_id):
    notebook = _correct()
    notebook.cells.insert(1, nbformat.v4.new_markdown_cell(
        f"<script>document.title='{MARKER}'</script>\n<img src=x onerror=\"document.title='{MARKER}'\">"))
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/javascript": f"document.title='{MARKER}'",
        "text/html": f"<b>bold</b><script>document.title='{MARKER}'</script>"})]
    notebook.cells.insert(2, cell)
    _write(course, student_id, notebook)


def older_nbformat(minor):
    def write(course, student_id):
        notebook = json.loads(nbformat.writes(_correct()))
        notebook["nbformat_minor"] = minor
        if minor < 5:
            for cell in notebook["cells"]:
                cell.pop("id", None)
        _write_json(course, student_id, notebook)
    write.__name__ = f"nbformat_4_{minor}"
    return write


# (attack, expected total, fragment of the one-line reason or None)
ATTACKS = [
    (notebook_link_to_source, 0, "symbolic link"),
    (folder_link_to_neighbour, 0, "symbolic link"),
    (assignment_link_to_neighbour, 0, "symbolic link"),
    (notebook_dangling_link, 0, "symbolic link"),
    (notebook_looping_link, 0, "symbolic link"),
    (notebook_fifo, 0, "named pipe"),
    (notebook_link_to_dev_zero, 0, "symbolic link"),
    (notebook_is_a_folder, 0, "folder"),
    (json_nested_deep, 0, "nests its JSON too deeply"),
    (timestamp_fifo, FULL, "timestamp.txt is a named pipe"),
    (timestamp_dangling_link, FULL, "timestamp.txt is a symbolic link"),
    (timestamp_garbage, FULL, "timestamp.txt does not hold a time"),
    (nbgrader_metadata_is_a_string, FULL, None),
    (grade_id_is_a_list, FULL, None),
    (pasted_test_cell, FULL, "nbgrader metadata was removed"),
    (own_grade_cell_with_points, FULL, "nbgrader metadata was removed"),
    (schema_version_too_new, FULL, None),
    (original_course_layout, FULL, "not in the release's layout"),
    (markup_for_the_grading_view, FULL, None),
    *[(older_nbformat(minor), FULL, None) for minor in range(6)],
]
ATTACKERS = {f"s{2 * index + 2:02d}-{attack.__name__}": (attack, total, reason)
             for index, (attack, total, reason) in enumerate(ATTACKS)}
HONEST = [f"s{2 * index + 1:02d}-honest" for index in range(len(ATTACKS) + 1)]
# ids that break the rule: never graded, never handed to nbgrader, listed; "alice" is their honest target
BAD_IDS = ["alic?", "[a]lice", "al*", "x" * 252, '=HYPERLINK("evil.invalid","x")', ".hidden", "a b"]


@pytest.fixture(scope="module")
def hostile_run(released_course):
    course = released_course
    correct = _correct()
    for student_id in HONEST + ["alice"]:
        _write(course, student_id, correct)
    for student_id, (attack, _, _) in ATTACKERS.items():
        attack(course, student_id)
    for student_id in BAD_IDS:
        _write(course, student_id, make_submission({}))
    result = make(course, "autograde", check=False)
    feedback = make(course, "feedback", check=False)
    return course, result, feedback


def _scores(course):
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        return {submission.student.id: submission.score
                for submission in gradebook.find_assignment(ASSIGNMENT).submissions}


def test_honest_students_around_every_attacker_keep_full_marks(hostile_run):
    course, result, _ = hostile_run
    scores = _scores(course)
    assert {student: scores.get(student) for student in HONEST + ["alice"]} == \
        {student: FULL for student in HONEST + ["alice"]}, result.stdout + result.stderr


@pytest.mark.parametrize("student_id", sorted(ATTACKERS))
def test_attacker_gets_its_outcome_and_a_one_line_reason(hostile_run, student_id):
    course, result, _ = hostile_run
    _, total, reason = ATTACKERS[student_id]
    assert _scores(course)[student_id] == total
    lines = [line for line in result.stdout.splitlines() if f"/{student_id}/" in line]
    if reason is None:
        assert not any("NOT GRADED" in line for line in lines)
    else:
        assert any(reason in line for line in lines), "\n".join(lines)


def test_bad_ids_are_listed_never_graded_and_the_run_says_so(hostile_run):
    course, result, _ = hostile_run
    assert result.returncode != 0
    scores = _scores(course)
    assert not set(BAD_IDS) & set(scores)
    assert f"{len(BAD_IDS)} submission(s) need the instructor's attention" in result.stdout
    assert sum("is not valid" in line for line in result.stdout.splitlines()) == 2 * len(BAD_IDS)
    assert sorted(os.listdir(os.path.join(course, "autograded"))) == sorted(scores)


def test_reports_and_feedback_cover_the_whole_class(hostile_run):
    course, _, feedback = hostile_run
    with open(os.path.join(course, "reports", "grades.csv"), encoding="utf-8") as handle:
        rows = handle.read().splitlines()[1:]
    assert len(rows) == len(HONEST) + len(ATTACKERS) + 1
    assert feedback.returncode == 0, feedback.stderr
    for student_id in HONEST + list(ATTACKERS):
        assert os.path.exists(os.path.join(course, "feedback", student_id, ASSIGNMENT, "Regularization.html"))


def test_nbgrader_logs_no_error_and_no_solution_leaks(hostile_run):
    course, result, _ = hostile_run
    assert "ERROR" not in result.stdout + result.stderr
    with open(os.path.join(course, "feedback", "s02-notebook_link_to_source", ASSIGNMENT, "Regularization.html"),
              encoding="utf-8") as handle:
        assert "BEGIN SOLUTION" not in handle.read()
        with open(os.path.join(course, "source", ASSIGNMENT, "Regularization.ipynb"), encoding="utf-8") as source:
            solution_line = "L2_regularization_cost = lambd / (2 * m)"
            assert solution_line in source.read()
        handle.seek(0)
        assert solution_line not in handle.read()


def test_submissions_are_not_modified(hostile_run):
    course, _, _ = hostile_run
    folder = os.path.join(course, "submitted", "s04-folder_link_to_neighbour")
    assert os.path.islink(folder) and os.readlink(folder) == "s01-honest"
    assert os.path.exists(os.path.join(course, "submitted", "alic?", ASSIGNMENT, NAME))


def test_the_grading_view_shows_student_markup_inert(hostile_run):
    """Formgrader renders the autograded notebook with a stock exporter: nothing of the student's may run there."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    course, _, _ = hostile_run
    student_id = next(s for s in ATTACKERS if s.endswith("markup_for_the_grading_view"))
    path = os.path.join(course, "autograded", student_id, ASSIGNMENT, NAME)
    notebook = nbformat.read(path, as_version=4)
    page, _ = HTMLExporter().from_notebook_node(notebook)
    soup = BeautifulSoup(page, "html.parser")
    assert not [tag for tag in soup.find_all("script") if MARKER in (tag.string or "")]
    assert not [tag for tag in soup.find_all(True) if any(name.startswith("on") for name in tag.attrs)]
    outputs = json.dumps([cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"])
    assert "<b>bold</b>" in page and "<script" not in outputs and "application/javascript" not in outputs


# Attacks on the intake on its own (graders.intake.run_intake, no nbgrader run).

def _raw_submission(submitted, student_id, notebook_text):
    folder = submitted / student_id / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / NAME).write_text(notebook_text, encoding="ascii")


def test_a_lone_surrogate_in_a_cell_is_the_students_own_problem_not_the_instructors(tmp_path):
    """Valid JSON may spell a lone UTF-16 surrogate (``"\\ud800"``), which no UTF-8 file can hold: such a notebook is
    at worst unreadable (graded 0 with its reason), never a failure of the intake that needs the instructor's
    attention, which makes ``make autograde`` exit non-zero and ``make autograde feedback`` stop for the class."""
    from graders.intake import run_intake

    notebook = json.loads(nbformat.writes(_correct()))
    notebook["cells"].append({"cell_type": "markdown", "id": "lone-surrogate", "metadata": {}, "source": "a \ud800 b"})
    _raw_submission(tmp_path / "submitted", "s01-lone-surrogate", json.dumps(notebook))  # ensure_ascii: \ud800
    _raw_submission(tmp_path / "submitted", "s02-honest", json.dumps(json.loads(nbformat.writes(_correct()))))
    summary = run_intake(str(tmp_path / "submitted"), str(tmp_path / "intake"))
    assert summary.attention == {}
    assert summary.queued == ["s01-lone-surrogate", "s02-honest"]


@pytest.mark.parametrize("where", ["html-output", "markdown-cell"])
def test_deeply_nested_html_is_taken_in_as_its_text(tmp_path, where):
    """A student's HTML of 20,000 nested ``<div>`` would cost the intake time in the square of its depth to clean
    (graders.inert.MAX_HTML_DEPTH): it is taken in as its text, escaped, and the rest of the notebook as usual."""
    from html import escape

    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    from graders.intake import read_release, take_in

    html = "<div>" * 20000 + "x" + "</div>" * 20000
    notebook = _correct()
    if where == "html-output":
        notebook.cells.append(new_code_cell("x = 1", outputs=[new_output(
            "display_data", data={"text/html": html, "text/plain": "x"})]))
    else:
        notebook.cells.append(new_markdown_cell("<b>notes</b>\n\n" + html))
    write_submission(notebook, str(tmp_path), "nested")
    submitted_fd = os.open(tmp_path / "submitted", os.O_RDONLY | os.O_DIRECTORY)
    try:
        taken = take_in(submitted_fd, "nested", read_release()).notebook
    finally:
        os.close(submitted_fd)
    last = taken.cells[-1]
    shown = last.outputs[0]["data"]["text/html"] if where == "html-output" else last.source
    assert escape(html, quote=False).replace("\n", "&#10;") in shown
    assert "<div><div>" not in shown
