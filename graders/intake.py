"""Intake: read every submission under ``submitted/`` and write a gradable copy under ``intake/``.

``submitted/`` is never modified. For each student the intake finds the
notebook (also under another file name), reads it whatever its nbformat
version, puts back autograded test cells that were deleted, and writes the
result to ``intake/<student>/regularization/Regularization.ipynb``. A
submission that cannot be read becomes the untouched release notebook with
the reason recorded in its metadata; the grader shows that reason as the
student's feedback and scores it 0. One line per problem is printed.

Usage: ``python -m graders.intake [--submitted DIR] [--intake DIR]``
"""
import argparse
import copy
import hashlib
import json
import os
import shutil

import nbformat

from graders.notebook import ASSIGNMENT, ROOT, grade_id, gradebook_url

NOTEBOOK_NAME = "Regularization.ipynb"
RELEASE_NOTEBOOK = os.path.join(ROOT, "release", ASSIGNMENT, NOTEBOOK_NAME)
MAX_NOTEBOOK_BYTES = 20 * 1024 ** 2
INTAKE_KEY = "regularization_intake"
RECORD_INPUTS = (os.path.join(ROOT, "nbgrader_config.py"), RELEASE_NOTEBOOK,
                 *(os.path.join(ROOT, "graders", name) for name in ("intake.py", "nbgrader_plugin.py", "reports.py")))


class UnreadableSubmission(Exception):
    """The submission holds no notebook that can be graded; the message says why, in one line."""


class NotReleased(Exception):
    """The gradebook has no record of the release, so nbgrader could grade no one; the message says what to do."""


def find_notebook(folder):
    """Path of the submitted notebook in ``folder`` and a note if it had another name."""
    if os.path.isfile(os.path.join(folder, NOTEBOOK_NAME)):
        return os.path.join(folder, NOTEBOOK_NAME), None
    candidates = sorted(name for name in os.listdir(folder)
                        if name.endswith(".ipynb") and not name.startswith("."))
    if len(candidates) == 1:
        return os.path.join(folder, candidates[0]), f"the notebook was named {candidates[0]}, not {NOTEBOOK_NAME}"
    if not candidates:
        raise UnreadableSubmission(f"no .ipynb file was submitted (expected {NOTEBOOK_NAME})")
    raise UnreadableSubmission(f"several notebooks were submitted ({', '.join(candidates)}) and none is "
                               f"named {NOTEBOOK_NAME}")


def read_notebook(path):
    """The notebook at ``path`` as nbformat 4, or raise :class:`UnreadableSubmission`."""
    size = os.path.getsize(path)
    if size == 0:
        raise UnreadableSubmission("the notebook file is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise UnreadableSubmission(f"the notebook file is {size / 1024 ** 2:.0f} MB; the limit is "
                                   f"{MAX_NOTEBOOK_BYTES // 1024 ** 2} MB (clear large outputs before submitting)")
    try:
        notebook = nbformat.read(path, as_version=4)
    except nbformat.reader.NotJSONError:
        raise UnreadableSubmission("the notebook file is not valid JSON (was it edited outside Jupyter or "
                                   "truncated?)") from None
    except Exception as error:  # nbformat raises many types (jsonschema, KeyError...) on arbitrary JSON
        raise UnreadableSubmission(f"the file is not a Jupyter notebook ({type(error).__name__})") from None
    if not isinstance(notebook.get("cells"), list):
        raise UnreadableSubmission("the file is not a Jupyter notebook (it has no list of cells)")
    return notebook


def restore_graded_cells(notebook, release):
    """Put back the release's autograded test cells that the student deleted; return their grade ids."""
    present = {grade_id(cell) for cell in notebook.cells}
    restored = []
    for index, cell in enumerate(release.cells):
        name = grade_id(cell)
        if not cell.get("metadata", {}).get("nbgrader", {}).get("grade") or name in present:
            continue
        anchor = grade_id(release.cells[index - 1]) if index else None
        position = next((i + 1 for i, c in enumerate(notebook.cells) if anchor and grade_id(c) == anchor),
                        len(notebook.cells))
        notebook.cells.insert(position, copy.deepcopy(cell))
        restored.append(name)
    return restored


def restore_locked_cells(notebook, release):
    """Give read-only cells their release source back, as nbgrader's OverwriteCells will."""
    locked = {grade_id(cell): cell.source for cell in release.cells
              if cell.get("metadata", {}).get("nbgrader", {}).get("locked") and grade_id(cell)}
    for cell in notebook.cells:
        if grade_id(cell) in locked:
            cell.source = locked[grade_id(cell)]


