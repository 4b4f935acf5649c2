"""Check a notebook before submitting it: the visible tests, then the public checks.

1. The notebook runs in a fresh Jupyter kernel, from a temporary folder
   holding its helpers, without the training cells: every definition cell
   and every visible test cell. The kernel is sandboxed like the grader's
   worker: under bubblewrap, with no network, in its own PID namespace,
   seeing only the Python installation and that folder, as an unprivileged
   user when started as root, with limits on memory, CPU time, file size
   and processes. Errors are reported per cell.
2. The four functions are graded on the public cases only, by the same
   sandboxed grader and with the same wording as the autograder. Nothing
   about the hidden cases is revealed. (The release's own check,
   ``python public_tests.py NOTEBOOK``, prints the same lines without the
   repository: see :mod:`graders.public_check`.)

Exit status 0 when every public check passes, 1 otherwise, 2 when the file
cannot be read or the sandbox cannot be set up.
Usage: ``python -m graders.validate NOTEBOOK``

``GRADER_SANDBOX=none`` runs the kernel (and the grader) without the sandbox,
as the caller: only for notebooks you trust.
"""
import argparse
import copy
import json
import os
import shutil
import sys
import tempfile

from graders.grading import grade_notebook
from graders.intake import UnreadableSubmission, read_notebook
from graders.notebook import GRADED_FUNCTIONS, grade_id
from graders.public_check import verdict_line
from graders.sandbox import (BLAS_KERNEL_VARIABLES, LIMITS, THREAD_VARIABLES, SandboxUnavailable,
                             copy_student_files, traversable_parents)

PUBLIC_CASES = ("public",)
KERNEL_NAME = "sandboxed-python"
KERNEL_UID_BASE = 100000
KERNEL_LIMITS = LIMITS  # the grading sandbox's limits
# The first program run in the sandbox: apply the limits, leave root for the unprivileged user, start the kernel.
# Arguments: the user id, the limits as JSON, the connection file, then the kernel's own arguments.
KERNEL_LAUNCHER = """\
import json, os, resource, sys
uid, limits, connection_file = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
for name, value in limits.items():
    resource.setrlimit(getattr(resource, name), (value, value))
if os.getuid() == 0:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if 0 in (os.getuid(), os.geteuid(), os.getgid(), os.getegid()):
        sys.exit("the kernel did not leave the root user")
os.execv(sys.executable, [sys.executable, "-s", "-m", "ipykernel_launcher", "-f", connection_file, *sys.argv[4:]])
"""


def sandboxed():
    """Whether student code runs in the sandbox (always, unless ``GRADER_SANDBOX=none``)."""
    return os.environ.get("GRADER_SANDBOX") != "none"


def kernel_uid():
    """The unprivileged user id the kernel runs as when validation is started as root.

    Made from this process's id, so no two validations running at the same time share it, nor the process
    limit that counts per user id.
    """
    return KERNEL_UID_BASE + os.getpid()


def kernel_command(work, uid):
    """The kernelspec argv running an IPython kernel sandboxed in ``work`` (the folder with the student's files).

    ``{connection_file}`` is filled in by jupyter_client; the file and the kernel's local sockets lie in ``work``,
    the only folder the kernel can write to. ``uid`` is the user the kernel becomes when started as root.
    """
    if not sandboxed():
        return [sys.executable, "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: student code is never run outside the "
                                 "sandbox (set GRADER_SANDBOX=none only for trusted notebooks)")
    prefix, base = os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)
    if os.getuid() == 0:
        identity = ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:  # an unprivileged caller: bwrap maps it to itself in a new user namespace, which cannot nest another
        identity = ["--unshare-user", "--disable-userns"]
    command = [bwrap, *identity, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv",
               "--ro-bind", "/usr", "/usr", "--perms", "0755", "--dir", "/etc",
               "--ro-bind-try", "/etc/alternatives", "/etc/alternatives", "--ro-bind-try", "/etc/fonts", "/etc/fonts",
               "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
               *traversable_parents((base, prefix, work)),
               "--ro-bind", base, base, "--ro-bind", prefix, prefix, "--bind", work, work, "--chdir", work]
    # JPY_PARENT_PID: the kernel's parent is the sandbox's init; the sandbox ends with this process (--die-with-parent)
    environment = {"HOME": work, "TMPDIR": work, "PATH": f"{prefix}/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                   "JPY_PARENT_PID": "1", "IPYTHONDIR": os.path.join(work, ".ipython"),
                   "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(work, ".mpl"),
                   **{variable: "1" for variable in THREAD_VARIABLES},
                   **{name: os.environ[name] for name in BLAS_KERNEL_VARIABLES if name in os.environ}}
    for name, value in environment.items():
        command += ["--setenv", name, value]
    return command + [interpreter_in(prefix), "-s", "-c", KERNEL_LAUNCHER, str(uid), json.dumps(KERNEL_LIMITS),
                      "{connection_file}"]


