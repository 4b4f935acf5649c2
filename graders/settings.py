"""The limits and paths of grading, as traitlets set in ``nbgrader_config.py`` beside nbgrader's own settings.

For example, in ``nbgrader_config.py``::

    c.GradingLimits.seconds_per_call = 20
    c.GradingPaths.reports = "reports"

:func:`limits` and :func:`paths` read the course's ``nbgrader_config.py`` once per process (it stays cheap to
load: it names nbgrader's and the grader's classes by their import path and imports neither). Relative paths
are relative to the course root. The defaults are the values the tests and the documentation assume.
"""
import functools
import os

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable
from traitlets.config.loader import PyFileConfigLoader

from graders.assignment import ROOT

CONFIG_FILE = "nbgrader_config.py"
MIB = 1024 ** 2


class GradingLimits(Configurable):
    """What one submission may use while it is graded; every limit holds per submission, in its own sandbox."""

    seconds_per_cell = Float(30.0, help="Wall time of one release cell (a cell with a grade id)").tag(config=True)
    seconds_per_call = Float(10.0, help="Wall time of one call of a graded function on one case").tag(config=True)
    extra_cells_seconds = Float(20.0, help="Wall time shared by all the cells a student added").tag(config=True)
    step_grace_seconds = Float(
        2.0, help="How long after a step's own timer should have fired the trusted side kills the sandbox"
    ).tag(config=True)
    seconds_per_submission = Float(150.0, help="Wall time of a whole submission in the sandbox").tag(config=True)
    memory_bytes = Int(2 * 1024 * MIB, help="Memory of all the processes of a submission together (control group)"
                       ).tag(config=True)
    address_space_bytes = Int(3 * 1024 * MIB, help="Address space of one process (RLIMIT_AS)").tag(config=True)
    cpu_seconds = Int(120, help="CPU time of one process (RLIMIT_CPU)").tag(config=True)
    file_bytes = Int(64 * MIB, help="Largest file a process may write (RLIMIT_FSIZE)").tag(config=True)
    processes = Int(64, help="Processes of one sandbox user (RLIMIT_NPROC); the control group allows 8 more, "
                    "for bubblewrap's own").tag(config=True)
    work_area_bytes = Int(128 * MIB, help="Size of the sandbox's private working folder (tmpfs)").tag(config=True)
    output_bytes = Int(64 * MIB, help="What the trusted side reads of a worker's results").tag(config=True)
    notebook_bytes = Int(20 * MIB, help="Largest submitted notebook the intake reads").tag(config=True)
    timestamp_bytes = Int(256, help="Largest timestamp.txt the intake reads").tag(config=True)


class GradingPaths(Configurable):
    """Where the grader reads and writes, relative to the course root unless absolute."""

    submitted = Unicode("submitted", help="Submissions, one folder per student (read only)").tag(config=True)
    intake = Unicode("intake", help="The intake's gradable copies, one folder per run").tag(config=True)
    autograded = Unicode("autograded", help="nbgrader's autograded notebooks and the record markers").tag(config=True)
    reports = Unicode("reports", help="Grades, reports and nbgrader's log").tag(config=True)
    cache = Unicode(".cache", help="Cached verdicts and measurements").tag(config=True)

    def resolve(self, name, root=ROOT):
        """The absolute path of the setting ``name``."""
        return os.path.join(root, getattr(self, name))


@functools.lru_cache(maxsize=None)
def course_config(root=ROOT):
    """The configuration of ``nbgrader_config.py`` in ``root`` (empty when the file is absent)."""
    if not os.path.exists(os.path.join(root, CONFIG_FILE)):
        from traitlets.config import Config

        return Config()
    return PyFileConfigLoader(CONFIG_FILE, path=root).load_config()


def limits(root=ROOT):
    """The course's :class:`GradingLimits`."""
    return GradingLimits(config=course_config(root))


def paths(root=ROOT):
    """The course's :class:`GradingPaths`."""
    return GradingPaths(config=course_config(root))
