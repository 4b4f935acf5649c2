"""Intake: read every submission under ``submitted/`` and write a gradable copy under ``intake/``.

``submitted/`` is never modified, and everything in it is untrusted: folders
and files are read through :mod:`graders.untrusted` (no symbolic link is
followed at any level, only regular files are read, every read is capped and
never blocks), student ids must follow :mod:`graders.student_ids`, and the
notebook is rebuilt by :mod:`graders.gradable` with the release's metadata
only, its markup made inert by :mod:`graders.inert` (so that no page
showing it runs it, formgrader's grading view included). For each student the
intake writes ``intake/<student>/<assignment>/<notebook>`` (and
the timestamp). A submission that cannot be read becomes the untouched
release notebook with the reason recorded in its metadata; the grader shows
that reason as the student's feedback and scores it 0. A student id that breaks the rule, or a
submission the intake itself fails on, is not queued: it is listed as needing
the instructor's attention. One line per problem is printed.

Usage: ``python -m graders.intake [--submitted DIR] [--intake DIR]``
"""
import argparse
import copy
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field

from graders import untrusted
from graders.errors import NotReleased, UnreadableSubmission
from graders.faults import fault_point
from graders.gradebook import recorded_students
from graders.notebook import ASSIGNMENT, NOTEBOOK_NAME, RELEASE_NOTEBOOK, ROOT, gradebook_url
from graders.settings import limits
from graders.student_ids import id_problem, in_part, shown

GRADING_LIMITS = limits()  # graders.settings.GradingLimits, set in nbgrader_config.py
MAX_NOTEBOOK_BYTES = GRADING_LIMITS.notebook_bytes
MAX_TIMESTAMP_BYTES = GRADING_LIMITS.timestamp_bytes
INTAKE_KEY = "grader_intake"
RECORD_MARKER = ".recorded"
RELEASE_DIR = os.path.join(ROOT, "release", ASSIGNMENT)
NBGRADER_CONFIG = os.path.join(ROOT, "nbgrader_config.py")


@dataclass
class Submission:
    """What the intake took from one student's folder."""

    notebook: object  # nbformat.NotebookNode
    notes: list = field(default_factory=list)
    timestamp: str | None = None


@dataclass
class IntakeSummary:
    """The outcome of one intake run.

    Attributes
    ----------
    queued : list of str
        Students written to the intake folder (new or changed since they were recorded).
    notes : dict of str to list of str
        One-line notes per student (unreadable files, restored cells...); they are graded.
    attention : dict of str to str
        Entries of ``submitted/`` that were not queued and need the instructor: a one-line reason each.
    digests : dict of str to str
        The intake digest of each queued student (what their record marker will hold once recorded).
    """

    queued: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    attention: dict = field(default_factory=dict)
    digests: dict = field(default_factory=dict)


def find_notebook(entries):
    """Name of the submitted notebook among a folder's ``{name: kind}`` and a note if it had another name."""
    if NOTEBOOK_NAME in entries:
        return NOTEBOOK_NAME, None
    candidates = sorted(name for name in entries if name.endswith(".ipynb") and not name.startswith("."))
    if len(candidates) == 1:
        return candidates[0], f"the notebook was named {shown(candidates[0])}, not {NOTEBOOK_NAME}"
    if not candidates:
        raise UnreadableSubmission(f"no .ipynb file was submitted (expected {NOTEBOOK_NAME})")
    raise UnreadableSubmission(f"several notebooks were submitted ({', '.join(map(shown, candidates[:5]))}) and "
                               f"none is named {NOTEBOOK_NAME}")


def read_notebook(path, release=None):
    """The gradable notebook of the file at ``path`` (given by the person running the command).

    Raises
    ------
    UnreadableSubmission
    """
    folder, name = os.path.split(os.path.abspath(path))
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise UnreadableSubmission(f"its folder cannot be opened ({error.strerror})") from None
    try:
        data = untrusted.read_file(name, fd, MAX_NOTEBOOK_BYTES)
    except untrusted.Refused as problem:
        raise UnreadableSubmission(str(problem)) from None
    finally:
        os.close(fd)
    from graders.gradable import gradable_notebook, parse_notebook

    release = release if release is not None else read_release()
    notebook, _ = gradable_notebook(parse_notebook(data)[0], release)
    return notebook


