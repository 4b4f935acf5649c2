"""Diagnoses from properties (:mod:`graders.regularization.diagnosis`), on mistaken functions run in-process on the real cases.

Each single-place mistake of :mod:`tests.single_mistakes` gets its property and origin keys; each catalogued
mistake gets the property it declares (or none); correct variants and near misses get no diagnosis; the verdict
names the diagnosis beside the catalogued mistake. ``test_rate_of_the_single_mistakes`` prints the rate per
property.
"""
import collections
import contextlib
import copy
import functools
import io
import re
import warnings

import numpy as np
import pytest

from graders.grading import Verdict, expected_cases, judge_function
from graders.in_kernel import to_plain
from graders.mistakes import CaseOutcome, Diagnosis, Mistake
from graders.notebook import GRADED_FUNCTIONS, strip_magics
from graders.plain import CALL_SEED, flatten
from graders.reference import mistaken_function, reference_namespace
from graders.regularization.diagnosis import PROPERTIES, diagnose, diagnose_cases
from graders.regularization.mistakes import MISTAKES
from graders.sandbox import RunResult
from tests.corpus import load_entries
from tests.single_mistakes import COST, NEAR_MISSES, SINGLE_MISTAKES, SingleMistake

VARIANTS = load_entries("variants")


def _random_state_fingerprint():
    state = np.random.get_state()
    return state[1].tobytes() + bytes([state[2] % 256])


def _call_like_the_worker(function, arguments):
    """``(plain output or None when the call raises, whether it drew random numbers)``, seeded as the worker does."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        np.random.seed(CALL_SEED)
        before = _random_state_fingerprint()
        try:
            output = to_plain(function(*copy.deepcopy(arguments)))
        except Exception:  # a mistake may break the shapes of some cases, as a student's does
            output = None
        return output, _random_state_fingerprint() != before


def _outcomes(function_name, function):
    """The function's outcomes on every case of ``function_name``."""
    outcomes = []
    for _, arguments, expected, _ in expected_cases(function_name):
        output, draws = _call_like_the_worker(function, arguments)
        outcomes.append(CaseOutcome(output, expected, arguments, draws))
    return outcomes


def _rewritten(mistake):
    """The reference function of ``mistake`` (a SingleMistake) with its rewrites applied."""
    return mistaken_function(Mistake(mistake.name, mistake.function, mistake.property, "", mistake.rewrites))


@functools.lru_cache(maxsize=None)
def _diagnosis(mistake):
    return diagnose_cases(mistake.function, _outcomes(mistake.function, _rewritten(mistake)))


def _described(diagnosis):
    return None if diagnosis is None else (diagnosis.property, diagnosis.origin)


@pytest.mark.parametrize("mistake", SINGLE_MISTAKES, ids=lambda mistake: mistake.name)
def test_single_mistake_gets_its_property_and_origin(mistake):
    diagnosis = _diagnosis(mistake)
    assert _described(diagnosis) == (mistake.property, mistake.origin)
    named, _, sentence = diagnosis.message.partition(": ")
    assert named.replace(" and ", ", ").split(", ") == list(mistake.origin) and sentence.endswith(".")
    assert not re.search(r"\d\.\d|\d{3}", diagnosis.message), "a message gives no number of the case"


@pytest.mark.parametrize("property_name", PROPERTIES)
def test_each_property_is_diagnosed_on_its_own_mistakes(property_name):
    own = [mistake for mistake in SINGLE_MISTAKES if mistake.property == property_name]
    assert own, f"no single mistake shows {property_name}"
    assert all(_described(_diagnosis(mistake)) == (property_name, mistake.origin) for mistake in own)


def test_the_single_mistakes_cover_every_function():
    assert len(SINGLE_MISTAKES) >= 25
    assert {mistake.function for mistake in SINGLE_MISTAKES} == set(GRADED_FUNCTIONS)


@pytest.mark.parametrize("mistake", NEAR_MISSES, ids=lambda mistake: mistake.name)
def test_near_miss_gets_no_diagnosis(mistake):
    outcomes = _outcomes(mistake.function, _rewritten(mistake))
    assert any(outcome.output is not None for outcome in outcomes)
    assert _diagnosis(mistake) is None


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda mistake: mistake.mistake_id)
def test_catalogued_mistake_gets_the_property_it_declares(mistake):
    diagnosis = diagnose_cases(mistake.function, _outcomes(mistake.function, mistaken_function(mistake)))
    assert (diagnosis and diagnosis.property) == mistake.property


