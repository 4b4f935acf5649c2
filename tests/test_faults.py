"""Unit tests of :mod:`graders.faults`: unset, a fault point does nothing; set, it kills its process group at the
k-th step of its phase, and only then. The killing runs in a child process of its own session."""
import os
import signal
import subprocess
import sys

import pytest

from graders import faults

CHILD = """
import sys
from graders.faults import fault_point
for step in range(1, 6):
    fault_point(sys.argv[1])
    print(step, flush=True)
"""


def run_child(fault, phase):
    environment = {**os.environ, "GRADER_FAULT": fault}
    return subprocess.run([sys.executable, "-c", CHILD, phase], env=environment, capture_output=True, text=True,
                          timeout=30, start_new_session=True, cwd=faults.__file__.rsplit("/graders/", 1)[0])


@pytest.mark.parametrize("k", [1, 3])
def test_the_kth_step_of_the_phase_kills_the_group(k):
    result = run_child(f"grading:{k}", "grading")
    assert result.returncode == -signal.SIGKILL
    assert result.stdout.split() == [str(step) for step in range(1, k)]


@pytest.mark.parametrize("fault", ["intake:1", "grading:9", "", "grading", "gradin:1"],
                         ids=["other phase", "never reached", "empty", "no step", "prefix of the phase"])
def test_other_settings_never_kill(fault):
    result = run_child(fault, "grading")
    assert result.returncode == 0
    assert result.stdout.split() == ["1", "2", "3", "4", "5"]


def test_unset_it_counts_nothing(monkeypatch):
    monkeypatch.delenv("GRADER_FAULT", raising=False)
    monkeypatch.setattr(faults, "_COUNTS", {})
    for _ in range(3):
        faults.fault_point("recording")
    assert faults._COUNTS == {}


def test_set_for_another_phase_it_counts_only_that_phase(monkeypatch):
    monkeypatch.setenv("GRADER_FAULT", "reports:99")
    monkeypatch.setattr(faults, "_COUNTS", {})
    faults.fault_point("recording")
    faults.fault_point("reports")
    faults.fault_point("reports")
    assert faults._COUNTS == {"reports": 2}
