"""The sample class, graded once for the session through the real ``make autograde feedback``.

tests/test_pipeline.py checks its scores, grades.csv and the run's output; tests/test_feedback_page.py reads and
renders its feedback pages; tests/test_student_workflow.py checks the pages and reports an instructor reads. The
run is made by the session fixture ``graded_sample_class`` (tests/conftest.py); the tests that use it go to one
xdist worker, which makes it once. Nothing in those tests writes to the graded course.

Each student is declared in :data:`STUDENTS` with what grading must find in their submission: the tests that
check the whole class (its grades.csv, its pass rates, its diagnoses, the warnings of its run) derive their
expected values from these declarations.
"""
import collections
import shutil
from typing import NamedTuple

from nbformat.v4 import new_markdown_cell, new_output

from graders.notebook import GRADED_FUNCTIONS, grade_id
from tests.corpus import entry_solutions, load_entries
from tests.notebooks import SAMPLES, make_submission, read_release, reference_solutions, write_submission

MUTANTS = load_entries("mutants")
LONG_WORD = "x" * 250
NOTES = ("## My notes\n\nThe penalty is $\\frac{\\lambda}{2m}\\sum_l \\|W^{[l]}\\|_F^2$, so\n\n"
         "$$\\frac{\\partial J}{\\partial W} = dW + \\frac{\\lambda}{m} W.$$\n\n"
         "A link made in TeX: $\\href{javascript:document.body.setAttribute('data-pwned','1')}{click}$.")
BROKEN_FUNCTION = "backward_propagation_with_regularization"  # the function the broken student cannot define
RAISING_CELL = f'raise ValueError("<i>not markup</i> {LONG_WORD}")'  # a cell of the broken student's own
ALT_TEXT_WARNING = "[GenerateFeedbackApp | WARNING] Alternative text is missing on {} image(s)."


class Student(NamedTuple):
    """What grading must find in one student's submission."""

    passed: tuple  # the graded functions that pass every check, the others scoring 0
    diagnoses: tuple = ()  # the mistakes diagnosed in the failed functions
    images_without_alt_text: int = 0  # images of the notebook shown on its feedback page with no alternative text


# The students who wrote the reference solutions but for catalogued mistakes (entries of tests/corpus/mutants).
MISTAKES = {"mistaken": ("cost_lambda_over_m", "dropout_backward_no_mask"), "mutant": ("cost_lambda_over_m",)}


def _with_mistakes(student):
    """The declaration of ``student`` of :data:`MISTAKES`: the functions of their mistakes fail, diagnosed."""
    diagnosed = {function: diagnosis for mistake in MISTAKES[student]
                 for function, diagnosis in MUTANTS[mistake].DIAGNOSES.items()}
    return Student(passed=tuple(name for name in GRADED_FUNCTIONS if name not in diagnosed),
                   diagnoses=tuple(diagnosed.values()))


STUDENTS = {
    # The bundled sample submissions (tests/test_pipeline.py); sample_untouched is also the class's student who
    # handed in the release as it is (tests/test_student_workflow.py).
    **{student: Student(passed=tuple(correct)) for student, correct in SAMPLES.items()},
    # Every function right, with notes holding formulas and a plot of the student's own
    # (tests/test_feedback_page.py, and the page with a plot of tests/test_student_workflow.py).
    "correct": Student(passed=GRADED_FUNCTIONS, images_without_alt_text=1),
    # Two catalogued mistakes (tests/test_feedback_page.py).
    "mistaken": _with_mistakes("mistaken"),
    # A syntax error in one function's cell, and a cell of the student's own that raises an exception with markup
    # and a very long word in its message (tests/test_feedback_page.py).
    "broken": Student(passed=tuple(name for name in GRADED_FUNCTIONS if name != BROKEN_FUNCTION)),
    # One catalogued mistake (tests/test_student_workflow.py).
    "mutant": _with_mistakes("mutant"),
}


def _cell(notebook, cell_id):
    return next(cell for cell in notebook.cells if grade_id(cell) == cell_id)


def submission_with_mistakes(student, solutions, release=None):
    """The submission of ``student`` of :data:`MISTAKES`: ``solutions`` with their mistakes in place."""
    for mistake in MISTAKES[student]:
        solutions = entry_solutions(MUTANTS[mistake], solutions)
    return make_submission(solutions, release=release)


def submissions():
    """``{student: notebook}`` of every student of :data:`STUDENTS`, as their comments there describe."""
    from tests.test_active_content import PLOT

    solutions = reference_solutions()
    release = read_release()
    notebooks = {student: make_submission({name: solutions[name] for name in correct}, release=release)
                 for student, correct in SAMPLES.items()}
    correct = make_submission(solutions, release=release)
    correct.cells.insert(1, new_markdown_cell(NOTES))
    _cell(correct, "run_plot_l2").outputs = [new_output("display_data", data={"image/png": PLOT,
                                                                              "text/plain": "<Figure>"})]
    notebooks["correct"] = correct
    notebooks.update({student: submission_with_mistakes(student, solutions, release=release) for student in MISTAKES})
    broken_sources = {**solutions, BROKEN_FUNCTION: solutions[BROKEN_FUNCTION].replace("):", ")", 1)}
    notebooks["broken"] = make_submission(broken_sources, release=release, extra_cells=[(3, RAISING_CELL)])
    return notebooks


def expected_pass_rates():
    """``{function: the share of the class that passes it}``, as report.json's summary gives it."""
    return {name: sum(name in student.passed for student in STUDENTS.values()) / len(STUDENTS)
            for name in GRADED_FUNCTIONS}


def expected_diagnoses():
    """``{mistake id: how many times it is diagnosed in the class}``."""
    return collections.Counter(diagnosis for student in STUDENTS.values() for diagnosis in student.diagnoses)


def expected_warnings():
    """The warning lines the grading of the class prints: one from the feedback step for each page that shows
    images without alternative text; nothing else (no hidden test cell reported as changed)."""
    return [ALT_TEXT_WARNING.format(student.images_without_alt_text) for student in STUDENTS.values()
            if student.images_without_alt_text]


class GradedClass(NamedTuple):
    """What the session's run of ``make autograde feedback`` on the class left."""

    course: str
    stdout: str  # what the run printed
    stderr: str


def grade_class(released_template, course):
    """Copy the released course ``released_template`` to ``course``, submit every student of :data:`STUDENTS` and
    run ``make autograde feedback`` there (it must succeed); return a :class:`GradedClass`."""
    from tests.conftest import make

    shutil.copytree(released_template, course, symlinks=True)
    for student, notebook in submissions().items():
        write_submission(notebook, course, student)
    result = make(course, "autograde", "feedback")
    return GradedClass(course, result.stdout, result.stderr)
