"""Unit tests of :mod:`graders.regularization.mistakes`: the catalogue of classic mistakes applies to the
reference source, each entry is well formed, and each mistake shows on at least one case. (How a failure is
matched to a catalogued mistake is tested in ``tests/test_diagnosis.py``.)"""
import pytest

from graders.grading import expected_cases
from graders.ladder import same_output
from graders.mistakes import apply_rewrites
from graders.notebook import GRADED_FUNCTIONS, grade_id, read_source_notebook, strip_magics
from graders.regularization.diagnosis import PROPERTIES
from graders.regularization.mistakes import MISTAKES

IDS = [mistake.mistake_id for mistake in MISTAKES]


@pytest.fixture(scope="module")
def sources():
    return {grade_id(cell): strip_magics(cell.source) for cell in read_source_notebook().cells
            if grade_id(cell) in GRADED_FUNCTIONS}


def test_ids_are_unique():
    assert len(set(IDS)) == len(IDS)


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_each_mistake_belongs_to_a_graded_function_and_a_known_property(mistake):
    assert mistake.function in GRADED_FUNCTIONS
    assert mistake.property is None or mistake.property in PROPERTIES
    assert mistake.rewrites and all(len(rewrite) == 2 and rewrite[0] != rewrite[1] for rewrite in mistake.rewrites)


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_each_message_is_one_sentence_without_a_final_period(mistake):
    assert mistake.message and "\n" not in mistake.message
    assert mistake.message[0].islower() and not mistake.message.endswith(".")


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_every_rewrite_applies_to_the_reference_source_and_still_compiles(sources, mistake):
    rewritten = apply_rewrites(sources[mistake.function], mistake)
    assert rewritten != sources[mistake.function]
    compile(rewritten, mistake.mistake_id, "exec")


@pytest.mark.parametrize("mistake", MISTAKES, ids=IDS)
def test_each_mistake_shows_on_some_case(mistake):
    outputs = [(expected, mistakes[mistake.mistake_id]) for _, _, expected, mistakes in
               expected_cases(mistake.function)]
    assert any(not same_output(output, expected) for expected, output in outputs)


def test_no_two_mistakes_of_a_function_give_the_same_outputs_on_every_case():
    for function in GRADED_FUNCTIONS:
        cases = expected_cases(function)
        ids = [m.mistake_id for m in MISTAKES if m.function == function]
        for index, first in enumerate(ids):
            for second in ids[index + 1:]:
                assert not all(same_output(mistakes[first], mistakes[second]) and
                               same_output(mistakes[second], mistakes[first]) for _, _, _, mistakes in cases), \
                    (first, second)


def test_every_graded_function_has_mistakes():
    assert {mistake.function for mistake in MISTAKES} == set(GRADED_FUNCTIONS)
