"""The held-out corpus (``tests/corpus/held_out``): single mistakes written apart from the catalogue.

Each entry must lose its function's points and nothing else. The diagnosis from properties must name the
entry's property and its origin keys for at least 85% of the entries, and must never name a wrong one.
"""
import pytest

from graders.grading import grade_notebook
from tests.corpus import entry_solutions, load_entries
from tests.notebooks import make_submission, read_release, reference_solutions

ENTRIES = load_entries("held_out")
RATE = 0.85


@pytest.fixture(scope="module")
def verdicts():
    solutions, release = reference_solutions(), read_release()
    return {name: grade_notebook(make_submission(entry_solutions(entry, solutions), release=release))[0]
            for name, entry in ENTRIES.items()}


def _diagnosis(verdict, expected):
    """'right', 'none' or 'wrong' for one verdict against the entry's declared diagnosis."""
    if verdict.property is None:
        return "none"
    likely = verdict.message.split("Likely mistake:", 1)[-1]
    right = verdict.property == expected["property"] and all(key in likely for key in expected["origin"])
    return "right" if right else "wrong"


def test_the_corpus_is_large_and_varied():
    assert len(ENTRIES) >= 30
    assert len({entry.EXPECTED_DIAGNOSIS["function"] for entry in ENTRIES.values()}) == 4
    assert len({entry.EXPECTED_DIAGNOSIS["property"] for entry in ENTRIES.values()}) >= 12


@pytest.mark.parametrize("name", ENTRIES, ids=ENTRIES)
def test_a_held_out_mistake_loses_its_function_only_and_is_never_misnamed(verdicts, name):
    expected = ENTRIES[name].EXPECTED_DIAGNOSIS
    verdict = verdicts[name][expected["function"]]
    assert not verdict.passed
    assert all(other.passed for function, other in verdicts[name].items() if function != expected["function"])
    assert _diagnosis(verdict, expected) != "wrong", verdict.message


def test_the_diagnosis_rate_on_the_held_out_corpus(verdicts):
    outcomes = [_diagnosis(verdicts[name][entry.EXPECTED_DIAGNOSIS["function"]], entry.EXPECTED_DIAGNOSIS)
                for name, entry in ENTRIES.items()]
    rate = outcomes.count("right") / len(outcomes)
    print(f"held-out diagnosis: {outcomes.count('right')} of {len(outcomes)} right ({rate:.0%}), "
          f"{outcomes.count('none')} none, {outcomes.count('wrong')} wrong")
    assert rate >= RATE and "wrong" not in outcomes
