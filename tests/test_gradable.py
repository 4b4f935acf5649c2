"""Unit tests of :mod:`graders.gradable`: the bytes a student submitted become a notebook that carries the release's
metadata only. Each test edits the release notebook (as JSON, as a student's tools might) and checks the rebuilt
notebook and its notes. (Whole hostile submissions through the pipeline are in ``tests/test_hostile_intake.py``.)"""
import copy
import json

import nbformat
import pytest

from graders.errors import UnreadableSubmission
from graders.gradable import MAX_CELLS, _defined_functions, gradable_notebook, parse_notebook
from graders.intake import read_release
from graders.notebook import GRADED_FUNCTIONS, grade_id, nbgrader_metadata

FUNCTION = GRADED_FUNCTIONS[0]
TEST_CELL = f"test_{FUNCTION}"


@pytest.fixture(scope="module")
def release():
    return read_release()


@pytest.fixture
def raw(release):
    """The release as a student's file would hold it: plain JSON."""
    return json.loads(nbformat.writes(release))


def index_of(cells, name):
    return next(index for index, cell in enumerate(cells) if grade_id(cell) == name)


def unreadable(data):
    with pytest.raises(UnreadableSubmission) as raised:
        parse_notebook(data)
    return str(raised.value)


# ---------------------------------------------------------------- parse_notebook

@pytest.mark.parametrize("data, message", [
    (b"", "the notebook file is empty"),
    (b"  \n", "the notebook file is empty"),
    (b"\xff\xfe{}", "the notebook file is not UTF-8 text"),
    (b"{\"cells\": [", "the notebook file is not valid JSON (was it edited outside Jupyter or truncated?)"),
    (b"[" * 100000 + b"]" * 100000, "the notebook file nests its JSON too deeply"),
    (b"[]", "the file is not a Jupyter notebook (it is not a JSON object)"),
    (b"{\"nbformat\": 5, \"cells\": []}", "the file is not a Jupyter notebook of format 3 or 4 (nbformat is '5')"),
    (b"{\"nbformat\": \"4\"}", "the file is not a Jupyter notebook of format 3 or 4 (nbformat is '4')"),
    (b"{}", "the file is not a Jupyter notebook of format 3 or 4 (nbformat is 'None')"),
    (b"{\"nbformat\": 3, \"worksheets\": 7}", "the file is not a readable notebook of format 3 (TypeError)"),
    (b'{"cells": [{"cell_type": "markdown", "source": "a \\udc00 b"}]}',
     "the notebook holds text that is not valid Unicode (a lone surrogate, \\ud800 to \\udfff, that no UTF-8 file "
     "can hold)"),
], ids=["empty", "blank", "not utf-8", "truncated", "deep", "list", "format 5", "string version", "no version",
        "broken v3", "lone surrogate"])
def test_parse_notebook_refuses_with_one_line(data, message):
    reason = unreadable(data)
    assert reason.split(" (")[0] == message.split(" (")[0] and "\n" not in reason
    if "TypeError" not in message:
        assert reason == message


@pytest.mark.parametrize("text, version", [
    ('{"nbformat": 4, "nbformat_minor": 2, "cells": []}', 4),
    ('{"cells": [], "metadata": {}}', 4),
    ('{"cells": [], "metadata": {"smile": "\\ud83d\\ude00", "escaped": "\\\\ud800"}}', 4),
], ids=["v4", "no version but cells", "a surrogate pair and an escaped backslash"])
def test_parse_notebook_reads_format_4(text, version):
    raw, major = parse_notebook(text.encode())
    assert major == version and raw["cells"] == []


def test_parse_notebook_upgrades_format_3():
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "x = 1", "language": "python", "outputs": [], "metadata": {}}]}]}
    raw, major = parse_notebook(json.dumps(v3).encode())
    assert major == 4
    assert [(cell["cell_type"], "".join(cell["source"])) for cell in raw["cells"]] == [("code", "x = 1")]


# ---------------------------------------------------------------- gradable_notebook