def read_release():
    """The release notebook."""
    import nbformat

    return nbformat.read(RELEASE_NOTEBOOK, as_version=4)


def take_in(submitted_fd, student_id, release):
    """Read one student's submission from the open ``submitted/`` folder.

    Returns
    -------
    Submission
        Unreadable submissions come back as the release notebook, with the reason in its metadata.
    """
    try:
        return _read_submission(submitted_fd, student_id, release)
    except (UnreadableSubmission, untrusted.Refused) as problem:
        notebook = copy.deepcopy(release)
        notebook.metadata[INTAKE_KEY] = {"unreadable": str(problem)}
        return Submission(notebook, [str(problem)])


def _open_assignment_folder(submitted_fd, student_id):
    """The open ``<student>/<assignment>`` folder of ``submitted/`` (each component without following links)."""
    student_fd = untrusted.open_folder(student_id, submitted_fd)
    try:
        return untrusted.open_folder(ASSIGNMENT, student_fd)
    finally:
        os.close(student_fd)


def _read_submission(submitted_fd, student_id, release):
    folder_fd = _open_assignment_folder(submitted_fd, student_id)
    try:
        entries = untrusted.list_folder(folder_fd)
        name, note = find_notebook(entries)
        from graders.gradable import gradable_notebook, parse_notebook  # nbformat: only for what is taken in

        notebook, notes = gradable_notebook(parse_notebook(
            untrusted.read_file(name, folder_fd, MAX_NOTEBOOK_BYTES))[0], release)
        notes = ([note] if note else []) + notes
        from graders.inert import inert_notebook, markdown_sources

        inert_notebook(notebook, markdown_sources(release))
        timestamp, timestamp_note = _read_timestamp(folder_fd, entries)
    finally:
        os.close(folder_fd)
    notes += [timestamp_note] if timestamp_note else []
    notebook.metadata[INTAKE_KEY] = {"notes": notes}
    return Submission(notebook, notes, timestamp)


def _read_timestamp(folder_fd, entries):
    """``(timestamp in a canonical form or None, note or None)`` from ``timestamp.txt``."""
    if "timestamp.txt" not in entries:
        return None, None
    try:
        text = untrusted.read_file("timestamp.txt", folder_fd, MAX_TIMESTAMP_BYTES).decode("ascii").strip()
        return parse_timestamp(text).isoformat(sep=" "), None
    except untrusted.Refused as problem:
        return None, f"{problem}; graded without a submission time"
    except (UnicodeDecodeError, ValueError, OverflowError, TypeError):
        return None, "timestamp.txt does not hold a time; graded without a submission time"


def parse_timestamp(text):
    """The UTC time (naive ``datetime``) ``nbgrader.utils.parse_utc`` reads in ``text``, without loading nbgrader.

    nbgrader's rule, on the same parser (``dateutil``): a text of three space-separated parts is a date, a time
    and a zone (an offset in seconds when it is a whole number, else a zone name); any other text is given to
    the parser whole; an aware time is converted to UTC.

    Raises
    ------
    ValueError, OverflowError, TypeError
        When ``text`` holds no time.
    """
    import dateutil.parser
    import dateutil.tz

    parts = text.split(" ")
    if len(parts) == 3:
        try:
            zone = int(parts[2])
        except ValueError:
            zone = dateutil.tz.gettz(parts[2])
        moment = dateutil.parser.parse(" ".join(parts[:2] + ["TZ"]), tzinfos={"TZ": zone})
    else:
        moment = dateutil.parser.parse(text)
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)
    return moment


def course_digest(version):
    """Digest of what every autograded record depends on: the grader version (all of ``graders/`` and the source
    folder, see :mod:`graders.fingerprint`), nbgrader's configuration and the release folder."""
    from graders.fingerprint import folder_digest

    digest = hashlib.sha256(version.encode())
    with open(NBGRADER_CONFIG, "rb") as handle:
        digest.update(hashlib.sha256(handle.read()).digest())
    digest.update(folder_digest(RELEASE_DIR).encode())
    return digest.hexdigest()


def intake_digest(notebook, timestamp, course):
    """Digest of one student's record: the gradable notebook, the timestamp and the :func:`course_digest`."""
    digest = hashlib.sha256(course.encode())
    for part in (timestamp or "", notebook_text(notebook)):
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()


