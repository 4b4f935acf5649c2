"""The untrusted side of grading: runs a student's code and records what their functions return.

This file runs inside the sandbox, next to the student's code, with only the
files a student has. It reads ``job.json`` and ``arguments.bin`` from its own
folder, executes the notebook's definition cells in the current folder, calls
each graded function on every case and reports on the pipe whose write end
the grader passed (``job["result_fd"]``): a progress frame before each step,
then one results frame of plain data (see :mod:`plain`). It writes no file
for the grader. It judges nothing: the verdict is computed outside, by the
trusted grader, which validates everything sent here as untrusted input.
"""
import gc

gc.disable()  # until the student's code runs (see start_collecting): what is imported first is never garbage
import copy
import difflib
import json
import linecache
import os
import re
import resource
import signal
import sys
import time
import types

import numpy as np

from plain import (CALL_SEED, MAX_NAME_CHARS, MAX_TEXT_CHARS, PROGRESS_FRAME, RESULTS_FRAME, MalformedOutput,
                   check_spec, decode_results, encode_frame, encode_results, flatten, type_name, unflatten)

# The output arrays of all cases together, and their specs as JSON; beyond, outputs are not recorded.
RESULTS_BUDGET_BYTES = 32 * 1024 ** 2
SPECS_BUDGET_BYTES = 8 * 1024 ** 2
UNRECORDABLE = " (not recordable: too large, too deep or unreadable)"


class Channel:
    """The write end of the grader's pipe; only the worker process itself writes to it."""

    def __init__(self, fd):
        self.fd = fd
        self.pid = os.getpid()
        os.set_inheritable(fd, False)

    def progress(self, step):
        """Record the step about to run, so that the grader can tell what ended the process if it dies."""
        self._send(encode_frame(PROGRESS_FRAME, step.encode()))

    def results(self, record, arrays):
        self._send(encode_frame(RESULTS_FRAME, encode_results(record, arrays)))

    def _send(self, data):
        if os.getpid() != self.pid:  # processes forked by the student's code do not report
            return
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


