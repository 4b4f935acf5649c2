"""Mistakes as data: a catalogued mistake is a small rewrite of the reference solution.

``make expected`` applies every rewrite of the assignment's catalogue (its ``MISTAKES``) to the reference
source, runs the mistaken function on every case and stores its outputs beside the expected ones. A failing
student output that equals a mistake's output (by the same checks that grade it) is diagnosed with that
mistake's message.

An assignment may also diagnose a failure from properties of the outputs (its ``diagnose_cases``): it gets
one :class:`CaseOutcome` per case and returns a :class:`Diagnosis` or None.
"""
from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class Mistake:
    """One classic mistake.

    Attributes
    ----------
    mistake_id : str
    function : str
        The graded function it belongs to.
    property : str or None
        The property of the assignment's diagnosis its outputs show (None when none of them describes it):
        a diagnosis from properties that names another one is not shown beside this mistake.
    message : str
        One sentence for the student: what the code most likely does wrong.
    rewrites : tuple of (str, str)
        Replacements applied to the reference source; each must match.
    """

    mistake_id: str
    function: str
    property: str | None
    message: str
    rewrites: tuple


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with a function's output.

    Attributes
    ----------
    property : str
        One name of the assignment's ``PROPERTIES``.
    origin : tuple of str
        The output keys where the error starts, in the order of the computation.
    message : str
        One sentence for the student naming the keys and the relation.
    """

    property: str
    origin: tuple
    message: str


class CaseOutcome(NamedTuple):
    """One case of a function: the student's output (None when the call raised) and the trusted data."""

    output: object
    expected: object
    arguments: tuple
    random_draws: bool | None = None


def apply_rewrites(source, mistake):
    """The reference source with the mistake's rewrites applied; raises if one does not match."""
    for old, new in mistake.rewrites:
        if old not in source:
            raise ValueError(f"mistake {mistake.mistake_id}: {old!r} is not in the reference source")
        source = source.replace(old, new)
    return source
