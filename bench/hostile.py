"""Scores of the hostile corpus under stock ``nbgrader autograde`` next to this project's.

Each hostile submission of ``tests/corpus/hostile`` is graded twice, from the
same ``submitted/`` folder: by stock nbgrader (hidden tests executed in the
student's kernel) and by ``make autograde`` (sandboxed). Honest score = the
points of the functions the entry really implements.

Stock nbgrader runs student code with the grader's own rights, and some
entries kill every process they can signal or fork without bound. So the
stock side grades one student per ``nbgrader autograde --student`` run, as an
unprivileged user with a process limit in its own PID namespace (this
needs root and bubblewrap; without root the stock columns are left out): an
entry can only wreck its own run, and the gradebook stays shared, as it is in a
real course. Each student's stock total is read right after their own run and
again at the end, when every other notebook has run.

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

from nbgrader.api import MissingEntry  # noqa: E402

from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS, points_by_function, read_source_notebook  # noqa: E402
from tests.corpus import entry_solutions, load_entries  # noqa: E402
from tests.notebooks import make_submission, read_release, reference_solutions, write_submission  # noqa: E402


NOBODY = 65534


def write_corpus(course, release):
    solutions = reference_solutions()
    students = []
    for name, entry in load_entries("hostile").items():
        notebook = make_submission(entry_solutions(entry, solutions), getattr(entry, "EXTRA_CELLS", ()),
                                   release=release)
        write_submission(notebook, course, name)
        students.append(name)
    return students


def confinement():
    """A command prefix: own PID namespace, user ``nobody``, at most 256 processes, the rest of the host as is."""
    base = os.path.realpath(sys.base_prefix)
    above = parents(base)
    hidden = next((parent for parent in above if not os.stat(parent).st_mode & 0o001), None)
    reach_python = []
    if hidden:
        reach_python = ["--perms", "0755", "--tmpfs", hidden]
        for folder in above[above.index(hidden) + 1:]:
            reach_python += ["--perms", "0755", "--dir", folder]
        reach_python += ["--ro-bind", base, base]
    return ["bwrap", "--bind", "/", "/", *reach_python, "--unshare-pid", "--proc", "/proc", "--dev-bind", "/dev", "/dev",
            "--die-with-parent", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
            "prlimit", "--nproc=256"]


def parents(path):
    """The folders above ``path``, outermost first."""
    folders = []
    while os.path.dirname(path) != path:
        path = os.path.dirname(path)
        folders.insert(0, path)
    return folders[1:]


def run_stock_confined(parent, course, students):
    """Stock ``nbgrader autograde``, one student per run, confined by :func:`confinement`."""
    subprocess.run([sys.executable, "-m", "graders.intake"], cwd=course, check=True, capture_output=True)
    os.chmod(parent, 0o755)
    for folder, _, files in os.walk(course):
        os.chown(folder, NOBODY, NOBODY)
        for name in files:
            os.chown(os.path.join(folder, name), NOBODY, NOBODY)
    env = {**os.environ, "NBGRADER_STOCK_EXECUTE": "1", "PYTHONPATH": course, "HOME": course,
           "PATH": os.path.join(VENV, "bin") + os.pathsep + os.environ["PATH"]}
    own_run = {}
    for student in students:
        subprocess.run([*confinement(), os.path.join(VENV, "bin", "nbgrader"), "autograde", ASSIGNMENT, "--force", "--CourseDirectory.submitted_directory=intake",
                        "--student", student], cwd=course, env=env, capture_output=True, timeout=900)
        own_run[student] = stock_score(course, student)
    return own_run, {student: stock_score(course, student) for student in students}


def stock_score(course, student):
    """The student's total in the stock gradebook, or why there is none."""
    try:
        return f"{sum(scores(course, [student])[student].values()):g}"
    except MissingEntry:
        return "killed"


def main():
    points = points_by_function(read_source_notebook())
    release = read_release()
    parent = tempfile.mkdtemp(prefix="hostile-")
    try:
        stock_course, our_course = new_course(parent, "stock"), new_course(parent, "ours")
        students = write_corpus(stock_course, release)
        write_corpus(our_course, release)
        subprocess.run(["make", "-s", "autograde", f"VENV={VENV}"], cwd=our_course, check=True, capture_output=True)
        ours = scores(our_course, students)
        stock = run_stock_confined(parent, stock_course, students) if os.getuid() == 0 else None
        entries = load_entries("hostile")
        print(f"{'hostile submission':<40} {'honest':>6} {'stock':>6} {'stock*':>6} {'ours':>6}")
        for student in students:
            expected = getattr(entries[student], "EXPECTED_SCORES", {})
            honest = sum(expected.get(name, points[name]) for name in GRADED_FUNCTIONS)
            own_run, end_of_batch = (stock[0][student], stock[1][student]) if stock else ("n/a", "n/a")
            print(f"{student:<40} {honest:>6g} {own_run:>6} {end_of_batch:>6} {sum(ours[student].values()):>6g}")
        print("stock: the total right after the student's own run; stock*: the same total once the whole "
              "class is graded (other students' notebooks ran in between); ours: after make autograde")
        if stock is None:
            print("stock columns not measured: confining stock nbgrader to an unprivileged user needs root")
    finally:
        shutil.rmtree(parent, ignore_errors=True)


if __name__ == "__main__":
    main()
