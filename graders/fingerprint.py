"""Fingerprints of what grades depend on, taken over whole folders so that no file can be left out.

A verdict depends on the grader (every file under ``graders/``: code, expected arrays, stubs) and on the
assignment's source folder (helpers, data, the source notebook); a record also on nbgrader's configuration
and the release. Any change to any of these files changes the fingerprint, and with it the cache keys of
the verdicts and the digests of the records, so everything depending on it is graded or recorded again.
"""
import functools
import hashlib
import os

from graders.notebook import ROOT, SOURCE_DIR

GRADERS_DIR = os.path.join(ROOT, "graders")
SKIPPED = ("__pycache__",)


def folder_digest(folder):
    """SHA-256 over the relative paths and contents of every regular file under ``folder``, in sorted order."""
    digest = hashlib.sha256()
    for parent, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name not in SKIPPED)
        for name in sorted(files):
            path = os.path.join(parent, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            digest.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as handle:
                digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def grader_version():
    """Fingerprint of everything a verdict depends on besides the submission: ``graders/`` and the source folder."""
    return hashlib.sha256((folder_digest(GRADERS_DIR) + folder_digest(SOURCE_DIR)).encode()).hexdigest()
