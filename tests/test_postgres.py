"""A gradebook on a real PostgreSQL server (``GRADEBOOK_URL``) holds the same grades as the SQLite one."""
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile

import pytest

from tests.conftest import VENV, free_port, gradebook_scores, make
from tests.notebooks import declared_scores, write_class


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


@pytest.fixture(scope="module")
def course_on_postgres(released_course, postgres_url):
    """The module's course released again with its gradebook on the server: its SQLite file, written by the
    release it was copied from, is removed first (with ``GRADEBOOK_URL`` no step may touch it)."""
    os.remove(os.path.join(released_course, "gradebook.db"))
    make(released_course, "release", f"GRADEBOOK_URL={postgres_url}")
    return released_course


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_postgres_gradebook_holds_the_sqlite_grades(course_on_postgres, released_template, postgres_url, tmp_path):
    course = course_on_postgres
    students = write_class(course)
    on_postgres = f"GRADEBOOK_URL={postgres_url}"
    make(course, "autograde", "feedback", on_postgres)
    sqlite_file = os.path.join(course, "gradebook.db")
    assert not os.path.exists(sqlite_file)
    postgres_scores = gradebook_scores(postgres_url)
    assert len(postgres_scores) == len(students) * 4

    # A released course (as `make release` makes it), the same class and the verdicts graded for it (the cache):
    # what differs is the gradebook nbgrader records into
    local_course = str(tmp_path / "sqlite")
    shutil.copytree(released_template, local_course, symlinks=True)
    for folder in ("submitted", ".cache"):
        shutil.copytree(os.path.join(course, folder), os.path.join(local_course, folder), dirs_exist_ok=True)
    assert "graded 0 submission(s)" in make(local_course, "autograde").stdout
    assert gradebook_scores(f"sqlite:///{local_course}/gradebook.db") == postgres_scores
    grades = os.path.join("reports", "grades.csv")
    assert read(os.path.join(course, grades)) == read(os.path.join(local_course, grades))
    for student_id in students:
        assert os.path.isfile(os.path.join(course, "feedback", student_id, "regularization", "Regularization.html"))

    rerun = make(course, "autograde", on_postgres)
    assert "the gradebook is up to date" in rerun.stdout


def _expected_totals(students):
    """Each student's total as the samples and the mutant corpus declare it."""
    totals = dict.fromkeys(students, 0)
    for (student, _), score in declared_scores(students).items():
        totals[student] += score
    return totals


def _recorded(url):
    """The ids of the students the gradebook at ``url`` holds a submission of."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        return {submission.student.id for submission in gradebook.find_assignment("regularization").submissions}


def test_two_runs_on_different_parts_of_the_class_record_everyone_once(course_on_postgres, postgres_url):
    """The class of the test above grows (the students it recorded, if it ran, are up to date): two runs, each on
    its part of the class, grade and record the new students into the one gradebook at once."""
    from nbgrader.api import Gradebook

    course = course_on_postgres
    before = _recorded(postgres_url)
    students = write_class(course, mutants=20)
    runs = [subprocess.Popen(["make", "-s", "autograde", f"PART={part}/2", f"GRADEBOOK_URL={postgres_url}",
                              f"VENV={VENV}"], cwd=course,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for part in (1, 2)]
    outputs = [run.communicate(timeout=900)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    queued = [int(re.search(r"(\d+) submission\(s\) new or changed", output).group(1)) for output in outputs]
    new = set(students) - before
    assert sum(queued) == len(new) and min(queued) > 0  # each run took its part of the new students

    with Gradebook(postgres_url) as gradebook:
        submissions = gradebook.find_assignment("regularization").submissions
        recorded = [submission.student.id for submission in submissions]
        assert sorted(recorded) == sorted(students)  # everyone, once
        assert all(len(submission.notebooks[0].grades) == 4 for submission in submissions)
        totals = {submission.student.id: submission.score for submission in submissions}
    assert totals == _expected_totals(students)
    with open(os.path.join(course, "reports", "grades.csv"), encoding="utf-8") as handle:
        assert len(handle.read().splitlines()) == len(students) + 1  # the last run's reports hold both parts
