"""Unit tests of :mod:`graders.fingerprint`: a folder's digest changes with any file under it, never with
``__pycache__``, and the grader's fingerprint covers the whole ``graders/`` package."""
import os
import shutil

import pytest

import graders
from graders import fingerprint
from graders.fingerprint import folder_digest


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "graders"
    (root / "assignment" / "expected").mkdir(parents=True)
    (root / "cases.py").write_text("CASES = ()\n")
    (root / "assignment" / "checks.py").write_text("def judge(): pass\n")
    (root / "assignment" / "expected" / "f.npz").write_bytes(b"\x00\x01")
    return root


def edit(path):
    path.write_bytes(path.read_bytes() + b" ")


@pytest.mark.parametrize("change", [
    lambda root: edit(root / "cases.py"),
    lambda root: edit(root / "assignment" / "checks.py"),
    lambda root: edit(root / "assignment" / "expected" / "f.npz"),
    lambda root: (root / "npzfile.py").write_text(""),
    lambda root: (root / "assignment" / "new").mkdir() or (root / "assignment" / "new" / "x").write_text(""),
    lambda root: (root / "cases.py").rename(root / "cases2.py"),
    lambda root: (root / "assignment" / "checks.py").rename(root / "checks.py"),
    lambda root: (root / "assignment" / "expected" / "f.npz").unlink(),
    lambda root: (root / ".hidden").write_text(""),
], ids=["top file", "nested file", "binary", "new empty file", "new folder", "rename", "move", "delete", "dotfile"])
def test_any_change_of_a_file_changes_the_digest(folder, change):
    before = folder_digest(folder)
    change(folder)
    assert folder_digest(folder) != before


@pytest.mark.parametrize("change", [
    lambda root: (root / "__pycache__").mkdir() or (root / "__pycache__" / "cases.cpython-311.pyc").write_bytes(b"1"),
    lambda root: (root / "assignment" / "__pycache__").mkdir() or (root / "assignment" / "__pycache__" / "x.pyc")
    .write_bytes(b"2"),
    lambda root: (root / "empty").mkdir(),
    lambda root: os.utime(root / "cases.py", (0, 0)),
    lambda root: os.chmod(root / "cases.py", 0o600),
], ids=["top __pycache__", "nested __pycache__", "empty folder", "mtime", "mode"])
def test_what_no_verdict_depends_on_leaves_the_digest(folder, change):
    before = folder_digest(folder)
    change(folder)
    assert folder_digest(folder) == before


def test_the_digest_depends_on_contents_not_on_where_the_folder_is(folder, tmp_path):
    copy = shutil.copytree(folder, tmp_path / "elsewhere" / "copy")
    assert folder_digest(copy) == folder_digest(folder)


def test_a_symbolic_link_is_not_read(folder, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("a")
    before = folder_digest(folder)
    os.symlink(outside, folder / "link.txt")
    assert folder_digest(folder) == before
    outside.write_text("b")
    assert folder_digest(folder) == before


def test_moving_bytes_between_name_and_content_changes_the_digest(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "xy").write_text("z")
    (tmp_path / "b" / "x").write_text("yz")
    assert folder_digest(tmp_path / "a") != folder_digest(tmp_path / "b")


def test_the_grader_fingerprint_covers_the_whole_graders_package():
    assert os.path.samefile(fingerprint.GRADERS_DIR, os.path.dirname(graders.__file__))
    version = fingerprint.grader_version()
    assert len(version) == 64 and int(version, 16) >= 0
    assert fingerprint.grader_version() == version
