"""Which assignment the engine grades, and what it reads of it.

An assignment is two things and nothing else:

- its source folder ``source/<name>/``: one notebook, marked the nbgrader way, whose autograded test cells
  ``test_<function>`` name the graded functions (in the notebook's order) and carry their points, and the
  helper files students get;
- its graders package ``graders/<name>/``, whose ``__init__`` gives the engine:

  ``CASES``            ``{function: (case, ...)}``, each case with a ``case_id``; ``"public"`` is the notebook's own
  ``case_arguments``   ``(function, case, reference namespace) -> arguments``
  ``JUDGES``           ``{function: judge(actual, expected, arguments, detail)}``, raising
                       :class:`graders.ladder.Failed`, composed of the steps of :mod:`graders.ladder`
  ``CHECK_NAMES``      ``{check: what it asserts}`` for the checks its judges add to the ladder's
  ``MISTAKES``         the catalogue of :class:`graders.mistakes.Mistake` (may be empty)

  and, optionally, ``random_draw_failure(function, random_draws)`` (a check on whether a call drew random
  numbers), ``diagnose_cases(function, outcomes)`` (a diagnosis from properties, see :mod:`graders.mistakes`),
  ``RELEASE_PRECOMPUTED`` (functions its checks call that need the reference: the release carries their result
  on the public case, see :mod:`graders.release_checks`) and ``after_release(root)`` (run by ``make release``).

The assignment graded is ``GRADER_ASSIGNMENT`` (the Makefile's ``ASSIGNMENT``), or else the only one the course
has. Its expected arrays are generated into ``graders/<name>/expected/`` by ``make expected``.
"""
import functools
import importlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENVIRONMENT_VARIABLE = "GRADER_ASSIGNMENT"


class AssignmentError(Exception):
    """The course's assignment cannot be found or read; the message names the folder or file."""


def assignment_names(root=ROOT):
    """The assignments of the course: folders of ``source/`` that have a graders package of the same name."""
    source = os.path.join(root, "source")
    names = sorted(os.listdir(source)) if os.path.isdir(source) else []
    return [name for name in names if os.path.isdir(os.path.join(source, name))
            and os.path.isfile(os.path.join(root, "graders", name, "__init__.py"))]


def selected_name(root=ROOT):
    """``GRADER_ASSIGNMENT``, or the course's only assignment."""
    name = os.environ.get(ENVIRONMENT_VARIABLE)
    if name:
        return name
    names = assignment_names(root)
    if len(names) != 1:
        raise AssignmentError(f"{os.path.join(root, 'source')}: {len(names)} assignments "
                              f"({', '.join(names) or 'none'}); choose one with {ENVIRONMENT_VARIABLE}=<name> "
                              "(make ... ASSIGNMENT=<name>)")
    return names[0]


def notebook_name(source_dir):
    """The file name of the one notebook of a source folder."""
    notebooks = sorted(name for name in os.listdir(source_dir) if name.endswith(".ipynb"))
    if len(notebooks) != 1:
        raise AssignmentError(f"{source_dir}: {len(notebooks)} notebooks; an assignment has exactly one")
    return notebooks[0]


def graded_functions(notebook_path):
    """``{function: points}`` in the notebook's order, from its autograded test cells ``test_<function>``."""
    try:
        with open(notebook_path, encoding="utf-8") as handle:
            cells = json.load(handle)["cells"]
        points = test_cell_points(cells)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as problem:
        raise AssignmentError(f"{notebook_path}: cannot be read as a notebook ({type(problem).__name__}: "
                              f"{problem})") from None
    if not points:
        raise AssignmentError(f"{notebook_path}: no autograded test cell 'test_<function>' names a graded function")
    return points


def test_cell_points(cells):
    """``{function: points}`` of the autograded test cells ``test_<function>`` among ``cells``, in order."""
    points = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade = str(meta.get("grade_id", ""))
        if meta.get("grade") and grade.startswith("test_"):
            points[grade[len("test_"):]] = float(meta["points"])
    return points


@functools.lru_cache(maxsize=None)
def graders_module(name):
    """The assignment's graders package ``graders.<name>``, checked to give what the engine reads."""
    module = importlib.import_module(f"graders.{name}")
    missing = [attribute for attribute in ("CASES", "case_arguments", "JUDGES", "CHECK_NAMES", "MISTAKES")
               if not hasattr(module, attribute)]
    if missing:
        raise AssignmentError(f"graders/{name}/__init__.py does not define {', '.join(missing)}")
    return module


def after_release(name=None):
    """Run the assignment's ``after_release(root)``, if it has one (``make release`` calls this last)."""
    hook = getattr(graders_module(name or selected_name()), "after_release", None)
    if hook is not None:
        hook(ROOT)


def check_names(name):
    """Every check name a verdict of the assignment can carry: the ladder's, then the assignment's own."""
    from graders.ladder import CHECK_NAMES

    own = graders_module(name).CHECK_NAMES
    clashes = sorted(set(own) & set(CHECK_NAMES))
    if clashes:
        raise AssignmentError(f"graders/{name}: the check name(s) {', '.join(clashes)} are the ladder's already")
    return {**CHECK_NAMES, **own}


if __name__ == "__main__":
    after_release()
