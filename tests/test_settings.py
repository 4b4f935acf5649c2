"""graders.settings: the limits and paths of grading are traitlets read from the course's nbgrader_config.py."""
import os
import shutil
import subprocess
import sys

import pytest

from graders import settings
from graders.assignment import ROOT


@pytest.fixture
def course(tmp_path):
    """A folder holding a copy of the course's nbgrader_config.py (and the graders it imports, by sys.path)."""
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), tmp_path / "nbgrader_config.py")
    settings.course_config.cache_clear()
    yield tmp_path
    settings.course_config.cache_clear()


def _config_of(course):
    with open(course / "nbgrader_config.py", encoding="utf-8") as handle:
        return handle.read()


def test_the_course_sets_its_limits_in_nbgrader_config():
    limits = settings.limits()
    assert (limits.seconds_per_cell, limits.seconds_per_call, limits.extra_cells_seconds) == (30, 10, 20)
    assert limits.memory_bytes == 2 * 1024 ** 3
    assert settings.paths().resolve("reports") == os.path.join(ROOT, "reports")


@pytest.mark.parametrize("line, name, value", [
    ("c.GradingLimits.seconds_per_call = 3.5", "seconds_per_call", 3.5),
    ("c.GradingLimits.notebook_bytes = 1024", "notebook_bytes", 1024),
    ("c.GradingLimits.processes = 12", "processes", 12),
], ids=["call", "notebook", "processes"])
def test_a_limit_set_in_nbgrader_config_is_the_one_read(course, line, name, value):
    (course / "nbgrader_config.py").write_text(_config_of(course) + "\n" + line + "\n")
    assert getattr(settings.limits(str(course)), name) == value


def test_a_path_set_in_nbgrader_config_resolves_against_the_course(course):
    (course / "nbgrader_config.py").write_text(_config_of(course) + '\nc.GradingPaths.reports = "out/reports"\n')
    assert settings.paths(str(course)).resolve("reports", str(course)) == os.path.join(str(course), "out", "reports")


def test_a_course_without_nbgrader_config_gets_the_defaults(tmp_path):
    settings.course_config.cache_clear()
    try:
        assert settings.limits(str(tmp_path)).seconds_per_call == settings.GradingLimits().seconds_per_call
    finally:
        settings.course_config.cache_clear()


def test_a_wrong_type_is_refused_by_the_trait(course):
    (course / "nbgrader_config.py").write_text(_config_of(course) + '\nc.GradingLimits.processes = "many"\n')
    with pytest.raises(Exception, match="processes"):
        settings.limits(str(course))


def test_reading_the_settings_loads_neither_nbgrader_nor_nbconvert():
    """The grader reads nbgrader_config.py on every run, changed or not: it must stay cheap to load."""
    code = ("import sys\nfrom graders import settings\nsettings.limits()\n"
            "print(sorted(m for m in ('nbgrader', 'nbconvert', 'sqlalchemy', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_grader_takes_its_limits_and_paths_from_the_course_s_nbgrader_config(tmp_path):
    """In a course whose nbgrader_config.py sets other values, the sandbox, the intake and the cache use them."""
    from tests.conftest import copy_course

    course = copy_course(tmp_path / "course")
    with open(os.path.join(course, "nbgrader_config.py"), "a", encoding="utf-8") as handle:
        handle.write("\nc.GradingLimits.seconds_per_call = 1.5\nc.GradingLimits.processes = 20\n"
                     "c.GradingLimits.notebook_bytes = 4096\nc.GradingPaths.cache = 'elsewhere'\n")
    code = ("from graders import batch, intake, sandbox\n"
            "print(sandbox.SECONDS_PER_CALL, sandbox.LIMITS['RLIMIT_NPROC'], intake.MAX_NOTEBOOK_BYTES,\n"
            "      batch.CACHE_DIR.split('/')[-2])")
    environment = {**os.environ, "PYTHONPATH": course}
    result = subprocess.run([sys.executable, "-c", code], cwd=course, capture_output=True, text=True, timeout=120,
                            env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.5", "20", "4096", "elsewhere"]
