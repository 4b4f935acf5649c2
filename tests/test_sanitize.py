"""Unit tests of :mod:`graders.sanitize` for what ``tests/test_active_content.py`` (which tests ``inert_html``, each
preprocessor on its main case, the policy, and every payload in a browser) leaves out: display hints, the edge
cases of each output step, and ``inert_notebook`` with the release's trusted text."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from graders import sanitize


@pytest.mark.parametrize("value, valid", [
    (100, True), (0, True), (12.5, True), ("640", True), ("12.25", True),
    (-1, False), (10 ** 6, False), (float("nan"), False), (float("inf"), False), (True, False),
    ("1 onerror=alert(1)", False), ("12.2500", False), ("", False), ("1e3", False), (None, False),
], ids=["int", "zero", "float", "digits", "decimals", "negative", "huge", "nan", "inf", "bool", "handler",
        "long decimals", "empty", "exponent", "none"])
def test_is_size(value, valid):
    assert sanitize._is_size(value) is valid


def output_cell(data, metadata=None, output_type="display_data"):
    output = new_output(output_type, data=data, metadata=metadata or {}, **(
        {"execution_count": 1} if output_type == "execute_result" else {}))
    return new_code_cell("x", outputs=[output])


def test_an_output_left_with_nothing_to_show_says_what_was_dropped():
    cell = output_cell({"application/javascript": "alert(1)", "application/vnd.jupyter.widget-view+json": {}})
    cell, _ = sanitize.DropActiveOutputs().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].data == {"text/plain": "[not shown in feedback: application/javascript, "
                                                  "application/vnd.jupyter.widget-view+json]"}


def test_execute_results_are_filtered_too_and_streams_are_left_alone():
    cell = output_cell({"text/plain": "1", "application/javascript": "x"}, output_type="execute_result")
    cell.outputs.append(new_output("stream", name="stdout", text="<script>kept as text</script>"))
    cell, _ = sanitize.DropActiveOutputs().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].data == {"text/plain": "1"}
    assert cell.outputs[1].text == "<script>kept as text</script>"


def test_output_metadata_keeps_well_formed_hints_per_image_type_only():
    metadata = {"isolated": True, "filenames": {"image/png": "/etc/passwd"}, "width": "1 onerror=x", "alt": "plot",
                "image/png": {"width": 300, "height": "x y", "unconfined": True, "isolated": True},
                "text/html": {"width": 3}}
    cell = output_cell({"image/png": "AAAA"}, metadata)
    cell, _ = sanitize.ResetOutputMetadata().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].metadata == {"alt": "plot", "image/png": {"width": 300, "unconfined": True}}


def test_html_beside_an_image_gives_way_and_markdown_outputs_are_rendered_inert():
    cell = output_cell({"text/html": ["<div>", "chart</div>"], "image/png": "AAAA"})
    cell.outputs.append(new_output("display_data", data={"text/markdown": "[x](javascript:alert(1)) **b**"}))
    cell.outputs.append(new_output("display_data", data={"text/html": ["<b>", "bold</b><script>1</script>"]}))
    cell, _ = sanitize.SanitizeRichOutputs().preprocess_cell(cell, {}, 0)
    assert "text/html" not in cell.outputs[0].data
    markdown = cell.outputs[1].data["text/markdown"]
    assert "javascript" not in markdown and "<strong>b</strong>" in markdown
    assert cell.outputs[2].data["text/html"] == "<b>bold</b>&lt;script&gt;1&lt;/script&gt;"


def test_markdown_cells_of_other_shapes_are_left_to_their_step():
    for step in (sanitize.DropActiveOutputs(), sanitize.ResetOutputMetadata(), sanitize.SanitizeRichOutputs()):
        cell = new_markdown_cell("<script>x</script>")
        assert step.preprocess_cell(cell, {}, 0)[0].source == "<script>x</script>"


def test_inert_notebook_keeps_the_releases_text_and_sanitizes_the_students():
    trusted = "# Title\n\n<details><summary>hint</summary>text</details>"
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(trusted), new_markdown_cell("<img src=x onerror=alert(1)>"),
                      output_cell({"application/javascript": "alert(1)", "text/plain": "1"})]
    sanitize.inert_notebook(notebook, {trusted})
    assert notebook.cells[0].source == trusted
    assert "onerror" not in notebook.cells[1].source and notebook.cells[1].source.startswith("<div")
    assert notebook.cells[2].outputs[0].data == {"text/plain": "1"}
    nbformat.validate(notebook)


MARKDOWN = "**bold** <i>it</i> [a](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"


def visible(html):
    import html as entities
    import re

    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]*>", " ", html))).strip()


def test_sanitizing_twice_shows_the_same_text_and_stays_inert():
    """The intake sanitizes a student's markdown, and the feedback preprocessors sanitize the autograded notebook
    again."""
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(MARKDOWN + "\n\n<img src=x onerror=alert(1)>")]
    sanitize.inert_notebook(notebook)
    once = notebook.cells[0].source
    sanitize.inert_notebook(notebook)
    assert visible(notebook.cells[0].source) == visible(once) == "bold it a a b 1 2"
    assert "onerror" not in notebook.cells[0].source and "<strong>bold</strong>" in notebook.cells[0].source


@pytest.mark.xfail(strict=True, reason="SanitizeMarkdownCells is not idempotent: a second pass (feedback after the "
                   "intake) wraps the cell in another <div class=\"inert-markdown\"> and moves the table's line "
                   "breaks; the page shows the same text, but each pass changes the source")
def test_sanitizing_twice_changes_nothing_more():
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(MARKDOWN)]
    sanitize.inert_notebook(notebook)
    once = notebook.cells[0].source
    sanitize.inert_notebook(notebook)
    assert notebook.cells[0].source == once


def test_a_page_with_attributes_on_its_head_gets_the_policy_first():
    page = sanitize.with_policy('<html><HEAD data-x="1"><title>t</title></HEAD>', "default-src 'none'")
    assert page == ('<html><HEAD data-x="1">\n<meta http-equiv="Content-Security-Policy" content="default-src '
                    "'none'\"><title>t</title></HEAD>")
    with pytest.raises(ValueError, match="no <head>"):
        sanitize.with_policy("<header>not a head</header>")


def test_the_preprocessors_have_the_traits_of_nbgraders():
    """Their base is nbconvert's, with what ``NbGraderPreprocessor`` adds (nbgrader configures them as its own)."""
    from nbgrader.preprocessors import NbGraderPreprocessor

    ours, nbgraders = sanitize.InertPreprocessor(), NbGraderPreprocessor()
    for trait in ("default_language", "display_data_priority", "enabled"):
        assert getattr(ours, trait) == getattr(nbgraders, trait), trait
    assert sanitize.InertPreprocessor.class_traits(config=True).keys() >= {"enabled", "display_data_priority"}


TAKE_IN = """
import json, os, sys
from graders.intake import read_release, take_in
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
submission = take_in(fd, "alice", read_release())
assert submission.notebook.cells[-1].source.startswith('<div class="inert-markdown">'), "the markdown was not made inert"
assert submission.timestamp == "2026-11-20 09:00:00", submission.timestamp
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] == "nbgrader")))
"""


def test_taking_in_a_submission_loads_no_nbgrader_module(tmp_path):
    """The intake makes each submission inert and reads its time without nbgrader, whose package loads the Jupyter
    server extensions."""
    import json
    import os
    import subprocess
    import sys

    from graders.notebook import ASSIGNMENT, NOTEBOOK_NAME, ROOT
    from tests.notebooks import read_release

    notebook = read_release()
    notebook.cells.append(new_markdown_cell("<img src=x onerror=alert(1)> [a](javascript:alert(1))"))
    folder = tmp_path / "alice" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / NOTEBOOK_NAME))
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00 Europe/Paris")
    result = subprocess.run([sys.executable, "-c", TAKE_IN, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT}, check=True)
    assert json.loads(result.stdout) == []
