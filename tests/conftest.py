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


def make(course, *targets, check=True, environment=None):
    """Run ``make TARGET...`` in ``course`` with this interpreter's virtualenv (and the variables of
    ``environment`` added to this process's); return the CompletedProcess."""
    result = subprocess.run(["make", "-s", *targets, f"VENV={VENV}"], cwd=course, capture_output=True,
                            text=True, timeout=1800, env={**os.environ, **(environment or {})})
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


@pytest.fixture(scope="session")
def graded_corpora(released_template, tmp_path_factory):
    """Every corpus entry and broken file graded in one released course by ``make autograde feedback``
    (tests.corpora): shared by tests/test_corpora.py and tests/test_kernels.py, which run on one worker."""
    from tests.corpora import grade_corpora

    return grade_corpora(released_template, str(tmp_path_factory.mktemp("corpora") / "course"))


@pytest.fixture(scope="session")
def graded_sample_class(released_template, tmp_path_factory):
    """The sample class (tests.sample_class) graded in one released course by ``make autograde feedback``: shared
    by tests/test_pipeline.py, tests/test_feedback_page.py and tests/test_student_workflow.py, which run on one
    worker and only read it."""
    from tests.sample_class import grade_class

    return grade_class(released_template, str(tmp_path_factory.mktemp("sample-class") / "course"))


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


# Running the suite on several cores (pytest-xdist, ``make test``: ``-n auto --dist loadgroup``).
#
# A test that uses a module-scoped fixture (a released course graded once, a server, a browser...) runs on the
# worker that made that fixture: its module is one group, sent whole to one worker and run there in file order.
# The tests of several modules that use one session fixture of SHARED_GROUPS are one group in the same way (the
# fixture is then made once). Every other test is sent on its own to whichever worker is free. Groups are handed
# out longest first (by the seconds they took in the last run, kept in pytest's cache, else by the estimates
# below), so that the long groups do not end up one behind the other on the same worker.

# Session fixtures of several modules: their tests share a worker.
SHARED_GROUPS = {"graded_corpora": "corpora", "graded_sample_class": "sample-class"}
SECONDS_PER_TEST = 0.5
ESTIMATED_SECONDS = {  # groups that take much longer than their number of tests says (measured in `make test`)
    "corpora": 46, "tests/test_active_content.py": 29, "tests/test_incremental.py": 23, "tests/test_crash.py": 22,
    "tests/test_notebook.py": 17, "tests/test_postgres.py": 16, "sample-class": 11,
    "tests/test_second_assignment.py": 10, "tests/test_hostile_intake.py": 9, "tests/test_public_check.py": 9,
    "tests/regularization/test_dataset_story.py": 9, "tests/test_held_out.py": 8, "tests/test_autograde.py": 7,
    "tests/test_reports.py": 6, "tests/test_dask.py": 6,
}
SECONDS_CACHE_KEY = "regularization/seconds-per-scope"


def _module_scoped(item):
    """Whether ``item`` uses a fixture shared by its module (or a class or package)."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(definition.scope in ("module", "class", "package")
                                    for definitions in info.name2fixturedefs.values() for definition in definitions)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    if not config.pluginmanager.hasplugin("xdist"):  # the mark means nothing without it
        return
    for item in items:
        if any(item.iter_markers("xdist_group")):
            continue
        shared = [group for name, group in SHARED_GROUPS.items() if name in getattr(item, "fixturenames", ())]
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared[0]))
        elif _module_scoped(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


def _scope(nodeid):
    """The unit xdist's loadgroup sends to one worker: the group after ``@``, else the test itself."""
    return nodeid.rsplit("@", 1)[1] if nodeid.rfind("@") > nodeid.rfind("]") else nodeid


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    cache = getattr(config, "cache", None)
    measured = (cache.get(SECONDS_CACHE_KEY, {}) if cache is not None else {}) or {}

    class LongestFirst(LoadGroupScheduling):
        """loadgroup, with the work units handed out longest first."""

        ordered = False

        def _assign_work_unit(self, node):
            if not self.ordered:
                self.ordered = True

                def seconds(unit):
                    scope, tests = unit
                    return measured.get(scope, ESTIMATED_SECONDS.get(scope, SECONDS_PER_TEST * len(tests)))

                units = sorted(self.workqueue.items(), key=seconds, reverse=True)
                self.workqueue.clear()
                self.workqueue.update(units)
            super()._assign_work_unit(node)

    return LongestFirst(config, log)


_SPENT = {}  # seconds per work unit in this run (on the controller), for the next run's order


def pytest_runtest_logreport(report):
    _SPENT[_scope(report.nodeid)] = _SPENT.get(_scope(report.nodeid), 0.0) + getattr(report, "duration", 0.0)


def pytest_sessionfinish(session):
    config = session.config
    cache = getattr(config, "cache", None)
    if (_SPENT and cache is not None and not hasattr(config, "workerinput")
            and config.getoption("dist", "no") == "loadgroup"):
        cache.set(SECONDS_CACHE_KEY, {**(cache.get(SECONDS_CACHE_KEY, {}) or {}),
                                      **{scope: round(seconds, 2) for scope, seconds in _SPENT.items()}})


@pytest.fixture(scope="module")
def quick_alembic_version():
    """For the module's tests: gradebooks made in this process learn nbgrader's schema revision in-process, as in
    nbgrader's own process (:func:`graders.nbgrader_speedups.alembic_head`), without starting the ``alembic``
    command."""
    import nbgrader.api

    from graders.nbgrader_speedups import alembic_head

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nbgrader.api, "get_alembic_version", alembic_head)
        yield