def test_the_release_itself_is_gradable_without_notes(raw, release):
    notebook, notes = gradable_notebook(raw, release)
    assert notes == []
    assert [grade_id(cell) for cell in notebook.cells] == [grade_id(cell) for cell in release.cells]
    assert [cell.id for cell in notebook.cells] == [f"cell-{i:02d}" for i in range(len(release.cells))]
    assert (notebook.nbformat, notebook.nbformat_minor) == (release.nbformat, release.nbformat_minor)
    nbformat.validate(notebook)


@pytest.mark.parametrize("cells, message", [
    ({"a": 1}, "the file is not a Jupyter notebook (it has no list of cells)"),
    ([{"cell_type": "raw", "source": ""}] * (MAX_CELLS + 1),
     f"the notebook has {MAX_CELLS + 1} cells; the limit is {MAX_CELLS}"),
], ids=["cells not a list", "too many cells"])
def test_gradable_notebook_refuses(raw, release, cells, message):
    raw["cells"] = cells
    with pytest.raises(UnreadableSubmission) as raised:
        gradable_notebook(raw, release)
    assert str(raised.value) == message


def test_malformed_cells_are_left_out_with_a_note(raw, release):
    raw["cells"] += [7, {"cell_type": "widget"}, {"cell_type": "code", "source": 3}, {"cell_type": "code",
                                                                                     "source": ["a", 1]}]
    notebook, notes = gradable_notebook(raw, release)
    assert len(notebook.cells) == len(release.cells)
    assert notes == ["4 malformed cell(s) were left out"]


def test_metadata_comes_from_the_release_not_from_the_student(raw, release):
    cell = raw["cells"][index_of(raw["cells"], TEST_CELL)]
    cell["metadata"]["nbgrader"]["points"] = 1000
    cell["metadata"]["nbgrader"]["grade"] = False
    cell["metadata"]["custom"] = "x"
    notebook, _ = gradable_notebook(raw, release)
    rebuilt = notebook.cells[index_of(notebook.cells, TEST_CELL)]
    assert rebuilt.metadata["nbgrader"] == release.cells[index_of(release.cells, TEST_CELL)].metadata["nbgrader"]
    assert "custom" not in rebuilt.metadata


def test_a_pasted_copy_of_a_test_cell_and_a_students_grade_cell_lose_their_metadata(raw, release):
    copy_of_test = copy.deepcopy(raw["cells"][index_of(raw["cells"], TEST_CELL)])
    own = {"cell_type": "code", "source": "pass", "outputs": [], "execution_count": None,
           "metadata": {"nbgrader": {"grade": True, "grade_id": "free_points", "points": 99}}}
    raw["cells"] += [copy_of_test, own]
    notebook, notes = gradable_notebook(raw, release)
    assert [grade_id(cell) for cell in notebook.cells].count(TEST_CELL) == 1
    assert nbgrader_metadata(notebook.cells[-1]) == {} and nbgrader_metadata(notebook.cells[-2]) == {}
    assert "nbgrader metadata was removed from 2 cell(s) that are not cells of the release" in notes[0]


def test_a_grade_id_on_a_cell_of_another_type_is_not_claimed(raw, release):
    index = index_of(raw["cells"], TEST_CELL)
    raw["cells"][index]["cell_type"] = "markdown"
    del raw["cells"][index]["outputs"], raw["cells"][index]["execution_count"]
    notebook, notes = gradable_notebook(raw, release)
    assert "deleted test cells were restored: " + TEST_CELL in notes
    assert notebook.cells[index_of(notebook.cells, TEST_CELL)].cell_type == "code"


def test_locked_cells_get_their_release_source_back(raw, release):
    index = index_of(raw["cells"], TEST_CELL)
    raw["cells"][index]["source"] = "print('full marks')"
    notebook, _ = gradable_notebook(raw, release)
    assert notebook.cells[index].source == release.cells[index].source


def test_a_deleted_test_cell_is_restored_after_the_cell_before_it(raw, release):
    index = index_of(raw["cells"], TEST_CELL)
    del raw["cells"][index]
    notebook, notes = gradable_notebook(raw, release)
    assert notes == [f"deleted test cells were restored: {TEST_CELL}"]
    assert grade_id(notebook.cells[index]) == TEST_CELL
    assert grade_id(notebook.cells[index - 1]) == grade_id(release.cells[index - 1])


