"""Benchmark: ``make feedback`` writing its pages as they come from the template, against nbconvert's exporter.

A class of ``--students`` (the mix of ``bench/mix.py``) is graded once with ``make autograde``; then its feedback
is generated ``--rounds`` times on each side, the sides alternating, in the same course:

- ours: the project's ``FeedbackPageExporter``, which writes the template's output as it is, with alternative
  text added to the image tags alone and each code highlighted once per export (``graders.sanitize``);
- nbconvert's: the same exporter whose page is made by nbconvert's ``HTMLExporter.from_notebook_node``, which
  highlights every cell and then parses and writes out the whole page again with BeautifulSoup.

Both sides run the same preprocessors and template. Each side's time is the CPU time (user and system) of
``nbgrader generate_feedback`` over the class, per student; the median round is reported, with the ratio. The
pages of the two sides must be the same page: nbconvert's, and ours once parsed and written out as nbconvert
does. A difference ends the bench with status 1, naming the student.

Usage: ``python bench/feedback.py [--students 100] [--rounds 3]``
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [ROOT, BENCH]

from graders.feedback_page import FeedbackPageExporter  # noqa: E402
from graders.notebook import ASSIGNMENT  # noqa: E402
from graders.sanitize import with_policy  # noqa: E402

SIDES = {"ours": None, "nbconvert's": "feedback.WholePageExporter"}
PAGE = "Regularization.html"


class WholePageExporter(FeedbackPageExporter):
    """The feedback page exporter, its page made by nbconvert's ``HTMLExporter.from_notebook_node``."""

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters import HTMLExporter

        page, resources = HTMLExporter.from_notebook_node(self, nb, resources, **kw)
        return with_policy(page, self.content_security_policy), resources


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100, help="students in the class")
    parser.add_argument("--rounds", type=int, default=3, help="feedback generations of each side")
    return parser.parse_args(argv)


def graded_class(parent, count):
    """A course in which a class of ``count`` was graded; its path and the students."""
    from measure import VENV, new_course
    from mix import write_submissions
    from tests.notebooks import read_release

    course = new_course(parent, "course")
    students = write_submissions(course, count, read_release())
    subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=course, check=True, capture_output=True)
    return course, students


def generate_feedback(course, exporter, folder):
    """CPU seconds of ``nbgrader generate_feedback`` writing the class's pages into ``folder`` with ``exporter``
    (the configured one when None)."""
    from measure import VENV

    options = [f"--CourseDirectory.feedback_directory={folder}"]
    if exporter:
        options.append(f"--GenerateFeedback.exporter_class={exporter}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([os.path.join(VENV, "bin", "nbgrader"), "generate_feedback", ASSIGNMENT, "--force",
                    "--log-level=ERROR", *options], cwd=course, check=True, capture_output=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join([BENCH, course]), "GRADER_ASSIGNMENT": ASSIGNMENT})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def different_pages(course, students, ours, theirs):
    """The students whose page of ``ours`` is not nbconvert's page of ``theirs`` once parsed as nbconvert does."""
    from bs4 import BeautifulSoup

    differing = []
    for student in students:
        pages = []
        for folder in (ours, theirs):
            with open(os.path.join(course, folder, student, ASSIGNMENT, PAGE), encoding="utf-8") as handle:
                pages.append(handle.read())
        ours_page, their_page = pages
        if str(BeautifulSoup(ours_page, features="html.parser")) != str(BeautifulSoup(their_page,
                                                                                         features="html.parser")):
            differing.append(student)
    return differing


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as parent:
        started = time.monotonic()
        course, students = graded_class(parent, args.students)
        print(f"feedback bench: a class of {len(students)} graded in {time.monotonic() - started:.1f} s")
        seconds = {side: [] for side in SIDES}
        for round_ in range(args.rounds):
            for side, exporter in SIDES.items():
                seconds[side].append(generate_feedback(course, exporter, f"feedback-{side[:4]}-{round_}"))
        differing = different_pages(course, students, "feedback-ours-0", "feedback-nbco-0")
    per_student = {side: statistics.median(values) / len(students) for side, values in seconds.items()}
    for side, values in seconds.items():
        rounds = ", ".join(f"{value:.2f}" for value in values)
        print(f"  {side:12} {per_student[side]:.4f} CPU s per student (rounds, whole class: {rounds} s)")
    print(f"  ratio: {per_student[next(reversed(SIDES))] / per_student['ours']:.2f}x")
    if differing:
        print(f"feedback bench: the pages differ for {', '.join(differing[:5])}", file=sys.stderr)
        return 1
    print(f"  pages: the same page for all {len(students)} students")
    return 0


if __name__ == "__main__":
    sys.exit(main())
