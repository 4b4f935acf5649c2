"""Load: a large class graded cold by ``make autograde``, with the time and peak memory of each phase.

For each N, N distinct submissions (the mix of ``bench/bench.py``) are written into a fresh course and graded
from a cold cache. While the run goes on, the resident memory of the whole process tree (make, the grader, its
workers, every sandboxed process, nbgrader) is summed every quarter second; each sample is attributed to the
phase running then (intake, sandbox, recording, reports), from the times at which the run printed the end of
each phase. Every student must be recorded exactly once. Memory is bounded when the peaks at the largest N
are about those at the smallest.

Usage: ``python bench/load.py [--sizes 500 5000] [--jobs 2]``
"""
import argparse
import contextlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "bench"), ROOT]

from bench import write_submissions  # noqa: E402
from tests.conftest import copy_course  # noqa: E402
from tests.notebooks import read_release  # noqa: E402

VENV = os.path.dirname(os.path.dirname(sys.executable))
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
PHASES = ("intake", "sandbox", "recording", "reports")
MARKS = {"intake": re.compile(r"submission\(s\) new or changed"), "sandbox": re.compile(r"^graded \d+ submission")}
PHASE_LINE = re.compile(r"^phase times: (.*)$")


def tree_rss(root_pid):
    """Resident bytes of ``root_pid`` and all its descendants, summed."""
    parents, rss = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(name)] = int(fields[1])
            rss[int(name)] = int(fields[21]) * PAGE_BYTES
        except (OSError, IndexError, ValueError):
            continue
    children = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


class Sampler(threading.Thread):
    """Samples :func:`tree_rss` of a process every ``period`` seconds: ``samples`` is ``[(time, bytes)]``."""

    def __init__(self, pid, period=0.25):
        super().__init__(daemon=True)
        self.pid, self.period, self.samples, self.stopped = pid, period, [], threading.Event()

    def run(self):
        while not self.stopped.is_set():
            self.samples.append((time.monotonic(), tree_rss(self.pid)))
            self.stopped.wait(self.period)


CPU_ACCOUNTING = "/sys/fs/cgroup/cpuacct"  # cgroup v1's CPU accounting, where the machine has it writable


class CoreClock:
    """CPU time (user and system, on all cores) of a process tree, sandboxes included, from a cgroup of its own.

    :meth:`command` wraps a command so that it joins the group before it starts; :meth:`seconds` reads the
    group's total. Where cgroup v1's ``cpuacct`` cannot be written (not root, cgroup v2 only), it reads None.
    """

    def __init__(self):
        self.folder = None
        with contextlib.suppress(OSError):
            self.folder = tempfile.mkdtemp(prefix="load-", dir=CPU_ACCOUNTING)

    def command(self, command):
        if self.folder is None:
            return command
        return ["/bin/sh", "-c", 'echo 0 > "$0" && exec "$@"', os.path.join(self.folder, "cgroup.procs"), *command]

    def seconds(self):
        if self.folder is None:
            return None
        with open(os.path.join(self.folder, "cpuacct.usage"), encoding="ascii") as handle:
            return int(handle.read()) / 1e9

    def close(self):
        if self.folder is not None:
            with contextlib.suppress(OSError):
                os.rmdir(self.folder)


def grade_cold(course):
    """Run ``make autograde`` in ``course``; return the phase windows, their seconds, the memory samples, the wall
    time and the CPU time of the whole process tree (None where it cannot be measured)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cores = CoreClock()
    started = time.monotonic()
    process = subprocess.Popen(cores.command(["make", "-s", "autograde", f"VENV={VENV}"]), cwd=course, env=env,
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sampler = Sampler(process.pid)
    sampler.start()
    marks, seconds = {}, {}
    for line in process.stdout:
        now = time.monotonic()
        for phase, pattern in MARKS.items():
            if pattern.search(line):
                marks.setdefault(phase, now)
        found = PHASE_LINE.match(line.strip())
        if found:
            marks["end"] = now
            seconds = {phase: float(value) for phase, value in re.findall(r"(\w+) ([\d.]+) s", found.group(1))}
    code = process.wait()
    wall = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    core_seconds = cores.seconds()
    cores.close()
    if code != 0 or "end" not in marks:
        raise RuntimeError(f"make autograde failed in {course} (status {code})")
    ends = [marks["intake"], marks["sandbox"], marks["end"] - seconds["reports"], marks["end"]]
    windows = dict(zip(PHASES, zip([started] + ends[:-1], ends)))
    return windows, seconds, sampler.samples, wall, core_seconds


def peak(samples, window):
    start, end = window
    return max((value for moment, value in samples if start <= moment <= end), default=0)


def recorded_students(course):
    with sqlite3.connect(os.path.join(course, "gradebook.db")) as connection:
        rows = connection.execute("SELECT student_id, COUNT(*) FROM submitted_assignment GROUP BY student_id")
        return dict(rows.fetchall())


def run_size(size, release):
    with tempfile.TemporaryDirectory(prefix=f"load-{size}-") as folder:
        course = copy_course(os.path.join(folder, "course"))
        subprocess.run(["make", "-s", "release", f"VENV={VENV}"], cwd=course, check=True, capture_output=True)
        students = write_submissions(course, size, release)
        windows, seconds, samples, wall, core_seconds = grade_cold(course)
        recorded = recorded_students(course)
        if sorted(recorded) != sorted(students) or set(recorded.values()) != {1}:
            raise RuntimeError(f"N={size}: {len(recorded)} of {len(students)} students recorded, or some twice")
        return {"size": size, "wall": wall, "core": core_seconds, "seconds": seconds,
                "peaks": {phase: peak(samples, windows[phase]) for phase in PHASES},
                "peak": max(value for _, value in samples), "samples": len(samples)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args(argv)
    release = read_release()
    results = []
    for size in args.sizes:
        print(f"N={size}: writing and grading ...", flush=True)
        results.append(run_size(size, release))
    print(f"\nLoad on {os.cpu_count()} cores: cold `make autograde`, every student recorded exactly once.")
    print("CPU s: user and system time of the whole process tree on all cores (a loaded machine stretches the wall "
          "time, much less the CPU time).")
    print("| N | wall s | s/submission | CPU s | CPU s/submission | " + " | ".join(f"{p} s" for p in PHASES) + " | "
          + " | ".join(f"{p} peak MB" for p in PHASES) + " | peak MB |")
    print("|---" * (6 + 2 * len(PHASES)) + "|")
    for r in results:
        core = (f"{r['core']:.1f} | {r['core'] / r['size']:.3f}" if r["core"] is not None else "n/a | n/a")
        print(f"| {r['size']} | {r['wall']:.1f} | {r['wall'] / r['size']:.3f} | {core} | "
              + " | ".join(f"{r['seconds'].get(p, 0):.1f}" for p in PHASES) + " | "
              + " | ".join(f"{r['peaks'][p] / 1e6:.0f}" for p in PHASES) + f" | {r['peak'] / 1e6:.0f} |")
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"peak memory at N={last['size']} / at N={first['size']}: {last['peak'] / first['peak']:.2f}; "
              f"time per submission: {last['wall'] / last['size'] / (first['wall'] / first['size']):.2f}")


if __name__ == "__main__":
    main()
