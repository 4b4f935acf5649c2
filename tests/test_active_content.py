"""No markup of a student's is active anywhere: feedback pages, the grade spreadsheet, the JUnit reports.

Each attacker submits a correct notebook carrying one payload that, if it ran, would mark the page's
``<body>`` with ``data-pwned-<payload>``. The class (honest students graded first and last, the attackers in
between) goes through the real ``make autograde feedback``; each page is then read as HTML and rendered in
headless Chromium, where its own MathJax runs and nothing else does. Two more sets of pages, made by nbgrader itself from the notebooks as submitted (the intake
already makes the autograded notebooks inert), show that the checks can fail: stock feedback (nbgrader's own
preprocessors and exporter), where the payloads are present and run, and policy-only feedback (our exporter,
no sanitizing preprocessor), where they are present but the Content-Security-Policy stops them.
"""
import base64
import csv
import functools
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from typing import Callable, NamedTuple

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_output

from graders import feedback_page, inert, reports, sanitize
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, grade_id, gradebook_url
from tests.browser import Chromium
from tests.conftest import VENV, gradebook_scores, make
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission

HONEST = ("aaa-honest", "zzz-honest")
CONTROL_CHARACTERS = "attack-control-characters"
MATHJAX_URL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"
STOCK_FEEDBACK = ("--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades']",
                  "--GenerateFeedback.exporter_class=nbconvert.exporters.HTMLExporter")
POLICY_ONLY_FEEDBACK = ("--GenerateFeedback.preprocessors=['nbgrader.preprocessors.GetGrades']",)
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
       '<circle cx="20" cy="20" r="15" fill="teal"/></svg>')
ACTIVE_TAGS = ("script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "meta", "link",
               "style", "svg", "math", "template", "noscript", "portal")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "codebase")


def _mark(name, frame=""):
    """JavaScript (no spaces) that marks the page's body: the visible sign that a payload ran."""
    return f"{frame}document.body.setAttribute('data-pwned-{name}','1')"


def _markdown(text):
    def add(notebook):
        notebook.cells.insert(1, new_markdown_cell(text))
    return add


def _output(data, metadata=None):
    def add(notebook):
        _cell(notebook, "run_plot_dropout").outputs.append(new_output("display_data", data=data,
                                                                      metadata=metadata or {}))
    return add


class Payload(NamedTuple):
    """What an attacker adds to a correct notebook, and how it shows in stock nbgrader feedback."""

    add: Callable
    runs_in_stock: bool  # it runs when the stock page opens (a link runs only when clicked)
    markup_in_stock: bool = True  # the stock page holds active markup (an SVG shown as an image holds none)


