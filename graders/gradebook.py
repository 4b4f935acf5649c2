"""Reading the gradebook with plain SQL: who is recorded, and every score, as nbgrader's own API gives them.

``nbgrader.api`` takes about 0.7 s to import (its package loads the Jupyter server extensions) and builds a
new engine, inspects the tables and creates the missing ones for every ``Gradebook()``. The grader only reads
the gradebook, so it reads it here: an SQLite file read-only with the standard library, a database server
with one SQLAlchemy engine per URL, in the same queries over nbgrader's schema (``assignment``, ``student``, ``submitted_assignment``, ``submitted_notebook``, ``grade``,
``grade_cells``, ``base_cell``). A grade's score is nbgrader's: the manual score when there is one, else the
automatic score, plus any extra credit (0 when neither score is set); ``tests/test_reports.py`` holds these reads to
``nbgrader export``. nbgrader itself remains the only writer.
"""
import contextlib
import functools
import sqlite3
import urllib.parse

from graders.errors import NotReleased

# Every graded cell of every submitted notebook of one assignment, with the submission's late penalty.
SCORES = """
    SELECT student.id AS student, base_cell.name AS cell, grade_cells.max_score AS max_score,
           CASE WHEN grade.manual_score IS NOT NULL THEN grade.manual_score + COALESCE(grade.extra_credit, 0.0)
                WHEN grade.auto_score IS NOT NULL THEN grade.auto_score + COALESCE(grade.extra_credit, 0.0)
                ELSE 0.0 END AS score,
           submitted_notebook.late_submission_penalty AS late_penalty
    FROM grade
    JOIN grade_cells ON grade_cells.id = grade.cell_id
    JOIN base_cell ON base_cell.id = grade.cell_id
    JOIN submitted_notebook ON submitted_notebook.id = grade.notebook_id
    JOIN notebook ON notebook.id = submitted_notebook.notebook_id
    JOIN submitted_assignment ON submitted_assignment.id = submitted_notebook.assignment_id
    JOIN assignment ON assignment.id = submitted_assignment.assignment_id
    JOIN student ON student.id = submitted_assignment.student_id
    WHERE assignment.name = :assignment AND notebook.name = :notebook
    ORDER BY student.id, base_cell.name
"""
RECORDED = """
    SELECT student_id FROM submitted_assignment
    JOIN assignment ON assignment.id = submitted_assignment.assignment_id
    WHERE assignment.name = :assignment
"""
RELEASED = "SELECT COUNT(*) FROM assignment WHERE name = :assignment"


SQLITE_PREFIX = "sqlite:///"


@functools.lru_cache(maxsize=None)
def engine(url):
    """The one SQLAlchemy engine of a database URL in this process (imported only for a database server)."""
    import sqlalchemy

    return sqlalchemy.create_engine(url, future=True)


def query(url, sql, parameters):
    """The rows of ``sql`` (named ``:parameters``) on the gradebook at ``url``, as tuples; None when it has no
    tables (a new or lost gradebook). SQLite files are read with the standard library, read-only."""
    if url.startswith(SQLITE_PREFIX):
        path = url[len(SQLITE_PREFIX):]
        try:
            with contextlib.closing(sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True)) as db:
                return db.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError:
            return None
    import sqlalchemy

    try:
        with engine(url).connect() as connection:
            return [tuple(row) for row in connection.execute(sqlalchemy.text(sql), parameters)]
    except sqlalchemy.exc.ProgrammingError:
        return None


def _require_release(url, assignment):
    released = query(url, RELEASED, {"assignment": assignment})
    if not released or not released[0][0]:
        raise NotReleased(f"{url}: the gradebook has no record of the assignment '{assignment}': "
                          "run `make release` first")


def recorded_students(url, assignment):
    """Ids of the students with a submission of ``assignment`` in the gradebook at ``url``.

    Raises
    ------
    NotReleased
    """
    _require_release(url, assignment)
    return {student for (student,) in query(url, RECORDED, {"assignment": assignment})}


def submission_scores(url, assignment, notebook):
    """``{student: {"cells": {cell: (score, max_score)}, "late_penalty": float}}`` of every submission.

    Raises
    ------
    NotReleased
    """
    _require_release(url, assignment)
    submissions = {}
    for student, cell, max_score, score, late_penalty in query(url, SCORES, {"assignment": assignment,
                                                                              "notebook": notebook}):
        entry = submissions.setdefault(student, {"cells": {}, "late_penalty": late_penalty or 0.0})
        entry["cells"][cell] = (float(score), float(max_score))
    return submissions