def _variant_functions(entry):
    """The variant's graded functions, defined with its own cells on top of the reference namespace."""
    namespace = dict(reference_namespace())
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for source in entry.SOLUTIONS.values():
            exec(compile(source, entry.__name__, "exec"), namespace)
        for _, source in getattr(entry, "EXTRA_CELLS", ()):
            exec(compile(strip_magics(source), entry.__name__, "exec"), namespace)
    return {name: namespace[name] for name in entry.SOLUTIONS}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_correct_variant_gets_no_diagnosis(name):
    for function_name, function in _variant_functions(VARIANTS[name]).items():
        outcomes = _outcomes(function_name, function)
        assert all(outcome.output is not None for outcome in outcomes)
        assert diagnose_cases(function_name, outcomes) is None


def test_one_case_is_enough_when_it_singles_out_the_relation():
    mistake = next(mistake for mistake in SINGLE_MISTAKES if mistake.name == "l2_dW2_half_penalty")
    _, arguments, expected, _ = expected_cases(mistake.function)[0]
    output, draws = _call_like_the_worker(_rewritten(mistake), arguments)
    diagnosis = diagnose(mistake.function, output, expected, arguments, draws)
    assert _described(diagnosis) == ("penalty_factor", ("dW2",))
    assert diagnose(mistake.function, expected, expected, arguments, draws) is None


@pytest.mark.parametrize("mistake", SINGLE_MISTAKES, ids=lambda mistake: mistake.name)
def test_each_case_alone_names_the_right_property_or_none(mistake):
    for outcome in _outcomes(mistake.function, _rewritten(mistake)):
        diagnosis = diagnose(mistake.function, *outcome) if outcome.output is not None else None
        assert diagnosis is None or diagnosis.property == mistake.property


@pytest.mark.parametrize("name, case_id", [("forward_masks_drawn_in_reverse", "equal_widths"),
                                           ("forward_threshold_one_minus_keep_prob", "nothing_dropped"),
                                           ("forward_D1_binomial", "half_dropped")])
def test_a_case_where_a_known_mistake_looks_like_a_property_gets_none(name, case_id):
    """Masks drawn in reverse look swapped when both layers are as wide; others look flipped at some keep_prob."""
    mistake = next(mistake for mistake in NEAR_MISSES if mistake.name == name)
    index = [case[0] for case in expected_cases(mistake.function)].index(case_id)
    outcome = _outcomes(mistake.function, _rewritten(mistake))[index]
    assert outcome.output is not None and diagnose(mistake.function, *outcome) is None


def test_cases_that_disagree_give_no_diagnosis():
    """A student right on some cases and wrong in two different ways on others gets none."""
    halved, missing = (next(m for m in SINGLE_MISTAKES if m.name == name)
                       for name in ("l2_dW2_half_penalty", "l2_dW2_no_penalty"))
    first, second = (_outcomes(m.function, _rewritten(m)) for m in (halved, missing))
    assert diagnose_cases(halved.function, first[:2] + second[2:]) is None
    assert _described(diagnose_cases(halved.function, first[:2])) == ("penalty_factor", ("dW2",))


def test_a_malformed_output_gets_no_diagnosis():
    for function_name in GRADED_FUNCTIONS:
        _, arguments, expected, _ = expected_cases(function_name)[1]
        for output in ("text", {"dZ3": "x"}, (1, 2), [expected], 3.5j):
            assert diagnose(function_name, output, expected, arguments) is None


def test_rate_of_the_single_mistakes(capsys):
    """At least 85% of the single mistakes are diagnosed right, none wrong; the rate is printed per property."""
    right, wrong, total = collections.Counter(), [], collections.Counter()
    for mistake in SINGLE_MISTAKES:
        total[mistake.property] += 1
        described = _described(_diagnosis(mistake))
        if described == (mistake.property, mistake.origin):
            right[mistake.property] += 1
        elif described is not None:
            wrong.append((mistake.name, described))
    with capsys.disabled():
        print(f"\nown single mistakes: {sum(right.values())} of {sum(total.values())} diagnosed right, "
              f"{len(wrong)} wrong")
        for property_name in PROPERTIES:
            print(f"  {property_name:24s} {right[property_name]} of {total[property_name]}")
    assert not wrong and sum(right.values()) >= 0.85 * sum(total.values())


# --- the verdict names the diagnosis ---------------------------------------------------------------------------


