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


# The course's ``graders.autograde`` recording, in parts of one, the first two students of the intake folder, handed
# over one at a time (the recording process is a fork of the process that records: it runs the course's graders).
RECORDING_TWO_OF_THREE = """
import json, os
import graders.autograde as autograde
from graders.intake import read_record_marker
from graders.notebook import ASSIGNMENT

course = os.getcwd()
intake = os.path.join(course, "intake", "class")
digests = autograde._intake_digests(intake)
first, second = sorted(digests)[:2]
autograde.MAX_BACKLOG = 1  # one student waiting for nbgrader is one too many
with autograde.Recorder(course, os.path.join(course, "reports", "recording.log"), part_size=1) as recorder:
    for student in (first, second):
        recorder.add({student: os.path.join(intake, student)}, {student: digests[student]})
    first_marked = read_record_marker(os.path.join(course, "autograded", first, ASSIGNMENT))[0] == digests[first]
    print(json.dumps({"first marked once the second was handed": first_marked, "not recorded": recorder.finish()}))
"""


def test_recording_goes_in_parts_as_verdicts_come_and_never_sees_a_student_not_handed_over(released_template, tmp_path):
    import json
    import shutil
    import subprocess
    import sys

    from graders.autograde import PARTS_FOLDER, _intake_digests
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
    result = subprocess.run([sys.executable, "-c", RECORDING_TWO_OF_THREE], cwd=course, text=True, capture_output=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT}, check=True)
    # handing over the second student waited until nbgrader had recorded the first
    assert json.loads(result.stdout.splitlines()[-1]) == {"first marked once the second was handed": True,
                                                          "not recorded": {}}
    parts = sorted(os.listdir(os.path.join(intake, PARTS_FOLDER)))
    assert parts == ["part-1", "part-2"]
    assert [os.listdir(os.path.join(intake, PARTS_FOLDER, part)) for part in parts] == [[s] for s in handed]
    for student in handed:
        assert read_record_marker(os.path.join(course, "autograded", student, ASSIGNMENT))[0] == digests[student]
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        assert sorted(s.student.id for s in gradebook.find_assignment(ASSIGNMENT).submissions) == handed
    assert os.path.isdir(os.path.join(intake, kept)) and not os.path.exists(os.path.join(course, "autograded", kept))


# A run of the course's ``graders.autograde`` that says what its recording process inherits (the modules loaded
# when it is forked) and which files it holds once it has closed those it does not need, and whether the run's
# own process loaded nbgrader.
RUN_SAYING_WHAT_THE_RECORDING_PROCESS_INHERITS = """
import os, sys, time
import graders.autograde as autograde

SHARED = ("nbformat", "jsonschema", "numpy", "graders.batch", "graders.reports")


def kinds_of_files(pid, log):
    kinds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:  # closed meanwhile
            continue
        kinds.append("pipe" if target.startswith("pipe:") else "log" if target == os.path.realpath(log) else target)
    return sorted(kinds)


class Watched(autograde.RecordingProcess):
    def __init__(self, root, log):
        inherited = [name for name in SHARED if name in sys.modules]
        super().__init__(root, log)
        print("the recording process inherits:", *inherited, flush=True)
        deadline = time.monotonic() + 10
        while set(kinds_of_files(self.pid, log.name)) - {"pipe", "log"} and time.monotonic() < deadline:
            time.sleep(0.01)
        print("the recording process holds:", *kinds_of_files(self.pid, log.name), flush=True)


autograde.RecordingProcess = Watched
try:
    autograde.main([])
finally:
    print("the run loaded nbgrader:", "yes" if "nbgrader" in sys.modules else "no")
"""


