"""Unit tests of :mod:`graders.sanitize` for what ``tests/test_active_content.py`` (which tests each preprocessor on
its main case, the policy, and every payload in a browser) leaves out: the edge cases of each output step, the
policy's place in the page and the preprocessors' traits."""
import copy
import os
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from graders import sanitize
from graders.notebook import ASSIGNMENT, ROOT


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


MISSING = f'alt="{sanitize.MISSING_ALT_TEXT}"'


@pytest.mark.parametrize("tag, expected", [
    ('<img src="a.png">', f'<img src="a.png" {MISSING}>'),
    ('<img src="a.png"/>', f'<img src="a.png" {MISSING}/>'),
    ("<IMG SRC='a.png' >", f"<IMG SRC='a.png' {MISSING}>"),
    ("<img>", f"<img {MISSING}>"),
    ('<img src="a.png" alt="">', '<img src="a.png" alt="">'),
    ('<img ALT="plot" src="a.png">', '<img ALT="plot" src="a.png">'),
    ("<img alt src=a.png>", "<img alt src=a.png>"),
    ('<img title="alt=x" src="a>b.png">', f'<img title="alt=x" src="a>b.png" {MISSING}>'),
    ('<img data-alt="x">', f'<img data-alt="x" {MISSING}>'),
    ('<imgx src="a.png"><image src="b.png">', '<imgx src="a.png"><image src="b.png">'),
])
def test_images_without_alternative_text_get_nbconverts_default_as_their_last_attribute(tag, expected):
    page, added = sanitize.with_alt_text(f"<p>{tag}</p>")
    assert page == f"<p>{expected}</p>"
    assert added == (expected != tag)


def image_notebook():
    """A notebook whose page has images with and without alternative text, in outputs and in markdown."""
    notebook = new_notebook(metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    notebook.cells = [
        new_markdown_cell('# Plots\n\n![a sketch](data:image/png;base64,AAAA) <img src="data:image/png;base64,AAAA">'),
        output_cell({"image/png": "AAAA", "text/plain": "<Figure>"}),
        output_cell({"image/jpeg": "AAAA"}, {"image/jpeg": {"alt": "a photo"}}),
        output_cell({"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg'></svg>"}),
        new_code_cell("print('<img src=x>')", outputs=[new_output("stream", name="stdout", text="<img src=x>\n")]),
    ]
    return notebook


def test_pages_are_nbconverts_pages_without_its_rewriting_of_the_whole_page(monkeypatch):
    """Parsed and written out as nbconvert's exporter does, the page is nbconvert's page, with the policy; and it
    is made without parsing the page."""
    import nbconvert.exporters.html
    from bs4 import BeautifulSoup
    from nbconvert.exporters import HTMLExporter

    notebook = image_notebook()
    expected, _ = HTMLExporter(template_name="classic").from_notebook_node(copy.deepcopy(notebook))
    with monkeypatch.context() as patch:
        patch.setattr(nbconvert.exporters.html, "BeautifulSoup", None)
        page, _ = sanitize.PolicyHTMLExporter(template_name="classic").from_notebook_node(notebook)
    assert expected.count(MISSING) == 3
    assert page.count(MISSING) == 3 and "a photo" in page and "a sketch" in page
    policy = sanitize.with_policy("<head>", sanitize.CONTENT_SECURITY_POLICY)[len("<head>"):]
    assert policy in page
    assert str(BeautifulSoup(page.replace(policy, "", 1), features="html.parser")) == expected


@pytest.mark.parametrize("release_exists", [True, False], ids=["release", "no release"])
def test_markdown_cells_are_sanitized_unless_they_are_the_releases_text(tmp_path, release_exists):
    release_text = "# Part 1\n\n<details><summary>hint</summary>use `np.sum`</details>"
    path = tmp_path / "release.ipynb"
    if release_exists:
        nbformat.write(new_notebook(cells=[new_markdown_cell(release_text), new_code_cell("x")]), str(path))
    step = sanitize.SanitizeMarkdownCells(release_notebook=str(path))
    kept, _ = step.preprocess_cell(new_markdown_cell(release_text), {}, 0)
    changed, _ = step.preprocess_cell(new_markdown_cell(release_text + "<img src=x onerror=alert(1)>"), {}, 1)
    assert (kept.source == release_text) is release_exists
    assert "onerror" not in changed.source and changed.source.startswith('<div class="inert-markdown">')


def test_each_code_is_highlighted_once_per_export_as_nbconvert_highlights_it(monkeypatch):
    from nbconvert.filters.highlight import Highlight2HTML

    calls = []
    highlight = Highlight2HTML(pygments_lexer="ipython3")
    once = sanitize.HighlightOnce(highlight, {})
    monkeypatch.setattr(sanitize, "HIGHLIGHTED_MAX", 3)
    cases = [("x = 1", None, None), ("x = 1", None, {"tags": ["a"]}), ("x = 1", "python", None),
             ("%%bash\nls -l", None, {"magics_language": "bash"}), ("%%bash\nls -l", None, None),
             ("print(1)", None, None), ("x = 1", None, None)]
    original = Highlight2HTML.__call__
    monkeypatch.setattr(Highlight2HTML, "__call__", lambda self, *args: calls.append(args) or original(self, *args))
    for source, language, metadata in cases:
        assert once(source, language, metadata) == original(highlight, source, language, metadata)
    assert [args[:2] for args in calls] == [("x = 1", None), ("x = 1", "python"), ("%%bash\nls -l", None),
                                            ("%%bash\nls -l", None), ("print(1)", None), ("x = 1", None)]
    assert len(once.highlighted) <= 3


MARKDOWN = "# Part 1\n\nThe cost $J = \\frac{1}{m}$, *in short*:\n\n```python\nx = 1\n```"


@pytest.mark.parametrize("attachments, rendered", [
    ({}, 1),
    ({"a.png": {"image/png": "iVBORw0KGgo="}}, 3),  # rendered each time: nbconvert embeds the attachment
], ids=["text", "attachments"])
def test_each_markdown_is_rendered_once_per_export_as_nbconvert_renders_it(monkeypatch, attachments, rendered):
    import jinja2
    from nbconvert.exporters import HTMLExporter

    source = MARKDOWN + ("\n\n![a plot](attachment:a.png)" if attachments else "")
    context = {"cell": new_markdown_cell(source, attachments=attachments), "resources": {}}
    expected = HTMLExporter().markdown2html(context, source)
    calls = []
    original = HTMLExporter.markdown2html
    monkeypatch.setattr(HTMLExporter, "markdown2html", jinja2.pass_context(
        lambda self, context, source: calls.append(source) or original(self, context, source)))
    exporter = sanitize.PolicyHTMLExporter()
    assert [exporter.markdown2html(context, source) for _ in range(3)] == [expected] * 3
    assert len(calls) == rendered
    assert sanitize.PolicyHTMLExporter().markdown2html(context, source) == expected  # another export renders anew
    assert len(calls) == rendered + 1


def test_loading_the_feedback_exporter_loads_no_grader_numpy_or_jupyter_server():
    """nbgrader loads the feedback page's exporter and preprocessors (``graders.feedback_page``, this module's
    subclasses) for every export, and their MathJax: the Jupyter server (whose package ships MathJax) stays
    unloaded, and so do the assignment's graders (numpy with them) until a verdict edited by hand needs their
    catalogue."""
    code = ("import sys\nimport graders.feedback_page as page\npage.mathjax_files()\n"
            f"print(sorted(m for m in ('numpy', 'graders.{ASSIGNMENT}', 'jupyter_server', 'jupyter_server_mathjax') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
