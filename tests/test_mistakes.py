"""Unit tests of :mod:`graders.mistakes`: mistakes as data, and rewrites applied to a source. (The catalogue of
the Regularization assignment is tested in ``tests/regularization/test_mistakes.py``.)"""
import dataclasses

import pytest

from graders.mistakes import CaseOutcome, Diagnosis, Mistake, apply_rewrites

SOURCE = "def f(x, m):\n    cost = x / (2 * m)\n    return cost + x / (2 * m)\n"


def mistake(*rewrites):
    return Mistake("halved", "f", "penalty_factor", "the factor is wrong", tuple(rewrites))


def test_a_rewrite_replaces_every_occurrence():
    assert apply_rewrites(SOURCE, mistake(("/ (2 * m)", "/ m"))) == \
        "def f(x, m):\n    cost = x / m\n    return cost + x / m\n"


def test_rewrites_apply_in_order_each_to_the_result_of_the_one_before():
    rewritten = apply_rewrites(SOURCE, mistake(("cost + ", "cost - "), ("cost - x", "cost * x")))
    assert rewritten.endswith("return cost * x / (2 * m)\n")


def test_no_rewrite_leaves_the_source():
    assert apply_rewrites(SOURCE, mistake()) == SOURCE


@pytest.mark.parametrize("rewrites, missing", [
    ((("/ (3 * m)", "/ m"),), "/ (3 * m)"),
    ((("/ (2 * m)", "/ m"), ("/ (2 * m)", "/ 2")), "/ (2 * m)"),
], ids=["never matches", "matched by an earlier rewrite"])
def test_a_rewrite_that_does_not_match_is_refused_naming_the_mistake(rewrites, missing):
    with pytest.raises(ValueError) as raised:
        apply_rewrites(SOURCE, mistake(*rewrites))
    assert str(raised.value) == f"mistake halved: {missing!r} is not in the reference source"


def test_mistakes_and_diagnoses_are_frozen_values():
    with pytest.raises(dataclasses.FrozenInstanceError):
        mistake().message = "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        Diagnosis("p", ("dW1",), "m").property = "q"
    assert mistake(("a", "b")) == mistake(("a", "b"))
    assert hash(mistake(("a", "b"))) == hash(mistake(("a", "b")))


def test_a_case_outcome_does_not_know_its_random_draws_by_default():
    outcome = CaseOutcome(output=None, expected=1.0, arguments=(1,))
    assert outcome.random_draws is None
    assert outcome._replace(random_draws=True).random_draws is True
