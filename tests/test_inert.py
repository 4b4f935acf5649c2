"""Unit tests of :mod:`graders.inert` for what ``tests/test_active_content.py`` (which tests ``inert_html`` and
every payload in a browser) and ``tests/test_sanitize.py`` (each output step as a preprocessor) leave out: display
hints, ``inert_notebook`` with the release's trusted text, what taking a submission in loads, and HTML nested too
deeply to clean."""
from html import escape

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from graders import inert


@pytest.mark.parametrize("value, valid", [
    (100, True), (0, True), (12.5, True), ("640", True), ("12.25", True),
    (-1, False), (10 ** 6, False), (float("nan"), False), (float("inf"), False), (True, False),
    ("1 onerror=alert(1)", False), ("12.2500", False), ("", False), ("1e3", False), (None, False),
], ids=["int", "zero", "float", "digits", "decimals", "negative", "huge", "nan", "inf", "bool", "handler",
        "long decimals", "empty", "exponent", "none"])
def test_is_size(value, valid):
    assert inert._is_size(value) is valid


def output_cell(data, metadata=None, output_type="display_data"):
    output = new_output(output_type, data=data, metadata=metadata or {}, **(
        {"execution_count": 1} if output_type == "execute_result" else {}))
    return new_code_cell("x", outputs=[output])


def test_inert_notebook_keeps_the_releases_text_and_sanitizes_the_students():
    trusted = "# Title\n\n<details><summary>hint</summary>text</details>"
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(trusted), new_markdown_cell("<img src=x onerror=alert(1)>"),
                      output_cell({"application/javascript": "alert(1)", "text/plain": "1"})]
    inert.inert_notebook(notebook, {trusted})
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
    inert.inert_notebook(notebook)
    once = notebook.cells[0].source
    inert.inert_notebook(notebook)
    assert visible(notebook.cells[0].source) == visible(once) == "bold it a a b 1 2"
    assert "onerror" not in notebook.cells[0].source and "<strong>bold</strong>" in notebook.cells[0].source


@pytest.mark.parametrize("markdown", [
    MARKDOWN,
    "```\nx = 1\n\ny = 2\n```\n\ntext &#10; `&#10;` &amp;#10; <b title='a\nb'>t</b>\r\n\n<img src=x onerror=alert(1)>",
], ids=["table", "line breaks"])
def test_sanitizing_twice_changes_nothing_more(markdown):
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell(markdown)]
    inert.inert_notebook(notebook)
    once = notebook.cells[0].source
    inert.inert_notebook(notebook)
    assert notebook.cells[0].source == once
    assert inert.is_inert_markdown(once)


@pytest.mark.parametrize("source, expected", [
    ('<div class="inert-markdown"><img src=x onerror=alert(1)><script>1</script></div>',
     '<div class="inert-markdown"><img src="x">&lt;script&gt;1&lt;/script&gt;</div>'),
    ('<div class="inert-markdown">a</div><a href="javascript:alert(1)">b</a><div>c</div>',
     '<div class="inert-markdown">a</div><a>b</a><div>c</div>'),
])
def test_markdown_in_the_inert_shape_is_cleaned_again(source, expected):
    cell = new_markdown_cell(source)
    inert.make_markdown_cell_inert(cell, None)
    assert cell.source == expected


@pytest.mark.parametrize("source", [
    '<div class="inert-markdown">\n\n[a](javascript:alert(1))</div>',
    '<div class="inert-markdown">a</div>\r[a](javascript:alert(1))',
    '<div class="inert-markdown">a</div> [a](javascript:alert(1))',
    '<div class="inert-markdown-x">[a](javascript:alert(1))</div>',
], ids=["blank line", "carriage return", "after the div", "other class"])
def test_markdown_of_another_shape_is_rendered_and_wrapped(source):
    cell = new_markdown_cell(source)
    inert.make_markdown_cell_inert(cell, inert.html_exporter())
    assert inert.is_inert_markdown(cell.source) and "href" not in cell.source
    assert cell.source.startswith('<div class="inert-markdown"><div class="inert-markdown')


TAKE_IN = """
import json, os, sys
from graders.intake import read_release, take_in
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
submission = take_in(fd, "alice", read_release())
print(json.dumps({"last_cell": submission.notebook.cells[-1].source, "timestamp": submission.timestamp,
                  "loaded": sorted({name.split(".")[0] for name in sys.modules} & {"nbgrader", "nbconvert", "bleach"})}))
"""


