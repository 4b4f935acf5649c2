"""The trusted side treats what a sandbox leaves as hostile bytes, and every sandbox has a user id of its own.

Unit tests of the report format, its validation, the pipe reader's caps, the uid pool and the clean-up;
then real student code in the real sandbox, through :func:`graders.grading.grade_notebook`, attacking the
result channel, the working folder and the process limit of another submission.
"""
import json
import pathlib
import re
import os
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pytest

from graders import sandbox
from graders.grading import grade_notebook, worker_job
from graders.notebook import GRADED_FUNCTIONS, ROOT
from graders.plain import (MAX_TEXT_CHARS, PROGRESS_FRAME, RESULTS_FRAME, MalformedOutput, decode_results,
                           encode_frame, encode_results, flatten)
from tests.notebooks import make_submission, reference_solutions

COST = "compute_cost_with_regularization"
CELLS = [(1, "import numpy as np"), (4, "def f(x):\n    return x")]
ARGUMENTS = flatten((np.zeros(2), {"W": np.zeros((2, 2))}, 0.5), "case")[1]  # a spec of arguments
CASES = {"f": {"small": ARGUMENTS, "large": ARGUMENTS}, "g": {"tiny": ARGUMENTS}}
BOUND_SECONDS = 90


def bounded(function, *args, seconds=BOUND_SECONDS):
    """``function(*args)``, failing the test if it takes longer than ``seconds``."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed to the test's thread as it is
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function.__name__} did not finish within {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def valid_report():
    """A record and its arrays as a worker sends them for :data:`CELLS` and :data:`CASES`."""
    arrays, spec = flatten((np.arange(6.0).reshape(2, 3), 0.5, {"mask": np.ones(3, dtype=bool)}), "f/small/output")
    f_cases = {"small": {"status": "ok", "error": None, "error_kind": None, "random_draws": False, "mutated": [],
                         "output": spec},
               "large": {"status": "error", "error": "ZeroDivisionError: division by zero", "error_kind": "exception",
                         "random_draws": True, "mutated": ["arguments/0", "arguments/1/W", "arguments/2"]}}
    record = {"cell_errors": [{"cell": 4, "error": "ValueError: bad value"}],
              "functions": {"f": {"defined": True, "cases": f_cases}, "g": {"defined": False, "cases": {}}}}
    return record, arrays


def results_stream(record, arrays, steps=("ready", "cell 1", "cell 4", "call f")):
    frames = [encode_frame(PROGRESS_FRAME, step.encode()) for step in steps]
    return b"".join(frames) + encode_frame(RESULTS_FRAME, encode_results(record, arrays))


def header_payload(header_bytes, tail=b""):
    return struct.pack("<Q", len(header_bytes)) + header_bytes + tail


def test_a_valid_report_is_accepted_as_sent():
    record, arrays = valid_report()
    report = sandbox.parse_report(results_stream(record, arrays), False, CELLS, CASES)
    assert report.malformed is None and report.step == ("call", "f")
    cell_errors, functions, received = report.results
    assert cell_errors == record["cell_errors"] and functions == record["functions"]
    assert received.keys() == arrays.keys()
    for key, value in arrays.items():
        assert received[key].dtype == value.dtype and received[key].shape == value.shape
        np.testing.assert_array_equal(received[key], value, strict=True)


def _set(path, value):
    """A change of the record: the item at ``path`` (keys and indices) becomes ``value``."""
    def change(record, arrays):
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path):
    def change(record, arrays):
        target = record
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


def _nested_output(depth):
    def change(record, arrays):
        spec = {"kind": "none", "type": "builtins.NoneType"}
        for _ in range(depth):
            spec = {"kind": "list", "items": [spec]}
        record["functions"]["f"]["cases"]["small"]["output"] = spec
    return change


def _wide_output(record, arrays):
    items = [{"kind": "none", "type": "builtins.NoneType"}] * 5000
    record["functions"]["f"]["cases"]["small"]["output"] = {"kind": "list", "items": items}


def _array_not_scalar(record, arrays):
    arrays["f/small/output/1"] = np.zeros(3)


SMALL_OUTPUT = ("functions", "f", "cases", "small")
ERROR_CASE = {"status": "error", "error": "x", "error_kind": "exception", "random_draws": False, "mutated": []}
MALFORMED_RECORDS = {
    "record-with-other-keys": lambda record, arrays: record.clear() or record.update({"0": []}),
    "extra-top-level-key": _set(("extra",), 1),
    "cell-errors-wrong-type": _set(("cell_errors",), 5),
    "cell-error-wrong-type": _set(("cell_errors", 0), "cell 4 failed"),
    "cell-index-out-of-range": _set(("cell_errors", 0, "cell"), 100000),
    "cell-index-not-sent": _set(("cell_errors", 0, "cell"), 2),
    "cell-index-negative": _set(("cell_errors", 0, "cell"), -1),
    "cell-index-bool": _set(("cell_errors", 0, "cell"), True),
    "cell-index-string": _set(("cell_errors", 0, "cell"), "4"),
    "cell-error-given-twice": lambda record, arrays: record["cell_errors"].append(dict(record["cell_errors"][0])),
    "cell-error-huge-string": _set(("cell_errors", 0, "error"), "x" * (MAX_TEXT_CHARS + 1)),
    "error-kind-unknown": _set(("functions", "f", "cases", "large", "error_kind"), "bribe"),
    "error-kind-on-a-passing-call": _set(SMALL_OUTPUT + ("error_kind",), "timeout"),
    "error-kind-missing": lambda record, arrays: record["functions"]["f"]["cases"]["large"].pop("error_kind"),
    "cell-error-not-a-string": _set(("cell_errors", 0, "error"), ["ValueError"]),
    "functions-wrong-type": _set(("functions",), [["f", {}]]),
    "unknown-function": _set(("functions", "os.system"), {"defined": False, "cases": {}}),
    "missing-function": _delete(("functions", "g")),
    "defined-not-a-bool": _set(("functions", "f", "defined"), 1),
    "undefined-with-cases": _set(("functions", "g", "cases"), {"tiny": ERROR_CASE}),
    "unknown-case": _set(("functions", "f", "cases", "hidden"), ERROR_CASE),
    "case-of-another-function": _set(("functions", "f", "cases", "tiny"), ERROR_CASE),
    "status-unknown": _set(SMALL_OUTPUT + ("status",), "passed"),
    "ok-without-output": _delete(SMALL_OUTPUT + ("output",)),
    "error-with-output": _set(("functions", "f", "cases", "large", "output"), {"kind": "none", "type": "x"}),
    "error-huge-string": _set(("functions", "f", "cases", "large", "error"), "x" * 10 ** 6),
    "error-not-a-string": _set(("functions", "f", "cases", "large", "error"), 5),
    "random-draws-not-a-bool": _set(SMALL_OUTPUT + ("random_draws",), 0),
    "mutated-not-a-list": _set(SMALL_OUTPUT + ("mutated",), "arguments/0"),
    "mutated-too-long": _set(SMALL_OUTPUT + ("mutated",), ["arguments/0"] * 1000),
    "mutated-not-an-argument": _set(SMALL_OUTPUT + ("mutated",), ["<script>alert(1)</script>"]),
    "mutated-not-an-array": _set(SMALL_OUTPUT + ("mutated",), ["arguments/1"]),
    "output-unknown-kind": _set(SMALL_OUTPUT + ("output", "kind"), "pickle"),
    "output-missing-array": _set(SMALL_OUTPUT + ("output", "items", 0, "key"), "f/small/output/9"),
    "output-array-of-another-case": _set(SMALL_OUTPUT + ("output", "items", 0, "key"), "f/large/output/0"),
    "output-key-not-a-string": _set(SMALL_OUTPUT + ("output", "items", 0, "key"), 0),
    "output-huge-type-name": _set(SMALL_OUTPUT + ("output", "items", 1, "type"), "x" * 10 ** 5),
    "output-scalar-not-0d": _array_not_scalar,
    "output-nested-too-deep": _nested_output(40),
    "output-too-many-values": _wide_output,
    "record-nested-100000-deep": _nested_output(100000),
}


@pytest.mark.parametrize("change", MALFORMED_RECORDS.values(), ids=MALFORMED_RECORDS.keys())
def test_a_malformed_record_is_refused_without_raising(change):
    record, arrays = valid_report()
    change(record, arrays)
    try:
        stream = results_stream(record, arrays)
    except RecursionError:  # the JSON module itself cannot write it: send the bytes by hand
        stream = encode_frame(RESULTS_FRAME, header_payload(b'{"record": ' + b"[" * 100000 + b"]" * 100000
                                                            + b', "arrays": []}'))
    report = sandbox.parse_report(stream, False, CELLS, CASES)
    assert report.malformed and report.results is None


MALFORMED_HEADERS = {
    "json-nested-100000-deep": header_payload(b"[" * 100000 + b"]" * 100000),
    "json-not-utf8": header_payload(b'{"record": "\xff", "arrays": []}'),
    "json-nan": header_payload(b'{"record": NaN, "arrays": []}'),
    "json-huge-integer": header_payload(b'{"record": ' + b"9" * 5000 + b', "arrays": []}'),
    "not-json": header_payload(b"\x80\x04\x95 a pickle"),
    "header-longer-than-payload": struct.pack("<Q", 1000) + b"{}",
    "header-over-the-cap": struct.pack("<Q", sandbox.MAX_HEADER_BYTES + 1) + b" " * (sandbox.MAX_HEADER_BYTES + 1),
    "no-header": b"\x01\x02",
    "header-not-a-dict": header_payload(b"[]"),
    "arrays-not-a-list": header_payload(b'{"record": {}, "arrays": {}}'),
}
for name, dtype in {"object": "|O", "unicode": "<U4", "complex": "<c16", "big-endian": ">f8", "void": "|V8",
                    "datetime": "<M8[s]", "pickled-structured": "[('a', '<f8')]", "not-a-string": 8,
                    "non-canonical": "<b1", "unknown-size": "<i16"}.items():
    MALFORMED_HEADERS[f"dtype-{name}"] = header_payload(json.dumps(
        {"record": {}, "arrays": [{"key": "a", "dtype": dtype, "shape": [1]}]}).encode(), b"\0" * 16)
for name, shape in {"negative": [-1], "bool": [True], "float": [1.0], "not-a-list": 1, "huge": [2 ** 20, 2 ** 20],
                    "zero-times-huge": [2 ** 40, 2 ** 40, 0], "too-many-dimensions": [1] * 40}.items():
    MALFORMED_HEADERS[f"shape-{name}"] = header_payload(json.dumps(
        {"record": {}, "arrays": [{"key": "a", "dtype": "<f8", "shape": shape}]}).encode(), b"\0" * 8)
MALFORMED_HEADERS["array-key-twice"] = header_payload(json.dumps({"record": {}, "arrays": [
    {"key": "a", "dtype": "|u1", "shape": []}, {"key": "a", "dtype": "|u1", "shape": []}]}).encode(), b"\0\0")
MALFORMED_HEADERS["bytes-after-the-arrays"] = header_payload(json.dumps({"record": {}, "arrays": [
    {"key": "a", "dtype": "|u1", "shape": [2]}]}).encode(), b"\0" * 3)
MALFORMED_HEADERS["too-many-arrays"] = header_payload(json.dumps({"record": {}, "arrays": [
    {"key": str(index), "dtype": "|u1", "shape": [0]} for index in range(sandbox.MAX_ARRAYS + 1)]}).encode())


@pytest.mark.parametrize("payload", MALFORMED_HEADERS.values(), ids=MALFORMED_HEADERS.keys())
def test_a_malformed_results_frame_is_refused_without_raising(payload):
    with pytest.raises(MalformedOutput):
        decode_results(payload, sandbox.MAX_HEADER_BYTES, sandbox.MAX_ARRAYS, sandbox.MAX_RECORD_DEPTH)
    report = sandbox.parse_report(encode_frame(RESULTS_FRAME, payload), False, CELLS, CASES)
    assert report.malformed and report.results is None


def test_numeric_arrays_of_every_kind_travel_exactly():
    arrays = {f"a/{dtype}": (np.arange(12) % 3).astype(dtype).reshape(3, 4)
              for dtype in ("bool", "int8", "int64", "uint16", "float16", "float32", "float64", "longdouble")}
    arrays["a/scalar"] = np.array(2.5)
    arrays["a/big-endian"] = np.arange(3, dtype=">f8")
    arrays["a/empty"] = np.zeros((0, 4))
    arrays["a/strided"] = np.arange(20.0).reshape(4, 5)[::2, ::-1]
    record, received = decode_results(encode_results({"x": [1]}, arrays), 1 << 20, 100, 8)
    assert record == {"x": [1]} and received.keys() == arrays.keys()
    for key, value in arrays.items():
        assert received[key].shape == value.shape and received[key].dtype == value.dtype.newbyteorder("<")
        np.testing.assert_array_equal(received[key], value)


MALFORMED_STREAMS = {
    "unknown-frame-kind": b"X" + struct.pack("<Q", 0),
    "frame-over-the-cap": PROGRESS_FRAME + struct.pack("<Q", sandbox.MAX_STREAM_BYTES + 1),
    "random-bytes": bytes(np.random.RandomState(0).randint(0, 256, 4096, dtype=np.uint8)),
    "progress-garbage-cell": encode_frame(PROGRESS_FRAME, b"cell x"),
    "progress-cell-not-sent": encode_frame(PROGRESS_FRAME, b"cell 100000"),
    "progress-cell-huge-number": encode_frame(PROGRESS_FRAME, b"cell " + b"9" * 5000),
    "progress-unknown-function": encode_frame(PROGRESS_FRAME, b"call os.system"),
    "progress-function-not-asked-for": encode_frame(PROGRESS_FRAME, b"call h"),
    "progress-not-ascii": encode_frame(PROGRESS_FRAME, "cell \u0664".encode()),
    "progress-nul-bytes": encode_frame(PROGRESS_FRAME, b"cell 1\0"),
    "progress-too-long": encode_frame(PROGRESS_FRAME, b"call " + b"f" * 1000),
    "progress-empty": encode_frame(PROGRESS_FRAME, b""),
    "progress-after-results": results_stream(*valid_report()) + encode_frame(PROGRESS_FRAME, b"call f"),
    "results-twice": results_stream(*valid_report()) + encode_frame(RESULTS_FRAME, encode_results(*valid_report())),
    "more-steps-than-cells-and-calls": encode_frame(PROGRESS_FRAME, b"cell 1") * 6,
    "a-million-steps": encode_frame(PROGRESS_FRAME, b"cell 4") * 1_000_000,
    "record-a-list": encode_frame(RESULTS_FRAME, header_payload(b'{"record": [1, 2], "arrays": []}')),
    "record-a-string": encode_frame(RESULTS_FRAME, header_payload(b'{"record": "ok", "arrays": []}')),
}


@pytest.mark.parametrize("stream", MALFORMED_STREAMS.values(), ids=MALFORMED_STREAMS.keys())
def test_a_malformed_stream_is_refused_without_raising(stream):
    started = time.monotonic()
    report = sandbox.parse_report(sandbox.READY_FRAME + stream, False, CELLS, CASES)
    assert report.malformed and report.results is None and report.ready
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("stream, ready, malformed", [
    (b"", False, False),
    (encode_frame(PROGRESS_FRAME, b"cell 1"), False, True),
    (sandbox.READY_FRAME, True, False),
    (sandbox.READY_FRAME * 2, True, True),
], ids=["nothing", "a-cell-before-the-start", "the-start-only", "two-starts"])
def test_the_start_of_the_worker_is_its_first_step_and_only_then(stream, ready, malformed):
    report = sandbox.parse_report(stream, False, CELLS, CASES)
    assert report.ready is ready and bool(report.malformed) is malformed and report.results is None


def test_an_oversize_stream_that_started_is_the_students():
    stream = sandbox.READY_FRAME + encode_frame(PROGRESS_FRAME, b"cell 1") * 10
    report = sandbox.parse_report(stream, True, CELLS, CASES)
    assert report.ready and report.malformed


def test_an_oversize_stream_is_refused():
    report = sandbox.parse_report(results_stream(*valid_report()), True, CELLS, CASES)
    assert report.malformed and report.results is None


@pytest.mark.parametrize("cut", [1, 5, 9, 20, -1], ids=["kind", "length", "header", "payload", "last-byte"])
def test_a_frame_cut_short_is_a_process_that_died_while_writing(cut):
    record, arrays = valid_report()
    complete = sandbox.READY_FRAME + encode_frame(PROGRESS_FRAME, b"cell 1") + encode_frame(PROGRESS_FRAME,
                                                                                            b"call f")
    stream = complete + encode_frame(RESULTS_FRAME, encode_results(record, arrays))
    report = sandbox.parse_report(stream[:len(complete) + cut] if cut > 0 else stream[:cut], False, CELLS, CASES)
    assert report.malformed is None and report.results is None and report.step == ("call", "f")


# The pipe reader: a child process writes ``fd`` (its argv[1]) the way a student's code could.
def _read_from(source, seconds=20.0, cap=sandbox.MAX_STREAM_BYTES, run=None):
    read_fd, write_fd = os.pipe()
    command = [sys.executable, "-c", source, str(write_fd)] if run is None else run(write_fd)
    process = subprocess.Popen(command, pass_fds=(write_fd,), start_new_session=True)
    os.close(write_fd)
    started = time.monotonic()
    try:
        data, overflowed, _ = sandbox.read_stream(read_fd, process, started + seconds, cap)
    finally:
        os.close(read_fd)
    return data, overflowed, time.monotonic() - started, process


def test_the_reader_takes_everything_a_writer_sends():
    source = "import os, sys\nfd = int(sys.argv[1])\nfor i in range(80):\n    os.write(fd, bytes([i]) * 65536)"
    data, overflowed, _, process = bounded(_read_from, source)
    assert not overflowed and data == b"".join(bytes([i]) * 65536 for i in range(80))
    assert process.returncode == 0


def test_the_reader_stops_at_its_byte_cap_and_kills_the_writer():
    source = "import os, sys\nwhile True:\n    os.write(int(sys.argv[1]), b'P' * 65536)"
    data, overflowed, seconds, process = bounded(_read_from, source, 20.0, 1 << 20)
    assert overflowed and len(data) <= 1 << 20 and seconds < 10
    assert process.returncode == -9


def test_the_reader_stops_at_the_deadline_and_kills_the_writer():
    deadline = 1.0  # seconds; a Python starts and writes in a few hundredths
    source = "import os, sys, time\nos.write(int(sys.argv[1]), b'P')\ntime.sleep(1000)"
    data, overflowed, seconds, process = bounded(_read_from, source, deadline)
    assert data == b"P" and not overflowed and deadline - 0.1 < seconds < deadline + 3.5 and process.returncode == -9


def test_a_process_left_holding_the_pipe_does_not_keep_the_reader_waiting():
    """A run without the sandbox: the child exits, its own child keeps the pipe open; the group is killed."""
    source = "import os, sys, time\nif os.fork() == 0:\n    time.sleep(1000)\nos.write(int(sys.argv[1]), b'done')"
    data, overflowed, seconds, _ = bounded(_read_from, source, 60.0)
    assert data == b"done" and not overflowed and seconds < 10


def test_a_writer_that_closes_the_pipe_early_is_killed_after_the_grace(monkeypatch):
    monkeypatch.setattr(sandbox, "DRAIN_SECONDS", 0.2)
    source = "import os, sys, time\nos.close(int(sys.argv[1]))\ntime.sleep(1000)"
    data, _, seconds, process = bounded(_read_from, source, 60.0)
    assert data == b"" and seconds < 10 and process.returncode == -9


# The uid pool.
def _hold(pool, started, release, held):
    with pool.uid() as uid:
        held.append(uid)
        started.wait()
        release.wait(30)


def test_threads_holding_uids_at_once_get_different_ones(tmp_path):
    pool = sandbox.UidPool(range(4242000, 4242008), str(tmp_path / "locks"))
    started, release, held = threading.Barrier(5), threading.Event(), []
    threads = [threading.Thread(target=_hold, args=(pool, started, release, held)) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait(30)
    assert len(set(held)) == 4 and set(held) <= set(pool.uids)
    release.set()
    for thread in threads:
        thread.join(30)
    with pool.uid() as uid:
        assert uid == pool.uids[0]


def test_a_pool_with_every_uid_held_refuses(tmp_path):
    pool = sandbox.UidPool(range(4242100, 4242102), str(tmp_path / "locks"))
    with pool.uid(), pool.uid(), pytest.raises(RuntimeError, match="in use"):
        with pool.uid():
            pass


def test_the_uid_of_a_holder_that_died_is_free_again(tmp_path):
    pool = sandbox.UidPool(range(4242200, 4242202), str(tmp_path / "locks"))
    pipe_read, pipe_write = os.pipe()
    child = os.fork()
    if child == 0:
        with pool.uid() as uid:
            os.write(pipe_write, str(uid).encode())
            time.sleep(1000)
    os.close(pipe_write)
    try:
        assert int(os.read(pipe_read, 100)) == pool.uids[0]
        with pool.uid() as uid:
            assert uid == pool.uids[1]
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)
        os.close(pipe_read)
    with pool.uid() as uid:
        assert uid == pool.uids[0]


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to run a process as another user")
def test_a_uid_under_which_a_process_still_runs_is_passed_over(tmp_path):
    pool = sandbox.UidPool(range(4242300, 4242302), str(tmp_path / "locks"))
    process = subprocess.Popen(["setpriv", f"--reuid={pool.uids[0]}", f"--regid={pool.uids[0]}", "--clear-groups",
                                "sleep", "1000"])
    try:
        deadline = time.monotonic() + 10
        while not sandbox.runs_processes(pool.uids[0]) and time.monotonic() < deadline:
            time.sleep(0.05)
        with pool.uid() as uid:
            assert uid == pool.uids[1]
    finally:
        process.kill()
        process.wait()


def test_a_lock_folder_others_can_write_is_refused(tmp_path):
    folder = tmp_path / "locks"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(RuntimeError, match="no one else can write"):
        with sandbox.UidPool(range(4242400, 4242401), str(folder)).uid():
            pass


def test_a_lock_file_replaced_by_a_link_is_not_followed(tmp_path):
    folder = tmp_path / "locks"
    folder.mkdir(mode=0o700)
    target = tmp_path / "target"
    target.write_text("x")
    pool = sandbox.UidPool(range(4242500, 4242501), str(folder))
    os.symlink(target, folder / f"{pool.uids[0]}.lock")
    with pytest.raises(OSError):
        with pool.uid():
            pass
    assert target.read_text() == "x" and stat.S_ISREG(os.lstat(target).st_mode)


# Cleaning up.
def _hostile_tree(root, outside):
    """A folder left the worst way: deep, locked, with links out, a FIFO and odd names."""
    os.makedirs(root)
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(1500):  # about 6 000 characters of path: longer than PATH_MAX
            os.mkdir("deep", dir_fd=folder)
            child = os.open("deep", os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
            os.close(folder)
            folder = child
        os.symlink(outside, "link-out", dir_fd=folder)
    finally:
        os.close(folder)
    os.mkfifo(os.path.join(root, "results.json"))
    os.symlink("/dev/zero", os.path.join(root, "zero"))
    os.symlink(outside, os.path.join(root, "outside"))
    os.symlink(os.path.dirname(outside), os.path.join(root, "outside-folder"))
    for name in ("new\nline", "\udcff\udcfe not utf-8", " ", "-rf", ".hidden"):
        with open(os.path.join(os.fsencode(root), os.fsencode(name)), "w", encoding="utf-8") as handle:
            handle.write("x")
    locked = os.path.join(root, "locked", "inner")
    os.makedirs(locked)
    with open(os.path.join(locked, "file"), "w", encoding="utf-8") as handle:
        handle.write("x")
    os.chmod(locked, 0)
    os.chmod(os.path.dirname(locked), 0)
    os.chmod(root, 0)


@pytest.fixture
def job_folders_place(tmp_path):
    """A fresh folder on the file system where the sandbox makes its job folders, which :func:`sandbox.remove_tree`
    removes: a memory file system where there is one (there, removing a folder 1 500 deep takes a hundredth of
    the seconds it takes on a journaled disk), else ``tmp_path``."""
    parent = sandbox.job_folders_parent()
    if parent is None:
        yield tmp_path
        return
    folder = tempfile.mkdtemp(prefix="test-remove-tree-", dir=parent)
    try:
        yield pathlib.Path(folder)
    finally:
        for command in (["chmod", "-R", "u+rwx", folder], ["rm", "-rf", folder]):  # any depth, what a failure left
            subprocess.run(command, check=False, capture_output=True)


def test_remove_tree_removes_any_tree_and_nothing_outside(job_folders_place):
    outside = job_folders_place / "keep" / "precious.txt"
    outside.parent.mkdir()
    outside.write_text("keep me")
    root = str(job_folders_place / "left")
    _hostile_tree(root, str(outside))
    bounded(sandbox.remove_tree, root, seconds=60)
    assert not os.path.lexists(root) and outside.read_text() == "keep me"
    sandbox.remove_tree(root)  # gone already: nothing to do, nothing raised
    (job_folders_place / "file").write_text("x")
    sandbox.remove_tree(str(job_folders_place / "file"))
    assert not (job_folders_place / "file").exists()


# Real student code in the real sandbox.
FIND_PIPE = '''
import json, os, struct, sys
RESULT_FD = json.load(open(os.path.join(os.path.dirname(sys.argv[0]), "job.json")))["result_fd"]
def send(kind, payload):
    os.write(RESULT_FD, kind + struct.pack("<Q", len(payload)) + payload)
def send_results(header_bytes):
    send(b"R", struct.pack("<Q", len(header_bytes)) + header_bytes)
'''
FORGED_RECORD = f'''
import json, os
order = ["public", "wide_layers", "one_example", "many_examples"]
cases = {{c: {{"status": "ok", "error": None, "error_kind": None, "random_draws": False, "mutated": [],
              "output": {{"kind": "scalar", "key": c + "/expected", "type": "numpy.float64"}}}} for c in order}}
record = {{"cell_errors": [], "functions": {{"{COST}": {{"defined": True, "cases": cases}}}}}}
json.dump(record, open("results.json", "w"))
os.symlink("{ROOT}/graders/regularization/expected/{COST}.npz", "results.npz")
os._exit(0)
'''
STUB = f"def {COST}(A3, Y, parameters, lambd):\n    raise NotImplementedError()"
# (extra cell, solutions replaced, outcome): "honest" (every function passes), "no cost" (the stubbed cost
# fails, the rest passes) or "malformed" (every function fails with sandbox.MALFORMED).
ATTACKS = {
    "fifo-result-files": ('''
import os
for name in ("results.json", "results.npz", "progress.txt", "results.json.tmp"):
    os.mkfifo(name)
os._exit(0)
''', {}, "honest"),
    "dev-zero-result-files": ('''
import os
for name in ("results.json", "results.npz", "progress.txt"):
    os.symlink("/dev/zero", name)
os._exit(0)
''', {}, "honest"),
    "link-to-expected-arrays": (FORGED_RECORD, {COST: STUB}, "no cost"),
    "garbage-progress-file": ('''
import os
with open("progress.txt", "w") as handle:
    handle.write("cell x\\ncall \\0\\ncell 100000\\n" + "9" * 10000)
os._exit(0)
''', {}, "honest"),
    "garbage-progress-frame": (FIND_PIPE + 'send(b"P", b"cell x")', {}, "malformed"),
    "progress-frame-of-a-cell-not-sent": (FIND_PIPE + 'send(b"P", b"cell 100000")\nos._exit(0)', {}, "malformed"),
    "record-with-wrong-types": (FIND_PIPE + '''
send_results(json.dumps({"record": {"cell_errors": 5, "functions": {}}, "arrays": []}).encode())
os._exit(0)
''', {}, "malformed"),
    "record-with-cell-index-100000": (FIND_PIPE + '''
send_results(json.dumps({"record": {"cell_errors": [{"cell": 100000, "error": "x"}], "functions": {}},
                         "arrays": []}).encode())
os._exit(0)
''', {}, "malformed"),
    "record-nested-100000-deep": (FIND_PIPE + '''
send_results(b'{"record": ' + b"[" * 100000 + b"]" * 100000 + b', "arrays": []}')
os._exit(0)
''', {}, "malformed"),
    "oversize-stream": (FIND_PIPE + '''
block = (b"P" + struct.pack("<Q", 6) + b"cell 2") * 70000
for _ in range(80):
    os.write(RESULT_FD, block)
''', {}, "malformed"),
    "frame-claiming-an-exabyte": (FIND_PIPE + 'os.write(RESULT_FD, b"R" + struct.pack("<Q", 2 ** 60))', {},
                                  "malformed"),
    "frame-cut-short-then-exit": (FIND_PIPE + 'os.write(RESULT_FD, b"R" + struct.pack("<Q", 1000) + b"{")\n'
                                  'os._exit(0)', {}, "honest"),
    "deep-directory-tree": ('''
import os
home = os.getcwd()
for _ in range(1500):
    os.mkdir("d")
    os.chdir("d")
os.symlink("/", "root")
os.mkfifo("fifo")
os.chdir(home)
''', {}, "honest"),
    "locked-working-folder": ('''
import os
os.makedirs("locked/inner")
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
os.chmod(".", 0)
''', {}, "honest"),
    "fills-the-working-folder": ('''
import os
block = b"0" * (1 << 20)
try:
    for index in range(1000):
        with open(f"filler-{index}", "wb") as handle:
            handle.write(block * 16)
except OSError as error:
    print("stopped:", error)
''', {}, "honest"),
    "orphan-holds-the-pipe": (FIND_PIPE + '''
if os.fork() == 0:
    os.setsid()
    kept = os.dup(RESULT_FD)
    import time
    time.sleep(1000)
''', {}, "honest"),
}


def _check_outcome(verdicts, outcome):
    passed = {name: verdict.passed for name, verdict in verdicts.items()}
    if outcome == "malformed":
        assert not any(passed.values())
        assert all(verdict.message == f"{name}: {sandbox.MALFORMED}" for name, verdict in verdicts.items())
    else:
        assert passed == {name: outcome == "honest" or name != COST for name in GRADED_FUNCTIONS}, verdicts


def _job_folders(monkeypatch):
    """Record the job folders the sandbox creates (not the files every run of the process shares)."""
    created, mkdtemp = [], sandbox.tempfile.mkdtemp

    def recording(*args, **kwargs):
        folder = mkdtemp(*args, **kwargs)
        if not os.path.basename(folder).startswith(sandbox.SHARED_PREFIX):
            created.append(folder)
        return folder

    monkeypatch.setattr(sandbox.tempfile, "mkdtemp", recording)
    return created


@pytest.mark.parametrize("attack", ATTACKS, ids=ATTACKS)
def test_an_attack_on_the_grader_gains_nothing_and_harms_no_one_else(attack, monkeypatch):
    source, replaced, outcome = ATTACKS[attack]
    created = _job_folders(monkeypatch)
    notebook = make_submission({**reference_solutions(), **replaced}, extra_cells=[(2, source)])
    verdicts, cell_errors = bounded(grade_notebook, notebook)
    _check_outcome(verdicts, outcome)
    assert all(0 <= error["cell"] < len(notebook.cells) and isinstance(error["error"], str) for error in cell_errors)
    assert created and not any(os.path.lexists(folder) for folder in created)
    honest, _ = bounded(grade_notebook, make_submission(reference_solutions()))
    assert all(verdict.passed for verdict in honest.values())


@pytest.mark.parametrize("attack", ["deep-directory-tree", "locked-working-folder", "fifo-result-files",
                                    "garbage-progress-frame"])
def test_without_the_sandbox_the_work_folder_is_removed_however_it_was_left(attack, monkeypatch):
    monkeypatch.setenv("GRADER_SANDBOX", "none")
    source, replaced, outcome = ATTACKS[attack]
    created = _job_folders(monkeypatch)
    verdicts, _ = bounded(grade_notebook, make_submission({**reference_solutions(), **replaced},
                                                          extra_cells=[(2, source)]))
    _check_outcome(verdicts, outcome)
    assert created and not any(os.path.lexists(folder) for folder in created)


def test_the_student_has_a_private_capped_working_folder_with_the_helpers():
    source = f'''
import os, sys
def {COST}(A3, Y, parameters, lambd):
    checks = [os.getcwd() == os.environ["HOME"], os.access(".", os.W_OK), os.path.isfile("reg_utils.py"),
              os.path.isfile("datasets/data.mat"), not os.access("reg_utils.py", os.W_OK),
              not os.path.exists("{ROOT}/graders"), not os.path.exists("job.json")]
    try:
        for index in range(8):  # 256 MiB in files under the limit of one file's size
            with open(f"big-{{index}}", "wb") as handle:
                handle.write(b"0" * (32 << 20))
        checks.append(False)
    except OSError:
        checks.append(True)
    return float(sum(checks) * 1000 + len(checks))
'''
    notebook = make_submission({**reference_solutions(), COST: source})
    cases, arrays = worker_job(("public",))
    result = bounded(sandbox.run_submission, notebook, cases, arrays)
    assert sandbox.case_output(result, COST, "public") == 8008.0


# Two submissions graded at once by two threads of one process, as on a Dask worker. Both keep one timetable on
# the machine's monotonic clock, which the sandboxes share: the holder takes every process its user may run and
# keeps them until HOLD_UNTIL; the forker forks at FORK_AT, meanwhile. Each says when it did so. Seconds after the
# threads start (a sandbox starts in about 0.3 s on a busy machine, and the holder takes its processes in 0.1 s).
FORK_AT, HOLD_UNTIL = 1.5, 2.5
HOLDER = f'''
import os, time
children = 0
try:
    while children < 200:
        if os.fork() == 0:
            time.sleep(8)
            os._exit(0)
        children += 1
except OSError:
    pass
held = time.monotonic()
time.sleep(max(0.0, HOLD_UNTIL - held))
# graded functions see modules, not notebook variables
os.environ.update(COUNT=str(children), HELD=repr(held), RELEASED=repr(time.monotonic()))
def {COST}(A3, Y, parameters, lambd):
    return (os.getuid(), int(os.environ["COUNT"]), float(os.environ["HELD"]), float(os.environ["RELEASED"]))
'''
FORKER = f'''
import os, time
time.sleep(max(0.0, FORK_AT - time.monotonic()))
began = time.monotonic()
forked = 0
for _ in range(10):
    try:
        pid = os.fork()
    except OSError:
        continue
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    forked += 1
os.environ.update(COUNT=str(forked), BEGAN=repr(began), ENDED=repr(time.monotonic()))
def {COST}(A3, Y, parameters, lambd):
    return (os.getuid(), int(os.environ["COUNT"]), float(os.environ["BEGAN"]), float(os.environ["ENDED"]))
'''


def test_two_threads_grading_at_once_have_their_own_uids_and_process_limits():
    cases, arrays = worker_job(("public",))
    results = {}
    now = time.monotonic()
    timetable = f"FORK_AT = {now + FORK_AT!r}\nHOLD_UNTIL = {now + HOLD_UNTIL!r}\n"

    def grade(name, source):
        notebook = make_submission({**reference_solutions(), COST: timetable + source})
        results[name] = sandbox.run_submission(notebook, cases, arrays)

    threads = [threading.Thread(target=grade, args=item, daemon=True)
               for item in (("holder", HOLDER), ("forker", FORKER))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    holder_uid, holder_children, held, released = sandbox.case_output(results["holder"], COST, "public")
    forker_uid, forked, began, ended = sandbox.case_output(results["forker"], COST, "public")
    assert holder_children < sandbox.LIMITS["RLIMIT_NPROC"] <= holder_children + 2  # it reached its limit
    assert held < began and ended < released  # ... and kept its processes while the other forked
    assert forked == 10  # ... which does not count against the other submission
    if os.getuid() == 0:
        assert holder_uid != forker_uid and {holder_uid, forker_uid} <= set(sandbox.SANDBOX_UIDS)


NOT_RECORDED = "(not recordable: "
# A graded function's odd output: (expression returned, what the verdict's message says of it).
ODD_OUTPUTS = {
    "huge-array": ("np.zeros((1500, 1500))", NOT_RECORDED),
    "deep-list": ("functools.reduce(lambda inner, _: [inner], range(100), [])", NOT_RECORDED),
    "self-containing-list": ("functools.reduce(lambda box, _: box.append(box) or box, range(1), [])", NOT_RECORDED),
    "long-key": ('{"key" * 200: 1.0}', NOT_RECORDED),
    "many-values": ("[1.0] * 5000", NOT_RECORDED),
    "key-failing-to-format": ('{type("Key", (str,), {"__format__": lambda self, spec: 1 / 0})("k"): 1.0}',
                              NOT_RECORDED),
    "module-not-a-string": ('type("Odd", (), {"__module__": 5})()', "an object of type ?.Odd;"),
    "long-type-name": ('type("N" * 5000, (), {})()', "an object of type __main__." + "N" * 100),
}


@pytest.mark.parametrize("expression, said", ODD_OUTPUTS.values(), ids=ODD_OUTPUTS.keys())
def test_the_worker_never_sends_what_the_grader_refuses(expression, said):
    """An output too large, too deep or unreadable for the report fails alone, and says so."""
    source = f"import functools\nimport numpy as np\ndef {COST}(A3, Y, parameters, lambd):\n    return {expression}"
    verdicts, _ = bounded(grade_notebook, make_submission({**reference_solutions(), COST: source}))
    assert [name for name, verdict in verdicts.items() if not verdict.passed] == [COST]
    assert verdicts[COST].check == "type" and said in verdicts[COST].message
    assert len(verdicts[COST].message) < 1000


def test_a_function_that_changes_its_inputs_is_told_so():
    source = f"""