def notebook_text(notebook):
    """The JSON text of a notebook as ``nbformat.writes`` gives it, without its indentation and line splitting.

    The same notebook gives the same text; the standard library encodes it in C (``nbformat.writes`` indents,
    which makes ``json`` encode in pure Python, and copies the notebook first). Like ``nbformat.writes``, it
    leaves out the transient metadata (which it takes out of ``notebook``) and does not check the notebook.
    """
    from nbformat.v4.nbjson import BytesEncoder
    from nbformat.v4.rwbase import strip_transient

    return json.dumps(strip_transient(notebook), cls=BytesEncoder, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))


def recorded_digests(autograded_dir, students):
    """``{student: (digest, source digest)}`` of the records the gradebook holds and
    :func:`graders.nbgrader_plugin.mark_recorded` marked as committed.

    Raises
    ------
    NotReleased
        When the gradebook does not know the assignment (a new or lost gradebook).
    """
    in_gradebook = recorded_students(gradebook_url(), ASSIGNMENT)
    return {student_id: marker for student_id in set(students) & in_gradebook
            if (marker := read_record_marker(os.path.join(autograded_dir, student_id, ASSIGNMENT)))[0]}


def write_record_marker(folder, digest, source=None):
    """Mark the record in the autograded ``folder`` as committed for ``digest`` and ``source`` (atomically)."""
    temporary = os.path.join(folder, RECORD_MARKER + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(f"{digest}\n{source or ''}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, os.path.join(folder, RECORD_MARKER))


def read_record_marker(folder):
    """``(digest, source digest)`` of the record committed in the autograded ``folder``; None for what is absent."""
    try:
        with open(os.path.join(folder, RECORD_MARKER), encoding="utf-8") as handle:
            lines = handle.read(300).split("\n")
    except (OSError, UnicodeDecodeError):
        return None, None
    digest, source = (lines + ["", ""])[:2]
    return digest.strip() or None, source.strip() or None


def source_digest(submitted_fd, student_id, course):
    """Digest of the bytes a student submitted (notebook, its name, timestamp) and the :func:`course_digest`, or
    None when the folder cannot be read as it is (the full intake then says why).

    Equal source digests mean an equal record: a student whose submission and course did not change is
    skipped without parsing anything.
    """
    try:
        folder_fd = _open_assignment_folder(submitted_fd, student_id)
        try:
            entries = untrusted.list_folder(folder_fd)
            name, _ = find_notebook(entries)
            parts = [course, name, untrusted.read_file(name, folder_fd, MAX_NOTEBOOK_BYTES)]
            if "timestamp.txt" in entries:
                parts.append(untrusted.read_file("timestamp.txt", folder_fd, MAX_TIMESTAMP_BYTES))
        finally:
            os.close(folder_fd)
    except (untrusted.Refused, UnreadableSubmission, OSError):
        return None
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part if isinstance(part, bytes) else part.encode()).digest())
    return digest.hexdigest()


def student_folders(submitted_fd):
    """``(valid ids, {entry: reason})`` of the entries of ``submitted/`` that hold this assignment.

    An entry breaking the id rule is never opened. A valid id whose entry is a link or holds
    the assignment folder as a link is kept: it is graded 0 with the reason.
    """
    valid, rejected = [], {}
    for name, kind in sorted(untrusted.list_folder(submitted_fd, limit=100000).items()):
        problem = id_problem(name)
        if problem:
            rejected[name] = problem
        elif kind == "folder":
            if ASSIGNMENT in _entries_or_none(name, submitted_fd, default=(ASSIGNMENT,)):
                valid.append(name)
        elif kind == "a symbolic link":
            valid.append(name)
    return valid, rejected


def _entries_or_none(name, dir_fd, default):
    """The entries of the folder ``name``, or ``default`` when it cannot be opened (the intake says why later)."""
    try:
        fd = untrusted.open_folder(name, dir_fd)
    except untrusted.Refused:
        return default
    try:
        return untrusted.list_folder(fd, limit=100000)
    except (untrusted.Refused, OSError):
        return default
    finally:
        os.close(fd)