def test_recording_is_forked_with_the_run_s_imports_before_the_intake_has_ended_and_holds_none_of_its_files(course):
    import subprocess
    import sys

    solutions = reference_solutions()
    for index in range(3):
        write_submission(make_submission(solutions, extra_cells=[(2, f"x = {index}")]), course, f"pipelined-{index}")
    output = subprocess.run([sys.executable, "-c", RUN_SAYING_WHAT_THE_RECORDING_PROCESS_INHERITS], cwd=course,
                            text=True, capture_output=True, check=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT, "MPLBACKEND": "Agg"}).stdout
    # nbgrader records from the first student queued, before the intake ends
    assert output.index("+ nbgrader autograde") < output.index("3 submission(s) new or changed")
    assert output.index("3 submission(s) new or changed") < output.index("graded 3 submission(s) in the sandbox")
    # the imports the run makes for grading are not made again for recording, and the run never loads nbgrader
    assert "the recording process inherits: nbformat jsonschema numpy graders.batch graders.reports\n" in output
    assert "the run loaded nbgrader: no" in output
    # stdin, the pipe of its replies, the log as stdout and stderr: none of the run's locks nor its other files
    assert "the recording process holds: log log pipe pipe\n" in output


# The course's ``Recorder`` started (as when a student is queued) and closed with no part sent.
RECORDER_SENT_NOTHING = """
import os, sys
from graders.autograde import Recorder

with Recorder(os.getcwd(), sys.argv[1]) as recorder:
    recorder.start()
print("exit status:", recorder.process.returncode)
"""


def test_nbgrader_s_process_sent_nothing_is_stopped_at_once(course, tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", RECORDER_SENT_NOTHING, str(tmp_path / "nothing-recorded.log")],
                            cwd=course, text=True, capture_output=True, check=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT})
    assert "exit status: -9" in result.stdout  # killed, not left to finish importing nbgrader


# A run of the course's ``graders.autograde`` that says how many recording processes it started.
RUN_SAYING_HOW_MANY_RECORDING_PROCESSES_STARTED = """
import graders.autograde as autograde

started = []
forked = autograde.RecordingProcess


def counted(*args):
    started.append(True)
    return forked(*args)


autograde.RecordingProcess = counted
try:
    autograde.main([])
finally:
    print("recording processes started:", len(started))
"""


def test_a_run_that_queues_no_one_starts_no_recording_process_and_leaves_the_last_log_alone(course):
    import subprocess
    import sys

    log = os.path.join(course, "reports", "nbgrader-autograde.log")
    with open(log, encoding="utf-8") as handle:
        last_log = handle.read()
    result = subprocess.run([sys.executable, "-c", RUN_SAYING_HOW_MANY_RECORDING_PROCESSES_STARTED], cwd=course,
                            text=True, capture_output=True, check=True,
                            env={**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT, "MPLBACKEND": "Agg"})
    assert counts(result.stdout) == (0, 0) and "+ nbgrader autograde" not in result.stdout
    assert "recording processes started: 0" in result.stdout
    with open(log, encoding="utf-8") as handle:
        assert handle.read() == last_log


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


# A cycle made in ``loaded_for_good``, with the collector on or off before it: whether the collector ran in the block,
# whether it is as it was after it, and whether the cycle outlives a full collection.
LOADING_A_CYCLE_FOR_GOOD = """
import gc, sys, weakref
from graders.autograde import loaded_for_good

class Cycle:
    pass

if sys.argv[1] == "off":
    gc.disable()
with loaded_for_good():
    collecting_inside = gc.isenabled()
    cycle = Cycle()
    cycle.self = cycle
    kept = weakref.ref(cycle)
    del cycle
gc.collect()
print(collecting_inside, gc.isenabled(), kept() is not None)
"""


@pytest.mark.parametrize("collector, after", [("on", "True"), ("off", "False")])
def test_what_is_loaded_for_good_is_loaded_without_collecting_and_never_collected(collector, after):
    import subprocess
    import sys

    from graders.notebook import ROOT

    result = subprocess.run([sys.executable, "-c", LOADING_A_CYCLE_FOR_GOOD, collector], cwd=ROOT, text=True,
                            capture_output=True, check=True)
    assert result.stdout.split() == ["False", after, "True"]


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


def test_the_recording_process_is_never_forked_beside_another_thread(tmp_path):
    """A lock another thread held at the fork would stay held in the child: the run refuses to fork then."""
    import threading

    from graders.autograde import RecordingProcess

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with open(tmp_path / "log", "w+", encoding="utf-8") as log, \
                pytest.raises(RuntimeError, match="forked while the run has no other thread"):
            RecordingProcess(str(tmp_path), log)
    finally:
        release.set()
        other.join()