def _run_result(function_name, function):
    """A worker report of ``function`` called on every case, as the sandbox's worker would send it."""
    records, arrays = {}, {}
    for case_id, arguments, _, _ in expected_cases(function_name):
        output, draws = _call_like_the_worker(function, arguments)
        case_arrays, spec = flatten(output, f"{function_name}/{case_id}/output")
        arrays.update(case_arrays)
        records[case_id] = {"status": "ok", "error": None, "error_kind": None, "output": spec, "mutated": [], "random_draws": draws}
    return RunResult(functions={function_name: {"defined": True, "cases": records}}, arrays=arrays)


def _verdict(mistake):
    function = _rewritten(mistake) if isinstance(mistake, SingleMistake) else mistaken_function(mistake)
    return judge_function(mistake.function, _run_result(mistake.function, function))


def test_verdict_names_the_property_of_an_uncatalogued_mistake():
    mistake = next(mistake for mistake in SINGLE_MISTAKES if mistake.name == "l2_dW2_half_penalty")
    verdict = _verdict(mistake)
    assert (verdict.diagnosis, verdict.property) == (None, "penalty_factor")
    assert verdict.message.endswith(f"Likely mistake: {_diagnosis(mistake).message}")


def test_verdict_names_the_catalogued_mistake_then_the_agreeing_property():
    mistake = next(mistake for mistake in MISTAKES if mistake.mistake_id == "cost_lambda_over_m")
    verdict = _verdict(mistake)
    assert (verdict.diagnosis, verdict.property) == ("cost_lambda_over_m", "penalty_factor")
    assert f"Likely mistake: {mistake.message}. cost: the L2 term is twice what it should be" in verdict.message


def test_verdict_keeps_the_catalogued_mistake_alone_when_the_property_disagrees(monkeypatch):
    import graders.grading

    other = Diagnosis("cross_entropy_wrong", ("cost",), "cost: a property the catalogue contradicts.")
    monkeypatch.setattr(graders.grading, "diagnose_cases", lambda function_name, outcomes: other)
    mistake = next(mistake for mistake in MISTAKES if mistake.mistake_id == "cost_lambda_over_m")
    verdict = _verdict(mistake)
    assert (verdict.diagnosis, verdict.property) == ("cost_lambda_over_m", None)
    assert verdict.message.endswith(f"Likely mistake: {mistake.message}")


def test_verdict_of_a_near_miss_names_no_mistake():
    verdict = _verdict(next(mistake for mistake in NEAR_MISSES if mistake.function == COST))
    assert not verdict.passed and "Likely mistake" not in verdict.message
    assert verdict == Verdict(COST, False, verdict.check, verdict.message)


def _dropout_case(keep_prob=0.86, random_draws=True, units=(3, 2), m=5):
    from graders.regularization.diagnosis import Case

    rng = np.random.RandomState(0)
    expected = {"D1": (rng.rand(units[0], m) < keep_prob).astype(float),
                "D2": (rng.rand(units[1], m) < keep_prob).astype(float)}
    return Case(arguments=(None, None, keep_prob), expected=expected, random_draws=random_draws)


def test_the_mask_draws_of_a_case_are_drawn_once_per_process_and_read_only(monkeypatch):
    from graders.regularization import diagnosis

    drawn = []
    monkeypatch.setattr(diagnosis, "_MASK_DRAWS", {})
    monkeypatch.setattr(diagnosis, "_mask_draws", lambda case, draw=diagnosis._mask_draws: drawn.append(1) or draw(case))
    first = diagnosis._all_mask_draws(_dropout_case())
    again = diagnosis._all_mask_draws(_dropout_case())  # another submission's copy of the same case
    assert len(drawn) == 1 and again is first
    with pytest.raises(ValueError):
        first[0][1][0][0, 0] = 2.0


@pytest.mark.parametrize("other", [{"keep_prob": 0.5}, {"random_draws": False}, {"units": (2, 3)}])
def test_a_different_case_gets_its_own_mask_draws(monkeypatch, other):
    from graders.regularization import diagnosis

    monkeypatch.setattr(diagnosis, "_MASK_DRAWS", {})
    base = diagnosis._all_mask_draws(_dropout_case())
    changed = diagnosis._all_mask_draws(_dropout_case(**other))
    fresh = list(diagnosis._mask_draws(_dropout_case(**other)))
    assert changed is not base
    assert [relation for relation, _ in changed] == [relation for relation, _ in fresh]
    for (_, masks), (_, expected) in zip(changed, fresh):
        for mask, mask_expected in zip(masks, expected):
            np.testing.assert_array_equal(mask, mask_expected)