def run_intake(submitted_dir, intake_dir, autograded_dir=None, only=None, force=False, part=None, on_queued=None):
    """Write ``intake_dir/<student>/<assignment>/`` for every student folder of ``submitted_dir``.

    Parameters
    ----------
    submitted_dir, intake_dir : str
        Where submissions are read from, and the queue written for ``nbgrader autograde``.
    autograded_dir : str, optional
        When given, students whose record there and in the gradebook is up to date are left out.
    only : str, optional
        Take in this student only.
    part : tuple of int, optional
        ``(K, N)``: take in only part K of N of the class (see :func:`graders.student_ids.in_part`).
    force : bool
        Queue the students even when their record is up to date.
    on_queued : callable, optional
        Called with no argument each time a student is queued.

    Returns
    -------
    IntakeSummary

    Raises
    ------
    NotReleased
        With ``autograded_dir``, when the gradebook does not know the assignment.
    """
    from graders.fingerprint import grader_version

    release = None  # read when a submission is first taken in: a run with nothing new never parses a notebook
    course = course_digest(grader_version())
    shutil.rmtree(intake_dir, ignore_errors=True)
    os.makedirs(intake_dir, exist_ok=True)
    summary = IntakeSummary()
    submitted_fd = os.open(submitted_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        students, summary.attention = student_folders(submitted_fd)
        if only is not None:
            students = [s for s in students if s == only]
            summary.attention = {k: v for k, v in summary.attention.items() if k == only}
        if part is not None:
            students = [s for s in students if in_part(s, *part)]
            summary.attention = {k: v for k, v in summary.attention.items() if in_part(k, *part)}
        recorded = recorded_digests(autograded_dir, students) if autograded_dir else {}
        recorded = {} if force else recorded
        for student_id in students:
            try:
                source = source_digest(submitted_fd, student_id, course)
                if source is not None and recorded.get(student_id, (None, None))[1] == source:
                    continue
                release = release if release is not None else read_release()
                submission = take_in(submitted_fd, student_id, release)
                digest = _queue(submission, student_id, intake_dir, course, recorded.get(student_id, (None,))[0], source)
                if digest is not None:
                    summary.queued.append(student_id)
                    summary.digests[student_id] = digest
                    if on_queued is not None:
                        on_queued()
                fault_point("intake")
            except Exception as error:  # one student's failure stays that student's
                summary.attention[student_id] = f"the intake failed: {type(error).__name__}: {error}"[:300]
                shutil.rmtree(os.path.join(intake_dir, student_id), ignore_errors=True)
                continue
            if submission.notes:
                summary.notes[student_id] = submission.notes
    finally:
        os.close(submitted_fd)
    return summary


def _queue(submission, student_id, intake_dir, course, recorded_digest, source=None):
    """Write one gradable submission into the intake folder unless it is recorded already; return its digest, or
    None when it was not written."""
    notebook = submission.notebook
    digest = intake_digest(notebook, submission.timestamp, course)
    if recorded_digest == digest:
        return None
    notebook.metadata[INTAKE_KEY]["digest"] = digest
    notebook.metadata[INTAKE_KEY]["source"] = source
    target = os.path.join(intake_dir, student_id, ASSIGNMENT)
    os.makedirs(target)
    import nbformat

    nbformat.validate(notebook)  # as nbformat.write would, once
    with open(os.path.join(target, NOTEBOOK_NAME), "w", encoding="utf-8") as handle:
        handle.write(notebook_text(notebook))
    if submission.timestamp is not None:
        with open(os.path.join(target, "timestamp.txt"), "w", encoding="utf-8") as handle:
            handle.write(submission.timestamp)
    return digest


def print_summary(summary, submitted_dir):
    """One line per note and per entry needing attention."""
    for student_id, notes in sorted(summary.notes.items()):
        for note in notes:
            print(f"{os.path.join(submitted_dir, student_id, ASSIGNMENT)}: {note}")
    for name, reason in sorted(summary.attention.items()):
        print(f"{os.path.join(submitted_dir, shown(name))}: NOT GRADED: {reason}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submitted", default=os.path.join(ROOT, "submitted"))
    parser.add_argument("--intake", default=os.path.join(ROOT, "intake"))
    args = parser.parse_args(argv)
    print_summary(run_intake(args.submitted, args.intake), args.submitted)


if __name__ == "__main__":
    main()
