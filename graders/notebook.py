"""Reading the assignment notebooks: which cells define code, and the points of each graded function.

The constants name the assignment being graded (see :mod:`graders.assignment`): its source folder and notebook,
and its graded functions in the notebook's order.
"""
import os

from graders.assignment import ROOT, graded_functions, notebook_name, selected_name, test_cell_points

ASSIGNMENT = selected_name()
SOURCE_DIR = os.path.join(ROOT, "source", ASSIGNMENT)
NOTEBOOK_NAME = notebook_name(SOURCE_DIR)
SOURCE_NOTEBOOK = os.path.join(SOURCE_DIR, NOTEBOOK_NAME)
RELEASE_NOTEBOOK = os.path.join(ROOT, "release", ASSIGNMENT, NOTEBOOK_NAME)
FUNCTION_POINTS = graded_functions(SOURCE_NOTEBOOK)  # {function: points}, in the notebook's order
GRADED_FUNCTIONS = tuple(FUNCTION_POINTS)
EXPECTED_DIR = os.path.join(ROOT, "graders", ASSIGNMENT, "expected")
# Cells with these grade_id prefixes only run or test code; grading never executes them.
NON_DEFINITION_PREFIXES = ("run_", "public_test_", "test_")


def gradebook_url(root=ROOT):
    """The gradebook's database URL: ``GRADEBOOK_URL`` (e.g. a PostgreSQL URL) or SQLite in the course root."""
    return os.environ.get("GRADEBOOK_URL") or "sqlite:///" + os.path.join(root, "gradebook.db")


def nbgrader_metadata(cell):
    """The nbgrader metadata of a cell of any shape, as a dict (empty when absent or malformed)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def grade_id(cell):
    """The nbgrader grade_id of a cell of any shape, or None unless it is a string."""
    value = nbgrader_metadata(cell).get("grade_id")
    return value if isinstance(value, str) else None


def definition_sources(notebook):
    """Sources of the code cells that define things (everything but model runs and tests), in order.

    IPython line magics and shell escapes are dropped, so the sources run as plain Python.
    """
    sources = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or (grade_id(cell) or "").startswith(NON_DEFINITION_PREFIXES):
            continue
        sources.append(strip_magics(cell.source))
    return sources


def strip_magics(source):
    """Drop IPython magic (``%...``) and shell (``!...``) lines; a cell magic (``%%``) drops the cell."""
    if source.lstrip().startswith("%%"):
        return ""
    kept = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(kept)


def points_by_function(notebook):
    """Points of each graded function, read from its autograded test cell ``test_<function>``."""
    return test_cell_points(notebook.cells)


def read_source_notebook():
    """The instructor's source notebook."""
    import nbformat

    return nbformat.read(SOURCE_NOTEBOOK, as_version=4)
