"""The feedback page reads at a glance: a summary on top, verdicts that wrap, failed cells shown, formulas typeset
by the page's own MathJax with no network, and the student's plots kept.

The pages are those of three students of the session's sample class (tests.sample_class), graded by the real
``make autograde feedback``: a correct student whose notes hold formulas and a plot, a student with two catalogued
mistakes, and a student whose cells do not run (a syntax error, an exception with markup and a very long word in
its message). Each page is read as HTML, then opened in headless Chromium (``tests.browser``) and measured;
screenshots of the top of each page and of its first failed verdict are written to the test's temporary folder
(their paths are printed).
"""
import errno
import os
import re
import stat
import urllib.parse

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell

from graders import feedback_page
from graders.notebook import ASSIGNMENT, grade_id, gradebook_url, points_by_function, read_source_notebook
from graders.reports import CELL_ERROR_KEY, VERDICT_KEY
from graders.sanitize import CONTENT_SECURITY_POLICY
from tests.browser import Chromium
from tests.conftest import gradebook_scores
from tests.notebooks import read_release
from tests.sample_class import BROKEN_FUNCTION, LONG_WORD, RAISING_CELL
from tests.sample_class import STUDENTS as CLASS

POINTS = points_by_function(read_source_notebook())  # the notebook's order and points
STUDENTS = ("correct", "mistaken", "broken")


def _cell(notebook, cell_id):
    return next(cell for cell in notebook.cells if grade_id(cell) == cell_id)


@pytest.fixture(scope="module")
def graded(graded_sample_class):
    """The course of the session's graded sample class (only read)."""
    return graded_sample_class.course


def _path(course, student):
    return os.path.join(course, "feedback", student, ASSIGNMENT, "Regularization.html")


def _soup(course, student):
    with open(_path(course, student), encoding="utf-8") as handle:
        return BeautifulSoup(handle.read(), "html.parser")


def _rows(soup):
    """``[(function, points text, verdict paragraphs)]`` of the summary's table."""
    return [(row.th.get_text(strip=True), row.select_one("td.points").get_text(strip=True),
             [p.get_text(" ", strip=True) for p in row.select("td.verdict p")])
            for row in soup.select(".feedback-summary table.functions tbody tr")]


# The page read as HTML.

@pytest.mark.parametrize("student", STUDENTS)
def test_summary_names_each_function_with_its_points(graded, student):
    scores = gradebook_scores(gradebook_url(graded))
    rows = _rows(_soup(graded, student))
    assert [name for name, _, _ in rows] == list(POINTS)
    assert [points for _, points, _ in rows] == [f"{scores[(student, 'test_' + name)]:g} / {POINTS[name]:g}"
                                                 for name in POINTS]


def test_the_summary_is_the_first_thing_on_the_page(graded):
    body = _soup(graded, "mistaken").body
    first = body.find(True)
    assert first.name == "main" and first.find(True).get("class") == ["feedback-summary", "tex2jax_ignore"]
    assert "Test cell" not in body.get_text()


@pytest.mark.parametrize("function, mistake", [
    ("compute_cost_with_regularization", "cost_lambda_over_m"),
    ("backward_propagation_with_dropout", "dropout_backward_no_mask"),
])
def test_a_failed_function_shows_its_likely_mistake_first(graded, function, mistake):
    verdict = {name: paragraphs for name, _, paragraphs in _rows(_soup(graded, "mistaken"))}[function]
    assert verdict[0].startswith("Likely mistake: " + feedback_page.mistake_messages()[mistake])
    assert len(verdict) == 2 and "check" in verdict[1] and "Likely mistake" not in verdict[1]


def test_a_passed_function_says_so_without_repeating_its_name(graded):
    for name, _, verdict in _rows(_soup(graded, "correct")):
        assert len(verdict) == 1 and re.fullmatch(r"Passed: all \d+ checked cases passed", verdict[0]), verdict


