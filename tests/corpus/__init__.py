"""Corpora of test submissions, each entry a small data module (see :func:`load_entries`).

An entry is a ``.py`` file under ``mutants/``, ``variants/`` or ``hostile/`` defining:

- ``SOLUTIONS``: ``{function name: source of its solution cell}``; functions not
  listed keep the reference solution;
- ``EXTRA_CELLS`` (optional): ``[(index, source)]`` code cells inserted at that position;
- ``EXPECTED_SCORES`` (optional): ``{function name: points}``; listed functions must
  score exactly that, the others their full points;
- ``DIAGNOSES`` (optional): ``{function name: mistake id}`` the feedback must name.

``held_out/`` holds single-mistake entries that also define ``EXPECTED_DIAGNOSIS``
(``function``, ``origin`` output keys and ``property``); see its README.

The sources are data: they are written into notebooks and run only by the grader.
"""
import importlib.util
import os

CORPUS_DIR = os.path.dirname(os.path.abspath(__file__))


def load_entries(kind):
    """``{entry name: module}`` of one corpus folder, sorted by name."""
    folder = os.path.join(CORPUS_DIR, kind)
    entries = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and not name.startswith("_"):
            spec = importlib.util.spec_from_file_location(f"corpus_{kind}_{name[:-3]}", os.path.join(folder, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            entries[name[:-3]] = module
    return entries


def entry_solutions(entry, solutions):
    """The solution cells of ``entry``'s submission: ``solutions`` with the entry's own functions in their place."""
    return {**solutions, **{name: source.strip("\n") for name, source in entry.SOLUTIONS.items()}}
