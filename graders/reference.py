"""The reference solution, taken from the solution cells of the source notebook."""
import functools
import sys

from graders.notebook import ASSIGNMENT, NOTEBOOK_NAME, SOURCE_DIR, definition_sources, read_source_notebook


@functools.lru_cache(maxsize=1)
def reference_namespace():
    """Execute the definition cells of the source notebook and return their namespace.

    The helper modules shipped beside the notebook are importable while the cells run.

    Returns
    -------
    dict
        The notebook's globals: the four graded functions, ``model`` and the helpers.
    """
    if SOURCE_DIR not in sys.path:
        sys.path.insert(0, SOURCE_DIR)
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": f"{ASSIGNMENT}_reference"}
    for source in definition_sources(read_source_notebook()):
        exec(compile(source, NOTEBOOK_NAME, "exec"), namespace)
    return namespace


def mistaken_function(mistake):
    """The reference function with one catalogued mistake written into it.

    Parameters
    ----------
    mistake : graders.mistakes.Mistake

    Returns
    -------
    callable
    """
    from graders.mistakes import apply_rewrites
    from graders.notebook import grade_id, strip_magics

    cell = next(cell for cell in read_source_notebook().cells if grade_id(cell) == mistake.function)
    namespace = dict(reference_namespace())
    exec(compile(apply_rewrites(strip_magics(cell.source), mistake), mistake.mistake_id, "exec"), namespace)
    return namespace[mistake.function]
