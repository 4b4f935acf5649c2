"""The reference solution, taken from the solution cells of the source notebook."""
import functools
import sys

from graders.notebook import SOURCE_DIR, definition_sources, read_source_notebook


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
    namespace = {"__name__": "regularization_reference"}
    for source in definition_sources(read_source_notebook()):
        exec(compile(source, "Regularization.ipynb", "exec"), namespace)
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


@functools.lru_cache(maxsize=None)
def reference_function(function_name):
    """One reference function, defined by its solution cell alone on top of the helper module.

    Lighter than :func:`reference_namespace` (no notebook imports, no plotting library): the
    trusted grader uses it for property checks such as the numerical gradient check.
    """
    from graders.notebook import grade_id, strip_magics

    if SOURCE_DIR not in sys.path:
        sys.path.insert(0, SOURCE_DIR)
    import numpy as np
    import reg_utils

    cell = next(cell for cell in read_source_notebook().cells if grade_id(cell) == function_name)
    namespace = {**vars(reg_utils), "np": np}
    exec(compile(strip_magics(cell.source), function_name, "exec"), namespace)
    return namespace[function_name]
