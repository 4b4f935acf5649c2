"""The untrusted side of grading: runs a student's code and records what their functions return.

This file runs inside the sandbox, next to the student's code, with only the
files a student has. It reads ``job.json`` and ``arguments.npz`` from the
current folder, executes the notebook's definition cells, calls each graded
function on every case and writes ``results.json`` and ``results.npz``:
plain data only. It judges nothing: the verdict is computed outside, by the
trusted grader, which treats everything written here as untrusted input.
"""
import copy
import json
import os
import resource
import signal
import sys
import traceback
import types

import numpy as np

from plain import flatten, unflatten

def drop_privileges(limits, uid):
    """Apply the resource limits and become the unprivileged user ``uid`` (when started as root)."""
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


class CellTimeout(BaseException):
    """Raised in a cell that runs past its time limit."""


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
        return f"did not finish within {seconds:g} s"
    except BaseException as error:  # a student's cell may raise anything, SystemExit included
        return describe_error(error)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def describe_error(error):
    """``Type: message`` on one line, shortened."""
    message = " ".join(str(error).split())
    if len(message) > 300:
        message = message[:300] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def strip_magics(source):
    """Drop IPython magic and shell lines; a cell magic drops the whole cell."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def mark_progress(step):
    """Record the step about to run, so that the grader can tell what ended the process if it dies."""
    with open("progress.txt", "a", encoding="utf-8") as handle:
        handle.write(step + "\n")


def execute_cells(cells, namespace, seconds):
    """Execute the definition cells in order; return the errors as ``[{"cell": index, "error": text}]``."""
    errors = []
    for index, source in cells:
        mark_progress(f"cell {index}")
        def run(source=source, index=index):
            exec(compile(strip_magics(source), f"cell {index}", "exec"), namespace)

        error = run_with_time_limit(run, seconds)
        if error is not None:
            errors.append({"cell": index, "error": error})
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
    return fresh


def random_state_fingerprint():
    state = np.random.get_state()
    return state[1].tobytes() + bytes([state[2] % 256])


def call_case(function, arguments, seconds):
    """Call ``function`` on a deep copy of ``arguments``; return ``(record, output)``."""
    call_arguments = copy.deepcopy(arguments)
    np.random.seed(0)
    before = random_state_fingerprint()
    outcome = {}

    def run():
        outcome["output"] = function(*call_arguments)

    error = run_with_time_limit(run, seconds)
    record = {"status": "ok" if error is None else "error", "error": error,
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


def grade_functions(job, namespace, arguments_arrays):
    """Call every graded function on every case; return the records and the output arrays."""
    fresh = without_data(namespace)
    records, arrays = {}, {}
    for function_name, cases in job["cases"].items():
        function = fresh.get(function_name)
        if not callable(function):
            records[function_name] = {"defined": False, "cases": {}}
            continue
        case_records = {}
        for case_id, spec in cases.items():
            if any(r["error"] and r["error"].startswith("did not finish") for r in case_records.values()):
                break  # one time-out is verdict enough; do not spend the budget on every case
            mark_progress(f"call {function_name}")
            arguments = unflatten(arguments_arrays, spec)
            record, output = call_case(function, arguments, job["seconds_per_call"])
            if record["status"] == "ok":
                output_arrays, record["output"] = flatten(output, f"{function_name}/{case_id}/output")
                arrays.update({key: np.array(value, copy=True) for key, value in output_arrays.items()})
            case_records[case_id] = record
        records[function_name] = {"defined": True, "cases": case_records}
    return records, arrays


def write_results(records, arrays, arrays_path, results_path):
    """Write the results atomically: the grader never reads a half-written file."""
    np.savez(arrays_path + ".tmp.npz", **arrays)
    os.replace(arrays_path + ".tmp.npz", arrays_path)
    with open(results_path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(records, handle)
    os.replace(results_path + ".tmp", results_path)


def main():
    worker_pid = os.getpid()
    with open("job.json", encoding="utf-8") as handle:
        job = json.load(handle)
    with np.load("arguments.npz", allow_pickle=False) as stored:
        arguments_arrays = {key: stored[key] for key in stored.files}
    results_path = os.path.abspath("results.json")
    arrays_path = os.path.abspath("results.npz")
    drop_privileges({name: int(value) for name, value in job["limits"].items()}, int(job["uid"]))
    sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs"), os.getcwd()]
    namespace = {"__name__": "__main__"}
    cell_errors = execute_cells(job["cells"], namespace, job["seconds_per_cell"])
    records, arrays = grade_functions(job, namespace, arguments_arrays)
    if os.getpid() == worker_pid:  # processes forked by the student's code do not report
        write_results({"cell_errors": cell_errors, "functions": records}, arrays, arrays_path, results_path)


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        traceback.print_exc()
        raise
    finally:
        sys.stdout.flush()
        os._exit(0)
