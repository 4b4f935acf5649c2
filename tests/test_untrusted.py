"""Unit tests of :mod:`graders.untrusted` on files made in ``tmp_path``: links never followed at any level, only
regular files read, reads capped and never blocking. (Whole hostile submissions through the intake are in
``tests/test_hostile_intake.py``.)"""
import os
import socket

import pytest

from graders import untrusted
from graders.untrusted import Refused


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "file.txt").write_bytes(b"hello")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_bytes(b"inner")
    os.symlink(tmp_path / "file.txt", tmp_path / "link")
    os.symlink(tmp_path / "sub", tmp_path / "folder-link")
    os.mkfifo(tmp_path / "fifo")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    yield fd
    os.close(fd)


def refusal(function, *arguments):
    with pytest.raises(Refused) as raised:
        function(*arguments)
    return str(raised.value)


def test_read_file_reads_a_regular_file(folder):
    assert untrusted.read_file("file.txt", folder, 5) == b"hello"


@pytest.mark.parametrize("name, message", [
    ("link", "link is a symbolic link; only regular files are read"),
    ("fifo", "fifo is a named pipe; only regular files are read"),
    ("missing", "missing does not exist"),
], ids=["symlink", "fifo", "missing"])
def test_read_file_refuses_what_is_not_a_regular_file(folder, name, message):
    assert refusal(untrusted.read_file, name, folder, 100) == message


def test_read_file_refuses_a_device():
    fd = os.open("/dev", os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert refusal(untrusted.read_file, "null", fd, 100) == "null is a device; only regular files are read"
    finally:
        os.close(fd)


def test_read_file_refuses_a_socket(tmp_path):
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(os.fspath(tmp_path / "s"))
        fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            assert refusal(untrusted.read_file, "s", fd, 100) == "s is a socket; only regular files are read"
        finally:
            os.close(fd)


def test_a_dangling_link_is_a_link_not_a_missing_file(tmp_path):
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert refusal(untrusted.read_file, "dangling", fd, 10) == \
            "dangling is a symbolic link; only regular files are read"
    finally:
        os.close(fd)


@pytest.mark.parametrize("size, limit, message", [
    (5, 4, "file.txt is 5 bytes; the limit is 4 bytes"),
    (3 * 1024, 2048, "file.txt is 3 KB; the limit is 2 KB"),
    (3 * 1024 ** 2, 2 * 1024 ** 2, "file.txt is 3 MB; the limit is 2 MB"),
], ids=["bytes", "KB", "MB"])
def test_read_file_caps_the_size(tmp_path, size, limit, message):
    (tmp_path / "file.txt").write_bytes(b"x" * size)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert refusal(untrusted.read_file, "file.txt", fd, limit) == message
        assert untrusted.read_file("file.txt", fd, size) == b"x" * size
    finally:
        os.close(fd)


def test_an_empty_file_reads_as_no_bytes(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert untrusted.read_file("empty", fd, 0) == b""
    finally:
        os.close(fd)


def test_open_folder_opens_a_folder_relative_to_the_one_before(folder):
    fd = untrusted.open_folder("sub", folder)
    try:
        assert untrusted.read_file("inner.txt", fd, 100) == b"inner"
    finally:
        os.close(fd)


@pytest.mark.parametrize("name, message", [
    ("folder-link", "folder-link is a symbolic link, not a folder"),
    ("fifo", "fifo is a named pipe, not a folder"),
    ("missing", "missing does not exist"),
], ids=["link to a folder", "fifo", "missing"])
def test_open_folder_refuses(folder, name, message):
    assert refusal(untrusted.open_folder, name, folder) == message


@pytest.mark.parametrize("function, name, message", [
    (untrusted.read_file, "sub", "sub is a folder; only regular files are read"),
    (untrusted.open_folder, "file.txt", "file.txt is a regular file, not a folder"),
], ids=["folder as a file", "file as a folder"])
def test_refusals_of_a_folder_or_file_read_as_a_sentence(folder, function, name, message):
    arguments = (name, folder, 100) if function is untrusted.read_file else (name, folder)
    assert refusal(function, *arguments) == message


def test_a_folder_or_file_of_the_wrong_kind_is_refused(folder):
    assert refusal(untrusted.read_file, "sub", folder, 100).startswith("sub is ")
    assert refusal(untrusted.open_folder, "file.txt", folder).startswith("file.txt is ")


def test_a_path_through_a_link_is_never_followed(folder):
    """A name with a slash is resolved by the kernel; the check on the last component still refuses a link."""
    assert refusal(untrusted.read_file, "sub/../link", folder, 100) == \
        "sub/../link is a symbolic link; only regular files are read"


def test_list_folder_names_each_entry_kind_without_following_links(folder):
    assert untrusted.list_folder(folder) == {"file.txt": "file", "sub": "folder", "link": "a symbolic link",
                                             "folder-link": "a symbolic link", "fifo": "a named pipe"}


def test_list_folder_caps_the_entries(tmp_path):
    for index in range(4):
        (tmp_path / str(index)).write_bytes(b"")
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert len(untrusted.list_folder(fd, limit=4)) == 4
        assert refusal(untrusted.list_folder, fd, 3) == "the folder holds more than 3 entries"
    finally:
        os.close(fd)


@pytest.mark.skipif(os.getuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_refused_in_one_line(tmp_path):
    (tmp_path / "secret").write_bytes(b"x")
    os.chmod(tmp_path / "secret", 0)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        assert refusal(untrusted.read_file, "secret", fd, 10) == "secret cannot be opened (Permission denied)"
    finally:
        os.close(fd)