PAYLOADS = {
    "markdown-script": Payload(_markdown(f"Notes.\n\n<script>{_mark('markdown-script')}</script>"), True),
    "html-output-script": Payload(_output({"text/html": f"<b>results</b><script>{_mark('html-output-script')}"
                                                        "</script>", "text/plain": "results"}), True),
    # The template writes `var element = $('#id');` before the output; a hoisted `function $` makes it run.
    "javascript-output": Payload(_output({"application/javascript": f"function $() {{ {_mark('javascript-output')}; }}",
                                          "text/plain": "<IPython.core.display.Javascript object>"}), True),
    "img-onerror": Payload(_markdown(f'<img src="x" onerror="{_mark("img-onerror")}">'), True),
    "iframe-srcdoc": Payload(_markdown(f'<iframe srcdoc="<script>{_mark("iframe-srcdoc", "parent.")}</script>">'
                                       "</iframe>"), True),
    "javascript-link": Payload(_markdown(f"[my results](javascript:{_mark('javascript-link')})\n\n"
                                         f'<a href=" JaVaScRiPt:{_mark("javascript-link")}">details</a>'), False),
    "javascript-frame": Payload(_markdown(f'<iframe src="javascript:{_mark("javascript-frame", "parent.")}">'
                                          "</iframe>"), True),
    "data-html-link": Payload(_markdown("[report](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
                                        '<a href="data:text/html,<script>alert(1)</script>">more</a>'), False),
    "svg-onload": Payload(_markdown(f'<svg onload="{_mark("svg-onload")}"></svg>'), True),
    "object-embed": Payload(_markdown('<object data="data:text/html,<script>alert(1)</script>"></object>'
                                      '<embed src="data:text/html,<script>alert(1)</script>">'), False),
    # nbconvert writes an image's width unquoted: a width with a space in it adds an attribute.
    "image-size": Payload(_output({"image/png": "AAAA", "text/plain": "<Figure>"},
                                  {"image/png": {"width": f"1 onerror={_mark('image-size')}"}}), True),
    "isolated-html": Payload(_output({"text/html": "<b>isolated</b>", "text/plain": "isolated"},
                                     {"text/html": {"isolated": True}}), False),
    "markdown-output": Payload(_output({"text/markdown": f'<img src="x" onerror="{_mark("markdown-output")}">',
                                        "text/plain": "<IPython.core.display.Markdown object>"}), True),
    # An SVG shown as an image runs nothing; it is kept, and stays inert.
    "svg-image-script": Payload(_output({"image/svg+xml": SVG.replace(
        "</svg>", f'<script>{_mark("svg-image-script")}</script></svg>').replace(
        "<svg ", f'<svg onload="{_mark("svg-image-script")}" '), "text/plain": "<SVG>"}), False, False),
}
ATTACKERS = [f"attack-{name}" for name in PAYLOADS] + [CONTROL_CHARACTERS]
RUNS_IN_STOCK = [name for name, payload in PAYLOADS.items() if payload.runs_in_stock]
MARKUP_IN_STOCK = [name for name, payload in PAYLOADS.items() if payload.markup_in_stock]
RAISING_COST = ("def compute_cost_with_regularization(A3, Y, parameters, lambd):\n"
                '    raise ValueError("\\x1b[31mred alert\\x1b[0m, a NUL \\x00 and a form feed \\x0c")')


def _cell(notebook, cell_id):
    return next(cell for cell in notebook.cells if grade_id(cell) == cell_id)


def _png():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(2, 2))
    plt.plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


PLOT = _png()


def _submission(solutions, release):
    """A notebook with ``solutions`` and the student's plot of the L2 model (as every student here has)."""
    notebook = make_submission(solutions, release=release)
    _cell(notebook, "run_plot_l2").outputs = [new_output("display_data", data={"image/png": PLOT,
                                                                               "text/plain": "<Figure>"})]
    return notebook


def _with_rich_content(notebook):
    """The everyday content of a notebook: formatted notes, a table, images, text, HTML and error outputs."""
    notebook.cells.insert(1, new_markdown_cell(
        "## My notes\n\n**Bold** and *italic*, `np.sum(np.square(W1))`, "
        "[a reference](https://en.wikipedia.org/wiki/Tikhonov_regularization), $\\lambda = 0.7$.\n\n"
        "| model | test accuracy |\n|---|---|\n| L2 | 0.93 |\n\n"
        f"![my sketch](data:image/png;base64,{PLOT})"))
    _cell(notebook, "run_results_table").outputs = [new_output("stream", name="stdout",
                                                               text="train accuracy 0.94 <b>as text</b>\n")]
    _cell(notebook, "run_plot_dropout").outputs = [
        new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "<SVG>"}),
        new_output("display_data", data={"text/html": "<table><tr><th>model</th></tr><tr><td>dropout</td></tr>"
                                                      "</table>", "text/plain": "table"}),
        new_output("error", ename="ValueError", evalue="shapes (2,3) and (4,5) not aligned",
                   traceback=["\x1b[31mValueError\x1b[0m: shapes (2,3) and (4,5) not aligned"])]
    return notebook


