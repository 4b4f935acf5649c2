"""Unit tests of :mod:`graders.intake` on submission folders made in ``tmp_path``: finding the notebook, reading a
student's folder without following links, timestamps, digests and record markers, and one small intake run.
(The hostile corpus through the whole pipeline is in ``tests/test_hostile_intake.py``; reruns and parts in
``tests/test_incremental.py``.)"""
import json
import os

import nbformat
import pytest

from graders import intake
from graders.errors import UnreadableSubmission
from graders.intake import (INTAKE_KEY, NOTEBOOK_NAME, find_notebook, read_notebook, read_record_marker,
                            source_digest, student_folders, take_in, write_record_marker)
from graders.notebook import ASSIGNMENT


@pytest.fixture(scope="module")
def release():
    return intake.read_release()


@pytest.fixture
def add(tmp_path, release):
    """A function adding a student's folder to ``submitted/``."""
    root = tmp_path / "submitted"
    root.mkdir()

    def add(student, notebook=release, timestamp="2026-11-20 10:00:00.000000 UTC"):
        folder = root / student / ASSIGNMENT
        folder.mkdir(parents=True)
        if notebook is not None:
            nbformat.write(notebook, folder / NOTEBOOK_NAME)
        if timestamp is not None:
            (folder / "timestamp.txt").write_text(timestamp)
        return folder

    return add


@pytest.fixture
def submitted(add, tmp_path):
    """``submitted/`` with one honest student."""
    add("alice")
    return tmp_path / "submitted"


@pytest.fixture
def submitted_fd(submitted):
    fd = os.open(submitted, os.O_RDONLY | os.O_DIRECTORY)
    yield fd
    os.close(fd)


# ---------------------------------------------------------------- find_notebook

def test_find_notebook_prefers_the_release_name():
    assert find_notebook({NOTEBOOK_NAME: "file", "Other.ipynb": "file"}) == (NOTEBOOK_NAME, None)


def test_find_notebook_takes_the_one_notebook_with_a_note():
    assert find_notebook({"mine.ipynb": "file", ".hidden.ipynb": "file", "notes.txt": "file"}) == \
        ("mine.ipynb", f"the notebook was named 'mine.ipynb', not {NOTEBOOK_NAME}")


@pytest.mark.parametrize("entries, message", [
    ({}, f"no .ipynb file was submitted (expected {NOTEBOOK_NAME})"),
    ({".ipynb_checkpoints": "folder", "x.py": "file"}, f"no .ipynb file was submitted (expected {NOTEBOOK_NAME})"),
    ({"b.ipynb": "file", "a.ipynb": "file"}, f"several notebooks were submitted ('a.ipynb', 'b.ipynb') and none is "
                                             f"named {NOTEBOOK_NAME}"),
], ids=["empty", "no notebook", "two"])
def test_find_notebook_refuses(entries, message):
    with pytest.raises(UnreadableSubmission) as raised:
        find_notebook(entries)
    assert str(raised.value) == message


# ---------------------------------------------------------------- read_notebook and take_in

def test_read_notebook_reads_a_regular_file(submitted, release):
    notebook = read_notebook(submitted / "alice" / ASSIGNMENT / NOTEBOOK_NAME, release)
    assert len(notebook.cells) == len(release.cells)


@pytest.mark.parametrize("make, message", [
    (lambda path: os.symlink("elsewhere.ipynb", path), f"{NOTEBOOK_NAME} is a symbolic link; only regular files are "
                                                      "read"),
    (lambda path: os.mkfifo(path), f"{NOTEBOOK_NAME} is a named pipe; only regular files are read"),
    (lambda path: path.write_text(""), "the notebook file is empty"),
], ids=["link", "fifo", "empty"])
def test_read_notebook_refuses_in_one_line(tmp_path, release, make, message):
    make(tmp_path / NOTEBOOK_NAME)
    with pytest.raises(UnreadableSubmission) as raised:
        read_notebook(tmp_path / NOTEBOOK_NAME, release)
    assert str(raised.value) == message


def test_read_notebook_of_a_missing_folder_says_so(tmp_path, release):
    with pytest.raises(UnreadableSubmission, match=r"^its folder cannot be opened \(No such file or directory\)$"):
        read_notebook(tmp_path / "nowhere" / NOTEBOOK_NAME, release)


def test_take_in_reads_the_notebook_and_a_canonical_timestamp(submitted_fd, release):
    submission = take_in(submitted_fd, "alice", release)
    assert submission.timestamp == "2026-11-20 10:00:00"
    assert submission.notes == []
    assert submission.notebook.metadata[INTAKE_KEY] == {"notes": []}


