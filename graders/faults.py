"""Fault injection for the crash tests: ``GRADER_FAULT=<phase>:<k>`` kills the run at the k-th step of a phase.

The phases are ``intake`` (after the k-th student is taken in), ``grading`` (after the k-th verdict is cached),
``recording`` (when nbgrader starts grading the k-th student, after it wrote that student's sanitized notebook),
``recorded`` (after the k-th student's record is committed and marked) and ``reports`` (after ``grades.csv``).
The whole process group of the run (``make autograde``, the grading workers, nbgrader) dies by SIGKILL, as
in a power cut; run it as a group of its own (``setsid``). Unset, every call is a no-op.
"""
import os
import signal

_COUNTS = {}


def fault_point(phase):
    """Count one step of ``phase``; at the step ``GRADER_FAULT`` names, kill this process's group."""
    wanted = os.environ.get("GRADER_FAULT", "")
    if not wanted.startswith(phase + ":"):
        return
    _COUNTS[phase] = _COUNTS.get(phase, 0) + 1
    if str(_COUNTS[phase]) == wanted.split(":", 1)[1]:
        os.killpg(os.getpgid(0), signal.SIGKILL)
