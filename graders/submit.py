"""Place a student's notebook under ``submitted/<student>/<assignment>/`` with a timestamp.

An earlier submission is never overwritten silently: without ``--replace``
the command refuses; with it, the earlier notebook and timestamp are kept
under ``submitted/<student>/<assignment>/.history/<timestamp>/``.

Usage: ``python -m graders.submit NOTEBOOK STUDENT_ID [--replace]``
"""
import argparse
import datetime
import os
import re
import shutil
import sys

from graders.intake import NOTEBOOK_NAME, UnreadableSubmission, read_notebook
from graders.notebook import ASSIGNMENT, ROOT
from graders.student_ids import id_problem


def submit(path, student_id, replace=False, root=ROOT, now=None):
    """Copy the notebook into the submission folder; return the destination path.

    Raises
    ------
    ValueError
        One line naming the file or the student id and the problem.
    """
    problem = id_problem(student_id)
    if problem:
        raise ValueError(problem)
    try:
        read_notebook(path)
    except (UnreadableSubmission, OSError) as problem:
        raise ValueError(f"{path}: {problem}") from None
    folder = os.path.join(root, "submitted", student_id, ASSIGNMENT)
    destination = os.path.join(folder, NOTEBOOK_NAME)
    stamp_path = os.path.join(folder, "timestamp.txt")
    if os.path.exists(destination):
        if not replace:
            raise ValueError(f"{destination}: an earlier submission exists; submit again with REPLACE=1 to "
                             "replace it (the earlier one is kept in .history/)")
        _archive(folder, destination, stamp_path)
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(path, destination)
    timestamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    with open(stamp_path, "w", encoding="utf-8") as handle:
        handle.write(timestamp)
    return destination


def _archive(folder, destination, stamp_path):
    previous = "unknown-time"
    if os.path.exists(stamp_path):
        with open(stamp_path, encoding="utf-8") as handle:
            previous = re.sub(r"[^0-9A-Za-z]+", "-", handle.read().strip()).strip("-")
    archive = os.path.join(folder, ".history", previous)
    suffix = 1
    while os.path.exists(archive):
        archive = os.path.join(folder, ".history", f"{previous}-{suffix}")
        suffix += 1
    os.makedirs(archive)
    shutil.move(destination, os.path.join(archive, NOTEBOOK_NAME))
    if os.path.exists(stamp_path):
        shutil.move(stamp_path, os.path.join(archive, "timestamp.txt"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("student_id")
    parser.add_argument("--replace", action="store_true")
    args = parser.parse_args(argv)
    try:
        destination = submit(args.notebook, args.student_id, args.replace)
    except ValueError as problem:
        print(f"submit: {problem}", file=sys.stderr)
        sys.exit(1)
    print(f"submitted {args.notebook} as {destination}")


if __name__ == "__main__":
    main()
