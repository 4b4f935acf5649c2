"""Re-running ``make autograde`` grades and records only what changed since the last run."""
import glob
import os
import re

import pytest
from nbgrader.api import Gradebook

from graders.notebook import ASSIGNMENT
from tests.conftest import make
from tests.notebooks import SAMPLES, make_submission, read_release, reference_solutions, write_submission


def counts(output):
    """``(queued for the gradebook, graded in the sandbox)`` as printed by ``make autograde``."""
    queued = re.search(r"(\d+) submission\(s\) new or changed", output)
    graded = re.search(r"graded (\d+) submission\(s\) in the sandbox", output)
    return int(queued.group(1)), int(graded.group(1))


def autograded_times(course):
    pattern = os.path.join(course, "autograded", "*", ASSIGNMENT, "Regularization.ipynb")
    return {path.split(os.sep)[-3]: os.stat(path).st_mtime_ns for path in glob.glob(pattern)}


def total(course, student_id):
    """A student's total in the gradebook, read with a connection of its own.

    Not through ``nbgrader.api``: once this process has loaded ``nbgrader_config.py`` (any test importing
    ``graders.intake`` does), :mod:`graders.nbgrader_speedups` keeps one engine per URL with its connection
    open, and a test that deletes ``gradebook.db`` for ``make`` to create anew would read the deleted file.
    """
    from graders.gradebook import submission_scores

    cells = submission_scores(f"sqlite:///{course}/gradebook.db", ASSIGNMENT, "Regularization")[student_id]["cells"]
    return sum(score for score, _ in cells.values())


@pytest.fixture(scope="module")
def course(released_course):
    release = read_release()
    solutions = reference_solutions()
    for student_id, correct in SAMPLES.items():
        write_submission(make_submission({name: solutions[name] for name in correct}, release=release),
                         released_course, student_id)
    assert counts(make(released_course, "autograde").stdout) == (len(SAMPLES), len(SAMPLES))
    return released_course


def test_unchanged_class_is_neither_graded_nor_recorded_again(course):
    before = autograded_times(course)
    output = make(course, "autograde").stdout
    assert counts(output) == (0, 0)
    assert "the gradebook is up to date" in output
    assert autograded_times(course) == before


def test_changed_submission_alone_is_recorded_and_same_content_is_not_rerun(course):
    before = autograded_times(course)
    assert total(course, "sample_untouched") == 0
    solutions = reference_solutions()
    write_submission(make_submission(solutions, release=read_release()), course, "sample_untouched")
    # the new notebook's code equals sample_correct's: its verdict comes from the cache
    assert counts(make(course, "autograde").stdout) == (1, 0)
    assert total(course, "sample_untouched") == 10
    after = autograded_times(course)
    assert after["sample_untouched"] != before["sample_untouched"]
    assert {s: t for s, t in after.items() if s != "sample_untouched"} == \
        {s: t for s, t in before.items() if s != "sample_untouched"}


def test_new_grader_version_regrades_everyone(course):
    with open(os.path.join(course, "graders", "checks.py"), "a", encoding="utf-8") as handle:
        handle.write("\n# a new grader version\n")
    distinct_notebooks = 2  # sample_untouched now holds sample_correct's code
    assert counts(make(course, "autograde").stdout) == (len(SAMPLES), distinct_notebooks)


def test_lost_gradebook_records_everyone_again(course):
    os.remove(os.path.join(course, "gradebook.db"))
    without_release = make(course, "autograde", check=False)
    assert without_release.returncode != 0
    assert f"gradebook.db: the gradebook has no record of the assignment '{ASSIGNMENT}': run `make release` first" \
        in without_release.stderr
    assert counts(make(course, "release", "autograde").stdout) == (len(SAMPLES), 0)
    assert total(course, "sample_correct") == 10


def test_new_points_record_everyone_again_with_totals_that_never_pass_the_maximum(course):
    import nbformat

    path = os.path.join(course, "source", ASSIGNMENT, "Regularization.ipynb")
    source = nbformat.read(path, as_version=4)
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_cost_with_regularization":
            cell.metadata.nbgrader.points = 4
    nbformat.write(source, path)
    queued, _ = counts(make(course, "release", "autograde").stdout)
    assert queued == len(SAMPLES)  # every student's total depends on the points
    assert total(course, "sample_correct") == 12 and total(course, "sample_untouched") == 12
    header, *rows = [line.split() for line in make(course, "grades").stdout.splitlines()]
    totals = {row[0]: (row[header.index("total")], row[header.index("max")]) for row in rows}
    assert totals == {"sample_correct": ("12", "12"), "sample_partial": ("7", "12"), "sample_untouched": ("12", "12")}


