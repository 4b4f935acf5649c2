"""Collect the submissions of a GitHub Classroom assignment into ``submitted/``, and list what was collected.

- ``classroom``: reads ``regularization/Regularization.ipynb`` from the default branch of each student's
  repository of the assignment (``<prefix>-<student>`` in an organization) through the GitHub API, with a
  read-only token in ``CLASSROOM_TOKEN``, into ``submitted/<student>/regularization/`` with
  ``timestamp.txt`` holding the collection time (commit dates are set by the student's machine). Ids are
  checked against the course's rule for student ids (``graders.student_ids``) before any path is made.
- ``roster``: writes the ids of the submissions in ``submitted/`` as JSON, for the workflow's per-student
  jobs, whatever brought them there (``classroom`` above, or ``nbgrader zip_collect`` for an LMS download);
  an entry not named by a valid id is removed from the run with a warning.

Standard library only: it runs before, and apart from, the course's Python environment.

Usage::

    python3 .github/scripts/collect.py classroom --org ORG --prefix regularization --out submitted
    python3 .github/scripts/collect.py roster --out submitted --students-json students.json
"""
import argparse
import datetime
import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request

ASSIGNMENT = "regularization"
NOTEBOOK = "Regularization.ipynb"
NOTEBOOK_IN_STUDENT_REPOSITORY = f"{ASSIGNMENT}/{NOTEBOOK}"
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # graders.student_ids.STUDENT_ID (tested equal)
API = "https://api.github.com"


class CollectError(Exception):
    """A submission source that cannot be read as configured (one line)."""


def github_get(path, token, raw=False):
    """GET ``API + path``; return the body as bytes, or None for 404."""
    request = urllib.request.Request(API + path, headers={
        "Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28",
        "Accept": "application/vnd.github.raw+json" if raw else "application/vnd.github+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise CollectError(f"GitHub API {path}: HTTP {error.code} {error.reason}") from None


def classroom_students(org, prefix, get):
    """``{student: repository}`` of the assignment's repositories ``<prefix>-<student>`` in ``org``."""
    students = {}
    page = 1
    while True:
        body = get(f"/orgs/{org}/repos?type=all&per_page=100&page={page}")
        if body is None:
            raise CollectError(f"organization {org!r} not found, or the token cannot list its repositories")
        repositories = json.loads(body)
        for repository in repositories:
            name = repository["name"]
            student = name[len(prefix) + 1:]
            if name.startswith(prefix + "-") and STUDENT_ID.fullmatch(student):
                students[student] = name
        if len(repositories) < 100:
            return dict(sorted(students.items()))
        page += 1


def collect_classroom(org, prefix, out, get):
    """Write each student's notebook; return the ids collected (a repository without the notebook is skipped)."""
    collected = []
    for student, repository in classroom_students(org, prefix, get).items():
        notebook = get(f"/repos/{org}/{repository}/contents/{NOTEBOOK_IN_STUDENT_REPOSITORY}")
        if notebook is None:
            print(f"collect: {org}/{repository} has no {NOTEBOOK_IN_STUDENT_REPOSITORY}; skipped", file=sys.stderr)
            continue
        write_submission(out, student, notebook)
        collected.append(student)
    return collected


def roster(out):
    """The ids of the submissions in ``out``; an entry not named by a valid id is removed, with a warning.

    ``make autograde`` would list such an entry as needing attention and exit 1; in the workflow it is left
    out of the run instead, and named in a warning annotation of the run.
    """
    students = []
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name)
        if STUDENT_ID.fullmatch(name) and os.path.isdir(path) and not os.path.islink(path):
            students.append(name)
            continue
        print(f"::warning::{out}/{ascii(name[:40])}: not a folder named by a valid student id; left out of the run")
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    return students


def write_submission(out, student, notebook, now=None):
    """``<out>/<student>/regularization/Regularization.ipynb`` and ``timestamp.txt``."""
    if not STUDENT_ID.fullmatch(student):
        raise CollectError(f"student id {student!r} is not usable as a folder name")
    folder = os.path.join(out, student, ASSIGNMENT)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, NOTEBOOK), "wb") as handle:
        handle.write(notebook)
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    with open(os.path.join(folder, "timestamp.txt"), "w", encoding="utf-8") as handle:
        handle.write(stamp)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    classroom = commands.add_parser("classroom", help="read the students' repositories of a Classroom assignment")
    classroom.add_argument("--org", required=True)
    classroom.add_argument("--prefix", required=True, help="the assignment's repository prefix")
    listing = commands.add_parser("roster", help="list the submissions collected, as JSON")
    listing.add_argument("--students-json", required=True, help="write the list of student ids to this file")
    for command in (classroom, listing):
        command.add_argument("--out", default="submitted")
    args = parser.parse_args(argv)
    try:
        if args.command == "classroom":
            token = os.environ.get("CLASSROOM_TOKEN")
            if not token:
                raise CollectError("CLASSROOM_TOKEN is not set (a token that can read the students' repositories)")
            collected = collect_classroom(args.org, args.prefix, args.out,
                                          lambda path: github_get(path, token, raw="/contents/" in path))
            print(f"collected {len(collected)} submission(s) into {args.out}/")
        else:
            students = roster(args.out)
            with open(args.students_json, "w", encoding="utf-8") as handle:
                json.dump(students, handle)
            print(f"{len(students)} submission(s) in {args.out}/")
    except (CollectError, OSError) as problem:
        print(f"collect: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
