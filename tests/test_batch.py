"""Unit tests of :mod:`graders.batch`: cache keys, the verdict cache on ``tmp_path``, which intake notebooks are
pending, and the submission window. Grading itself runs the sandbox and is covered end to end
(``tests/test_incremental.py``, ``tests/test_dask.py``, ``tests/test_crash.py``)."""
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from graders import batch
from graders.fingerprint import grader_version
from graders.grading import Verdict
from graders.notebook import ASSIGNMENT, GRADED_FUNCTIONS


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setattr(batch, "CACHE_DIR", str(folder))
    return folder


def notebook(*sources, run_cell="train()"):
    nb = new_notebook()
    nb.cells = [new_code_cell(source) for source in sources] + [new_markdown_cell("text"), new_code_cell(run_cell)]
    nb.cells[-1].metadata["nbgrader"] = {"grade_id": "run_model", "grade": False, "solution": False, "locked": True}
    return nb


def test_the_key_follows_the_definition_cells_and_the_version():
    key = batch.submission_key(notebook("def f(): pass"), "v1")
    assert key == batch.submission_key(notebook("def f(): pass"), "v1")
    assert len({key, batch.submission_key(notebook("def f(): return 1"), "v1"),
                batch.submission_key(notebook("def f(): pass"), "v2"),
                batch.submission_key(notebook("def f(): pass", "x = 1"), "v1")}) == 4


@pytest.mark.parametrize("change", [
    lambda nb: nb.cells[-2].__setitem__("source", "other text"),
    lambda nb: nb.cells[-1].__setitem__("source", "train(100)"),
    lambda nb: nb.cells[0].__setitem__("outputs", [nbformat.v4.new_output("stream", name="stdout", text="x")]),
    lambda nb: nb.metadata.__setitem__("anything", 1),
], ids=["markdown", "training cell", "outputs", "metadata"])
def test_what_grading_never_runs_leaves_the_key(change):
    nb = notebook("def f(): pass")
    key = batch.submission_key(nb, "v")
    change(nb)
    assert batch.submission_key(nb, "v") == key


def test_store_and_load_round_trip_atomically(cache):
    record = {"verdicts": {"f": {"passed": True}}, "cell_errors": [{"cell": 1, "error": "E"}]}
    batch._store("ab" + "0" * 62, record)
    assert batch.cached_record("ab" + "0" * 62) == record
    assert [p.name for p in (cache / "ab").iterdir()] == ["ab" + "0" * 62 + ".json"]


@pytest.mark.parametrize("content", [None, "", "{not json"], ids=["missing", "empty", "truncated"])
def test_a_missing_or_broken_cache_entry_is_a_miss(cache, content):
    key = "cd" + "1" * 62
    if content is not None:
        (cache / "cd").mkdir(parents=True)
        (cache / "cd" / f"{key}.json").write_text(content)
    assert batch.cached_record(key) is None


def test_a_cached_record_is_given_as_cached():
    nb = notebook("def f(): pass")
    record = {"verdicts": {name: dataclasses.asdict(Verdict(name, True, None, "passed")) for name in GRADED_FUNCTIONS},
              "cell_errors": [{"cell": 0, "error": "NameError: y"}]}
    batch._store(batch.submission_key(nb, grader_version()), record)
    assert batch.cached_or_graded_record(nb) == record


def test_a_record_missing_from_the_cache_is_graded_and_cached(monkeypatch):
    nb = notebook("def f(): pass")
    record = {"verdicts": {}, "cell_errors": []}
    graded = []
    monkeypatch.setattr(batch, "grade_to_record", lambda text: graded.append(text) or record)
    assert batch.cached_or_graded_record(nb) == record
    assert len(graded) == 1
    assert batch.cached_record(batch.submission_key(nb, grader_version())) == record


def write_intake(root, student, nb):
    folder = root / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "Regularization.ipynb")


def test_pending_notebooks_groups_students_by_key_and_skips_cached(tmp_path):
    intake = tmp_path / "intake[1]"  # a glob character in the folder's name
    write_intake(intake, "alice", notebook("def f(): pass"))
    write_intake(intake, "bob", notebook("def f(): pass", run_cell="train(5)"))
    write_intake(intake, "carol", notebook("def f(): return 2"))
    version = grader_version()
    same = batch.submission_key(notebook("def f(): pass"), version)
    other = batch.submission_key(notebook("def f(): return 2"), version)
    pending, students, cached = batch.pending_notebooks(str(intake))
    assert students == {same: ["alice", "bob"], other: ["carol"]} and cached == {}
    assert pending[same].endswith("alice/regularization/Regularization.ipynb")
    batch._store(other, {"verdicts": {}, "cell_errors": []})
    pending, students, cached = batch.pending_notebooks(str(intake))
    assert list(students) == [same] and cached == {"carol": other}
    pending, students, cached = batch.pending_notebooks(str(intake), force=True)
    assert set(students) == {same, other} and cached == {}