def test_cells_that_failed_are_listed_with_their_error_and_shown_on_the_cell(graded):
    soup = _soup(graded, "broken")
    listed = {item.code.get_text(): item.select_one(".cell-error").get_text()
              for item in soup.select(".feedback-summary .failed-cells li")}
    assert listed[BROKEN_FUNCTION].startswith("SyntaxError: ")
    assert listed[RAISING_CELL[:57] + "..."].startswith(
        f"ValueError: <i>not markup</i> {LONG_WORD} (line 1 of its cell: raise ValueError(")
    assert soup.select_one(".feedback-summary i") is None  # the message is text, not markup
    for item in soup.select(".feedback-summary .failed-cells li"):
        anchor = soup.find("a", id=item.a["href"][1:])
        shown = anchor.find_next("div", class_="output_error").get_text()
        assert "while grading, this cell failed: " + item.select_one(".cell-error").get_text() in shown


def test_the_page_loads_its_own_mathjax_and_no_other_script(graded):
    soup = _soup(graded, "correct")
    scripts = soup.find_all("script")
    assert [script.get("src") for script in scripts] == list(feedback_page.MATHJAX_SCRIPTS)
    assert all(not script.get_text().strip() for script in scripts)
    assert soup.head.find("meta")["content"] == CONTENT_SECURITY_POLICY
    folder = os.path.dirname(_path(graded, "correct"))
    assert all(os.path.isfile(os.path.join(folder, src)) for src in feedback_page.MATHJAX_SCRIPTS)


def _mathjax_in(folder):
    """``{path under the folder: os.stat_result}`` of the files of the folder's ``mathjax/`` (links not followed)."""
    top = os.path.join(folder, feedback_page.MATHJAX_FOLDER)
    return {os.path.relpath(os.path.join(where, name), folder): os.lstat(os.path.join(where, name))
            for where, _, names in os.walk(top) for name in names}


def _links_to_one_copy(folders):
    """Whether every folder of ``folders`` has all of MathJax as regular files, each a hard link to the first
    folder's, which has no other link."""
    placed = [_mathjax_in(folder) for folder in folders]
    return (all(set(found) == set(feedback_page.mathjax_files()) for found in placed)
            and all(stat.S_ISREG(status.st_mode) for found in placed for status in found.values())
            and all(found[name].st_ino == status.st_ino and status.st_nlink == len(folders)
                    for found in placed for name, status in placed[0].items()))


def test_every_page_of_a_run_has_all_of_mathjax_as_links_to_one_copy(graded):
    folders = [os.path.dirname(_path(graded, student)) for student in sorted(CLASS)]
    assert _links_to_one_copy(folders)
    for name, data in feedback_page.mathjax_files().items():
        with open(os.path.join(folders[0], name), "rb") as handle:
            assert handle.read() == data, name
    page_mode = stat.S_IMODE(os.stat(_path(graded, sorted(CLASS)[0])).st_mode)
    assert {stat.S_IMODE(status.st_mode) for status in _mathjax_in(folders[0]).values()} == {page_mode}


def test_the_first_folder_gets_a_copy_and_the_next_links_to_it(tmp_path):
    first = feedback_page.place_mathjax(str(tmp_path / "first"))
    assert feedback_page.place_mathjax(str(tmp_path / "second"), first) == first == str(tmp_path / "first")
    assert _links_to_one_copy([first, str(tmp_path / "second")])
    assert {stat.S_IMODE(status.st_mode) for status in _mathjax_in(first).values()} == {0o644}


def test_a_link_or_file_already_at_a_path_is_replaced_not_written_through(tmp_path):
    outside = tmp_path / "outside.js"
    outside.write_text("the instructor's file")
    copy_at = None
    for folder in ("first", "second"):
        planted = tmp_path / folder / feedback_page.MATHJAX_SCRIPTS[1]
        planted.parent.mkdir(parents=True)
        planted.symlink_to(outside)
        copy_at = feedback_page.place_mathjax(str(tmp_path / folder), copy_at)
        assert not planted.is_symlink() and planted.read_bytes() == feedback_page.mathjax_files()[
            feedback_page.MATHJAX_SCRIPTS[1]]
    assert outside.read_text() == "the instructor's file"


