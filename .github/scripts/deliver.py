"""Put one student's feedback page into that student's own repository, and nowhere else.

The page becomes ``feedback/regularization/Regularization.html`` on the default branch of
``<org>/<prefix>-<student>``, created or replaced through the GitHub contents API with the token in
``FEEDBACK_TOKEN`` (fine-grained: Contents read and write on the students' repositories of the course,
nothing else). The repository is named from the student id the job was started for, checked against
the course's rule for student ids (``graders.student_ids``); the page is sent as bytes and never interpreted.

Standard library only. Usage::

    python3 .github/scripts/deliver.py --org ORG --prefix regularization --student ada --page PATH
"""
import argparse
import base64
import json
import os
import re
import sys
import urllib.error
import urllib.request

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # graders.student_ids.STUDENT_ID (tested equal)
DESTINATION = "feedback/regularization/Regularization.html"
API = "https://api.github.com"


class DeliveryError(Exception):
    """The page could not be delivered (one line)."""


def request(method, path, token, body=None):
    """``(status, parsed JSON or None)`` of one GitHub API call; 404 is a status, other errors raise."""
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(API + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28"})
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return 404, None
        raise DeliveryError(f"{method} {path}: HTTP {error.code} {error.reason}") from None


def deliver(org, prefix, student, page, token, call=request):
    """Create or replace the student's page; return the repository it went to."""
    if not STUDENT_ID.fullmatch(student):
        raise DeliveryError(f"student id {student!r} does not name a repository of the course")
    repository = f"{org}/{prefix}-{student}"
    path = f"/repos/{repository}/contents/{DESTINATION}"
    with open(page, "rb") as handle:
        content = base64.b64encode(handle.read()).decode()
    status, existing = call("GET", path, token)
    body = {"message": "Feedback on the Regularization assignment", "content": content}
    if status != 404:
        if existing.get("content", "").replace("\n", "") == content:
            return repository  # already there: no empty commit
        body["sha"] = existing["sha"]
    status, _ = call("PUT", path, token, body)
    if status == 404:
        raise DeliveryError(f"{repository}: not found, or the token cannot write to it")
    return repository


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("--page", required=True)
    args = parser.parse_args(argv)
    token = os.environ.get("FEEDBACK_TOKEN")
    try:
        if not token:
            raise DeliveryError("FEEDBACK_TOKEN is not set")
        repository = deliver(args.org, args.prefix, args.student, args.page, token)
    except (DeliveryError, OSError) as problem:
        print(f"deliver: {problem}", file=sys.stderr)
        return 1
    print(f"delivered {args.page} to {repository}/{DESTINATION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
