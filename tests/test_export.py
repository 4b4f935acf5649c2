"""graders.export: the grade spreadsheet through nbgrader's export-plugin API (tested end to end, with the real
``nbgrader export``, in tests/test_reports.py); here the plugin on a small gradebook."""
import csv

import pytest
from nbgrader.api import Gradebook

from graders import reports
from graders.export import GradesExport


@pytest.fixture
def gradebook(tmp_path, monkeypatch, quick_alembic_version):
    """A gradebook URL, and the records the reports would read from it (two students)."""
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    records = [{"student": student, "total": total, "raw_total": total, "late_penalty": 0.0, "max": 10.0,
                "functions": {}} for student, total in (("ada", 10.0), ("bob", 4.0))]
    seen = {}

    def collect(root=None, url=None):
        seen["url"] = url
        return records

    monkeypatch.setattr("graders.export.collect", collect)
    return url, records, seen


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("students, expected", [([], ["ada", "bob"]), (["bob"], ["bob"])], ids=["class", "one"])
def test_the_plugin_writes_the_reports_spreadsheet_from_nbgrader_s_gradebook(tmp_path, gradebook, students, expected):
    url, records, seen = gradebook
    target = tmp_path / "grades.csv"
    with Gradebook(url) as opened:
        GradesExport(to=str(target), student=students).export(opened)
    assert seen["url"] == url
    rows = _rows(target)
    assert rows[0] == reports.grade_columns()
    assert [row[0] for row in rows[1:]] == expected
    reports.write_csv([r for r in records if r["student"] in expected], tmp_path / "direct.csv")
    assert rows == _rows(tmp_path / "direct.csv")