def test_recording_goes_in_parts_as_verdicts_come_and_never_sees_a_student_not_handed_over(released_template, tmp_path,
                                                                                         monkeypatch):
    import shutil
    import subprocess
    import sys

    from graders import autograde
    from graders.autograde import PARTS_FOLDER, Recorder, _intake_digests
    from graders.intake import read_record_marker

    course = str(tmp_path / "course")  # a fresh released course, as `make release` makes it
    shutil.copytree(released_template, course, symlinks=True)
    solutions = reference_solutions()
    for student_id, correct in SAMPLES.items():
        write_submission(make_submission({name: solutions[name] for name in correct}), course, student_id)
    intake = os.path.join(course, "intake", "class")
    subprocess.run([sys.executable, "-m", "graders.intake", "--intake", intake], cwd=course, check=True,
                   capture_output=True)
    digests = _intake_digests(intake)
    handed, kept = sorted(digests)[:2], sorted(digests)[2]
    monkeypatch.setattr(autograde, "MAX_BACKLOG", 1)  # one student waiting for nbgrader is one too many
    with Recorder(course, os.path.join(course, "reports", "recording.log"), part_size=1) as recorder:
        for student in handed:
            recorder.add({student: os.path.join(intake, student)}, {student: digests[student]})
        # handing over the second student waited until nbgrader had recorded the first
        assert read_record_marker(os.path.join(course, "autograded", handed[0], ASSIGNMENT))[0] == digests[handed[0]]
        assert recorder.finish() == {}
    parts = sorted(os.listdir(os.path.join(intake, PARTS_FOLDER)))
    assert parts == ["part-1", "part-2"]
    assert [os.listdir(os.path.join(intake, PARTS_FOLDER, part)) for part in parts] == [[s] for s in handed]
    for student in handed:
        assert read_record_marker(os.path.join(course, "autograded", student, ASSIGNMENT))[0] == digests[student]
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        assert sorted(s.student.id for s in gradebook.find_assignment(ASSIGNMENT).submissions) == handed
    assert os.path.isdir(os.path.join(intake, kept)) and not os.path.exists(os.path.join(course, "autograded", kept))


def test_recording_starts_before_the_intake_has_ended(course):
    solutions = reference_solutions()
    for index in range(3):
        write_submission(make_submission(solutions, extra_cells=[(2, f"x = {index}")]), course, f"pipelined-{index}")
    output = make(course, "autograde").stdout
    # nbgrader records from the first student queued, before the intake ends
    assert output.index("+ nbgrader autograde") < output.index("3 submission(s) new or changed")
    assert output.index("3 submission(s) new or changed") < output.index("graded 3 submission(s) in the sandbox")


def test_nbgrader_started_for_nothing_is_stopped_at_once(course):
    from graders.autograde import Recorder

    reports = os.path.join(course, "reports")
    before = sorted(os.listdir(reports))
    with Recorder(course, os.path.join(reports, "nothing-recorded.log")) as recorder:
        recorder.start()
    assert recorder.process.returncode == -9  # killed, not left to finish importing nbgrader
    assert sorted(os.listdir(reports)) == before  # no log, nor its output kept anywhere


# A run of the course's ``graders.autograde`` that says, when its intake begins, whether nbgrader's process is
# running already (a child of the run's process).
RUN_SAYING_WHEN_NBGRADER_STARTED = """
import os, sys
import graders.autograde as autograde

def recording_children():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                parent, command = int(stat.read().rsplit(")", 1)[1].split()[1]), cmdline.read()
        except OSError:
            continue
        if parent == os.getpid() and b"--serve-recording" in command:
            found.append(pid)
    return found

run_intake = autograde.run_intake

def intake_saying_who_runs(*args, **kwargs):
    print("nbgrader's process when the intake begins:", "running" if recording_children() else "none", flush=True)
    return run_intake(*args, **kwargs)

autograde.run_intake = intake_saying_who_runs
autograde.main([])
"""