def test_a_notebook_in_another_layout_is_graded_on_the_functions_it_defines(release):
    raw = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": f"def {FUNCTION}(*a):\n    return 1", "metadata": {}, "outputs": []},
        {"cell_type": "code", "source": f"def {FUNCTION}(*a):\n    return 2", "metadata": {}, "outputs": []},
        {"cell_type": "code", "source": "def helper(): pass", "metadata": {}, "outputs": []},
    ]}
    notebook, notes = gradable_notebook(raw, release)
    assert notes == [f"the notebook is not in the release's layout; graded on the functions it defines ({FUNCTION}), "
                     "placed in the release's cells"]
    cell = notebook.cells[index_of(notebook.cells, FUNCTION)]
    assert cell.source.endswith("return 2")
    assert [grade_id(c) for c in notebook.cells] == [grade_id(c) for c in release.cells]


def test_a_notebook_defining_none_of_the_functions_says_so(release):
    raw = {"cells": [{"cell_type": "markdown", "source": "hello", "metadata": {}}]}
    notebook, notes = gradable_notebook(raw, release)
    assert notes == ["the notebook is not in the release's layout; none of the graded functions was found in it"]
    assert len(notebook.cells) == len(release.cells)


def test_valid_outputs_are_kept(raw, release):
    index = index_of(raw["cells"], FUNCTION)
    raw["cells"][index]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "kept"},
                                      {"output_type": "display_data", "data": {"text/plain": "2"}, "metadata": {}}]
    notebook, _ = gradable_notebook(raw, release)
    assert [output.output_type for output in notebook.cells[index].outputs] == ["stream", "display_data"]
    nbformat.validate(notebook)


def test_an_output_that_is_not_a_dict_is_dropped(raw, release):
    index = index_of(raw["cells"], FUNCTION)
    raw["cells"][index]["outputs"] = ["text", 3, {"output_type": "stream", "name": "stdout", "text": "kept"}]
    notebook, _ = gradable_notebook(raw, release)
    assert [output.text for output in notebook.cells[index].outputs] == ["kept"]


@pytest.mark.parametrize("output", [
    {"output_type": "stream", "name": 5},
    {"output_type": "stream", "name": "stdout"},
    {"output_type": "error", "ename": "E", "evalue": "v"},
    {"output_type": "nonsense"},
], ids=["name not a string", "stream without text", "error without traceback", "unknown type"])
def test_outputs_that_are_not_notebook_json_are_dropped(raw, release, output):
    index = index_of(raw["cells"], FUNCTION)
    raw["cells"][index]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "kept"}, output]
    notebook, _ = gradable_notebook(raw, release)
    assert [o.get("text") for o in notebook.cells[index].outputs] == ["kept"]
    nbformat.validate(notebook)


@pytest.mark.parametrize("tags, kept", [
    (["a", "b"], ["a", "b"]),
    (["x"] * 21, None),
    (["a", 1], None),
    (["y" * 65], None),
    ("a", None),
], ids=["kept", "too many", "not strings", "too long", "not a list"])
def test_only_well_formed_tags_are_kept(raw, release, tags, kept):
    raw["cells"][0]["metadata"]["tags"] = tags
    notebook, _ = gradable_notebook(raw, release)
    assert notebook.cells[0].metadata.get("tags") == kept


def test_the_release_is_not_changed(raw, release):
    before = nbformat.writes(release)
    raw["cells"] = raw["cells"][:3]
    gradable_notebook(raw, release)
    assert nbformat.writes(release) == before


@pytest.mark.parametrize("source, defined, attempted", [
    ("def f(): pass\nasync def g(): pass\nclass C:\n    def m(self): pass", {"f", "g"}, set()),
    ("if True:\n    def hidden(): pass", set(), set()),
    ("def broken(:", set(), {"broken"}),
    ("def broken(x):\n    return (x\n    def nested(y):", set(), {"broken"}),
    ("x = 1\0", set(), set()),
    ('"""\ndef in_a_string(x):\n"""', set(), set()),
], ids=["top level", "nested", "syntax error", "syntax error, nested def", "nul byte", "def in a string"])
def test_defined_functions(source, defined, attempted):
    """What a cell defines, and what a cell that does not parse tries to define (top-level ``def`` lines)."""
    assert _defined_functions(source) == (defined, attempted)
