"""Scores of the hostile corpus under stock ``nbgrader autograde`` next to this project's.

Each hostile submission of ``tests/corpus/hostile`` is graded twice, from the
same ``submitted/`` folder: by stock nbgrader (hidden tests executed in the
student's kernel) and by ``make autograde`` (sandboxed). Honest score = the
points of the functions the entry really implements.

Usage: ``python bench/hostile.py``
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "source", "regularization"), os.path.join(ROOT, "bench")]

from bench import VENV, new_course, scores  # noqa: E402

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, points_by_function, read_source_notebook  # noqa: E402
from tests.corpus import load_entries  # noqa: E402
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission  # noqa: E402


def write_corpus(course, release):
    solutions = reference_solutions()
    students = []
    for name, entry in load_entries("hostile").items():
        notebook = make_submission({**solutions, **{k: v.strip("\n") for k, v in entry.SOLUTIONS.items()}},
                                   getattr(entry, "EXTRA_CELLS", ()), release=release)
        write_submission(notebook, course, name)
        students.append(name)
    return students


def main():
    points = points_by_function(read_source_notebook())
    release = read_release()
    parent = tempfile.mkdtemp(prefix="hostile-")
    try:
        stock_course, our_course = new_course(parent, "stock"), new_course(parent, "ours")
        students = write_corpus(stock_course, release)
        write_corpus(our_course, release)
        subprocess.run([sys.executable, "-m", "graders.intake"], cwd=stock_course, check=True, capture_output=True)
        env = {**os.environ, "NBGRADER_STOCK_EXECUTE": "1", "PYTHONPATH": stock_course,
               "PATH": os.path.join(VENV, "bin") + os.pathsep + os.environ["PATH"]}
        subprocess.run([os.path.join(VENV, "bin", "nbgrader"), "autograde", ASSIGNMENT, "--force"], cwd=stock_course,
                       env=env, capture_output=True)
        subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=our_course, check=True, capture_output=True)
        stock, ours = scores(stock_course, students), scores(our_course, students)
        entries = load_entries("hostile")
        print(f"{'hostile submission':<40} {'honest':>6} {'stock':>6} {'ours':>6}")
        for student in students:
            expected = getattr(entries[student], "EXPECTED_SCORES", {})
            honest = sum(expected.get(name, points[name]) for name in GRADED_FUNCTIONS)
            print(f"{student:<40} {honest:>6g} {sum(stock[student].values()):>6g} {sum(ours[student].values()):>6g}")
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