@pytest.mark.parametrize("timestamp, note", [
    ("yesterday", "timestamp.txt does not hold a time; graded without a submission time"),
    ("\xff", "timestamp.txt does not hold a time; graded without a submission time"),
    ("2026-11-20 10:00:00" + " " * 300, "timestamp.txt is 319 bytes; the limit is 256 bytes; graded without a "
                                       "submission time"),
], ids=["words", "not ascii", "too long"])
def test_a_bad_timestamp_is_a_note_not_a_failure(add, submitted, release, timestamp, note):
    add("bob", timestamp=timestamp)
    fd = os.open(submitted, os.O_RDONLY | os.O_DIRECTORY)
    try:
        submission = take_in(fd, "bob", release)
    finally:
        os.close(fd)
    assert submission.timestamp is None
    assert submission.notes == [note]
    assert submission.notebook.metadata[INTAKE_KEY] == {"notes": [note]}


def test_a_fifo_timestamp_never_blocks(add, submitted, release):
    folder = add("bob", timestamp=None)
    os.mkfifo(folder / "timestamp.txt")
    fd = os.open(submitted, os.O_RDONLY | os.O_DIRECTORY)
    try:
        submission = take_in(fd, "bob", release)
    finally:
        os.close(fd)
    assert submission.notes == ["timestamp.txt is a named pipe; only regular files are read; graded without a "
                                "submission time"]


@pytest.mark.parametrize("make, reason", [
    (lambda root: os.symlink(root / "alice", root / "mallory"), "mallory is a symbolic link, not a folder"),
    (lambda root: (root / "mallory").mkdir() or os.symlink(root / "alice" / ASSIGNMENT, root / "mallory" / ASSIGNMENT),
     f"{ASSIGNMENT} is a symbolic link, not a folder"),
    (lambda root: (root / "mallory" / ASSIGNMENT).mkdir(parents=True),
     f"no .ipynb file was submitted (expected {NOTEBOOK_NAME})"),
    (lambda root: (root / "mallory" / ASSIGNMENT).mkdir(parents=True) or os.symlink(
        root / "alice" / ASSIGNMENT / NOTEBOOK_NAME, root / "mallory" / ASSIGNMENT / NOTEBOOK_NAME),
     f"{NOTEBOOK_NAME} is a symbolic link; only regular files are read"),
], ids=["student folder link", "assignment folder link", "no notebook", "notebook link"])
def test_an_unreadable_submission_becomes_the_release_with_its_reason(submitted, release, make, reason):
    make(submitted)
    fd = os.open(submitted, os.O_RDONLY | os.O_DIRECTORY)
    try:
        submission = take_in(fd, "mallory", release)
    finally:
        os.close(fd)
    assert submission.notes == [reason]
    assert submission.notebook.metadata[INTAKE_KEY] == {"unreadable": reason}
    assert [cell.source for cell in submission.notebook.cells] == [cell.source for cell in release.cells]
    assert INTAKE_KEY not in release.metadata


# ---------------------------------------------------------------- student folders

def test_student_folders_sorts_valid_ids_and_rejects_the_others(add, submitted):
    add("bob")
    add("alic?")
    (submitted / "carol").mkdir()  # no assignment folder: not this assignment's student
    os.symlink(submitted / "alice", submitted / "dave")
    (submitted / "notes.txt").write_text("")
    valid, rejected = student_folders(os.open(submitted, os.O_RDONLY | os.O_DIRECTORY))
    assert valid == ["alice", "bob", "dave"]
    assert list(rejected) == ["alic?"]
    assert rejected["alic?"].startswith("student id 'alic?' is not valid")


# ---------------------------------------------------------------- digests and record markers

def test_source_digest_follows_the_submitted_bytes(submitted, submitted_fd):
    first = source_digest(submitted_fd, "alice", "course")
    assert first == source_digest(submitted_fd, "alice", "course")
    assert first != source_digest(submitted_fd, "alice", "another course")
    (submitted / "alice" / ASSIGNMENT / "timestamp.txt").write_text("2026-11-21 10:00:00 UTC")
    second = source_digest(submitted_fd, "alice", "course")
    assert second != first
    path = submitted / "alice" / ASSIGNMENT / NOTEBOOK_NAME
    path.write_bytes(path.read_bytes() + b"\n")
    assert source_digest(submitted_fd, "alice", "course") not in (first, second)


def test_source_digest_of_an_unreadable_submission_is_none(submitted, submitted_fd):
    os.symlink(submitted / "alice", submitted / "mallory")
    assert source_digest(submitted_fd, "mallory", "course") is None
    assert source_digest(submitted_fd, "nobody", "course") is None


def test_intake_digest_depends_on_notebook_timestamp_and_course(release):
    digest = intake.intake_digest(release, "t1", "c")
    assert digest == intake.intake_digest(release, "t1", "c")
    assert len({digest, intake.intake_digest(release, "t2", "c"), intake.intake_digest(release, None, "c"),
                intake.intake_digest(release, "t1", "d")}) == 4


