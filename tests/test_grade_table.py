"""Unit tests of :mod:`graders.grade_table`: the printed table's columns and alignment. (Its numbers against the
gradebook and ``grades.csv`` are tested in ``tests/test_reports.py``.)"""
from graders.grade_table import table_lines
from graders.notebook import GRADED_FUNCTIONS
from graders.reports import grade_columns


def record(student, total, functions, late_penalty=0.0, maximum=10.0):
    return {"student": student, "total": total, "max": maximum, "late_penalty": late_penalty,
            "functions": {name: {"score": score} for name, score in functions.items()}}


def test_the_header_is_the_spreadsheets_columns():
    [header] = table_lines([])
    assert header.split() == grade_columns()


def test_ids_are_left_aligned_numbers_right_aligned_and_no_line_ends_in_spaces():
    lines = table_lines([record("a", 10, {name: 2.5 for name in GRADED_FUNCTIONS}),
                         record("a-much-longer-id", 2.25, {GRADED_FUNCTIONS[0]: 2.25}, late_penalty=1)])
    header, first, second = lines
    assert first.startswith("a ") and second.startswith("a-much-longer-id ")
    assert len({len(line) for line in lines}) == 1
    assert first.split() == ["a", "10", "10", "2.5", "2.5", "2.5", "2.5", "0"]
    assert second.split() == ["a-much-longer-id", "2.25", "10", "2.25", "0", "0", "0", "1"]
    for column_end in (header.index("total") + len("total"),):
        assert first[column_end - 2:column_end] == "10"
    assert all(line == line.rstrip() for line in lines)


def test_a_function_without_a_score_counts_zero():
    [_, line] = table_lines([record("b", 0, {})])
    assert line.split()[3:3 + len(GRADED_FUNCTIONS)] == ["0"] * len(GRADED_FUNCTIONS)
