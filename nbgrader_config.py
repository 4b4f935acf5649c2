"""nbgrader configuration of the course (default folder names); the assignment is graders.notebook.ASSIGNMENT.

Autograding runs each submission in a sandbox (graders.nbgrader_plugin) instead of
executing hidden tests in the student's kernel. Set NBGRADER_STOCK_EXECUTE=1 to
get stock nbgrader behaviour (used by the benchmark for comparison).
"""
import os
import re
import sys
import warnings

from sqlalchemy.exc import SAWarning

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, DeduplicateIds, GetGrades, IgnorePattern,
                                    LimitOutput, OverwriteKernelspec, SaveAutoGrades)

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
from graders.nbgrader_plugin import (ClearHiddenTestsOfGradeCells, GradeInSandbox, OverwriteReleasedCells,  # noqa: E402
                                     ShowCellErrors, WriteVerdicts, mark_recorded)
from graders.notebook import NOTEBOOK_NAME, gradebook_url  # noqa: E402
from graders.feedback_page import (TEMPLATE_FILE, TEMPLATE_NAME, BundleMathJax, ListFailedCells,  # noqa: E402
                                   SummarizeFunctions, template_basedirs)
from graders.sanitize import (DropActiveOutputs, PolicyHTMLExporter, ResetOutputMetadata,  # noqa: E402
                              SanitizeMarkdownCells, SanitizeRichOutputs)

# nbgrader 0.9 with SQLAlchemy 2 warns of its own session handling on every new submission; the gradebook is
# written correctly (the tests read it back), so this one warning is silenced and no other.
warnings.filterwarnings("ignore", message="Object of type <Submitted", category=SAWarning)

c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "regularization"  # the course; its assignments are the folders of source/
c.CourseDirectory.db_url = gradebook_url(ROOT)
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
if os.environ.get("NBGRADER_STOCK_EXECUTE") != "1":
    # One engine per gradebook URL, tables created once, each schema checked once (graders.nbgrader_speedups).
    from graders.nbgrader_speedups import apply as speed_up_nbgrader  # noqa: E402

    speed_up_nbgrader()
    # The student's own outputs (plots of their model runs) are kept for the feedback; the outputs of the
    # autograded test cells are replaced by the verdicts, which alone decide the score.
    c.Autograde.sanitize_preprocessors = [DeduplicateIds, OverwriteKernelspec, OverwriteReleasedCells,
                                          CheckCellMetadata]
    # The metadata was checked by the sanitizing pass above; the grader's preprocessors change none of nbgrader's.
    c.Autograde.autograde_preprocessors = [GradeInSandbox, ShowCellErrors, ClearHiddenTestsOfGradeCells, WriteVerdicts,
                                           IgnorePattern, LimitOutput, SaveAutoGrades, AssignLatePenalties]
    # a student is marked as recorded only once their grades are committed (crash-safe reruns)
    c.Autograde.post_convert_hook = mark_recorded
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
# the copy of MathJax written beside it (graders.feedback_page).
c.GenerateFeedback.preprocessors = [GetGrades, SanitizeMarkdownCells, DropActiveOutputs, ResetOutputMetadata,
                                    SanitizeRichOutputs, SummarizeFunctions, ListFailedCells, BundleMathJax,
                                    CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = PolicyHTMLExporter
c.PolicyHTMLExporter.template_name = TEMPLATE_NAME
c.PolicyHTMLExporter.template_file = TEMPLATE_FILE
c.PolicyHTMLExporter.extra_template_basedirs = template_basedirs()
# `nbgrader zip_collect` (an LMS download in downloaded/<assignment>/archive/) files each notebook named
# <student id>_attempt_<anything>_<notebook> under submitted/<student id>/; the intake then applies the
# student-id rule (graders.student_ids) as on every other road in.
c.FileNameCollectorPlugin.named_regexp = (r".*/(?P<student_id>[^/]+?)_attempt_[^/]*?_(?P<file_id>"
                                          + re.escape(NOTEBOOK_NAME) + ")$")