def test_prefetch_with_nothing_pending_grades_nothing(tmp_path):
    (tmp_path / "intake").mkdir()
    assert batch.prefetch(str(tmp_path / "intake")) == (0, {})


def _pool_recording(events, workers=None):
    """A stand-in for ProcessPoolExecutor that says when it is made (in ``events``) and with how many processes (in
    ``workers``), and runs nothing."""
    workers = [] if workers is None else workers

    class Pool:
        def __init__(self, max_workers):
            events.append("pool")
            workers.append(max_workers)

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return False

    return Pool


@pytest.mark.parametrize("jobs, pending, events", [(2, 2, ["warm up", "pool"]), (1, 2, ["pool"]), (2, 1, ["pool"])],
                         ids=["two processes", "one process", "one notebook"])
def test_prefetch_warms_the_grading_up_before_a_pool_of_several_processes_forks(tmp_path, monkeypatch, jobs, pending,
                                                                                  events):
    from graders import grading

    seen = []
    monkeypatch.setattr(grading, "warm_up", lambda: seen.append("warm up"))
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _pool_recording(seen))
    monkeypatch.setattr(batch, "in_windows", lambda *arguments: iter(()))
    for index in range(pending):
        write_intake(tmp_path / "intake", f"student{index}", notebook(f"def f(): return {index}"))
    batch.prefetch(str(tmp_path / "intake"), jobs=jobs)
    assert seen == events


def test_what_must_come_before_grading_comes_first_and_only_when_a_notebook_is_to_be_graded(tmp_path, monkeypatch):
    events = []
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _pool_recording(events))
    monkeypatch.setattr(batch, "in_windows", lambda *arguments: iter(()))
    from graders import grading

    monkeypatch.setattr(grading, "warm_up", lambda: None)
    intake = tmp_path / "intake"
    write_intake(intake, "alice", notebook("def f(): pass"))
    write_intake(intake, "bob", notebook("def f(): return 2"))
    batch._store(batch.submission_key(notebook("def f(): return 2"), grader_version()), {"verdicts": {},
                                                                                        "cell_errors": []})
    before = lambda: events.append("before")  # noqa: E731
    batch.prefetch(str(intake), jobs=1, on_ready=lambda students: events.append(sorted(students)),
                   before_grading=before)
    assert events == ["before", ["bob"], "pool"]
    events.clear()
    batch._store(batch.submission_key(notebook("def f(): pass"), grader_version()), {"verdicts": {},
                                                                                     "cell_errors": []})
    batch.prefetch(str(intake), jobs=1, on_ready=lambda students: events.append(sorted(students)),
                   before_grading=before)
    assert events == [["alice", "bob"]]


@pytest.mark.parametrize("jobs, pending, forked", [(4, 1, 1), (4, 3, 3), (2, 3, 2), (None, 1, 1)])
def test_the_pool_forks_no_more_processes_than_notebooks_to_grade(tmp_path, monkeypatch, jobs, pending, forked):
    from graders import grading

    workers = []
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _pool_recording([], workers))
    monkeypatch.setattr(batch, "in_windows", lambda *arguments: iter(()))
    monkeypatch.setattr(grading, "warm_up", lambda: None)
    for index in range(pending):
        write_intake(tmp_path / "intake", f"student{index}", notebook(f"def f(): return {index}"))
    batch.prefetch(str(tmp_path / "intake"), jobs=jobs)
    assert workers == [forked]


def test_a_warm_up_that_fails_leaves_the_failure_to_each_grading(tmp_path, monkeypatch):
    from graders import grading

    def broken():
        raise ValueError("a judge that cannot judge")

    events = []
    monkeypatch.setattr(grading, "warm_up", broken)
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _pool_recording(events))
    monkeypatch.setattr(batch, "in_windows", lambda *arguments: iter(()))
    write_intake(tmp_path / "intake", "alice", notebook("def f(): pass"))
    write_intake(tmp_path / "intake", "bob", notebook("def f(): return 2"))
    batch.prefetch(str(tmp_path / "intake"), jobs=2)
    assert events == ["pool"]


@pytest.mark.parametrize("window", [1, 3, 10])
def test_in_windows_never_runs_more_than_the_window_and_yields_every_key(window):
    running, most, lock = [0], [0], threading.Lock()

    def work(key):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.01 * (key % 3))
        with lock:
            running[0] -= 1
        return key * 2

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = [(key, future.result()) for key, future in
                batch.in_windows(lambda key: pool.submit(work, key), as_completed, range(12), window)]
    assert sorted(done) == [(key, key * 2) for key in range(12)]
    assert most[0] <= window


def test_in_windows_with_no_keys_yields_nothing():
    assert list(batch.in_windows(lambda key: pytest.fail("nothing to submit"), as_completed, [], 4)) == []