def _nbgrader(course, *args):
    result = subprocess.run([os.path.join(VENV, "bin", "nbgrader"), *args], cwd=course, capture_output=True,
                            text=True, timeout=1800)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def graded_class(released_course):
    release = read_release()
    solutions = reference_solutions()
    write_submission(_with_rich_content(_submission(solutions, release)), released_course, HONEST[0])
    for name, payload in PAYLOADS.items():
        notebook = _submission(solutions, release)
        payload.add(notebook)
        write_submission(notebook, released_course, f"attack-{name}")
    write_submission(_submission({**solutions, "compute_cost_with_regularization": RAISING_COST}, release),
                     released_course, CONTROL_CHARACTERS)
    write_submission(_submission(solutions, release), released_course, HONEST[1])
    make(released_course, "autograde", "feedback")
    # The comparison pages are made from the notebooks as submitted (the intake already makes markup inert), for
    # the attackers whose pages the tests below read: stock pages where stock nbgrader keeps the markup or the
    # payload runs, policy-only pages where the payload runs in the stock page.
    for folder, options, names in (("stock_feedback", STOCK_FEEDBACK, {*MARKUP_IN_STOCK, *RUNS_IN_STOCK}),
                                   ("policy_feedback", POLICY_ONLY_FEEDBACK, set(RUNS_IN_STOCK))):
        raw = f"raw_{folder}"
        for student in sorted(f"attack-{name}" for name in names):
            copy = os.path.join(released_course, raw, student, ASSIGNMENT)
            os.makedirs(copy)
            shutil.copy(os.path.join(released_course, "submitted", student, ASSIGNMENT, "Regularization.ipynb"), copy)
        _nbgrader(released_course, "generate_feedback", ASSIGNMENT, "--force", "--log-level=WARN",
                  f"--CourseDirectory.autograded_directory={raw}",
                  f"--CourseDirectory.feedback_directory={folder}", *options)
    return released_course


def _page_path(course, student, folder="feedback"):
    return os.path.join(course, folder, student, ASSIGNMENT, "Regularization.html")


