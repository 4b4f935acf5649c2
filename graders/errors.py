"""The pipeline's named failures, each told in one line: a submission that cannot be read (the student's), and
faults of the course or the machine (never the student's)."""


class UnreadableSubmission(Exception):
    """The submission holds no notebook that can be graded; the message says why, in one line."""


class NotReleased(Exception):
    """The gradebook has no record of the release, so nbgrader could grade no one; the message says what to do."""


class SandboxUnavailable(RuntimeError):
    """The sandbox could not run a submission (bubblewrap missing or refused, no disk, the worker gone before any
    student code ran, or killed from outside): a fault of the machine, never the student's. Nothing is cached
    or recorded for it."""
