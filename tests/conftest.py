"""Shared fixtures: a throw-away copy of the course in which the real commands run."""
import os
import shutil
import socket
import subprocess
import sys

import pytest

from graders.notebook import ASSIGNMENT, ROOT, SOURCE_DIR

REFERENCE_DIR = os.path.join(os.path.dirname(ROOT), "shared", "reference")
COURSE_FILES = ("source", "graders", "data", "nbgrader_config.py", "Makefile", "requirements.txt")
VENV = os.path.dirname(os.path.dirname(sys.executable))


def copy_course(destination):
    """Copy what a course needs (not the generated folders) into ``destination``; return its path."""
    os.makedirs(destination, exist_ok=True)
    for name in COURSE_FILES:
        source = os.path.join(ROOT, name)
        target = os.path.join(destination, name)
        if os.path.isdir(source):
            shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return str(destination)


def make(course, *targets, check=True):
    """Run ``make TARGET...`` in ``course`` with this interpreter's virtualenv; return the CompletedProcess."""
    result = subprocess.run(["make", "-s", *targets, f"VENV={VENV}"], cwd=course, capture_output=True,
                            text=True, timeout=1800)
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(targets)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def released_template(tmp_path_factory):
    """A course copy on which ``make release`` has run, made once per session (per xdist worker): only ever copied."""
    course = copy_course(tmp_path_factory.mktemp("released-template") / "course")
    make(course, "release")
    return course


@pytest.fixture(scope="module")
def released_course(released_template, tmp_path_factory):
    """A fresh course on which ``make release`` has run (one per test module): a copy of the session's released
    course, which is what a release in a fresh copy makes (nothing in it depends on the folder it lives in)."""
    course = str(tmp_path_factory.mktemp("course") / "course")
    shutil.copytree(released_template, course, symlinks=True)
    return course


def reference_file(name):
    """Path of a file of the original assignment's reference material; skips the test when absent."""
    path = os.path.join(REFERENCE_DIR, name)
    if not os.path.exists(path):
        pytest.skip(f"reference material {path} is not present")
    return path


def given_lines():
    """Stripped lines of the helper modules students receive: not secret wherever else they appear."""
    lines = set()
    for name in os.listdir(SOURCE_DIR):
        if name.endswith(".py"):
            with open(os.path.join(SOURCE_DIR, name), encoding="utf-8") as handle:
                lines.update(line.strip() for line in handle)
    return lines


def free_port():
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gradebook_scores(url):
    """``{(student, grade cell): score}`` of every submission in the gradebook at ``url``."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        return {(student.id, grade.name): grade.score for student in gradebook.students
                for grade in gradebook.find_submission_notebook("Regularization", ASSIGNMENT, student.id).grades}


def course_outcome(course):
    """What a grading run leaves: the gradebook's scores, grades.csv, report.json and each autograded notebook's
    code-cell outputs (the verdicts and the student's own outputs), to compare two runs."""
    import nbformat

    outcome = {"scores": gradebook_scores(f"sqlite:///{course}/gradebook.db")}
    for name in ("grades.csv", "report.json"):
        with open(os.path.join(course, "reports", name), encoding="utf-8") as handle:
            outcome[name] = handle.read()
    for student in sorted(os.listdir(os.path.join(course, "autograded"))):
        path = os.path.join(course, "autograded", student, ASSIGNMENT, "Regularization.ipynb")
        if os.path.exists(path):
            notebook = nbformat.read(path, as_version=4)
            outcome[student] = [cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"]
    return outcome

