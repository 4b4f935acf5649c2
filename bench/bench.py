"""Benchmark: stock sequential ``nbgrader autograde`` against this project's grading.

For each N, N distinct submissions are generated (a fixed mix of correct,
partially correct, untouched, mutant and broken notebooks; each carries a
unique comment cell so that no two share a cache entry) and graded from a
cold cache with ``make autograde``. Stock nbgrader (hidden tests executed in
the student's kernel, training cells included) is run on the first
``--stock-sample`` submissions only and extrapolated linearly, as the output
says. Scores of the sampled submissions must be identical in both runs.

Usage: ``python bench/bench.py [--sizes 10 100 1000] [--stock-sample 10]``
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "source", "regularization")]

from nbgrader.api import Gradebook  # noqa: E402

from graders.notebook import ASSIGNMENT  # noqa: E402
from tests.conftest import copy_course  # noqa: E402
from tests.corpus import entry_solutions, load_entries  # noqa: E402
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission  # noqa: E402

VENV = os.path.dirname(os.path.dirname(sys.executable))
MEASURE = ("import json, resource, subprocess, sys, time; start = time.perf_counter(); "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
           "print(json.dumps({'seconds': time.perf_counter() - start, 'returncode': code, "
           "'max_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")


def submission_mix():
    """The repeating mix of submissions: ``[(label, solutions)]``."""
    solutions = reference_solutions()
    mix = [("correct", solutions),
           ("partial", {k: v for k, v in solutions.items() if k.startswith("compute") or k.startswith("forward")}),
           ("untouched", {}),
           ("syntax error", {**solutions, "backward_propagation_with_dropout": "def broken(:\n    pass"}),
           ("raises", {**solutions, "compute_cost_with_regularization":
                       "def compute_cost_with_regularization(A3, Y, parameters, lambd):\n    return 1 / 0"})]
    for name, entry in load_entries("mutants").items():
        mix.append(("mutant " + name, entry_solutions(entry, solutions)))
    return mix


def write_submissions(course, count, release):
    """Write ``count`` distinct submissions into ``course/submitted``; return their student ids."""
    mix = submission_mix()
    students = []
    for index in range(count):
        label, solutions = mix[index % len(mix)]
        notebook = make_submission(solutions, [(2, f"# submission {index}: {label}")], release=release)
        student_id = f"student{index:05d}"
        write_submission(notebook, course, student_id)
        students.append(student_id)
    return students


def measure(command, cwd, env=None):
    """Run ``command``; wall time and the peak RSS of its largest process."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=cwd, env=env, capture_output=True,
                            text=True, check=True)
    figures = json.loads(result.stdout)
    if figures["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}")
    return figures


def scores(course, students):
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        return {student: {g.name: g.score for g in gradebook.find_submission_notebook(
            "Regularization", ASSIGNMENT, student).grades} for student in students}


def new_course(parent, name):
    course = copy_course(os.path.join(parent, name))
    subprocess.run(["make", "-s", "release", f"VENV={VENV}"], cwd=course, check=True, capture_output=True)
    return course


def run_ours(parent, count, release):
    course = new_course(parent, f"ours-{count}")
    students = write_submissions(course, count, release)
    figures = measure(["make", "-s", "autograde", f"VENV={VENV}"], course)
    return figures, scores(course, students), students


def run_stock(parent, count, release):
    course = new_course(parent, "stock")
    students = write_submissions(course, count, release)
    subprocess.run([sys.executable, "-m", "graders.intake"], cwd=course, check=True, capture_output=True)
    env = {**os.environ, "NBGRADER_STOCK_EXECUTE": "1", "PYTHONPATH": course,
           "PATH": os.path.join(VENV, "bin") + os.pathsep + os.environ["PATH"]}
    figures = measure([os.path.join(VENV, "bin", "nbgrader"), "autograde", ASSIGNMENT, "--force", "--CourseDirectory.submitted_directory=intake"], course, env)
    return figures, scores(course, students)


def floor_seconds():
    """One Python process start plus running the four reference functions on every hidden case."""
    start = time.perf_counter()
    runs = 5
    for _ in range(runs):
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
    python_start = (time.perf_counter() - start) / runs
    import copy

    from graders.grading import expected_cases
    from graders.reference import reference_namespace

    namespace = reference_namespace()
    start = time.perf_counter()
    for name in ("compute_cost_with_regularization", "backward_propagation_with_regularization",
                 "forward_propagation_with_dropout", "backward_propagation_with_dropout"):
        for case in expected_cases(name):
            namespace[name](*copy.deepcopy(case[1]))
    return python_start + time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--stock-sample", type=int, default=10)
    args = parser.parse_args(argv)
    release = read_release()
    parent = tempfile.mkdtemp(prefix="bench-")
    try:
        sample = min(args.stock_sample, max(args.sizes))
        print(f"stock nbgrader autograde: measured on {sample} submissions, extrapolated linearly to larger N")
        stock, stock_scores = run_stock(parent, sample, release)
        stock_per = stock["seconds"] / sample
        floor = floor_seconds()
        print(f"floor (python start + four graded functions on all cases): {floor * 1000:.0f} ms per submission")
        print(f"{'N':>6} {'stock s/nb':>10} {'ours s/nb':>10} {'stock nb/s':>10} {'ours nb/s':>10} "
              f"{'speed-up':>8} {'ours/floor':>10} {'stock MB':>9} {'ours MB':>8} {'ours total s':>12}  verdicts")
        for count in args.sizes:
            ours, our_scores, students = run_ours(parent, count, release)
            shared = [s for s in stock_scores if s in our_scores]
            identical = all(stock_scores[s] == our_scores[s] for s in shared)
            ours_per = ours["seconds"] / count
            print(f"{count:>6} {stock_per:>10.3f} {ours_per:>10.3f} {1 / stock_per:>10.2f} {1 / ours_per:>10.2f} "
                  f"{stock_per / ours_per:>7.1f}x {ours_per / floor:>9.1f}x {stock['max_rss_mb']:>9.0f} "
                  f"{ours['max_rss_mb']:>8.0f} {ours['seconds']:>12.1f}  "
                  f"{'identical' if identical else 'DIFFERENT'} on {len(shared)}", flush=True)
            if not identical:
                raise SystemExit("bench: verdicts differ between stock nbgrader and ours")
            shutil.rmtree(os.path.join(parent, f"ours-{count}"), ignore_errors=True)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