def _page(course, student, folder="feedback"):
    with open(_page_path(course, student, folder), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def parsed_page(graded_class):
    """``parsed_page(student, folder="feedback")``: a page of the class parsed as HTML, once for all the tests (which
    only read it)."""

    @functools.cache
    def parsed(student, folder="feedback"):
        return BeautifulSoup(_page(graded_class, student, folder), "html.parser")

    yield parsed
    parsed.cache_clear()


def _template_mathjax(element):
    """Whether a <script> is MathJax as a template loads it: stock nbgrader's (from a CDN, configured inline) or
    ours (from the page's folder)."""
    return (element.get("src") in (MATHJAX_URL, *feedback_page.MATHJAX_SCRIPTS)
            or element.get("type") == "text/x-mathjax-config")


def active_content(soup):
    """What in a parsed page could run or load something, one line each (the template's own MathJax tags aside)."""
    found = []
    for element in soup.find_all(True):
        in_head = any(parent.name == "head" for parent in element.parents)
        if element.name == "script" and not (in_head and _template_mathjax(element)):
            found.append(f"a script: {str(element)[:80]}")
        elif element.name in ACTIVE_TAGS and not (in_head and element.name in ("meta", "style", "script")):
            found.append(f"a <{element.name}> element")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            address = "".join(value.split()).lower()
            if name.lower().startswith("on") or name.lower() == "srcdoc":
                found.append(f"an attribute {name} on <{element.name}>")
            elif name.lower() in URL_ATTRIBUTES and address.startswith(("javascript:", "vbscript:", "data:")) \
                    and not (element.name == "img" and name == "src" and address.startswith("data:image/")):
                found.append(f"an address {address[:40]} in <{element.name} {name}>")
    return found


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One headless Chromium for the module's renders: each page is loaded in its tab in turn."""
    with Chromium(tmp_path_factory.mktemp("profile")) as browser:
        yield browser


# The names of the attributes of the rendered page's <html> and <body>, null when it has no <body>.
ROOT_ATTRIBUTES = ("document.body && [document.documentElement, document.body]"
                   ".flatMap(element => Array.from(element.attributes, attribute => attribute.name))")


def _ran(path, browser):
    """The payloads whose mark is on the ``<html>`` or ``<body>`` of the page at ``path`` once headless Chromium has
    loaded it (its ``load`` event has fired)."""
    browser.open(path, timeout=120)
    names = browser.evaluate(ROOT_ATTRIBUTES)
    assert names is not None, f"{path} has no <body> once rendered"
    return sorted(name[len("data-pwned-"):] for name in names if name.startswith("data-pwned-"))


# The graded class: scores, pages read as HTML, pages rendered in Chromium.

def test_honest_students_graded_before_and_after_the_attackers_keep_full_marks(graded_class):
    assert sorted([*HONEST, *ATTACKERS]) == [HONEST[0], *sorted(ATTACKERS), HONEST[1]]
    scores = gradebook_scores(gradebook_url(graded_class))
    totals = {student: sum(score for (who, _), score in scores.items() if who == student) for student in HONEST}
    assert totals == {student: 10 for student in HONEST}


@pytest.mark.parametrize("student", ATTACKERS)
def test_feedback_holds_no_active_content(parsed_page, student):
    assert active_content(parsed_page(student)) == []


@pytest.mark.parametrize("name", MARKUP_IN_STOCK)
def test_stock_feedback_holds_each_payload_so_the_check_can_fail(parsed_page, name):
    assert active_content(parsed_page(f"attack-{name}", "stock_feedback")) != []


@pytest.mark.parametrize("student", [*HONEST, *ATTACKERS])
def test_every_page_opens_with_a_policy_that_runs_only_its_own_script_files(parsed_page, student):
    head = parsed_page(student).head
    policy = head.find("meta")
    assert policy.get("http-equiv") == "Content-Security-Policy"
    assert policy["content"] == sanitize.CONTENT_SECURITY_POLICY
    directives = dict(directive.strip().split(" ", 1) for directive in policy["content"].split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'none'"
    assert directives["font-src"] == "'self' data:" and directives["img-src"] == "data:"


@pytest.mark.parametrize("student", ATTACKERS)
def test_no_payload_runs_in_chromium(graded_class, student, chromium):
    assert _ran(_page_path(graded_class, student), chromium) == []


@pytest.mark.parametrize("name", RUNS_IN_STOCK)
def test_each_payload_runs_in_chromium_from_stock_feedback_so_the_check_can_fail(graded_class, name, chromium):
    page = _page(graded_class, f"attack-{name}", "stock_feedback")
    assert "Content-Security-Policy" not in page
    assert _ran(_page_path(graded_class, f"attack-{name}", "stock_feedback"), chromium) == [name]


@pytest.mark.parametrize("name", RUNS_IN_STOCK)
def test_the_policy_alone_stops_every_payload_left_in_the_page(graded_class, parsed_page, name, chromium):
    path = _page_path(graded_class, f"attack-{name}", "policy_feedback")
    assert active_content(parsed_page(f"attack-{name}", "policy_feedback")) != []
    assert _ran(path, chromium) == []


@pytest.mark.parametrize("student", [*HONEST, *ATTACKERS])
def test_the_students_plot_is_still_in_the_page(parsed_page, student):
    images = [img.get("src", "") for img in parsed_page(student).find_all("img")]
    assert f"data:image/png;base64,{PLOT}" in images


def test_svg_output_is_kept_as_an_image(parsed_page):
    page = parsed_page("attack-svg-image-script")
    assert any(img.get("src", "").startswith("data:image/svg+xml;base64,") for img in page.find_all("img"))


def test_everyday_content_still_shows(parsed_page):
    page = parsed_page(HONEST[0])
    notes = page.find("h2", id="My-notes").parent
    assert notes.find("strong").get_text() == "Bold" and notes.find("em").get_text() == "italic"
    assert notes.find("code").get_text() == "np.sum(np.square(W1))"
    assert notes.find("a", href="https://en.wikipedia.org/wiki/Tikhonov_regularization").get_text() == "a reference"
    assert "$\\lambda = 0.7$" in notes.get_text()
    assert [cell.get_text() for cell in notes.find("table").find_all(["th", "td"])] == [
        "model", "test accuracy", "L2", "0.93"]
    assert notes.find("img", alt="my sketch")["src"] == f"data:image/png;base64,{PLOT}"
    assert page.find("img", src=f"data:image/svg+xml;base64,{base64.b64encode(SVG.encode()).decode()}")
    assert "train accuracy 0.94 <b>as text</b>\n" in [pre.get_text() for pre in page.select(".output_stdout pre")]
    assert [cell.get_text() for cell in page.select(".output_html table td")] == ["dropout"]
    assert "ValueError: shapes (2,3) and (4,5) not aligned" in page.select_one(".output_error").get_text()
    assert "def compute_cost_with_regularization" in page.get_text()


def test_reports_stay_well_formed_for_control_characters_in_messages(graded_class):
    suite = ElementTree.parse(os.path.join(graded_class, "reports", "junit", CONTROL_CHARACTERS + ".xml")).getroot()
    failure = next(case.find("failure") for case in suite.iter("testcase")
                   if case.get("name") == "compute_cost_with_regularization")
    assert "\\x1b[31mred alert\\x1b[0m, a NUL \\x00" in failure.get("message") == failure.text
    with open(os.path.join(graded_class, "reports", "report.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    [record] = [r for r in report["students"] if r["student"] == CONTROL_CHARACTERS]
    assert "\x1b[31mred alert\x1b[0m, a NUL \x00" in record["functions"]["compute_cost_with_regularization"]["message"]


# The preprocessors on their own.

def test_markdown_renders_once_and_then_passes_the_template_unchanged():
    source = ("# Title\n\n```python\nif a < b:\n\n\treturn a\n```\n\n$$x < 1$$\n\n"
              "\\begin{equation}y\\end{equation}\r\n\r\n> quoted\n\n<div>\n\n*emphasis*</div>")
    exporter = HTMLExporter()
    rendered = inert.inert_markdown(source, exporter)
    assert "\n" not in rendered and "\r" not in rendered
    assert exporter.markdown2html({"cell": {}, "resources": {}}, rendered).strip() == rendered


@pytest.mark.parametrize("html, kept", [
    ('<img src="data:image/png;base64,AAAA" alt="a">', '<img src="data:image/png;base64,AAAA" alt="a">'),
    ('<img src="data:image/svg+xml;base64,AAAA">', '<img src="data:image/svg+xml;base64,AAAA">'),
    ('<img src="data:text/html;base64,AAAA">', "<img>"),
    ('<img src="da&#x74;a:text/html,x">', "<img>"),
    ('<a href="data:image/png;base64,AAAA">a</a>', "<a>a</a>"),
    ('<a href=" jav&#x09;ascript:alert(1)">a</a>', "<a>a</a>"),
    ('<a href="https://example.org/" onclick="alert(1)">a</a>', '<a href="https://example.org/">a</a>'),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<span style="color: red; position: fixed">red</span>', '<span style="color: red;">red</span>'),
], ids=["png", "svg", "data-html", "entity-data-html", "data-link", "javascript-link", "onclick", "script",
        "style"])
def test_inert_html(html, kept):
    assert inert.inert_html(html) == kept


def test_markdown_cell_attachments_become_image_urls():
    cell = new_markdown_cell("![sketch](attachment:sketch.png) ![page](attachment:page.html)")
    cell.attachments = {"sketch.png": {"image/png": "AAAA"}, "page.html": {"text/html": "PHNjcmlwdD4="}}
    cell, _ = sanitize.SanitizeMarkdownCells().preprocess_cell(cell, {}, 0)
    images = BeautifulSoup(cell.source, "html.parser").find_all("img")
    assert [img.get("src") for img in images] == ["data:image/png;base64,AAAA", None] and "attachments" not in cell


def test_active_output_types_are_dropped():
    cell = nbformat.v4.new_code_cell("", outputs=[
        new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js", "image/png": "AA"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}),
        new_output("stream", name="stdout", text="<script>shown as text</script>")])
    cell, _ = sanitize.DropActiveOutputs().preprocess_cell(cell, {}, 0)
    assert [output.get("data") for output in cell.outputs] == [
        {"text/plain": "js", "image/png": "AA"},
        {"text/plain": "[not shown in feedback: application/vnd.jupyter.widget-view+json]"}, None]


def test_output_metadata_keeps_only_well_formed_display_hints():
    metadata = {"image/png": {"width": "1 onerror=alert(1)", "height": 240, "alt": "plot", "filenames": "x"},
                "text/html": {"isolated": True}, "filenames": {"image/png": "https://example.org/x.png"},
                "width": 320.5, "unconfined": "yes"}
    cell = nbformat.v4.new_code_cell("", outputs=[new_output("display_data", data={"image/png": "AA"},
                                                             metadata=metadata)])
    cell, _ = sanitize.ResetOutputMetadata().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].metadata == {"width": 320.5, "image/png": {"height": 240, "alt": "plot"}}


def test_html_outputs_are_made_inert_or_give_way_to_an_image():
    cell = nbformat.v4.new_code_cell("", outputs=[
        new_output("display_data", data={"text/html": "<b>t</b><script>alert(1)</script>", "text/plain": "t"}),
        new_output("display_data", data={"text/html": "<div id='chart'></div><script>draw()</script>",
                                         "image/png": "AA"}),
        new_output("execute_result", data={"text/markdown": "[x](javascript:alert(1))"}, execution_count=1)])
    cell, _ = sanitize.SanitizeRichOutputs().preprocess_cell(cell, {}, 0)
    assert cell.outputs[0].data["text/html"] == "<b>t</b>&lt;script&gt;alert(1)&lt;/script&gt;"
    assert cell.outputs[1].data == {"image/png": "AA"}
    assert cell.outputs[2].data["text/markdown"] == '<div class="inert-markdown"><p><a>x</a></p>&#10;</div>'


def test_the_policy_goes_first_in_the_head():
    page = sanitize.with_policy("<!DOCTYPE html>\n<html>\n<head lang='en'>\n<meta charset='utf-8'>")
    assert BeautifulSoup(page, "html.parser").head.find("meta")["http-equiv"] == "Content-Security-Policy"
    with pytest.raises(ValueError, match="no <head>"):
        sanitize.with_policy("<p>no head</p>")


# The spreadsheet and the JUnit reports.

def _record(student, total=10.0, message="wrong values", passed=False):
    functions = {name: {"score": 0.0, "max": 2.0, "passed": passed, "check": "values", "message": message}
                 for name in GRADED_FUNCTIONS}
    return {"student": student, "total": total, "raw_total": total, "late_penalty": 0.0, "max": 10.0,
            "functions": functions}


@pytest.mark.parametrize("student", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"],
                         ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_csv_neutralises_formulas_in_text_cells(tmp_path, student):
    path = tmp_path / "grades.csv"
    reports.write_csv([_record(student, total=-1.5)], path)
    with open(path, newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["student_id"] == "'" + student
    assert row["total"] == "-1.5" and row["max"] == "10"
    assert [row[name] for name in GRADED_FUNCTIONS] == ["0"] * len(GRADED_FUNCTIONS)


def test_csv_leaves_ordinary_ids_alone(tmp_path):
    path = tmp_path / "grades.csv"
    reports.write_csv([_record("ada.lovelace-1")], path)
    with open(path, newline="", encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["student_id"] == "ada.lovelace-1"


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("a NUL \x00 byte", "a NUL \\x00 byte"),
    ("\x0b\x0c\x7f", "\\x0b\\x0c\x7f"),
    ("a lone \ud800 surrogate", "a lone \\ud800 surrogate"),
    ("not a character \ufffe", "not a character \\ufffe"),
    ("<tag> & \"quotes\" 'kept'\ttab\nline", "<tag> & \"quotes\" 'kept'\ttab\nline"),
], ids=["ansi", "nul", "vertical-tab-form-feed", "surrogate", "non-character", "markup"])
def test_junit_is_well_formed_for_any_message(tmp_path, text, shown):
    path = tmp_path / "student.xml"
    reports.write_junit(_record("ada" + text, message=text), path)
    suite = ElementTree.parse(path).getroot()
    assert suite.get("name") == "regularization.ada" + shown
    failures = [case.find("failure") for case in suite.iter("testcase")]
    assert len(failures) == len(GRADED_FUNCTIONS)
    assert all(failure.get("message") == shown and failure.text == shown for failure in failures)