def test_record_marker_round_trip(tmp_path):
    write_record_marker(tmp_path, "abc", "src")
    assert read_record_marker(tmp_path) == ("abc", "src")
    write_record_marker(tmp_path, "def")
    assert read_record_marker(tmp_path) == ("def", None)
    assert sorted(os.listdir(tmp_path)) == [intake.RECORD_MARKER]


@pytest.mark.parametrize("content", [None, b"", b"\xff\xfe", b"\n\n"], ids=["missing", "empty", "not utf-8", "blank"])
def test_a_missing_or_broken_record_marker_reads_as_nothing(tmp_path, content):
    if content is not None:
        (tmp_path / intake.RECORD_MARKER).write_bytes(content)
    assert read_record_marker(tmp_path) == (None, None)


# ---------------------------------------------------------------- one small run

def test_run_intake_queues_the_readable_and_the_unreadable_and_lists_bad_ids(add, submitted, tmp_path, capsys):
    add("bob", timestamp="not a time")
    add("-x")
    os.symlink(submitted / "alice", submitted / "mallory")
    out = tmp_path / "intake"
    summary = intake.run_intake(str(submitted), str(out))
    assert summary.queued == ["alice", "bob", "mallory"]
    assert set(summary.attention) == {"-x"}
    assert summary.notes == {"bob": ["timestamp.txt does not hold a time; graded without a submission time"],
                             "mallory": ["mallory is a symbolic link, not a folder"]}
    assert (out / "alice" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-11-20 10:00:00"
    assert not (out / "bob" / ASSIGNMENT / "timestamp.txt").exists()
    with open(out / "mallory" / ASSIGNMENT / NOTEBOOK_NAME, encoding="utf-8") as handle:
        metadata = json.load(handle)["metadata"][INTAKE_KEY]
    assert metadata["unreadable"] == "mallory is a symbolic link, not a folder" and len(metadata["digest"]) == 64
    assert not (out / "-x").exists()
    intake.print_summary(summary, str(submitted))
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{submitted}/'-x': NOT GRADED: " + summary.attention["-x"]
    assert len(lines) == 3


def test_run_intake_on_one_student_and_on_a_part(add, submitted, tmp_path):
    for student in ("bob", "carol", "dave"):
        add(student)
    only = intake.run_intake(str(submitted), str(tmp_path / "one"), only="carol")
    assert only.queued == ["carol"]
    parts = [intake.run_intake(str(submitted), str(tmp_path / f"p{k}"), part=(k, 2)).queued for k in (1, 2)]
    assert sorted(parts[0] + parts[1]) == ["alice", "bob", "carol", "dave"]
    assert not set(parts[0]) & set(parts[1])


def test_run_intake_never_changes_submitted(submitted, tmp_path):
    def snapshot():
        return {os.path.join(parent, name): os.stat(os.path.join(parent, name)).st_mtime_ns
                for parent, _, files in os.walk(submitted) for name in files}
    before = snapshot()
    intake.run_intake(str(submitted), str(tmp_path / "intake"))
    assert snapshot() == before


def test_an_invalid_output_does_not_stop_the_intake(add, submitted, tmp_path, release):
    notebook = nbformat.from_dict(json.loads(nbformat.writes(release)))
    notebook.cells[1].outputs = [{"output_type": "stream", "name": "stdout"}]
    folder = add("bob", notebook=None)
    (folder / NOTEBOOK_NAME).write_text(json.dumps(notebook))
    summary = intake.run_intake(str(submitted), str(tmp_path / "intake"))
    assert summary.attention == {}
    assert summary.queued == ["alice", "bob"]


def test_the_course_digest_follows_the_grader_version():
    digest = intake.course_digest("version-1")
    assert digest == intake.course_digest("version-1")
    assert digest != intake.course_digest("version-2")
    assert len(digest) == 64


@pytest.mark.parametrize("text", [
    "2026-11-20 10:00:00.000000 UTC", "2026-11-20 10:00:00", "2026-11-20T10:00:00+01:00", "2026-11-20 10:00:00 3600",
    "2026-11-20 10:00:00 -7200", "2026-11-20 10:00:00 Europe/Paris", "2026-11-20 10:00:00 America/New_York",
    "2026-11-20 10:00:00 PST", "2026-11-20 10:00:00 Nowhere/Else", "20 Nov 2026 10:00", "2026-11-20",
    "yesterday", "2026-11-20 10:00:00 UTC extra", "", "2026-13-40 10:00:00 UTC", "99999999999999999999",
])
def test_timestamps_are_read_as_nbgrader_reads_them(text):
    from nbgrader.utils import parse_utc

    def read(parse):
        try:
            return parse(text)
        except (ValueError, OverflowError, TypeError) as error:
            return type(error).__name__

    assert read(intake.parse_timestamp) == read(parse_utc)