def test_nbgrader_s_process_is_started_with_the_run_and_stopped_when_no_one_is_queued(course):
    import subprocess
    import sys

    log = os.path.join(course, "reports", "nbgrader-autograde.log")
    with open(log, encoding="utf-8") as handle:
        last_log = handle.read()
    result = subprocess.run([sys.executable, "-c", RUN_SAYING_WHEN_NBGRADER_STARTED], cwd=course, text=True,
                            capture_output=True, env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT,
                                                      "MPLBACKEND": "Agg"}, check=True)
    assert "nbgrader's process when the intake begins: running" in result.stdout
    assert counts(result.stdout) == (0, 0) and "+ nbgrader autograde" not in result.stdout
    with open(log, encoding="utf-8") as handle:
        assert handle.read() == last_log  # the last run's log is left alone
    assert not [name for name in os.listdir(os.path.dirname(log)) if name.endswith(".unused")]


def test_the_recording_process_loads_nbgrader_and_the_plugin_before_its_first_part(course):
    import subprocess
    import sys

    script = ("import sys; from graders.autograde import recording_application; recording_application(); "
              "print(all(name in sys.modules for name in ('nbgrader.apps.nbgraderapp', 'graders.nbgrader_plugin')))")
    result = subprocess.run([sys.executable, "-c", script], cwd=course, text=True, capture_output=True, check=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT})
    assert result.stdout.split() == ["True"]


def test_the_run_s_processes_end_without_collecting_garbage():
    """Their shutdown skips the collections that traverse every object loaded (graders.autograde's __main__)."""
    import subprocess
    import sys

    from graders.notebook import ROOT

    script = ("import os\nfrom graders.autograde import collect_nothing_at_exit\n"
              "class Cycle:\n    def __del__(self):\n        os.write(1, b'collected')\n"
              "kept = Cycle()\nkept.self = kept\n")
    collected = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=True).stdout
    frozen = subprocess.run([sys.executable, "-c", script + "collect_nothing_at_exit()\n"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    assert (collected, frozen) == (b"collected", b"")


def test_the_intake_writes_what_nbformat_reads_back_encoding_it_in_c_and_digests_the_same_notebook_alike(
        tmp_path, monkeypatch):
    import json

    import nbformat

    from graders import intake
    from graders.fingerprint import grader_version

    submitted = tmp_path / "submitted"
    write_submission(make_submission(reference_solutions()), str(tmp_path), "ada")

    def python_encoder(*args, **kwargs):
        raise AssertionError("json's pure-Python encoder was used")

    monkeypatch.setattr(json.encoder, "_make_iterencode", python_encoder)
    summary = intake.run_intake(str(submitted), str(tmp_path / "intake"))
    monkeypatch.undo()
    assert summary.queued == ["ada"] and not summary.attention
    path = tmp_path / "intake" / "ada" / ASSIGNMENT / "Regularization.ipynb"
    written = nbformat.read(str(path), as_version=4)
    assert nbformat.reads(nbformat.writes(written), as_version=4) == written
    digest = written.metadata[intake.INTAKE_KEY].pop("digest")
    written.metadata[intake.INTAKE_KEY].pop("source")
    assert intake.intake_digest(written, None, intake.course_digest(grader_version())) == digest


# A run of the course's ``graders.autograde`` that says whether it loaded the plotting library in the background.
RUN_SAYING_WHETHER_PLOTTING_LOADED = """
import graders.autograde as autograde
import graders.reports

loaded = []
graders.reports.load_plotting = lambda: loaded.append(True)
try:
    autograde.main([])
finally:
    print("plotting loaded in the background:", "yes" if loaded else "no")
"""


def test_the_plotting_library_loads_while_nbgrader_records_only_when_a_plot_changes(course):
    import subprocess
    import sys

    import nbformat

    def run():
        result = subprocess.run([sys.executable, "-c", RUN_SAYING_WHETHER_PLOTTING_LOADED], cwd=course, text=True,
                                capture_output=True, env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT,
                                                          "MPLBACKEND": "Agg"}, check=True)
        return counts(result.stdout), result.stdout.split("plotting loaded in the background: ")[1].split()[0]

    path = write_submission(make_submission(reference_solutions(), extra_cells=[(2, "y = 'new code'")]), course,
                            "plots-anew")
    assert run() == ((1, 1), "yes")  # graded in the sandbox: its scores may change what the plots show
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("a new note, the same code"))
    nbformat.write(notebook, path)
    # a verdict of the cache recorded anew: its scores are the last ones, so no plot changes and none is drawn
    assert run() == ((1, 0), "no")
    assert run() == ((0, 0), "no")  # nothing recorded: the reports are up to date
