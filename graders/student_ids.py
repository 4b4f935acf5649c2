"""The one rule for student ids, on every road in (``submitted/``, ``make submit``, ``nbgrader collect``
and ``zip_collect``, which all end in ``submitted/``).

A student id is 1 to 64 ASCII letters, digits, ``.``, ``_`` or ``-``, starting
with a letter or a digit. Anything else is never handed to nbgrader, which
uses ids in glob patterns (``alic?`` would match ``alice``) and in file names.
"""
import hashlib
import re

RULE = "1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit"
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def id_problem(student_id):
    """None when ``student_id`` follows the rule, else a one-line reason (with the id shown safely)."""
    if STUDENT_ID.fullmatch(student_id):
        return None
    return f"student id {shown(student_id)} is not valid: use {RULE}"


def shown(text, limit=40):
    """``text`` quoted for a log line: control characters escaped, cut after ``limit`` characters."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    return ascii(cut)


def in_part(entry, part, parts):
    """Whether the student folder ``entry`` belongs to part ``part`` of ``parts`` (1-based).

    The split is by a hash of the name, so it holds whichever students are added later, and two runs on
    different parts of one class never take the same student.
    """
    return int.from_bytes(hashlib.sha256(entry.encode("utf-8", "surrogateescape")).digest()[:8], "big") % parts \
        == part - 1


def parse_part(text):
    """``(part, parts)`` of ``"K/N"`` with 1 <= K <= N, or raise ValueError with a one-line reason."""
    try:
        part, parts = (int(number) for number in text.split("/"))
    except ValueError:
        raise ValueError(f"part {shown(text)} is not K/N, e.g. 1/2") from None
    if not 1 <= part <= parts:
        raise ValueError(f"part {shown(text)}: K must be between 1 and N")
    return part, parts
