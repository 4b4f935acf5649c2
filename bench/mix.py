"""The submissions of the bench: a repeating mix of kinds, and a sample drawn across it in proportion.

Student ``i`` of a class of N (``student00000`` ...) hands in kind ``i mod K`` of the K kinds of
:func:`submission_mix` (correct, partial, untouched, syntax error, raises, then every mutant of
``tests/corpus/mutants``), with one comment cell of its own, so that no two submissions share a cache
entry. A student's notebook depends on its index only: the same student is the same submission in every
course the bench writes.
"""
import math
from collections import Counter

import numpy as np

from graders.notebook import grade_id
from tests.corpus import entry_solutions, load_entries
from tests.notebooks import make_submission, reference_solutions, write_submission

TRAINING_PREFIX = "run_"


def submission_mix():
    """The kinds of submission, in the order students take them: ``[(kind, solutions)]``."""
    solutions = reference_solutions()
    mix = [("correct", solutions),
           ("partial", {k: v for k, v in solutions.items() if k.startswith("compute") or k.startswith("forward")}),
           ("untouched", {}),
           ("syntax error", {**solutions, "backward_propagation_with_dropout": "def broken(:\n    pass"}),
           ("raises", {**solutions, "compute_cost_with_regularization":
                       "def compute_cost_with_regularization(A3, Y, parameters, lambd):\n    return 1 / 0"})]
    for name, entry in load_entries("mutants").items():
        mix.append(("mutant " + name, entry_solutions(entry, solutions)))
    return mix


def student_id(index):
    """The id of student ``index``."""
    return f"student{index:05d}"


def student_index(student):
    """The index of a student id made by :func:`student_id`."""
    return int(student[len("student"):])


def submission(index, mix, release, without_training=False):
    """The notebook of student ``index``.

    Parameters
    ----------
    index : int
    mix : list
        :func:`submission_mix`.
    release : nbformat.NotebookNode
    without_training : bool
        Delete the cells whose grade id starts with ``run_`` (model training, plots, the results table).

    Returns
    -------
    nbformat.NotebookNode
    """
    kind, solutions = mix[index % len(mix)]
    notebook = make_submission(solutions, [(2, f"# submission {index}: {kind}")], release=release)
    if without_training:
        notebook.cells = [cell for cell in notebook.cells
                          if not (grade_id(cell) or "").startswith(TRAINING_PREFIX)]
    return notebook


def write_students(course, indices, release, mix=None, without_training=False):
    """Write the submissions of the students ``indices`` into ``course/submitted``; return their ids."""
    mix = mix or submission_mix()
    students = []
    for index in indices:
        write_submission(submission(index, mix, release, without_training), course, student_id(index))
        students.append(student_id(index))
    return students


def write_submissions(course, count, release):
    """Write the ``count`` submissions of a class of ``count`` into ``course/submitted``; return their ids."""
    return write_students(course, range(count), release)


def kind_counts(count, kinds):
    """How many of the students ``0 .. count - 1`` hand in each of ``kinds`` kinds: a list indexed by kind."""
    return [len(range(kind, count, kinds)) for kind in range(kinds)]


def stratified_sample(population, size, kinds, seed=0):
    """A sample of the students ``0 .. population - 1`` with every kind in proportion to its count.

    Each kind gets the whole part of its share of ``size`` and the seats left go to the largest remainders
    (ties broken in a fixed random order, so that a sample smaller than the number of kinds is spread
    across the mix, not taken from its start); within a kind, the students taken are evenly spaced.

    Parameters
    ----------
    population : int
        Size of the class the sample is drawn from.
    size : int
        At most ``population``.
    kinds : int
        Number of kinds in the mix.
    seed : int

    Returns
    -------
    list of int
        The sampled students' indices, sorted.
    """
    counts = kind_counts(population, kinds)
    quotas = [size * count / population for count in counts]
    seats = [math.floor(quota) for quota in quotas]
    tie_order = np.random.RandomState(seed).permutation(kinds)
    by_remainder = sorted(range(kinds), key=lambda kind: (seats[kind] - quotas[kind], tie_order[kind]))
    for kind in by_remainder[:size - sum(seats)]:
        seats[kind] += 1
    indices = []
    for kind, taken in enumerate(seats):
        members = range(kind, population, kinds)
        indices += [members[(2 * j + 1) * len(members) // (2 * taken)] for j in range(taken)]
    return sorted(indices)


def composition(indices, mix):
    """``{kind: count}`` of the students ``indices``, in the order of the mix (kinds absent are left out)."""
    counts = Counter(mix[index % len(mix)][0] for index in indices)
    return {kind: counts[kind] for kind, _ in mix if counts[kind]}


def describe_composition(counts, mix):
    """One line on a sample's composition: each kind that is not a mutant, then the mutants together."""
    mutants = [kind for kind, _ in mix if kind.startswith("mutant ")]
    sampled = [counts[kind] for kind in mutants if kind in counts]
    parts = [f"{kind} {count}" for kind, count in counts.items() if not kind.startswith("mutant ")]
    each = (f"{min(sampled)} each" if min(sampled) == max(sampled) else f"{min(sampled)}-{max(sampled)} each") \
        if sampled else "none"
    parts.append(f"mutants {sum(sampled)} ({len(sampled)} of {len(mutants)} kinds, {each})")
    missing = [kind for kind, _ in mix if kind not in counts and not kind.startswith("mutant ")]
    return ", ".join(parts) + (f"; not sampled: {', '.join(missing)}" if missing else "")