def interpreter_in(prefix):
    """This interpreter's path inside the sandbox, where its environment is bound at its real path ``prefix``: a
    virtualenv reached through a link (``sys.executable`` then names the link) is run from its real folder."""
    python = os.path.join(prefix, "bin", os.path.basename(sys.executable))
    return python if os.path.exists(python) else sys.executable


def run_visible_tests(notebook, timeout=120):
    """Execute the notebook without its training cells in a fresh sandboxed kernel; return ``[(label, error)]``.

    The kernel runs in a temporary folder holding the files students have beside the notebook.
    """
    with tempfile.TemporaryDirectory(prefix="validate-") as folder:
        work = os.path.join(folder, "work")
        os.makedirs(work)
        copy_student_files(work)
        return _execute(notebook, folder, work, timeout)


def _execute(notebook, folder, work, timeout):
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    runnable = copy.deepcopy(notebook)
    runnable.cells = [cell for cell in runnable.cells
                      if not (grade_id(cell) or "").startswith(("run_", "test_"))]
    uid = kernel_uid()
    spec_folder = os.path.join(folder, "kernels", KERNEL_NAME)
    os.makedirs(spec_folder)
    with open(os.path.join(spec_folder, "kernel.json"), "w", encoding="utf-8") as handle:
        json.dump({"argv": kernel_command(work, uid), "display_name": "Python (sandboxed)", "language": "python"},
                  handle)
    # local sockets in the kernel's folder: no TCP port is opened, and the sandbox (with no network) reaches them
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(work, "kernel"),
                                 connection_file=os.path.join(work, "kernel.json"),
                                 kernel_spec_manager=KernelSpecManager(kernel_dirs=[os.path.dirname(spec_folder)]))
    manager.write_connection_file()
    if sandboxed() and os.getuid() == 0:
        _give_to(work, uid)
    client = NotebookClient(runnable, km=manager, timeout=timeout, allow_errors=True,
                            extra_arguments=["--HistoryManager.hist_file=:memory:"],
                            resources={"metadata": {"path": work}})
    failures = []
    try:
        client.execute(cleanup_kc=True)
    except DeadKernelError:
        failures.append(("your notebook", "DeadKernelError: the kernel died (a cell ended it, or it used up its "
                                          f"{KERNEL_LIMITS['RLIMIT_CPU']} s of CPU time); the cells after it did "
                                          "not run"))
    except CellTimeoutError:
        failures.append(("your notebook", f"CellTimeoutError: a cell ran longer than {timeout} s; the cells after "
                                          "it did not run"))
    for cell in runnable.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                failures.append((grade_id(cell) or "your cell", f"{output['ename']}: {output['evalue']}"))
    return failures


def _give_to(folder, uid):
    """Make ``folder`` and everything in it belong to ``uid``: the kernel's user writes there, and nowhere else."""
    for parent, _, files in os.walk(folder):
        os.chown(parent, uid, uid)
        for name in files:
            os.chown(os.path.join(parent, name), uid, uid)


def shown_error(label, error, verdicts):
    """The error of a visible test cell as the report shows it: a cell that failed with its function's public
    check (``test_<function>`` or ``public_test_<function>``) points to that check, shown once, below."""
    for prefix in ("public_test_", "test_"):
        function = label[len(prefix):] if label.startswith(prefix) else None
        verdict = verdicts.get(function)
        if verdict is not None and not verdict.passed and verdict.message in error:
            return f"the public check of {function} fails (its message is below)"
    return error


def validate(path):
    """Print the report for the notebook at ``path``; return the exit status."""
    try:
        notebook = read_notebook(path)
    except UnreadableSubmission as problem:
        print(f"{path}: {problem}")
        return 2
    print(f"Validating {path}")
    print("Visible tests (fresh kernel, training cells skipped):")
    failures = run_visible_tests(notebook)
    verdicts, _ = grade_notebook(notebook, case_ids=PUBLIC_CASES)
    for label, error in failures:
        print(f"  error in {label}: {shown_error(label, error, verdicts)}")
    if not failures:
        print("  every cell ran without error")
    print("Public checks (the autograder's checks and wording, on the public cases only):")
    for name in GRADED_FUNCTIONS:
        verdict = verdicts[name]
        print(verdict_line(verdict))
    passed = all(v.passed for v in verdicts.values())
    print("All public checks pass. Hidden cases are checked when the notebook is graded." if passed
          else "Fix the failures above before submitting.")
    return 0 if passed else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    args = parser.parse_args(argv)
    try:
        status = validate(args.notebook)
    except SandboxUnavailable as problem:
        print(f"validate: {problem}", file=sys.stderr)
        status = 2
    sys.exit(status)


if __name__ == "__main__":
    main()