def _take_in(tmp_path, notebook):
    """Take ``notebook`` in (with a time zone in its ``timestamp.txt``) in a fresh interpreter; what it says."""
    import json
    import os
    import subprocess
    import sys

    from graders.notebook import ASSIGNMENT, NOTEBOOK_NAME, ROOT

    folder = tmp_path / "alice" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / NOTEBOOK_NAME))
    (folder / "timestamp.txt").write_text("2026-11-20 10:00:00 Europe/Paris")
    result = subprocess.run([sys.executable, "-c", TAKE_IN, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT}, check=True)
    return json.loads(result.stdout)


def test_taking_in_student_markdown_makes_it_inert_without_nbgrader(tmp_path):
    """The intake makes each submission inert and reads its time without nbgrader, whose package loads the Jupyter
    server extensions; markdown of the student's own is rendered (nbconvert) and cleaned (bleach)."""
    from tests.notebooks import read_release

    notebook = read_release()
    notebook.cells.append(new_markdown_cell("<img src=x onerror=alert(1)> [a](javascript:alert(1))"))
    taken = _take_in(tmp_path, notebook)
    assert taken["last_cell"].startswith('<div class="inert-markdown">') and "onerror" not in taken["last_cell"]
    assert "javascript" not in taken["last_cell"]
    assert taken["timestamp"] == "2026-11-20 09:00:00"
    assert taken["loaded"] == ["bleach", "nbconvert"]


def test_taking_in_a_submission_with_only_the_releases_markdown_loads_neither_nbconvert_nor_bleach(tmp_path):
    """Nothing to render or clean: the intake's cost is the notebook's own (most submissions are taken in so)."""
    from tests.notebooks import read_release

    notebook = read_release()
    notebook.cells.append(new_code_cell("x = 1", outputs=[new_output("stream", name="stdout", text="<b>1</b>")]))
    taken = _take_in(tmp_path, notebook)
    assert taken["last_cell"] == "x = 1" and taken["timestamp"] == "2026-11-20 09:00:00"
    assert taken["loaded"] == []


# Deeply nested HTML: the parser's work at each end tag grows with the depth, which is bounded.

def _nested(depth, tag="div"):
    return f"<{tag}>" * depth + "x" + f"</{tag}>" * depth


@pytest.mark.parametrize("depth, shown_as_text", [(inert.MAX_HTML_DEPTH - 1, False), (inert.MAX_HTML_DEPTH, True),
                                                  (20000, True)], ids=["at-the-limit", "one-more", "deep"])
def test_html_nesting_more_elements_than_the_limit_is_shown_as_its_text(depth, shown_as_text):
    """The parser's own root element counts as one of the open elements."""
    html = _nested(depth)
    assert (inert.inert_html(html) == escape(html, quote=False)) is shown_as_text
    if not shown_as_text:
        assert inert.inert_html(html) == html


@pytest.mark.parametrize("html", [
    "".join(f"<p><b id='{index}'>x</p>" for index in range(300)),  # formatting elements the parser opens again
    "<dd><col><li>" * 300,  # list items that do not close one another
    "<span><div></span>" * 300,  # end tags that close nothing
    "<a><div></a>" * 300,
    "<table><tr><td>" * 300,
    "<blockquote>" * 300,
], ids=["reopened-formatting", "list-items", "unclosing-end-tags", "link-around-a-block", "nested-tables",
        "unclosed"])
def test_html_that_makes_the_parser_nest_deeply_in_any_way_is_shown_as_its_text(html):
    assert inert.inert_html(html) == escape(html, quote=False)


@pytest.mark.parametrize("html, kept", [
    ("<table>" + "<tr><td>1</td><td><b>2</b></td></tr>" * 2000 + "</table>", "<td><b>2</b></td>"),
    ("<p>x" * 2000, "<p>x</p>"),
    ("<ul>" + "<li>x" * 2000 + "</ul>", "<li>x</li>"),
    ("<div><i>x</i></div>" * 2000, "<div><i>x</i></div>"),
], ids=["long-table", "paragraphs-left-open", "list-items-left-open", "many-siblings"])
def test_html_of_many_elements_that_do_not_nest_is_cleaned_as_html(html, kept):
    assert kept in inert.inert_html(html)


def test_after_html_too_deep_the_next_html_is_cleaned_as_usual():
    inert.inert_html(_nested(20000))
    assert inert.inert_html("<b>bold</b><script>x</script>") == "<b>bold</b>&lt;script&gt;x&lt;/script&gt;"
