"""A gradebook on a real PostgreSQL server (``GRADEBOOK_URL``) holds the same grades as the SQLite one."""
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile

import pytest

from tests.conftest import VENV, copy_course, free_port, gradebook_scores, make
from tests.notebooks import write_class


def postgres_program(name):
    """Path of a PostgreSQL server program (Debian keeps them out of PATH)."""
    found = shutil.which(name) or max(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), default=None)
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is missing: `make database` installs it")
    return found


def as_server_owner(folder):
    """Command prefix running as the owner of ``folder``'s cluster: the server refuses to run as root."""
    if os.getuid() != 0:
        return []
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        owner = pwd.getpwnam("nobody")
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    return ["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}", "--clear-groups"]


@pytest.fixture(scope="module")
def postgres_url():
    import psycopg

    folder = tempfile.mkdtemp(prefix="gradebook-postgres-")
    owner = as_server_owner(folder)
    data = os.path.join(folder, "data")
    port = free_port()
    subprocess.run([*owner, postgres_program("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                   cwd=folder, check=True, capture_output=True)
    pg_ctl = postgres_program("pg_ctl")
    subprocess.run([*owner, pg_ctl, "-D", data, "-l", os.path.join(folder, "server.log"), "-w", "-o",
                    f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
                   cwd=folder, check=True, capture_output=True)
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE gradebook")
        yield f"postgresql://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run([*owner, pg_ctl, "-D", data, "-m", "immediate", "stop"], cwd=folder, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_postgres_gradebook_holds_the_sqlite_grades(released_course, released_template, postgres_url, tmp_path):
    students = write_class(released_course)
    sqlite_file = os.path.join(released_course, "gradebook.db")
    os.remove(sqlite_file)  # written by the fixture's release; with GRADEBOOK_URL no step may touch it
    on_postgres = f"GRADEBOOK_URL={postgres_url}"
    make(released_course, "release", "autograde", "feedback", on_postgres)
    assert not os.path.exists(sqlite_file)
    postgres_scores = gradebook_scores(postgres_url)
    assert len(postgres_scores) == len(students) * 4

    # A released course (as `make release` makes it), the same class and the verdicts graded for it (the cache):
    # what differs is the gradebook nbgrader records into
    local_course = str(tmp_path / "sqlite")
    shutil.copytree(released_template, local_course, symlinks=True)
    for folder in ("submitted", ".cache"):
        shutil.copytree(os.path.join(released_course, folder), os.path.join(local_course, folder), dirs_exist_ok=True)
    assert "graded 0 submission(s)" in make(local_course, "autograde").stdout
    assert gradebook_scores(f"sqlite:///{local_course}/gradebook.db") == postgres_scores
    grades = os.path.join("reports", "grades.csv")
    assert read(os.path.join(released_course, grades)) == read(os.path.join(local_course, grades))
    for student_id in students:
        assert os.path.isfile(os.path.join(released_course, "feedback", student_id, "regularization",
                                           "Regularization.html"))

    rerun = make(released_course, "autograde", on_postgres)
    assert "the gradebook is up to date" in rerun.stdout


def _expected_totals(students):
    """Each student's total as the samples and the mutant corpus declare it."""
    from graders.notebook import points_by_function, read_source_notebook
    from tests.corpus import load_entries
    from tests.notebooks import SAMPLES

    points = points_by_function(read_source_notebook())
    entries = load_entries("mutants")
    totals = {}
    for student in students:
        if student in SAMPLES:
            totals[student] = sum(points[name] for name in SAMPLES[student])
        else:
            declared = entries[student[len("mutant-"):]].EXPECTED_SCORES
            totals[student] = sum(declared.get(name, full) for name, full in points.items())
    return totals


def test_two_runs_on_different_parts_of_the_class_record_everyone_once(postgres_url, tmp_path):
    import psycopg
    from nbgrader.api import Gradebook

    url = postgres_url.rsplit("/", 1)[0] + "/gradebook_parts"
    with psycopg.connect(postgres_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute("CREATE DATABASE gradebook_parts")
    course = copy_course(tmp_path / "course")
    make(course, "release", f"GRADEBOOK_URL={url}")
    students = write_class(course, mutants=20)
    runs = [subprocess.Popen(["make", "-s", "autograde", f"PART={part}/2", f"GRADEBOOK_URL={url}",
                              f"VENV={VENV}"], cwd=course,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for part in (1, 2)]
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    queued = [int(re.search(r"(\d+) submission\(s\) new or changed", output).group(1)) for output in outputs]
    assert sum(queued) == len(students) and min(queued) > 0  # each run took its part, the two parts the class

    with Gradebook(url) as gradebook:
        submissions = gradebook.find_assignment("regularization").submissions
        recorded = [submission.student.id for submission in submissions]
        assert sorted(recorded) == sorted(students)  # everyone, once
        assert all(len(submission.notebooks[0].grades) == 4 for submission in submissions)
        totals = {submission.student.id: submission.score for submission in submissions}
    assert totals == _expected_totals(students)
    with open(os.path.join(course, "reports", "grades.csv"), encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) == len(students) + 1  # the last run's reports hold both parts
