"""Per-submission control groups: finding this process's groups, making one, its limits and its removal."""
import os
import subprocess
import time

import pytest

from graders import cgroups

FACTORY = cgroups.find_factory()
needs_groups = pytest.mark.skipif(FACTORY is None, reason="no control groups can be made here (not root, or "
                                  "neither cgroup v2 with memory and pids delegated nor cgroup v1)")

MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 /inner /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
PROC_CGROUP = """\
8:pids:/
5:cpu,cpuacct:/inner/box
4:memory:/process_api/abc
0::/session-1.scope
"""


def test_own_groups_are_read_from_the_mount_table_and_the_process(tmp_path):
    (tmp_path / "mountinfo").write_text(MOUNTINFO)
    (tmp_path / "cgroup").write_text(PROC_CGROUP)
    folders = cgroups.own_cgroups(str(tmp_path / "cgroup"), str(tmp_path / "mountinfo"))
    assert folders == {"pids": "/sys/fs/cgroup/pids/", "memory": "/sys/fs/cgroup/memory/process_api/abc",
                       "cpu": "/sys/fs/cgroup/cpu,cpuacct/box", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/box",
                       "unified": "/sys/fs/cgroup/unified/session-1.scope"}


def test_the_wrapped_command_joins_every_group_before_it_runs(tmp_path):
    procs = [tmp_path / "memory" / "cgroup.procs", tmp_path / "pids" / "cgroup.procs"]
    for path in procs:
        path.parent.mkdir()
    group = cgroups.SubmissionGroup({"memory": str(procs[0].parent), "pids": str(procs[1].parent)}, 1)
    result = subprocess.run(group.wrap(["sh", "-c", "echo $$"]), capture_output=True, text=True, check=True)
    assert [path.read_text() for path in procs] == ["0\n", "0\n"]  # what a shell writes to join a group
    assert result.stdout.strip().isdigit()


def test_a_group_that_cannot_be_joined_runs_nothing(tmp_path):
    group = cgroups.SubmissionGroup({"memory": str(tmp_path / "absent")}, 1)
    result = subprocess.run(group.wrap(["touch", str(tmp_path / "ran")]), capture_output=True, check=False)
    assert result.returncode == cgroups.JOIN_FAILED_STATUS and not (tmp_path / "ran").exists()


def test_the_fallback_is_chosen_when_asked(monkeypatch):
    monkeypatch.setenv("GRADER_CGROUPS", "none")
    assert cgroups.find_factory() is None


@needs_groups
def test_a_group_caps_the_memory_of_all_its_processes_together():
    group = FACTORY.create("test-memory", 512 * 1024 ** 2, 32)
    try:
        # Four processes of 200 MB each: each is under the cap, together they are not.
        script = ("import os\npids = []\nfor _ in range(4):\n    pid = os.fork()\n    if pid == 0:\n"
                  "        data = bytearray(200 * 1024 ** 2)\n        data[::4096] = b'x' * len(data[::4096])\n"
                  "        import time; time.sleep(1); os._exit(0)\n    pids.append(pid)\n"
                  "print(sum(os.waitpid(pid, 0)[1] != 0 for pid in pids))")
        result = subprocess.run(group.wrap(["python3", "-c", script]), capture_output=True, text=True, check=False)
        assert int(result.stdout) >= 1, result.stderr
        assert group.memory_killed()
        assert 0 < group.peak_memory() <= 512 * 1024 ** 2
    finally:
        group.remove()
    assert not any(os.path.exists(folder) for folder in group.folders.values())


@needs_groups
def test_a_group_caps_its_processes_and_is_removed_with_whatever_it_holds():
    group = FACTORY.create("test-processes", 256 * 1024 ** 2, 8)
    try:
        script = ("import os, time\nmade = 0\nfor _ in range(20):\n    try:\n        pid = os.fork()\n"
                  "    except OSError:\n        break\n    if pid == 0:\n        os.close(1); os.close(2); time.sleep(60); os._exit(0)\n"
                  "    made += 1\nprint(made, flush=True)\nos._exit(0)")
        result = subprocess.run(group.wrap(["python3", "-c", script]), capture_output=True, text=True, check=False,
                                timeout=30)
        assert int(result.stdout) < 8  # the sleeping children remain, in the group, until it is removed
        assert not group.memory_killed()
    finally:
        group.remove()
    assert not any(os.path.exists(folder) for folder in group.folders.values())


@needs_groups
def test_a_group_left_by_an_earlier_run_is_emptied_and_made_again():
    first = FACTORY.create("test-again", 256 * 1024 ** 2, 8)
    sleeper = subprocess.Popen(first.wrap(["sleep", "60"]))
    try:
        deadline = time.monotonic() + 10
        while not cgroups._members(first.folders["memory"]) and time.monotonic() < deadline:
            time.sleep(0.01)
        second = FACTORY.create("test-again", 256 * 1024 ** 2, 8)
        assert sleeper.wait(timeout=10) != 0
        second.remove()
    finally:
        sleeper.kill()
        first.remove()
