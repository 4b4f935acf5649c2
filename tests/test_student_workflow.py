"""What students and instructors see: validate, submit, feedback pages, reports, JUnit.

The feedback pages and reports are those of the session's sample class (tests.sample_class), graded by the real
``make autograde feedback``: its student ``mutant`` made one catalogued mistake, ``correct`` added a plot.
"""
import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import matplotlib.image
import nbformat
import pytest
from bs4 import BeautifulSoup

from graders.grading import grade_notebook
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, points_by_function, read_source_notebook
from graders.submit import submit
from tests.notebooks import make_submission, reference_solutions
from tests.sample_class import expected_diagnoses, expected_pass_rates, submission_with_mistakes

POINTS = points_by_function(read_source_notebook())


def _mutant_notebook():
    return submission_with_mistakes("mutant", reference_solutions())


def _validate(path):
    return subprocess.run([sys.executable, "-m", "graders.validate", str(path)], capture_output=True, text=True,
                          timeout=600)


def test_validate_passes_a_correct_notebook_without_revealing_hidden_cases(tmp_path):
    path = tmp_path / "Regularization.ipynb"
    nbformat.write(make_submission(reference_solutions()), path)
    result = _validate(path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.count("PASS") == 4 and "every cell ran without error" in result.stdout
    assert "WARNING" not in result.stderr  # e.g. the kernel's warning about unencrypted TCP sockets
    for hidden_case in ("wide_layers", "one_example", "many_examples", "half_dropped", "equal_widths"):
        assert hidden_case not in result.stdout


def test_validate_uses_the_autograder_wording(tmp_path):
    path = tmp_path / "Regularization.ipynb"
    notebook = _mutant_notebook()
    nbformat.write(notebook, path)
    result = _validate(path)
    assert result.returncode == 1
    public = grade_notebook(notebook, case_ids=("public",))[0]["compute_cost_with_regularization"]
    full = grade_notebook(notebook)[0]["compute_cost_with_regularization"]
    assert public.message.startswith("compute_cost_with_regularization, case 'public'")
    assert full.message.startswith(public.message)  # full grading may add the diagnosis from properties
    assert f"FAIL  compute_cost_with_regularization: {public.message}" in result.stdout
    assert result.stdout.count(public.message) == 1, result.stdout  # the visible test cell points to it
    assert "error in public_test_compute_cost_with_regularization: the public check of " \
        "compute_cost_with_regularization fails (its message is below)" in result.stdout


def test_validate_names_an_unreadable_file(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{")
    result = _validate(path)
    assert result.returncode == 2 and result.stdout.strip() == f"{path}: the notebook file is not valid JSON " \
                                                                 "(was it edited outside Jupyter or truncated?)"


def test_submit_never_overwrites_silently(tmp_path):
    first, second = tmp_path / "first.ipynb", tmp_path / "second.ipynb"
    nbformat.write(make_submission({}), first)
    nbformat.write(make_submission(reference_solutions()), second)
    destination = submit(str(first), "ada", root=str(tmp_path))
    original = open(destination, "rb").read()
    with pytest.raises(ValueError, match="an earlier submission exists"):
        submit(str(second), "ada", root=str(tmp_path))
    assert open(destination, "rb").read() == original
    submit(str(second), "ada", replace=True, root=str(tmp_path))
    history = os.path.join(os.path.dirname(destination), ".history")
    [archived] = os.listdir(history)
    assert open(os.path.join(history, archived, "Regularization.ipynb"), "rb").read() == original
    assert open(destination, "rb").read() == open(second, "rb").read()


@pytest.mark.parametrize("student_id", ["../escape", "", "a/b"])
def test_submit_rejects_unsafe_student_ids(tmp_path, student_id):
    path = tmp_path / "n.ipynb"
    nbformat.write(make_submission({}), path)
    with pytest.raises(ValueError, match="student id"):
        submit(str(path), student_id, root=str(tmp_path))


@pytest.fixture(scope="module")
def graded_class(graded_sample_class):
    """The course of the session's graded sample class (only read)."""
    return graded_sample_class.course


def _feedback(course, student_id):
    with open(os.path.join(course, "feedback", student_id, ASSIGNMENT, "Regularization.html"), encoding="utf-8") as h:
        return h.read()


def test_feedback_lists_each_exercise_with_its_score(graded_class):
    page = BeautifulSoup(_feedback(graded_class, "mutant"), "html.parser")
    rows = {row.a["href"].lstrip("#"): row.select_one("td.points").get_text(strip=True)
            for row in page.select(".feedback-summary table.functions tbody tr")}
    expected = {"test_" + name: POINTS[name] * (name != "compute_cost_with_regularization") for name in GRADED_FUNCTIONS}
    assert set(rows) == set(expected)
    for cell_id, score in expected.items():
        assert rows[cell_id] == f"{score:g} / {POINTS[cell_id[5:]]:g}"
    assert "Likely mistake: the penalty uses lambd / m instead of lambd / (2 * m)" in page.get_text()


def test_feedback_shows_the_students_own_plots(graded_class):
    page = BeautifulSoup(_feedback(graded_class, "correct"), "html.parser")
    assert any(img.get("src", "").startswith("data:image/png;base64,") for img in page.find_all("img"))


def test_feedback_reads_right_in_headless_chromium(graded_class, tmp_path):
    page = os.path.join(graded_class, "feedback", "mutant", ASSIGNMENT, "Regularization.html")
    result = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             "--no-first-run", "--disable-background-networking", "--disable-component-update",
                             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                             "file://" + page], capture_output=True, text=True, timeout=120)
    text = BeautifulSoup(result.stdout, "html.parser").get_text(" ", strip=True)
    assert "Regularization: 8 / 10 points" in text
    assert "compute_cost_with_regularization, case 'public', check 'values'" in text
    assert "Likely mistake: the penalty uses lambd / m instead of lambd / (2 * m)" in text


def test_reports_for_instructors_and_ci(graded_class):
    reports = os.path.join(graded_class, "reports")
    with open(os.path.join(reports, "grades.csv"), newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert list(next(iter(rows.values()))) == ["student_id", "total", "max", *GRADED_FUNCTIONS, "late_penalty"]
    assert rows["mutant"]["compute_cost_with_regularization"] == "0" and rows["mutant"]["total"] == "8"
    with open(os.path.join(reports, "report.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["summary"]["pass_rate"] == pytest.approx(expected_pass_rates())
    diagnoses, expected = report["summary"]["most_frequent_diagnoses"], expected_diagnoses()
    assert sorted(map(tuple, diagnoses)) == sorted(expected.items())
    assert [count for _, count in diagnoses] == sorted(expected.values(), reverse=True)  # the most frequent first
    image = matplotlib.image.imread(os.path.join(reports, "grade_distribution.png"))
    assert image.shape[0] >= 300 and image.shape[1] >= 1000 and image[..., :3].std() > 0.05
    suite = ElementTree.parse(os.path.join(reports, "junit", "mutant.xml")).getroot()
    failures = {case.get("name"): case.find("failure") for case in suite.iter("testcase")}
    assert suite.get("tests") == "4" and suite.get("failures") == "1"
    assert failures["compute_cost_with_regularization"].get("type") == "values"
    assert all(failures[name] is None for name in GRADED_FUNCTIONS[1:])
