"""Kill ``make autograde`` at random moments, rerun it, and count the reruns that end as an uninterrupted run.

A class of ``--students`` submissions (the bundled samples and mutants of the corpus) is graded once without
interruption, for reference, and its time T is measured. Each trial then starts from a fresh course with the
same submissions and a cold cache, kills the whole run (SIGKILL to its process group, as a power cut would)
after a delay drawn uniformly from [0, T) with a seeded generator, runs ``make autograde`` again, and compares
the gradebook, grades.csv, report.json and every autograded notebook with the reference.

Usage: ``python bench/kill_loop.py [--trials 20] [--students 40]``
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "source", "regularization")]

from tests.conftest import copy_course, course_outcome  # noqa: E402
from tests.notebooks import write_class  # noqa: E402

VENV = os.path.dirname(os.path.dirname(sys.executable))


def make(course, *targets):
    return subprocess.run(["make", "-s", *targets, f"VENV={VENV}"], cwd=course, capture_output=True, text=True,
                          check=True)


def killed_run(course, delay):
    """Start ``make autograde`` in its own process group and SIGKILL the group after ``delay`` seconds."""
    process = subprocess.Popen(["make", "-s", "autograde", f"VENV={VENV}"], cwd=course, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args(argv)
    parent = tempfile.mkdtemp(prefix="kill-loop-")
    try:
        reference = copy_course(os.path.join(parent, "reference"))
        write_class(reference, mutants=args.students - 3)
        make(reference, "release")
        started = time.perf_counter()
        make(reference, "autograde")
        seconds = time.perf_counter() - started
        expected = course_outcome(reference)
        generator = random.Random(20261126)
        matched = killed = 0
        for trial in range(args.trials):
            course = copy_course(os.path.join(parent, f"trial-{trial}"))
            shutil.copytree(os.path.join(reference, "submitted"), os.path.join(course, "submitted"))
            make(course, "release")
            delay = generator.uniform(0, seconds)
            killed += killed_run(course, delay)
            make(course, "autograde")
            same = course_outcome(course) == expected
            matched += same
            print(f"trial {trial + 1:2d}: killed after {delay:5.1f} s of {seconds:.1f} s, rerun "
                  f"{'matches' if same else 'DIFFERS FROM'} the uninterrupted run", flush=True)
            shutil.rmtree(course, ignore_errors=True)
        print(f"kill loop: {args.trials} random kills ({killed} landed before the run ended) on a class of "
              f"{args.students}: {matched} of {args.trials} reruns matched the uninterrupted run")
        return 0 if matched == args.trials else 1
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