import numpy as np
def {COST}(A3, Y, parameters, lambd):
    m = Y.shape[1]
    cross_entropy = np.nansum(-(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))) / m
    penalty = sum(np.sum(np.square(parameters[name])) for name in ("W1", "W2", "W3")) * lambd / (2 * m)
    parameters["W1"][0, 0] += 1.0
    Y[0, 0] = 1 - Y[0, 0]
    return cross_entropy + penalty
"""
    verdicts, _ = bounded(grade_notebook, make_submission({**reference_solutions(), COST: source}))
    assert [name for name, verdict in verdicts.items() if not verdict.passed] == [COST]
    assert verdicts[COST].check == "inputs unchanged"
    assert "arguments/1, arguments/2/W1" in verdicts[COST].message


# Time limits are kept outside the sandbox; the cells a student added share a budget of their own.
# The tests that wait for a clock to run out set short ones (a busy loop burns a core until then): every step of
# an honest submission takes a few hundredths of a second at most, and the grader's grace still comes after.
SECONDS_PER_CALL = 1.0
SECONDS_PER_CELL = 1.5
EXTRA_CELLS_SECONDS = 1.5
STEP_GRACE_SECONDS = 0.5


@pytest.fixture
def short_clocks(monkeypatch):
    """The limits of time of a submission set to the values above for the test."""
    monkeypatch.setattr(sandbox, "SECONDS_PER_CALL", SECONDS_PER_CALL)
    monkeypatch.setattr(sandbox, "SECONDS_PER_CELL", SECONDS_PER_CELL)
    monkeypatch.setattr(sandbox, "EXTRA_CELLS_SECONDS", EXTRA_CELLS_SECONDS)
    monkeypatch.setattr(sandbox, "STEP_GRACE_SECONDS", STEP_GRACE_SECONDS)


SILENCE_THE_ALARM = ("import signal\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
                     "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n")
STOPPED_STEPS = {
    "call": ({COST: reference_solutions()[COST].replace(
        "    m = Y.shape[1]", "    " + SILENCE_THE_ALARM.replace("\n", "\n    ") + "while True: pass\n    m = Y.shape[1]")},
        f"calling it did not finish within {SECONDS_PER_CALL:g} s"),
    "cell": ({COST: reference_solutions()[COST] + "\n" + SILENCE_THE_ALARM + "while True: pass"},
             "is not defined"),
}


@pytest.mark.parametrize("step", STOPPED_STEPS, ids=STOPPED_STEPS)
def test_a_step_that_silences_the_alarm_is_stopped_by_the_graders_clock(step, short_clocks):
    replaced, said = STOPPED_STEPS[step]
    started = time.monotonic()
    verdicts, cell_errors = bounded(grade_notebook, make_submission({**reference_solutions(), **replaced}), seconds=40)
    assert time.monotonic() - started < 25
    assert said in verdicts[COST].message and not verdicts[COST].passed
    assert all(verdict.passed for name, verdict in verdicts.items() if name != COST)
    assert [error["error"] for error in cell_errors] == (
        [f"this cell did not finish within {SECONDS_PER_CELL:g} s; it was skipped"] if step == "cell" else [])


# Each slow cell takes 40 % of the added cells' budget: two fit in it, the third does not (20 % either side).
ADDED_CELLS = {
    "slow": [f"import time\ntime.sleep({0.4 * EXTRA_CELLS_SECONDS:g})"] * 4,
    "silencing-the-alarm": [SILENCE_THE_ALARM + "while True: pass", "x = 1"],
}


@pytest.mark.parametrize("added", ADDED_CELLS, ids=ADDED_CELLS)
def test_added_cells_share_a_budget_and_the_graded_functions_keep_theirs(added, short_clocks):
    notebook = make_submission(reference_solutions(), extra_cells=[(9, source) for source in ADDED_CELLS[added]])
    extra = sorted(sandbox.extra_cell_indices(notebook))
    assert len(extra) == len(ADDED_CELLS[added])
    started = time.monotonic()
    verdicts, cell_errors = bounded(grade_notebook, notebook, seconds=40)
    assert time.monotonic() - started < 20
    assert all(verdict.passed for verdict in verdicts.values()), verdicts
    stopped = extra[2:] if added == "slow" else extra  # two slow cells fit in the budget, the third does not
    assert cell_errors == [{"cell": index, "error": sandbox.EXTRA_CELLS_NOTE} for index in stopped]


def test_the_release_cells_are_not_added_cells():
    notebook = make_submission(reference_solutions(), extra_cells=[(9, "x = 1")])
    assert [notebook.cells[index].source for index in sandbox.extra_cell_indices(notebook)] == ["x = 1"]


# The memory of a submission, made small for the test that fills it (an honest submission uses under 20 MiB).
SUBMISSION_MEMORY_BYTES = 256 * 1024 ** 2
DOUBLE_BYTES = 8
# Four children of 60 % of a submission's memory each (written, then held while the others write theirs): each
# one fits, together they do not. One call of 125 % of it, under the address space a process may have.
FOUR_LARGE_CHILDREN = f"""\
import os, time, numpy as np
pids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        data = np.ones({int(0.6 * SUBMISSION_MEMORY_BYTES) // DOUBLE_BYTES})
        time.sleep(0.5)
        os._exit(0)
    pids.append(pid)
failed = sum(os.waitpid(pid, 0)[1] != 0 for pid in pids)
if failed:
    raise RuntimeError(f"{{failed}} of 4 children did not finish")
"""
LARGE_CALL = {COST: reference_solutions()[COST].replace(
    "    m = Y.shape[1]",
    f"    import numpy\n    hoard = numpy.ones({int(1.25 * SUBMISSION_MEMORY_BYTES) // DOUBLE_BYTES})\n    m = Y.shape[1]")}


@pytest.mark.skipif(sandbox.group_factory() is None, reason="no per-submission control groups on this machine")
def test_memory_is_limited_per_submission_not_per_process(monkeypatch):
    assert 1.25 * SUBMISSION_MEMORY_BYTES < sandbox.LIMITS["RLIMIT_AS"]  # the call is stopped by the group's limit
    monkeypatch.setattr(sandbox, "SUBMISSION_MEMORY_BYTES", SUBMISSION_MEMORY_BYTES)
    verdicts, cell_errors = bounded(grade_notebook, make_submission(reference_solutions(),
                                                                    extra_cells=[(9, FOUR_LARGE_CHILDREN)]))
    assert all(verdict.passed for verdict in verdicts.values())
    assert len(cell_errors) == 1 and "children did not finish" in cell_errors[0]["error"]
    verdicts, _ = bounded(grade_notebook, make_submission({**reference_solutions(), **LARGE_CALL}))
    gibibytes = SUBMISSION_MEMORY_BYTES / 1024 ** 3
    assert verdicts[COST].message.endswith(f"calling it used more than the {gibibytes:g} GiB of memory of a submission")
    assert all(verdict.passed for name, verdict in verdicts.items() if name != COST)


def _descends_from(pid, ancestor):
    """Whether process ``pid`` is a descendant of ``ancestor`` (another test run's sandboxes are not ours)."""
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return False
        if pid == ancestor:
            return True
    return False


def _sandboxed_worker():
    """The pid of a sandboxed worker this test process started (another test run's are not ours), or None."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
                uid = int(next(line for line in handle if line.startswith("Uid:")).split()[1])
            if uid not in sandbox.SANDBOX_UIDS:
                continue
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read()
        except (OSError, StopIteration, ValueError):
            continue
        if command.endswith(b"/grader/worker.py\0") and _descends_from(int(pid), os.getpid()):
            return int(pid)
    return None


# An added cell that says, in its working folder, when it starts, then takes a second (ample for a thread that
# looks every 20 ms to see it and kill the worker in it).
SLOW_CELL_STARTED = "slow-cell-started"
SLOW_CELL = f"import time\nopen({SLOW_CELL_STARTED!r}, 'w').close()\ntime.sleep(1)"


def _kill_the_first_worker_in_the_slow_cell(killed):
    """Kill, from outside, the first sandboxed worker of this test process once it runs :data:`SLOW_CELL`;
    append its pid to ``killed``."""
    deadline, worker = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        if worker is None or not os.path.exists(f"/proc/{worker}"):
            worker = _sandboxed_worker()
        elif os.path.exists(f"/proc/{worker}/cwd/{SLOW_CELL_STARTED}"):
            os.kill(worker, 9)
            killed.append(worker)
            return
        time.sleep(0.02)


@pytest.mark.skipif(not sandbox.sandboxed() or os.getuid() != 0, reason="needs the sandbox's own user ids")
def test_a_worker_killed_from_outside_is_the_machines_fault_not_the_students():
    notebook = make_submission(reference_solutions(), extra_cells=[(9, SLOW_CELL)])
    slow_cell, = sandbox.extra_cell_indices(notebook)
    killed = []
    killer = threading.Thread(target=_kill_the_first_worker_in_the_slow_cell, args=(killed,))
    killer.start()
    with pytest.raises(sandbox.SandboxUnavailable, match=rf"killed from outside \(exit status 137\) in cell "
                                                          rf"{slow_cell}, which ran through when run again"):
        bounded(grade_notebook, notebook)
    killer.join()
    assert len(killed) == 1
    verdicts, cell_errors = bounded(grade_notebook, notebook)
    assert all(verdict.passed for verdict in verdicts.values()) and cell_errors == []


def test_a_student_who_kills_their_own_process_loses_only_that_cell():
    notebook = make_submission(reference_solutions(),
                               extra_cells=[(9, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")])
    verdicts, cell_errors = bounded(grade_notebook, notebook)
    assert all(verdict.passed for verdict in verdicts.values())
    assert [error["error"] for error in cell_errors] == ["this cell ended the grading process; it was skipped"]


def _no_space(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("where, said", [("mkdtemp", "no folder for the sandbox's job (No space left on device)"),
                                         ("link_tree",
                                          "the sandbox's job could not be written (No space left on device)"),
                                         ("copy_student_files",
                                          "the sandbox's job could not be written (No space left on device)")])
def test_a_full_disk_is_the_machines_fault(where, said, monkeypatch):
    monkeypatch.setattr(sandbox, "_SHARED_JOB_FILES", [])  # the files every run shares are written again
    monkeypatch.setattr(sandbox.tempfile if where == "mkdtemp" else sandbox, where, _no_space)
    with pytest.raises(sandbox.SandboxUnavailable, match=re.escape(said)):
        grade_notebook(make_submission(reference_solutions()))


def _files_under(folder):
    return sorted((os.path.relpath(os.path.join(parent, name), folder), os.stat(os.path.join(parent, name)).st_ino)
                  for parent, _, names in os.walk(folder) for name in names)


def test_runs_read_one_set_of_shared_files_written_once_per_process_with_the_modules_compiled():
    cases, arrays = worker_job()
    shared = sandbox.shared_job_files(arrays)
    before = _files_under(shared)
    assert sandbox.shared_job_files(arrays) == shared
    assert os.path.isfile(os.path.join(shared, "files", "__pycache__",
                                       f"reg_utils.{sys.implementation.cache_tag}.pyc"))
    assert os.path.isfile(os.path.join(shared, "grader", "__pycache__", f"plain.{sys.implementation.cache_tag}.pyc"))
    with open(os.path.join(shared, "grader", sandbox.ARGUMENTS_FILE), "rb") as handle:
        _, decoded = decode_results(handle.read(), 1 << 30, 1 << 30, 64)
    assert decoded.keys() == arrays.keys() and all(np.array_equal(decoded[k], arrays[k]) for k in arrays)
    for _ in ("first run", "second run"):
        jobdir = sandbox._job_folder()
        sandbox.prepare_job(jobdir, CELLS, cases, arrays, None, 1)
        for part in ("grader", "files"):
            linked = dict(_files_under(os.path.join(jobdir, part)))
            assert all(linked[name] == inode for name, inode in _files_under(os.path.join(shared, part)))
        assert os.path.isfile(os.path.join(jobdir, "grader", "job.json"))
        sandbox.remove_tree(jobdir)
    assert _files_under(shared) == before


def _not_again(*args, **kwargs):
    raise AssertionError("a module this process compiled was compiled again")


def _bytecode_files(folder):
    found = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".pyc"):
                with open(os.path.join(parent, name), "rb") as handle:
                    found[os.path.relpath(os.path.join(parent, name), folder)] = handle.read()
    return found


SHARED_MODULES = {"grader/plain.py": "plain", "grader/stubs/matplotlib/pyplot.py": "matplotlib.pyplot",
                  "files/reg_utils.py": "reg_utils", "files/public_checks.py": "public_checks"}


@pytest.fixture(scope="module")
def shared_again():
    """``(first, again)``: the shared files of the cases, and the same written again in this process, which
    compiles nothing the second time (the bytecode it compiled the first time is written instead)."""
    cases, arrays = worker_job()
    first = sandbox.shared_job_files(arrays)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_SHARED_JOB_FILES", [])
        patch.setattr(sandbox.py_compile, "compile", _not_again)
        again = sandbox.shared_job_files(arrays)
    yield first, again
    sandbox.remove_tree(again)


def test_shared_files_written_again_hold_the_bytecode_compiled_the_first_time(shared_again):
    """Each copy of a module keeps its original's modification time, which its bytecode records: so the bytecode
    of one copy is valid for all of them."""
    first, again = shared_again
    originals = {"grader": sandbox.GRADERS_DIR, "files": sandbox.SOURCE_DIR}
    for path in SHARED_MODULES:
        part, name = path.split("/", 1)
        original = os.path.join(originals[part], name)
        assert os.stat(os.path.join(again, path)).st_mtime_ns == os.stat(original).st_mtime_ns
    compiled = _bytecode_files(again)
    assert again != first and compiled == _bytecode_files(first) and len(compiled) >= len(SHARED_MODULES)


@pytest.mark.parametrize("path", SHARED_MODULES, ids=SHARED_MODULES.values())
def test_python_imports_a_shared_module_from_the_bytecode_written_beside_it(path, shared_again):
    """The interpreter of a sandbox (which cannot write) loads the module compiled, with no compiling of its own:
    the bytecode is of the copy's source, time and size."""
    _, again = shared_again
    top = os.path.join(again, path.split("/")[0])
    paths = [top, os.path.join(top, "stubs")]
    module = SHARED_MODULES[path]
    script = f"import sys; sys.dont_write_bytecode = True; sys.path[:0] = {paths!r}; import {module}"
    run = subprocess.run([sys.executable, "-E", "-s", "-v", "-c", script], capture_output=True, text=True,
                         check=True)
    cached = os.path.join(os.path.dirname(os.path.join(again, path)), "__pycache__",
                          f"{os.path.splitext(os.path.basename(path))[0]}.{sys.implementation.cache_tag}.pyc")
    assert f"# code object from '{cached}'" in run.stderr


@pytest.mark.parametrize("rewritten, compiled", [(False, False), (True, True)], ids=["current", "stale"])
def test_a_copied_module_takes_the_bytecode_python_wrote_for_its_original_only_when_current(
        rewritten, compiled, tmp_path, monkeypatch):
    original, copy = tmp_path / "original" / "helpers.py", tmp_path / "copy" / "helpers.py"
    original.parent.mkdir()
    copy.parent.mkdir()
    original.write_text("ANSWER = 42\n")
    os.utime(original, (1_700_000_000, 1_700_000_000))
    py_compile_of_original = sandbox.py_compile.compile(str(original), doraise=True)
    if rewritten:  # the source changed after Python wrote its bytecode
        original.write_text("ANSWER = 43  # changed\n")
    sandbox.shutil.copy2(original, copy)
    calls, compile_ = [], sandbox.py_compile.compile

    def counted_compile(*args, **kwargs):
        calls.append(args)
        return compile_(*args, **kwargs)

    monkeypatch.setattr(sandbox, "_BYTECODE", {})
    monkeypatch.setattr(sandbox.py_compile, "compile", counted_compile)
    sandbox.compile_module(str(copy), str(original))
    with open(py_compile_of_original, "rb") as handle:
        written_for_original = handle.read()
    with open(sandbox.importlib.util.cache_from_source(str(copy)), "rb") as handle:
        written_for_copy = handle.read()
    assert bool(calls) is compiled and (written_for_copy == written_for_original) is not compiled
    assert sandbox.current_bytecode(str(copy), os.stat(copy)) == written_for_copy


def test_the_shared_files_of_a_process_are_removed_when_it_exits_a_pool_worker_included():
    from concurrent.futures import ProcessPoolExecutor

    script = "from graders import sandbox; print(sandbox.shared_job_files({}))"
    folder = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    own = [sandbox.shared_job_files({}) for _ in range(sandbox.MAX_SHARED_JOB_FILES)]
    with ProcessPoolExecutor(max_workers=1) as pool:  # a forked worker: it inherits this process's list
        pooled = pool.submit(sandbox.shared_job_files, {}).result()
    assert folder and pooled and not os.path.exists(folder) and not os.path.exists(pooled)
    assert all(os.path.isdir(shared) for shared in own)  # the worker neither used nor removed this process's


def test_job_folders_are_made_on_a_memory_file_system_when_there_is_one(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/vda / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n")
    assert sandbox.job_folders_parent.__wrapped__(str(mounts)) == "/dev/shm"
    mounts.write_text("/dev/vda / ext4 rw 0 0\n/dev/vda /dev/shm ext4 rw 0 0\n")
    assert sandbox.job_folders_parent.__wrapped__(str(mounts)) is None
    assert sandbox.job_folders_parent.__wrapped__(str(tmp_path / "absent")) is None
    folder = sandbox._job_folder()
    try:
        assert os.path.dirname(folder) == (sandbox.job_folders_parent() or sandbox.tempfile.gettempdir())
    finally:
        sandbox.remove_tree(folder)


@pytest.mark.parametrize("steps, broken", [(3, False), (4, True)])
def test_the_clock_stops_parsing_at_the_first_step_more_than_a_run_can_send(steps, broken):
    """A flood of well-formed steps costs the trusted side the reading only: past the run's most steps (its
    start, each cell, each call) the clock parses nothing more, as the report refuses it."""
    clock = sandbox.StepClock(max_steps=3)
    stream = sandbox.READY_FRAME + encode_frame(PROGRESS_FRAME, b"cell 1") * (steps - 1)
    flood = stream + encode_frame(PROGRESS_FRAME, b"cell 1") * 1000
    clock.feed(stream, 0.0)
    assert clock.broken is broken and clock.frames == steps
    clock.feed(flood, 1.0)
    assert clock.broken and clock.frames == steps + (0 if broken else 1)
    assert sandbox.most_steps(CELLS, CASES) == 1 + len(CELLS) + sum(len(c) for c in CASES.values())