@pytest.mark.parametrize("planted", ["link-to-a-folder", "file"])
def test_a_mathjax_folder_that_is_not_a_folder_of_its_own_is_refused_and_nothing_is_written_through_it(
        tmp_path, planted):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "page").mkdir()
    mathjax = tmp_path / "page" / feedback_page.MATHJAX_FOLDER
    if planted == "file":
        mathjax.write_text("a file")
    else:
        mathjax.symlink_to(outside)
    with pytest.raises(NotADirectoryError, match="there is something other than a folder at"):
        feedback_page.place_mathjax(str(tmp_path / "page"))
    assert os.listdir(outside) == []


@pytest.mark.parametrize("obstacle", ["cross-device", "copy-removed"])
def test_where_no_link_can_be_made_the_folder_gets_a_copy_that_later_folders_link_to(tmp_path, monkeypatch,
                                                                                    obstacle):
    first = feedback_page.place_mathjax(str(tmp_path / "first"))
    if obstacle == "cross-device":
        def refuse(source, target):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

        with monkeypatch.context() as patched:
            patched.setattr(os, "link", refuse)
            second = feedback_page.place_mathjax(str(tmp_path / "second"), first)
    else:
        os.rename(first, tmp_path / "elsewhere")
        second = feedback_page.place_mathjax(str(tmp_path / "second"), first)
    assert second == str(tmp_path / "second")
    feedback_page.place_mathjax(str(tmp_path / "third"), second)
    assert _links_to_one_copy([second, str(tmp_path / "third")])


def _converter(root):
    """nbgrader's feedback converter of a course at ``root`` (what runs the preprocessors, through its exporter)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    return GenerateFeedback(coursedir=CourseDirectory(root=str(root)))


def test_a_folder_mathjax_cannot_be_put_in_is_logged_by_name_and_the_next_gets_it(tmp_path, monkeypatch):
    bundle = feedback_page.BundleMathJax(parent=_converter(tmp_path))
    errors = []
    monkeypatch.setattr(bundle.log, "error", lambda message, *values: errors.append(message % values))
    (tmp_path / "feedback" / "blocked" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "feedback" / "blocked" / ASSIGNMENT / feedback_page.MATHJAX_FOLDER).write_text("a file")
    for student in ("first", "blocked", "next"):
        _, resources = bundle.preprocess(nbformat.v4.new_notebook(),
                                         {"nbgrader": {"student": student, "assignment": ASSIGNMENT}})
        assert "outputs" not in resources
    [error] = errors
    assert error.startswith(f"{tmp_path / 'feedback' / 'blocked' / ASSIGNMENT}: MathJax could not be put beside")
    assert "\n" not in error
    assert _links_to_one_copy([str(tmp_path / "feedback" / student / ASSIGNMENT) for student in ("first", "next")])


def test_feedback_made_through_nbgraders_api_has_mathjax_beside_every_page(graded, tmp_path, monkeypatch):
    """formgrader's "Generate feedback" runs nbgrader's converter through ``NbGraderAPI.generate_feedback``, in the
    server's process, with no ``GenerateFeedbackApp`` of the command line: every page still gets its MathJax, from
    one copy written by that call."""
    import shutil

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    course = str(tmp_path / "course")
    shutil.copytree(graded, course, symlinks=True)
    shutil.rmtree(os.path.join(course, "feedback"))
    monkeypatch.chdir(course)
    config = PyFileConfigLoader("nbgrader_config.py", path=course).load_config()
    config.CourseDirectory.root = course
    result = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config).generate_feedback(ASSIGNMENT)
    assert result["success"], result.get("log")
    assert _links_to_one_copy([os.path.dirname(_path(course, student)) for student in sorted(CLASS)])


# The page's parts on their own.

@pytest.mark.parametrize("verdict, parts", [
    ({"message": "f, case 'a', check 'values': wrong. Likely mistake: " + feedback_page.mistake_messages()[
        "cost_lambda_over_m"], "diagnosis": "cost_lambda_over_m"},
     (feedback_page.mistake_messages()["cost_lambda_over_m"], "f, case 'a', check 'values': wrong")),
    ({"message": "f, case 'a', check 'shape': wrong", "diagnosis": None}, (None, "f, case 'a', check 'shape': wrong")),
    ({"message": "f: wrong", "diagnosis": "no_such_mistake"}, (None, "f: wrong")),
    ({"message": "edited by hand", "diagnosis": "cost_wrong_sign"},
     (feedback_page.mistake_messages()["cost_wrong_sign"], "edited by hand")),
], ids=["diagnosed", "not-diagnosed", "unknown-diagnosis", "message-without-the-mistake"])
def test_verdict_parts(verdict, parts):
    assert feedback_page.verdict_parts(verdict) == parts


def _graded_cells():
    """The release with a verdict and nbgrader's score in each test cell, and one failed student cell."""
    notebook = read_release()
    for name, points in POINTS.items():
        cell = _cell(notebook, "test_" + name)
        cell.metadata.nbgrader.update(score=0.0, points=points)
        cell.metadata[VERDICT_KEY] = {"passed": False, "check": "values", "diagnosis": None,
                                      "message": f"{name}, case 'public', check 'values': wrong"}
    notebook.cells.insert(2, new_code_cell("\n\n  import numpy as np  \nx = (", metadata={CELL_ERROR_KEY: "SyntaxError"}))
    return notebook