def drop_privileges(limits, uid):
    """Apply the resource limits; started as root with a ``uid``, become that user, owner of the working folder."""
    become = uid is not None and os.getuid() == 0
    if become:
        os.chown(".", uid, uid)
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    if become:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time limit."""


class ErrorText(str):
    """The one-line description of how a step failed, and its kind (one of ``plain.ERROR_KINDS``)."""

    def __new__(cls, text, kind):
        described = super().__new__(cls, text)
        described.kind = kind
        return described


def _on_alarm(signum, frame):
    raise CellTimeout()


def run_with_time_limit(action, seconds):
    """Run ``action()``; return ``None`` or a one-line description of how it failed."""
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        action()
        return None
    except CellTimeout:
        return ErrorText(f"did not finish within {seconds:g} s", "timeout")
    except BaseException as error:  # a student's cell may raise anything, SystemExit included
        return describe_error(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# What error descriptions may point at: the source of each cell run, and the names of the notebook's data.
CELL_SOURCES = {}
NOTEBOOK_DATA_NAMES = set()
MAX_CODE_SHOWN = 100


def describe_error(error):
    """``Type: message`` on one line, shortened, with where it happened in the student's own code.

    A SyntaxError names its line; a runtime error the innermost line of a notebook cell it passed through
    (the student's own function, never the helpers' or numpy's frames); a NameError says whether the name
    is a variable of the notebook (which graded functions do not see) or is close to a name that exists.
    """
    try:
        if isinstance(error, SyntaxError):
            message, where = error.msg or "invalid syntax", _syntax_line(error)
        else:
            message, where = " ".join(str(error).split()), _student_line(error.__traceback__)
        hint = _name_hint(error) if isinstance(error, NameError) else ""
    except BaseException:  # a student's exception may fail to describe itself, in any way
        message, where, hint = "(the message could not be shown)", "", ""
    if len(message) > 300:
        message = message[:300] + "..."
    text = (f"{type(error).__name__}: {message}" if message else type(error).__name__) + hint + where
    return ErrorText(text if len(text) <= MAX_TEXT_CHARS else text[:MAX_TEXT_CHARS - 3] + "...", error_kind(error))


def error_kind(error):
    """The kind of an exception a step raised (one of ``plain.ERROR_KINDS``), from the exception itself."""
    if isinstance(error, NotImplementedError):
        return "not_implemented"
    if isinstance(error, NameError) and not isinstance(error, UnboundLocalError):
        return "notebook_variable" if getattr(error, "name", None) in NOTEBOOK_DATA_NAMES else "undefined_name"
    if isinstance(error, TypeError) and _student_frame(error.__traceback__) is None and "argument" in str(error):
        return "signature"  # raised by the call itself, before any line of the student's function ran
    return "exception"


# Files a Jupyter kernel (ipykernel) compiles a notebook's cells under.
KERNEL_CELL_FILE = re.compile(r".*/ipykernel_\d+/\d+\.py|<ipython-input-\d+-[0-9a-f]+>")


def is_cell_file(filename):
    """Whether code compiled as ``filename`` is a notebook cell's: the worker's ``cell N``, or a kernel's."""
    return isinstance(filename, str) and (filename.startswith("cell ") or KERNEL_CELL_FILE.fullmatch(filename)
                                          is not None)


def _code_line(filename, line):
    """The stripped source of ``line`` (1-based) of the cell compiled as ``filename``, or ''."""
    if not is_cell_file(filename) or not isinstance(line, int):
        return ""
    if filename.startswith("cell "):
        lines = CELL_SOURCES.get(filename[len("cell "):], "").splitlines()
        code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    else:
        code = linecache.getline(filename, line).strip()
    return code if len(code) <= MAX_CODE_SHOWN else code[:MAX_CODE_SHOWN - 3] + "..."


def _syntax_line(error):
    code = _code_line(error.filename, error.lineno)
    return f" at line {error.lineno}" + (f": {code}" if code else "") if isinstance(error.lineno, int) else ""


def _student_frame(traceback_):
    """The innermost frame of the traceback that runs a notebook cell's code, or None."""
    found = None
    while traceback_ is not None:
        if is_cell_file(traceback_.tb_frame.f_code.co_filename):
            found = traceback_
        traceback_ = traceback_.tb_next
    return found


def _student_line(traceback_):
    frame = _student_frame(traceback_)
    if frame is None:
        return ""
    code = frame.tb_frame.f_code
    owner = "" if code.co_name == "<module>" else f"in {code.co_name}, "
    shown = _code_line(code.co_filename, frame.tb_lineno)
    return f" ({owner}line {frame.tb_lineno} of its cell" + (f": {shown})" if shown else ")")


def _name_hint(error):
    """What a missing name is: a variable of the notebook, or a likely typo of an existing name."""
    name = getattr(error, "name", None)
    if not isinstance(name, str):
        return ""
    if name in NOTEBOOK_DATA_NAMES:
        return f" ('{name}' is a variable of the notebook, which a graded function does not see)"
    frame = _student_frame(error.__traceback__)
    known = set(dir(__builtins__) if not isinstance(__builtins__, dict) else __builtins__)
    if frame is not None:
        known |= set(frame.tb_frame.f_code.co_varnames) | set(frame.tb_frame.f_globals)
    close = difflib.get_close_matches(name, sorted(known - {name}), n=1, cutoff=0.8)
    return f"; did you mean '{close[0]}'?" if close else ""


def strip_magics(source):
    """Blank IPython magic and shell lines (line numbers stay those of the cell); a cell magic blanks the cell."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def execute_cells(job, namespace, channel):
    """Execute the definition cells in order; return the errors as ``[{"cell": index, "error": text}]``.

    The cells the student added (``job["extra_cells"]``) share ``job["extra_cells_seconds"]``: once it is
    spent, the rest of them are skipped with ``job["extra_cells_note"]``.
    """
    errors = []
    extra, extra_left = set(job["extra_cells"]), job["extra_cells_seconds"]
    for index, source in job["cells"]:
        if index in extra and extra_left <= 0:
            errors.append({"cell": index, "error": job["extra_cells_note"]})
            continue
        channel.progress(f"cell {index}")
        CELL_SOURCES[str(index)] = strip_magics(source)

        def run(source=source, index=index):
            exec(compile(strip_magics(source), f"cell {index}", "exec"), namespace)

        limit = min(job["seconds_per_cell"], extra_left) if index in extra else job["seconds_per_cell"]
        began = time.monotonic()
        error = run_with_time_limit(run, limit)
        if index in extra:
            extra_left -= time.monotonic() - began
            if error is not None and error.kind == "timeout" and limit < job["seconds_per_cell"]:
                extra_left, error = 0, job["extra_cells_note"]
        if error is not None:
            errors.append({"cell": index, "error": str(error)})
    return errors


def without_data(namespace):
    """A copy of the notebook namespace with its functions, classes and modules only.

    Functions are rebound to the copy, so a graded function that reads a
    notebook variable (``keep_prob``, ``m``, ``train_X``...) fails with a NameError.
    """
    fresh = {"__builtins__": namespace.get("__builtins__", __builtins__), "__name__": "__main__"}
    for name, value in namespace.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            fresh[name] = types.FunctionType(value.__code__, fresh, value.__name__, value.__defaults__,
                                             value.__closure__)
            fresh[name].__kwdefaults__ = value.__kwdefaults__
        elif isinstance(value, (types.ModuleType, type, types.BuiltinFunctionType)) or callable(value):
            fresh[name] = value
    NOTEBOOK_DATA_NAMES.update(name for name in namespace if name not in fresh)  # for describe_error's hints
    return fresh


def start_collecting():
    """Collect garbage from here on, as any Python process does, leaving out what the worker has made so far.

    The worker starts with the garbage collector off: its imports (numpy's above all) make tens of thousands of
    objects that live as long as the process, and collecting them again and again costs milliseconds of CPU.
    They are frozen (:func:`gc.freeze`) before the student's code runs, with the collector back on and its
    thresholds unchanged, so that every object the student's code makes is collected as usual and the
    collections no longer walk the worker's own.
    """
    gc.freeze()
    gc.enable()


def random_state_fingerprint():
    state = np.random.get_state()
    return state[1].tobytes() + bytes([state[2] % 256])


def call_case(function, arguments, seconds):
    """Call ``function`` on a deep copy of ``arguments``; return ``(record, output)``."""
    call_arguments = copy.deepcopy(arguments)
    np.random.seed(CALL_SEED)
    before = random_state_fingerprint()
    outcome = {}

    def run():
        outcome["output"] = function(*call_arguments)

    error = run_with_time_limit(run, seconds)
    record = {"status": "ok" if error is None else "error", "error": None if error is None else str(error),
              "error_kind": None if error is None else error.kind,
              "random_draws": random_state_fingerprint() != before,
              "mutated": mutated_arguments(arguments, call_arguments)}
    return record, outcome.get("output")


def mutated_arguments(original, used):
    """Paths of the array arguments whose values the call changed in place."""
    original_arrays, _ = flatten(tuple(original), "arguments")
    used_arrays, _ = flatten(tuple(used), "arguments")
    return sorted(key for key, value in original_arrays.items()
                  if key not in used_arrays or used_arrays[key].shape != value.shape
                  or not np.array_equal(used_arrays[key], value, equal_nan=True))


def record_output(output, prefix, budget):
    """``(spec, arrays)`` of an output, or an object marked :data:`UNRECORDABLE` when the grader would refuse it.

    ``budget`` is ``[array bytes, spec bytes]`` the outputs recorded so far left free; it is updated.
    """
    try:
        output_arrays, spec = flatten(output, prefix)
        check_spec(spec, output_arrays, prefix)
        cost = [sum(np.asarray(value).nbytes for value in output_arrays.values()),
                len(json.dumps(spec)) + sum(len(key) + 64 for key in output_arrays)]
        if cost[0] > budget[0] or cost[1] > budget[1]:
            raise MalformedOutput("over the budget of the results")
    except Exception:  # too large, too deep, or a student's object failing in any way while it is read
        return {"kind": "other", "type": type_name(output)[:MAX_NAME_CHARS - len(UNRECORDABLE)] + UNRECORDABLE}, {}
    budget[0] -= cost[0]
    budget[1] -= cost[1]
    return spec, {key: np.array(value, copy=True) for key, value in output_arrays.items()}


def grade_functions(job, namespace, arguments_arrays, channel):
    """Call every graded function on every case; return the records and the output arrays."""
    fresh = without_data(namespace)
    records, arrays = {}, {}
    budget = [RESULTS_BUDGET_BYTES, SPECS_BUDGET_BYTES]
    for function_name, cases in job["cases"].items():
        function = fresh.get(function_name)
        if not callable(function):
            records[function_name] = {"defined": False, "cases": {}}
            continue
        case_records = {}
        for case_id, spec in cases.items():
            if any(r["error_kind"] == "timeout" for r in case_records.values()):
                break  # one time-out is verdict enough; do not spend the budget on every case
            channel.progress(f"call {function_name}")
            arguments = unflatten(arguments_arrays, spec)
            record, output = call_case(function, arguments, job["seconds_per_call"])
            if record["status"] == "ok":
                record["output"], output_arrays = record_output(output, f"{function_name}/{case_id}/output",
                                                                budget)
                arrays.update(output_arrays)
            case_records[case_id] = record
        records[function_name] = {"defined": True, "cases": case_records}
    return records, arrays


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "job.json"), encoding="utf-8") as handle:
        job = json.load(handle)
    with open(os.path.join(here, "arguments.bin"), "rb") as handle:
        _, arguments_arrays = decode_results(handle.read(), 1 << 62, 1 << 62, 1 << 62)
    channel = Channel(int(job["result_fd"]))
    drop_privileges({name: int(value) for name, value in job["limits"].items()}, job["uid"])
    start_collecting()
    channel.progress("ready")  # no student code has run yet: a run that never says this is the machine's fault
    sys.path[:0] = [os.path.join(here, "stubs"), os.getcwd()]
    namespace = {"__name__": "__main__"}
    cell_errors = execute_cells(job, namespace, channel)
    records, arrays = grade_functions(job, namespace, arguments_arrays, channel)
    channel.results({"cell_errors": cell_errors, "functions": records}, arrays)


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        import traceback  # only for the worker's own failure, written for the instructor

        traceback.print_exc()
        raise
    finally:
        sys.stdout.flush()
        os._exit(0)
