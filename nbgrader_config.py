"""nbgrader configuration of the course (default folder names); the assignment is graders.notebook.ASSIGNMENT.

Autograding runs each submission in a sandbox (graders.nbgrader_plugin) instead of
executing hidden tests in the student's kernel. Set NBGRADER_STOCK_EXECUTE=1 to
get stock nbgrader behaviour (used by the benchmark for comparison).
"""
import os
import re
import sys
import warnings

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
from graders.notebook import NOTEBOOK_NAME, gradebook_url  # noqa: E402

# Classes are named by their import path: nbgrader imports them when it runs, and reading this file stays cheap
# for the grader, which reads its own settings (graders.settings) from here.
NBGRADER = "nbgrader.preprocessors."
GRADER = "graders.nbgrader_plugin."
FEEDBACK = "graders.feedback_page."
SANITIZE = "graders.sanitize."

# nbgrader 0.9 with SQLAlchemy 2 warns of its own session handling on every new submission; the gradebook is
# written correctly (the tests read it back), so this one warning is silenced and no other.
warnings.filterwarnings("ignore", message="Object of type <Submitted")

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "regularization"  # the course; its assignments are the folders of source/
c.CourseDirectory.db_url = gradebook_url(ROOT)
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# What one submission may use in its sandbox, and the grader's folders (graders.settings lists every setting).
c.GradingLimits.seconds_per_cell = 30
c.GradingLimits.seconds_per_call = 10
c.GradingLimits.extra_cells_seconds = 20
c.GradingLimits.memory_bytes = 2 * 1024 ** 3
c.GradingPaths.reports = "reports"
if os.environ.get("NBGRADER_STOCK_EXECUTE") != "1":
    # In nbgrader's process: one engine per gradebook URL, tables created once, each schema checked once
    # (graders.nbgrader_speedups). The grader's own processes, which read this file too, do not load nbgrader.
    if "nbgrader.api" in sys.modules:
        from graders.nbgrader_speedups import apply as speed_up_nbgrader  # noqa: E402

        speed_up_nbgrader()
    # nbconvert validates the notebook once, after the last preprocessor, instead of after each of them.
    c.Exporter.optimistic_validation = True
    # The student's own outputs (plots of their model runs) are kept for the feedback; the outputs of the
    # autograded test cells are replaced by the verdicts, which alone decide the score.
    c.Autograde.sanitize_preprocessors = [NBGRADER + "DeduplicateIds", NBGRADER + "OverwriteKernelspec",
                                          GRADER + "OverwriteReleasedCells", NBGRADER + "CheckCellMetadata"]
    # The metadata was checked by the sanitizing pass above; the grader's preprocessors change none of nbgrader's.
    c.Autograde.autograde_preprocessors = [GRADER + "GradeInSandbox", GRADER + "ShowCellErrors",
                                           GRADER + "ClearHiddenTestsOfGradeCells", GRADER + "WriteVerdicts",
                                           NBGRADER + "IgnorePattern", NBGRADER + "LimitOutput",
                                           GRADER + "SaveAutoGradesAtOnce", NBGRADER + "AssignLatePenalties"]
    # a student is marked as recorded only once their grades are committed (crash-safe reruns)
    c.Autograde.post_convert_hook = GRADER + "mark_recorded"
elif os.environ.get("NBGRADER_STOCK_EXECUTE_WARNED") != "1":  # nbgrader reads this file several times: say it once
    os.environ["NBGRADER_STOCK_EXECUTE_WARNED"] = "1"
    print(f"nbgrader_config.py: UNSAFE: NBGRADER_STOCK_EXECUTE=1 runs student code unsandboxed, in kernels of "
          f"nbgrader's own process, as the current user (uid {os.getuid()}) with its files and network; this mode is "
          "kept only for comparison benchmarks", file=sys.stderr)
# submitted/ (where `nbgrader collect` and `zip_collect` also put submissions) is read only by the intake
# (graders.intake), which writes the gradable copies to intake/; `make autograde` points nbgrader there.

# Feedback shows the student's notebook as inert content (graders.sanitize) in a page whose
# Content-Security-Policy runs no script but the page's own MathJax; nbgrader's own preprocessors come first and
# last. The page opens with a summary of the functions and of the cells that failed, and renders formulas with
# the MathJax put in the page's folder (graders.feedback_page).
c.GenerateFeedback.preprocessors = [NBGRADER + "GetGrades", SANITIZE + "SanitizeMarkdownCells",
                                    SANITIZE + "DropActiveOutputs", SANITIZE + "ResetOutputMetadata",
                                    SANITIZE + "SanitizeRichOutputs", FEEDBACK + "SummarizeFunctions",
                                    FEEDBACK + "ListFailedCells", FEEDBACK + "BundleMathJax",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
c.GenerateFeedback.exporter_class = FEEDBACK + "FeedbackPageExporter"
# `nbgrader zip_collect` (an LMS download in downloaded/<assignment>/archive/) files each notebook named
# <student id>_attempt_<anything>_<notebook> under submitted/<student id>/; the intake then applies the
# student-id rule (graders.student_ids) as on every other road in.
c.FileNameCollectorPlugin.named_regexp = (r".*/(?P<student_id>[^/]+?)_attempt_[^/]*?_(?P<file_id>"
                                          + re.escape(NOTEBOOK_NAME) + ")$")