def test_summarize_functions_follows_the_notebook():
    notebook, resources = _graded_cells(), {}
    for index, cell in enumerate(notebook.cells):
        feedback_page.SummarizeFunctions().preprocess_cell(cell, resources, index)
    assert [(f["name"], f["anchor"], f["points"], f["passed"], f["detail"]) for f in resources["summary"]["functions"]] \
        == [(name, "test_" + name, points, False, "case 'public', check 'values': wrong")
            for name, points in POINTS.items()]


@pytest.mark.parametrize("source, label", [
    ("\n\n  import numpy as np  \nx = (", "import numpy as np"),
    ("y = " + "1 + " * 30 + "1", "y = " + "1 + " * 13 + "1..."),
    ("\n  \n", "cell 3"),
], ids=["first-line", "long-line", "empty"])
def test_list_failed_cells_names_each_cell_and_anchors_it(source, label):
    notebook, resources = _graded_cells(), {}
    notebook.cells[2].source = source
    for index, cell in enumerate(notebook.cells):
        feedback_page.ListFailedCells().preprocess_cell(cell, resources, index)
    assert resources["summary"]["failed_cells"] == [{"anchor": "failed-cell-2", "label": label,
                                                     "error": "SyntaxError"}]
    assert notebook.cells[2].metadata.feedback_anchor == "failed-cell-2"
    assert sum("feedback_anchor" in cell.metadata for cell in notebook.cells) == 1


def test_bundled_mathjax_is_version_2_7_with_every_part_the_page_loads():
    """Outside nbgrader's converter, the files are added to those the exporter's writer puts beside the page."""
    _, resources = feedback_page.BundleMathJax().preprocess(nbformat.v4.new_notebook(), {})
    files = resources["outputs"]
    assert set(feedback_page.MATHJAX_SCRIPTS) <= set(files)
    assert re.search(rb'MathJax\.version="2\.7\.\d+"', files["mathjax/MathJax.js"])
    for part in feedback_page.MATHJAX_PARTS:
        assert any(name == f"mathjax/{part}" or name.startswith(f"mathjax/{part}/") for name in files), part
    assert not any("/localization/" in name or "/SVG/" in name for name in files)


# The page in Chromium.

