"""Unit tests of :mod:`graders.submit`, beside ``tests/test_student_workflow.py`` (which holds "never overwrite
silently" and unsafe ids): the timestamp, the history of replaced submissions, unreadable files and the command's
output."""
import datetime
import os

import nbformat
import pytest

from graders import submit as submit_module
from graders.intake import read_release
from graders.notebook import ASSIGNMENT
from graders.submit import submit

NOW = datetime.datetime(2026, 11, 26, 9, 5, 3, 120000, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def release():
    return read_release()


@pytest.fixture
def notebook(tmp_path, release):
    path = tmp_path / "mine.ipynb"
    nbformat.write(release, path)
    return path


def folder(root, student="ada"):
    return root / "submitted" / student / ASSIGNMENT


def test_submit_copies_the_notebook_and_writes_a_utc_timestamp(tmp_path, notebook):
    destination = submit(str(notebook), "ada", root=str(tmp_path), now=NOW)
    assert destination == str(folder(tmp_path) / "Regularization.ipynb")
    assert open(destination, "rb").read() == notebook.read_bytes()
    assert (folder(tmp_path) / "timestamp.txt").read_text() == "2026-11-26 09:05:03.120000 UTC"


def test_the_timestamp_is_one_nbgrader_reads(tmp_path, notebook):
    from nbgrader.utils import parse_utc

    submit(str(notebook), "ada", root=str(tmp_path), now=NOW)
    assert parse_utc((folder(tmp_path) / "timestamp.txt").read_text()) == NOW.replace(tzinfo=None)


def test_replacing_keeps_each_earlier_submission_under_its_time(tmp_path, notebook):
    submit(str(notebook), "ada", root=str(tmp_path), now=NOW)
    submit(str(notebook), "ada", replace=True, root=str(tmp_path), now=NOW + datetime.timedelta(hours=1))
    submit(str(notebook), "ada", replace=True, root=str(tmp_path), now=NOW + datetime.timedelta(hours=2))
    history = folder(tmp_path) / ".history"
    assert sorted(os.listdir(history)) == ["2026-11-26-09-05-03-120000-UTC", "2026-11-26-10-05-03-120000-UTC"]
    for name in os.listdir(history):
        assert sorted(os.listdir(history / name)) == ["Regularization.ipynb", "timestamp.txt"]
    assert (folder(tmp_path) / "timestamp.txt").read_text() == "2026-11-26 11:05:03.120000 UTC"


def test_two_replacements_with_one_timestamp_never_overwrite_the_history(tmp_path, notebook):
    for _ in range(3):
        submit(str(notebook), "ada", replace=True, root=str(tmp_path), now=NOW)
    assert sorted(os.listdir(folder(tmp_path) / ".history")) == ["2026-11-26-09-05-03-120000-UTC",
                                                                  "2026-11-26-09-05-03-120000-UTC-1"]


def test_an_earlier_submission_without_a_timestamp_is_kept_as_unknown_time(tmp_path, notebook):
    submit(str(notebook), "ada", root=str(tmp_path), now=NOW)
    os.remove(folder(tmp_path) / "timestamp.txt")
    submit(str(notebook), "ada", replace=True, root=str(tmp_path), now=NOW)
    assert os.listdir(folder(tmp_path) / ".history") == ["unknown-time"]
    assert os.listdir(folder(tmp_path) / ".history" / "unknown-time") == ["Regularization.ipynb"]


def test_a_timestamp_cannot_lead_the_history_out_of_its_folder(tmp_path, notebook):
    submit(str(notebook), "ada", root=str(tmp_path), now=NOW)
    (folder(tmp_path) / "timestamp.txt").write_text("../../../../escape")
    submit(str(notebook), "ada", replace=True, root=str(tmp_path), now=NOW)
    assert os.listdir(folder(tmp_path) / ".history") == ["escape"]
    assert not (tmp_path / "escape").exists()


@pytest.mark.parametrize("make, reason", [
    (lambda path: path.write_text("{"), "the notebook file is not valid JSON (was it edited outside Jupyter or "
                                        "truncated?)"),
    (lambda path: None, "mine.ipynb does not exist"),
    (lambda path: os.mkfifo(path), "mine.ipynb is a named pipe; only regular files are read"),
], ids=["not json", "missing", "fifo"])
def test_an_unreadable_file_is_refused_naming_it(tmp_path, make, reason):
    path = tmp_path / "mine.ipynb"
    make(path)
    with pytest.raises(ValueError) as raised:
        submit(str(path), "ada", root=str(tmp_path))
    assert str(raised.value) == f"{path}: {reason}"
    assert not (tmp_path / "submitted").exists()


def test_the_id_is_checked_before_the_file(tmp_path):
    with pytest.raises(ValueError, match="^student id 'a b' is not valid"):
        submit(str(tmp_path / "missing.ipynb"), "a b", root=str(tmp_path))


def test_main_prints_one_line_and_exits_1_on_a_refusal(tmp_path, notebook, monkeypatch, capsys):
    monkeypatch.setattr(submit_module.submit, "__defaults__", (False, str(tmp_path), None))
    submit_module.main([str(notebook), "ada"])
    assert capsys.readouterr().out == f"submitted {notebook} as {folder(tmp_path) / 'Regularization.ipynb'}\n"
    with pytest.raises(SystemExit) as exited:
        submit_module.main([str(notebook), "ada"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"submit: {folder(tmp_path) / 'Regularization.ipynb'}: an earlier submission exists")
    assert err.count("\n") == 1
