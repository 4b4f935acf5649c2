"""Stand-in for matplotlib.pyplot while grading (see the package docstring)."""
from matplotlib import NOTHING


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return NOTHING