LAYOUT = """(() => {
  const width = document.documentElement.clientWidth;
  const verdicts = [...document.querySelectorAll(
    '.feedback-summary td.verdict, .feedback-summary .cell-error, div.output_error, div.output_error pre, ' +
    'div.output_stdout, div.output_stdout pre')];
  const cut = verdicts.filter(e => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1)
    .map(e => e.className + ': ' + e.textContent.slice(0, 60));
  return {width: width, pageWidth: document.documentElement.scrollWidth, verdicts: verdicts.length, cut: cut,
          functions: [...document.querySelectorAll('.feedback-summary table.functions tbody th')].map(e => e.innerText),
          math: document.querySelectorAll('.MathJax, .MathJax_Display').length,
          rawTeX: [...document.querySelectorAll('.text_cell_render')].filter(e => /\\$\\$|\\\\frac/.test(e.innerText))
            .length,
          scriptLinks: [...document.querySelectorAll('[href]')].filter(e => /^\\s*javascript:/i.test(
            e.getAttribute('href'))).length,
          plots: [...document.querySelectorAll('img[src^="data:image/png"]')].filter(e => e.naturalWidth > 0).length,
          pwned: document.body.hasAttribute('data-pwned')};
})()"""
TYPESET = "document.documentElement.getAttribute('data-math') === 'typeset'"


@pytest.fixture(scope="module")
def rendered(graded, tmp_path_factory):
    """``{student: (layout measures, requested URLs, console messages)}``, with screenshots in a temporary folder."""
    shots = tmp_path_factory.mktemp("screenshots")
    pages = {}
    with Chromium(tmp_path_factory.mktemp("profile"), width=900, height=900) as browser:
        for student in STUDENTS:
            browser.open(_path(graded, student))
            typeset = browser.wait_for(TYPESET, timeout=90)
            layout = browser.evaluate(LAYOUT)
            browser.screenshot(shots / f"{student}-top.png")
            failed = browser.evaluate("(() => { const e = document.querySelector('div.output_error');"
                                      " return e ? e.getBoundingClientRect().top + window.scrollY - 150 : null })()")
            if failed is not None:
                browser.screenshot(shots / f"{student}-first-failure.png", top=failed, height=450)
            pages[student] = ({**layout, "typeset": typeset}, browser.requested_urls(), browser.console_messages())
    print(f"screenshots of the feedback pages: {shots}")
    return pages


@pytest.mark.parametrize("student", STUDENTS)
def test_no_verdict_is_wider_than_the_page(rendered, student):
    layout = rendered[student][0]
    assert layout["verdicts"] > len(POINTS)
    assert layout["cut"] == [] and layout["pageWidth"] <= layout["width"]


@pytest.mark.parametrize("student", STUDENTS)
def test_chromium_shows_the_summary_with_the_function_names(rendered, student):
    assert rendered[student][0]["functions"] == list(POINTS)


@pytest.mark.parametrize("student", STUDENTS)
def test_formulas_are_typeset_by_the_local_mathjax(rendered, student):
    layout = rendered[student][0]
    assert layout["typeset"] and layout["math"] >= 10 and layout["rawTeX"] == 0


@pytest.mark.parametrize("student", STUDENTS)
def test_no_network_request_is_made(graded, rendered, student):
    folder = os.path.dirname(_path(graded, student))
    urls = rendered[student][1]
    assert urls[0] == "file://" + _path(graded, student)
    for url in urls:
        parsed = urllib.parse.urlparse(url)
        assert parsed.scheme in ("file", "data", "about"), url
        assert parsed.scheme != "file" or os.path.realpath(parsed.path).startswith(folder + os.sep) or \
            parsed.path == _path(graded, student), url
    assert any(".woff" in url for url in urls)  # MathJax's fonts, from the page's folder


def test_the_policy_blocks_nothing_the_page_needs(rendered):
    # MathJax probes web fonts with an about:blank font, which the policy refuses; nothing else is refused
    refused = [message for _, _, messages in rendered.values() for message in messages
               if "Content Security Policy" in message and "'about:blank'" not in message]
    assert refused == []


def test_tex_makes_no_script_link_and_the_plot_is_shown(rendered):
    layout = rendered["correct"][0]
    assert layout["scriptLinks"] == 0 and not layout["pwned"]
    assert layout["plots"] >= 1