def intake_submission(folder, release):
    """A gradable notebook for one submission folder and the notes about it (one line each)."""
    try:
        path, note = find_notebook(folder)
        notebook = read_notebook(path)
    except UnreadableSubmission as problem:
        notebook = copy.deepcopy(release)
        notebook.metadata[INTAKE_KEY] = {"unreadable": str(problem)}
        return notebook, [str(problem)]
    notes = [note] if note else []
    restore_locked_cells(notebook, release)
    restored = restore_graded_cells(notebook, release)
    if restored:
        notes.append("deleted test cells were restored: " + ", ".join(restored))
    notebook.metadata[INTAKE_KEY] = {"notes": notes}
    return notebook, notes


def course_digest(version):
    """Digest of what every autograded record depends on: the grader version, the configuration, the release."""
    digest = hashlib.sha256(version.encode())
    for path in RECORD_INPUTS:
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


def intake_digest(notebook, timestamp, course):
    """Digest of one student's record: the gradable notebook, the timestamp and the :func:`course_digest`."""
    digest = hashlib.sha256(course.encode())
    for part in (timestamp or "", nbformat.writes(notebook)):
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()


def recorded_digests(autograded_dir, students):
    """``{student: digest}`` of the autograded notebooks the gradebook holds a submission for.

    Raises
    ------
    NotReleased
        When the gradebook does not know the assignment (a new or lost gradebook).
    """
    from nbgrader.api import Gradebook, MissingEntry

    url = gradebook_url()
    try:
        with Gradebook(url) as gradebook:
            in_gradebook = {submission.student.id for submission in gradebook.find_assignment(ASSIGNMENT).submissions}
    except MissingEntry:
        raise NotReleased(f"{url}: the gradebook has no record of the assignment '{ASSIGNMENT}': "
                          "run `make release` first") from None
    digests = {}
    for student_id in set(students) & in_gradebook:
        try:
            with open(os.path.join(autograded_dir, student_id, ASSIGNMENT, NOTEBOOK_NAME), encoding="utf-8") as handle:
                digests[student_id] = json.load(handle)["metadata"][INTAKE_KEY]["digest"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return digests


def _read_timestamp(folder):
    try:
        with open(os.path.join(folder, "timestamp.txt"), encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def run_intake(submitted_dir, intake_dir, autograded_dir=None):
    """Write ``intake_dir/<student>/regularization/`` for every student folder of ``submitted_dir``.

    Parameters
    ----------
    submitted_dir, intake_dir : str
        Where submissions are read from, and the queue written for ``nbgrader autograde``.
    autograded_dir : str, optional
        When given, students whose record there and in the gradebook is up to date are left out.

    Returns
    -------
    int
        How many students were queued.

    Raises
    ------
    NotReleased
        With ``autograded_dir``, when the gradebook does not know the assignment.
    """
    from graders.batch import grader_version

    release = nbformat.read(RELEASE_NOTEBOOK, as_version=4)
    course = course_digest(grader_version())
    shutil.rmtree(intake_dir, ignore_errors=True)
    students = sorted(name for name in os.listdir(submitted_dir)
                      if os.path.isdir(os.path.join(submitted_dir, name, ASSIGNMENT)))
    recorded = recorded_digests(autograded_dir, students) if autograded_dir else {}
    queued = 0
    for student_id in students:
        folder = os.path.join(submitted_dir, student_id, ASSIGNMENT)
        notebook, notes = intake_submission(folder, release)
        for note in notes:
            print(f"{os.path.join(folder, NOTEBOOK_NAME)}: {note}")
        timestamp = _read_timestamp(folder)
        digest = intake_digest(notebook, timestamp, course)
        if recorded.get(student_id) == digest:
            continue
        notebook.metadata[INTAKE_KEY]["digest"] = digest
        target = os.path.join(intake_dir, student_id, ASSIGNMENT)
        os.makedirs(target)
        nbformat.write(notebook, os.path.join(target, NOTEBOOK_NAME))
        if timestamp is not None:
            shutil.copy(os.path.join(folder, "timestamp.txt"), target)
        queued += 1
    os.makedirs(intake_dir, exist_ok=True)
    return queued


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submitted", default=os.path.join(ROOT, "submitted"))
    parser.add_argument("--intake", default=os.path.join(ROOT, "intake"))
    args = parser.parse_args(argv)
    run_intake(args.submitted, args.intake)


if __name__ == "__main__":
    main()
