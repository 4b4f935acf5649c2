"""Unit tests of :mod:`graders.student_ids`: the id rule, ids shown safely, and the split of a class in parts."""
import pytest

from graders.student_ids import RULE, id_problem, in_part, parse_part, shown


@pytest.mark.parametrize("student_id", ["a", "alice", "Bob_2", "x.y-z", "9lives", "a" * 64, "A.-_"],
                         ids=["one letter", "word", "underscore", "dot and dash", "digit first", "64", "symbols"])
def test_valid_ids(student_id):
    assert id_problem(student_id) is None


@pytest.mark.parametrize("student_id", [
    "", "a" * 65, ".hidden", "-x", "_x", "alic?", "al*", "a/b", "a b", "é", "a\n", "a\x00", "..", "[ab]", "ａ",
], ids=["empty", "65", "dot first", "dash first", "underscore first", "question mark", "star", "slash", "space",
        "accent", "trailing newline", "nul", "dot dot", "brackets", "full-width letter"])
def test_invalid_ids_get_a_one_line_reason(student_id):
    problem = id_problem(student_id)
    assert problem == f"student id {shown(student_id)} is not valid: use {RULE}"
    assert "\n" not in problem and "\x00" not in problem


@pytest.mark.parametrize("text, result", [
    ("alice", "'alice'"),
    ("a\nb", "'a\\nb'"),
    ("\x1b[31m", "'\\x1b[31m'"),
    ("x" * 41, "'" + "x" * 40 + "...'"),
    ("x" * 40, "'" + "x" * 40 + "'"),
    ("é", "'\\xe9'"),
], ids=["plain", "newline", "escape", "cut", "limit", "non-ascii"])
def test_shown_quotes_escapes_and_cuts(text, result):
    assert shown(text) == result


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_every_student_is_in_exactly_one_part(parts):
    students = [f"student{i}" for i in range(200)] + ["\udcff-undecodable"]
    for student in students:
        assert sum(in_part(student, part, parts) for part in range(1, parts + 1)) == 1


def test_parts_split_a_class_roughly_evenly_and_stably():
    students = [f"s{i}" for i in range(1000)]
    first = [s for s in students if in_part(s, 1, 2)]
    assert 400 < len(first) < 600
    assert first == [s for s in students if in_part(s, 1, 2)]


@pytest.mark.parametrize("text, result", [("1/1", (1, 1)), ("2/3", (2, 3)), (" 1/ 2", (1, 2))],
                         ids=["one part", "middle", "spaces"])
def test_parse_part(text, result):
    assert parse_part(text) == result


@pytest.mark.parametrize("text, message", [
    ("1", "part '1' is not K/N, e.g. 1/2"),
    ("a/b", "part 'a/b' is not K/N, e.g. 1/2"),
    ("1/2/3", "part '1/2/3' is not K/N, e.g. 1/2"),
    ("0/2", "part '0/2': K must be between 1 and N"),
    ("3/2", "part '3/2': K must be between 1 and N"),
    ("1/0", "part '1/0': K must be between 1 and N"),
    ("-1/-1", "part '-1/-1': K must be between 1 and N"),
], ids=["no slash", "words", "three", "zero", "beyond", "no parts", "negative"])
def test_parse_part_refuses_with_one_line(text, message):
    with pytest.raises(ValueError) as raised:
        parse_part(text)
    assert str(raised.value) == message
