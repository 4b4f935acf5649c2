"""Unit tests of :mod:`graders.errors`: the named failures are told apart by type, never by their text."""
import pytest

from graders.errors import NotReleased, SandboxUnavailable, UnreadableSubmission

FAILURES = (UnreadableSubmission, NotReleased, SandboxUnavailable)


@pytest.mark.parametrize("error", FAILURES, ids=lambda error: error.__name__)
def test_each_failure_is_caught_only_as_itself(error):
    others = tuple(other for other in FAILURES if other is not error)
    with pytest.raises(error) as raised:
        try:
            raise error("one line")
        except others:  # pragma: no cover - the test fails if this catches it
            pytest.fail(f"{error.__name__} was caught as another failure")
    assert str(raised.value) == "one line"


def test_a_broken_sandbox_is_a_runtime_error_and_a_student_failure_is_not():
    assert issubclass(SandboxUnavailable, RuntimeError)
    assert not issubclass(UnreadableSubmission, (RuntimeError, OSError, ValueError))
    assert not issubclass(NotReleased, (RuntimeError, OSError, ValueError))


def test_the_sandbox_modules_raise_the_same_class():
    from graders import sandbox

    assert sandbox.SandboxUnavailable is SandboxUnavailable
