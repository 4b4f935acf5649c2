"""Reading folders and files that a student controls, without trusting them.

Every path is opened one component at a time, relative to the folder opened
before it, with ``O_NOFOLLOW``: a symbolic link is never followed, at any
level. Only regular files and folders are read; a FIFO, a socket or a device
is refused before it is opened, and checked again with ``fstat`` after (so
swapping the file in between gains nothing). Every read is size-capped and
opened with ``O_NONBLOCK``, so it never blocks.
"""
import os
import stat

FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
FOLDER_FLAGS = FILE_FLAGS | os.O_DIRECTORY
MAX_ENTRIES = 1000


class Refused(Exception):
    """A path under the student's control that is not read; the message says why, in one line."""


def _kind(mode):
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


PHRASES = {"file": "a regular file", "folder": "a folder"}  # the kinds of entry_kind, in a sentence


def entry_kind(dir_fd, name):
    """``"file"``, ``"folder"`` or a phrase naming what else ``name`` is (the link itself, never its target)."""
    mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    return _kind(mode)


def _open(name, dir_fd, wanted, flags, refusal):
    """Open ``name`` if it is of the ``wanted`` kind; raise :class:`Refused` with ``refusal`` (a format) if not."""
    try:
        kind = entry_kind(dir_fd, name)
    except FileNotFoundError:
        raise Refused(f"{name} does not exist") from None
    except OSError as error:
        raise Refused(f"{name} cannot be read ({error.strerror})") from None
    if kind != wanted:
        raise Refused(refusal.format(name=name, kind=PHRASES.get(kind, kind)))
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:
        raise Refused(f"{name} cannot be opened ({error.strerror})") from None


def open_folder(name, dir_fd=None):
    """A file descriptor of the folder ``name`` (relative to ``dir_fd``); raise :class:`Refused` otherwise.

    The caller closes it.
    """
    return _open(name, dir_fd, "folder", FOLDER_FLAGS, "{name} is {kind}, not a folder")


def list_folder(fd, limit=MAX_ENTRIES):
    """``{name: kind}`` of the entries of an open folder (see :func:`entry_kind`), at most ``limit`` of them."""
    entries = {}
    with os.scandir(fd) as scan:
        for entry in scan:
            if len(entries) >= limit:
                raise Refused(f"the folder holds more than {limit} entries")
            try:
                entries[entry.name] = entry_kind(fd, entry.name)
            except OSError:
                entries[entry.name] = "unreadable"
    return entries


def read_file(name, dir_fd, limit):
    """The bytes of the regular file ``name`` in the open folder ``dir_fd``, at most ``limit`` of them.

    Raises
    ------
    Refused
        When it is missing, not a regular file (a link, a pipe, a device...), or larger than ``limit``.
    """
    fd = _open(name, dir_fd, "file", FILE_FLAGS, "{name} is {kind}; only regular files are read")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{name} is {_kind(info.st_mode)}; only regular files are read")
        if info.st_size > limit:
            raise Refused(f"{name} is {_size(info.st_size)}; the limit is {_size(limit)}")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise Refused(f"{name} grew beyond the limit of {_size(limit)} while it was read")
        return b"".join(chunks)
    except BlockingIOError:
        raise Refused(f"{name} cannot be read without blocking") from None
    finally:
        os.close(fd)


def _size(count):
    if count >= 1024 ** 2:
        return f"{count / 1024 ** 2:.0f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"
