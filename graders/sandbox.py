"""The trusted side of running a submission: a sandboxed worker process and what it reports.

Each submission runs in a fresh process under bubblewrap (``bwrap``): no
network, its own PID namespace, only the Python installation visible, the
grader's files and the gradebook absent. Its working folder (also its home)
is a private, size-capped tmpfs holding read-only copies of the files a
student has (helpers and data); the worker and its job are mounted read-only
elsewhere. Nothing the student writes reaches the host, so the trusted side
only ever removes a folder it wrote itself. Inside, the worker drops to an
unprivileged user with limits on memory, CPU time, file size and processes.

Every sandbox running at the same time has a user id of its own, from
:data:`SANDBOX_UIDS` (see :class:`UidPool`), so the process limit of one
submission (a fork bomb) never counts another's processes, whether they run
in other processes or in other threads of this one.

The worker reports on a pipe: this side creates it and passes only its write
end into the sandbox. It reads the pipe with a byte cap and never past the
wall-clock limit, at which it kills the whole process group; it never opens
a path the student could have chosen. What arrives is untrusted bytes: the
frames (see :mod:`graders.plain`) are decoded with caps and the record is
validated against the job. Anything that does not validate gives that
submission the verdict :data:`MALFORMED` on every function. If the process
dies, the step that killed it (a cell, or a graded function) is left out and
the rest is run again, so one ``os._exit`` costs only what it broke.

``GRADER_SANDBOX=none`` runs the worker without bubblewrap, as the caller, in
a folder of the job: only for notebooks you trust.
"""
import contextlib
import fcntl
import functools
import importlib.util
import json
import math
import os
import py_compile
import re
import select
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from graders.notebook import NON_DEFINITION_PREFIXES, SOURCE_DIR, grade_id
from graders.cgroups import find_factory
from graders.errors import SandboxUnavailable
from graders.plain import (ERROR_KINDS, FRAME, MAX_TEXT_CHARS, PROGRESS_FRAME, MalformedOutput, check_spec,
                           decode_results, encode_frame, encode_results, is_text, iter_frames, leaf_keys,
                           nesting_depth, unflatten)
from graders.settings import limits

GRADERS_DIR = os.path.dirname(os.path.abspath(__file__))
WORKER_FILES = ("worker.py", "plain.py")
# Sandbox user ids: above 100000 + any pid (pid_max is at most 2**22), the ids other tools derive from a pid.
SANDBOX_UID_BASE = 100000 + 2 ** 22
SANDBOX_UIDS = range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + 4096)
# The limits of one submission are traitlets set in nbgrader_config.py (graders.settings.GradingLimits).
GRADING_LIMITS = limits()
LIMITS = {
    "RLIMIT_AS": GRADING_LIMITS.address_space_bytes,
    "RLIMIT_CPU": GRADING_LIMITS.cpu_seconds,
    "RLIMIT_FSIZE": GRADING_LIMITS.file_bytes,
    "RLIMIT_NPROC": GRADING_LIMITS.processes,
    "RLIMIT_CORE": 0,
}
# Memory and processes of one submission together (a control group, see :mod:`graders.cgroups`).
SUBMISSION_MEMORY_BYTES = GRADING_LIMITS.memory_bytes
# The worker's own user may run RLIMIT_NPROC processes; the group also holds bubblewrap's own few.
SUBMISSION_PROCESSES = LIMITS["RLIMIT_NPROC"] + 8
SECONDS_PER_CELL = GRADING_LIMITS.seconds_per_cell
SECONDS_PER_CALL = GRADING_LIMITS.seconds_per_call
# The cells a student added (no grade id) share this budget; when it runs out the rest of them are skipped.
EXTRA_CELLS_SECONDS = GRADING_LIMITS.extra_cells_seconds
SECONDS_PER_SUBMISSION = GRADING_LIMITS.seconds_per_submission
# The grader stops a step this long after the worker's own timer should have: the worker's timer is a
# courtesy (no restart needed); the grader's clock, outside the sandbox, is the limit.
STEP_GRACE_SECONDS = GRADING_LIMITS.step_grace_seconds
EXTRA_CELLS_NOTE = (f"the cells you added share {EXTRA_CELLS_SECONDS:g} s and had used them up, so this cell was "
                    f"stopped or not run; the graded functions have a time of their own")
MAX_RESTARTS = 4
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
BLAS_KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Inside the sandbox: the student's working folder and home (a tmpfs of WORK_AREA_BYTES), the worker's folder.
SANDBOX_WORKDIR = "/home/student"
SANDBOX_GRADER = "/grader"
WORK_AREA_BYTES = GRADING_LIMITS.work_area_bytes
# What the trusted side accepts from one run.
MAX_STREAM_BYTES = GRADING_LIMITS.output_bytes
MAX_HEADER_BYTES = 16 * 1024 ** 2
MAX_ARRAYS = 50_000
MAX_RECORD_DEPTH = 48
MAX_STEP_BYTES = 128
MAX_MUTATED = 64
DRAIN_SECONDS = 5.0
MALFORMED = "the grading output of this submission was malformed"
STEP = re.compile(r"cell (0|[1-9][0-9]{0,8})|call ([A-Za-z_][A-Za-z0-9_]{0,99})|(ready)")
MAX_STDERR_SHOWN = 300
READY_FRAME = encode_frame(PROGRESS_FRAME, b"ready")
CASE_KEYS = {"status", "error", "error_kind", "random_draws", "mutated"}  # plain.CaseRecord
FRAME_HEADER_BYTES = FRAME.size


@dataclass
class RunResult:
    """What the worker reported about one submission (untrusted data, validated).

    ``malformed`` says why the report was refused, when it was: every function then fails with
    :data:`MALFORMED`.
    """

    functions: dict = field(default_factory=dict)
    cell_errors: list = field(default_factory=list)
    crashed_functions: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    malformed: str | None = None


@dataclass
class RunReport:
    """The validated report of one sandboxed run.

    Attributes
    ----------
    results : tuple or None
        ``(cell_errors, functions, arrays)`` when the worker finished.
    step : tuple or None
        The last step it started: ``("cell", index)`` or ``("call", function name)``.
    malformed : str or None
        Why the report was refused.
    """

    results: tuple | None = None
    step: tuple | None = None
    malformed: str | None = None
    ready: bool = False
    stopped: tuple | None = None
    memory_killed: bool = False
    exit_status: int | None = None
    peak_memory: int = 0


class StepClock:
    """The time limit of each step of a run, kept outside the sandbox from the progress frames as they arrive.

    A step starts when its frame arrives: a release cell has :data:`SECONDS_PER_CELL`, a cell the student
    added (one of ``extra_cells``) the smaller of that and what is left of :data:`EXTRA_CELLS_SECONDS`, a
    call :data:`SECONDS_PER_CALL`; each one :data:`STEP_GRACE_SECONDS` more, for the worker's own timer to
    act first. Nothing the student's code does inside changes these clocks: resetting ``setitimer``, a
    handler of ``SIGALRM`` or a forged progress frame (each frame starts a step this side counts; the
    report refuses more frames than steps) leaves the step and the whole run bounded.

    Parameters
    ----------
    extra_cells : set of int
        Indices of the cells the student added.
    """

    def __init__(self, extra_cells=frozenset(), max_steps=None):
        self.extra_cells = set(extra_cells)
        self.extra_left = EXTRA_CELLS_SECONDS
        self.max_steps = max_steps
        self.step = None
        self.started = None
        self.limit = None
        self.parsed = 0
        self.frames = 0
        self.broken = False

    def feed(self, data, now):
        """Read the frames completed in ``data`` (all bytes so far) since the last call; ``now`` is their time.

        The stream is ``broken`` from the first frame :func:`parse_report` would refuse as such: one that is not
        a frame or a step, or a progress frame beyond ``max_steps`` (the run's cells and calls and its start),
        counted as :func:`parse_report` counts them. What follows is never parsed.
        """
        if self.broken:
            return
        try:
            for kind, payload in iter_frames(memoryview(data)[self.parsed:], MAX_STREAM_BYTES):
                self.parsed += FRAME_HEADER_BYTES + len(payload)
                self.frames += 1
                if kind == PROGRESS_FRAME and self.max_steps is not None and self.frames > self.max_steps:
                    raise MalformedOutput("more progress steps than cells and calls")
                self._begin(parse_step(payload, None, None) if kind == PROGRESS_FRAME else None, now)
        except MalformedOutput:
            self.broken = True
            self._begin(None, now)

    def _begin(self, step, now):
        if self.step is not None and self.step[0] == "cell" and self.step[1] in self.extra_cells:
            self.extra_left -= now - self.started
        self.step, self.started, self.limit = step, now, None
        if step is None or step[0] == "ready":
            return
        if step[0] == "call":
            self.limit = SECONDS_PER_CALL
        elif step[1] in self.extra_cells:
            self.limit = max(0.0, min(SECONDS_PER_CELL, self.extra_left))
        else:
            self.limit = SECONDS_PER_CELL

    def deadline(self):
        """When the current step must end (a :func:`time.monotonic` time), or None when no step is timed."""
        return None if self.limit is None else self.started + self.limit + STEP_GRACE_SECONDS


def definition_cells(notebook):
    """``[(index, source)]`` of the code cells grading executes: all but model runs and tests."""
    return [(index, cell.source) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and not (grade_id(cell) or "").startswith(NON_DEFINITION_PREFIXES)]


def sandboxed():
    """Whether student code runs under bubblewrap (always, unless ``GRADER_SANDBOX=none``)."""
    return os.environ.get("GRADER_SANDBOX") != "none"


@functools.lru_cache(maxsize=None)
def _bwrap():
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: student code is never run outside the "
                           "sandbox (set GRADER_SANDBOX=none only for trusted notebooks)")
    usage = subprocess.run([bwrap, "--help"], capture_output=True, text=True, check=False)
    if "--size" not in usage.stdout + usage.stderr:
        raise SandboxUnavailable(f"{bwrap} is too old: bubblewrap 0.8 or later is needed (for --size)")
    return bwrap


def sandbox_command(jobdir):
    """The command line that runs the worker of the job in ``jobdir`` (see :func:`prepare_job`).

    Under bubblewrap, the student's working folder is a fresh tmpfs with the files of ``jobdir/files``
    bound read-only into it; without the sandbox, it is ``jobdir/work``.
    """
    flags = ["-E", "-s", "-X", "faulthandler"]
    if not sandboxed():
        return [sys.executable, *flags, os.path.join(jobdir, "grader", "worker.py")]
    prefix = sys.prefix
    base = os.path.realpath(sys.base_prefix)
    files = os.path.join(jobdir, "files")
    command = [_bwrap(), "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--die-with-parent", "--new-session", "--cap-drop", "ALL",
               "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN",
               "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc/alternatives", "/etc/alternatives",
               "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
               *traversable_parents((base, prefix, SANDBOX_WORKDIR)),
               "--ro-bind", base, base, "--ro-bind", prefix, prefix,
               "--ro-bind", os.path.join(jobdir, "grader"), SANDBOX_GRADER,
               "--perms", "0700", "--size", str(WORK_AREA_BYTES), "--tmpfs", SANDBOX_WORKDIR]
    for name in sorted(os.listdir(files)):
        command += ["--ro-bind", os.path.join(files, name), os.path.join(SANDBOX_WORKDIR, name)]
    command += ["--chdir", SANDBOX_WORKDIR]
    for name, value in sandbox_environment(SANDBOX_WORKDIR).items():
        command += ["--setenv", name, value]
    return command + [sys.executable, *flags, os.path.join(SANDBOX_GRADER, "worker.py")]


def sandbox_environment(workdir):
    """The environment of the student's process: nothing of the caller's but the BLAS kernel choice.

    ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` are passed on when set: on some processors they are what
    makes OpenBLAS compute correctly, and the student's code must run on the kernel the grader runs on.
    """
    return {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": workdir, "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": os.path.join(workdir, ".mpl"), **{variable: "1" for variable in THREAD_VARIABLES},
            **{name: os.environ[name] for name in BLAS_KERNEL_VARIABLES if name in os.environ}}


def traversable_parents(paths):
    """bwrap arguments creating the parent folders of ``paths`` readable by the sandbox user."""
    parents = set()
    for path in paths:
        parent = os.path.dirname(path)
        while parent not in ("/", ""):
            parents.add(parent)
            parent = os.path.dirname(parent)
    arguments = []
    for parent in sorted(parents, key=lambda p: p.count("/")):
        arguments += ["--perms", "0755", "--dir", parent]
    return arguments


def copy_student_files(destination):
    """Copy the files a student has beside the notebook (helpers, public cases, data) into ``destination``.

    The copies keep their modification times, so that every copy of a module has the same compiled form (see
    :func:`compile_module`).
    """
    for name in os.listdir(SOURCE_DIR):
        path = os.path.join(SOURCE_DIR, name)
        if name.endswith(".ipynb") or name.startswith((".", "__")):
            continue
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(destination, name))
        else:
            shutil.copy2(path, destination)


class UidPool:
    """Unprivileged user ids for sandboxes, each held by one sandbox at a time.

    A uid is held through an exclusive ``flock`` on its own lock file in a folder only this user can write,
    taken on a file description of its own: two threads of one process exclude each other as two processes
    do, and the kernel releases the lock when the holder closes it or dies. A uid under which a process
    still runs (what remains of a sandbox killed a moment ago) is passed over.

    Parameters
    ----------
    uids : range
    folder : str, optional
        Where the lock files live; default ``/run/grader-sandbox`` for root, else a folder of
        this user in the temporary directory.
    """

    def __init__(self, uids, folder=None):
        self.uids = uids
        self.folder = folder

    @contextlib.contextmanager
    def uid(self):
        """Hold a free uid for the duration of the ``with`` block."""
        folder = self._lock_folder()
        for uid in self.uids:
            lock = os.open(os.path.join(folder, f"{uid}.lock"),
                           os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(lock)
                continue
            if runs_processes(uid):
                os.close(lock)
                continue
            try:
                yield uid
            finally:
                os.close(lock)
            return
        raise RuntimeError(f"all {len(self.uids)} sandbox user ids are in use")

    def _lock_folder(self):
        candidates = [self.folder] if self.folder else (
            (["/run/grader-sandbox"] if os.getuid() == 0 else [])
            + [os.path.join(tempfile.gettempdir(), f"grader-sandbox-{os.getuid()}")])
        for folder in candidates:
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:
                pass
            except OSError:
                continue
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
                raise RuntimeError(f"{folder} must be a folder of user {os.getuid()} that no one else can write")
            return folder
        raise RuntimeError(f"no folder for the sandbox user locks could be created ({', '.join(candidates)})")


UID_POOL = UidPool(SANDBOX_UIDS)


def runs_processes(uid):
    """Whether some process of this machine has the real user id ``uid``."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Uid:"):
                        if int(line.split()[1]) == uid:
                            return True
                        break
        except (OSError, ValueError, IndexError):
            continue
    return False


def remove_tree(path):
    """Delete ``path`` and everything under it, however it was left; never raises, never recurses.

    Links are removed, never followed; folders are made readable before being entered; the walk keeps
    one folder open at a time and a stack of names, so depth costs neither recursion nor descriptors.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
            return
        os.chmod(path, 0o700)
        folder = os.open(path, flags)
    except OSError:
        return
    names, pending = [], [_clear_folder(folder)]
    try:
        while True:
            if pending[-1]:
                name = pending[-1].pop()
                try:
                    os.chmod(name, 0o700, dir_fd=folder)
                    child = os.open(name, flags, dir_fd=folder)
                except OSError:
                    continue
                os.close(folder)
                folder = child
                names.append(name)
                pending.append(_clear_folder(folder))
            elif names:
                parent = os.open("..", flags, dir_fd=folder)
                os.close(folder)
                folder = parent
                pending.pop()
                with contextlib.suppress(OSError):
                    os.rmdir(names.pop(), dir_fd=folder)
            else:
                break
    except OSError:
        pass
    finally:
        os.close(folder)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def _clear_folder(folder):
    """Unlink every entry of the open ``folder`` that is not a folder; return the names of its sub-folders."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    folders = []
    for name in names:
        try:
            if stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
                folders.append(name)
            else:
                os.unlink(name, dir_fd=folder)
        except OSError:
            continue
    return folders


ARGUMENTS_FILE = "arguments.bin"
SHARED_PREFIX = "grading-shared-"
# How many sets of shared job files a process keeps (one per arguments object: the cases of a grading run).
MAX_SHARED_JOB_FILES = 2
_SHARED_JOB_FILES = []
_SHARED_JOB_FILES_LOCK = threading.Lock()


def _forget_shared_job_files():
    """In a forked child: the parent's shared files are the parent's, to use and to remove."""
    global _SHARED_JOB_FILES_LOCK
    del _SHARED_JOB_FILES[:]
    _SHARED_JOB_FILES_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_shared_job_files)


# Where job folders go when the machine has it: a memory file system, on which writing a job's few files and
# removing them costs far less than on a disk (tens of milliseconds there on a busy machine).
MEMORY_FOLDERS = ("/dev/shm",)


@functools.lru_cache(maxsize=None)
def job_folders_parent(mounts="/proc/self/mounts"):
    """The folder job folders are made in: the first of :data:`MEMORY_FOLDERS` that is a writable tmpfs, else
    None (the temporary folder). Runs hard-link shared files into their jobs, so all of them are made there."""
    try:
        with open(mounts, encoding="utf-8") as handle:
            memory = {fields[1] for fields in map(str.split, handle) if len(fields) > 2 and fields[2] == "tmpfs"}
    except OSError:
        return None
    for folder in MEMORY_FOLDERS:
        if folder in memory and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def shared_job_files(arguments):
    """The folder of the files every run on ``arguments`` reads, written once per process and kept until it exits.

    ``grader/`` holds the worker's modules and stubs, the arguments (:data:`ARGUMENTS_FILE`, encoded as
    :func:`graders.plain.encode_results`), ``files/`` the files a student has; each Python module is compiled
    beside its source (:func:`compile_module`), so that no sandbox compiles it again. Runs hard-link these files
    into their own job folder (:func:`prepare_job`): the sandbox sees them read-only, so one run cannot change
    them for the next.
    """
    with _SHARED_JOB_FILES_LOCK:
        for known, folder in _SHARED_JOB_FILES:
            if known is arguments:
                return folder
        folder = tempfile.mkdtemp(prefix=SHARED_PREFIX, dir=job_folders_parent())
        try:
            _write_shared_job_files(folder, arguments)
        except BaseException:
            remove_tree(folder)
            raise
        _SHARED_JOB_FILES.insert(0, (arguments, folder))
        _remove_on_exit(folder)
        for _, old in _SHARED_JOB_FILES[MAX_SHARED_JOB_FILES:]:
            remove_tree(old)
        del _SHARED_JOB_FILES[MAX_SHARED_JOB_FILES:]
        return folder


def _write_shared_job_files(folder, arguments):
    grader = os.path.join(folder, "grader")
    os.makedirs(grader)
    for name in WORKER_FILES:
        shutil.copy2(os.path.join(GRADERS_DIR, name), os.path.join(grader, name))
    shutil.copytree(os.path.join(GRADERS_DIR, "stubs"), os.path.join(grader, "stubs"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    with open(os.path.join(grader, ARGUMENTS_FILE), "wb") as handle:
        handle.write(encode_results({}, arguments))
    files = os.path.join(folder, "files")
    os.makedirs(files)
    copy_student_files(files)
    originals = {grader: GRADERS_DIR, files: SOURCE_DIR}
    for top, original_top in originals.items():
        for path in _python_modules(top):
            if os.path.basename(path) != "worker.py":  # run as a script, which Python never reads compiled
                compile_module(path, os.path.join(original_top, os.path.relpath(path, top)))


def _python_modules(folder):
    return [os.path.join(parent, name) for parent, _, names in os.walk(folder) for name in names
            if name.endswith(".py")]


# The bytecode of each worker-side module this process has written, by (source, modification time in seconds,
# size): the shared files written again (for other arguments, or in a process forked from this one, a pool's)
# reuse it instead of compiling the same source again.
_BYTECODE = {}


def compile_module(path, original):
    """Write the bytecode of the module ``path``, a copy of ``original`` with its modification time, where importing
    it looks (its ``__pycache__``), as :func:`py_compile.compile` does.

    It is compiled only when this process has no bytecode of the same source, time and size yet and Python has
    not written a current one for ``original`` (one recording the time and size of its source, which importing
    ``original`` would use as well).
    """
    info = os.stat(path)
    with open(path, "rb") as handle:
        key = (handle.read(), int(info.st_mtime), info.st_size)
    bytecode = _BYTECODE.get(key) or current_bytecode(original, info)
    target = importlib.util.cache_from_source(path)
    if bytecode is None:
        py_compile.compile(path, cfile=target, doraise=True)
        with open(target, "rb") as handle:
            bytecode = handle.read()
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(bytecode)
    _BYTECODE[key] = bytecode


def current_bytecode(module, info):
    """The bytecode Python wrote for ``module`` if importing a source of the time and size of ``info`` (an
    :func:`os.stat` result) would use it, else None.

    That is a file of this interpreter's version, checked by time (not by hash), whose header (PEP 552) records
    that time and size.
    """
    try:
        with open(importlib.util.cache_from_source(module), "rb") as handle:
            bytecode = handle.read()
    except (OSError, ValueError):
        return None
    header = importlib.util.MAGIC_NUMBER + struct.pack("<III", 0, int(info.st_mtime) & 0xFFFFFFFF,
                                                       info.st_size & 0xFFFFFFFF)
    return bytecode if bytecode.startswith(header) else None


def _remove_on_exit(folder):
    """Remove ``folder`` when this process exits, a worker process of a pool included (atexit alone is not run
    there)."""
    import multiprocessing.util

    multiprocessing.util.Finalize(None, remove_tree, args=(folder,), exitpriority=0)


def link_tree(source, destination):
    """Recreate the folder ``source`` at ``destination`` (which must not exist) with hard links to its files.

    Falls back to copies where a link cannot be made (another file system).
    """
    for parent, folders, names in os.walk(source):
        target = os.path.join(destination, os.path.relpath(parent, source))
        os.makedirs(target, exist_ok=True)
        for name in names:
            try:
                os.link(os.path.join(parent, name), os.path.join(target, name))
            except OSError:
                shutil.copy2(os.path.join(parent, name), os.path.join(target, name))


def prepare_job(jobdir, cells, cases, arguments, uid, result_fd, extra_cells=()):
    """Write what one run reads into ``jobdir``, a folder the caller created.

    ``grader/`` holds the worker, ``job.json`` and the arguments; ``files/`` (in the sandbox) or ``work/``
    (without it, the working folder itself) the files a student has. In the sandbox, which sees them read-only,
    the files every run shares are hard links to :func:`shared_job_files`; without it, copies. The worker becomes ``uid`` when started
    as root (None: it stays the caller). ``extra_cells`` are the indices of the cells the student added, which
    share :data:`EXTRA_CELLS_SECONDS`.
    """
    shared = shared_job_files(arguments)
    grader = os.path.join(jobdir, "grader")
    if sandboxed():
        link_tree(os.path.join(shared, "grader"), grader)
    else:  # the worker runs as the caller and could change a linked file for every later run
        shutil.copytree(os.path.join(shared, "grader"), grader)
    job = {"cells": cells, "cases": cases, "limits": LIMITS, "uid": uid, "result_fd": result_fd,
           "seconds_per_cell": SECONDS_PER_CELL, "seconds_per_call": SECONDS_PER_CALL,
           "extra_cells": sorted(extra_cells), "extra_cells_seconds": EXTRA_CELLS_SECONDS,
           "extra_cells_note": EXTRA_CELLS_NOTE}
    with open(os.path.join(grader, "job.json"), "w", encoding="utf-8") as handle:
        handle.write(json.dumps(job))  # in one piece: json.dump encodes in pure Python, chunk by chunk
    if sandboxed():
        link_tree(os.path.join(shared, "files"), os.path.join(jobdir, "files"))
    else:
        os.makedirs(os.path.join(jobdir, "work"))
        copy_student_files(os.path.join(jobdir, "work"))


def read_stream(read_fd, process, deadline, cap=MAX_STREAM_BYTES, clock=None):
    """What the sandbox writes on ``read_fd`` until every writer has closed it: ``(data, overflowed, stopped)``.

    Never keeps more than ``cap`` bytes and never waits past ``deadline`` (a :func:`time.monotonic` time),
    nor past the current step's deadline on ``clock`` (a :class:`StepClock`): at any of these limits the
    process group is killed; ``stopped`` is then the step that ran out of time (else None). Once the
    process has ended, its group is killed (a run without the sandbox may leave processes behind) and what
    is left in the pipe is read for at most :data:`DRAIN_SECONDS`; once the pipe is closed, the process has
    as long to end. It is reaped before returning.
    """
    data, overflowed, stopped = bytearray(), False, None
    clock = clock or StepClock()
    poller = select.poll()
    poller.register(read_fd, select.POLLIN)
    exit_fd = _pidfd(process.pid)
    if exit_fd is not None:
        poller.register(exit_fd, select.POLLIN)
    closed = ended = None
    try:
        while True:
            if ended is None and _has_ended(process):
                ended = time.monotonic()
                _kill_group(process)
                if exit_fd is not None:
                    poller.unregister(exit_fd)
            if closed is not None and ended is not None:
                break
            now = time.monotonic()
            step_deadline = clock.deadline() if ended is None and closed is None else None
            if step_deadline is not None and now >= step_deadline:
                stopped = clock.step
                break
            limit = min([deadline] + [moment + DRAIN_SECONDS for moment in (closed, ended) if moment is not None]
                        + ([step_deadline] if step_deadline is not None else []))
            if now >= limit:
                break
            wait = limit - now if exit_fd is not None or ended is not None else min(limit - now, 0.05)
            events = dict(poller.poll(max(1, math.ceil(wait * 1000))))
            if closed is None and read_fd in events:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    closed = time.monotonic()
                    poller.unregister(read_fd)
                elif len(data) + len(chunk) > cap:
                    overflowed = True
                    break
                else:
                    data += chunk
                    clock.feed(data, time.monotonic())
    finally:
        if exit_fd is not None:
            os.close(exit_fd)
        _kill_group(process)
        process.kill()
        process.wait()
    return data, overflowed, stopped


def _pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _has_ended(process):
    """Whether the process has exited, without reaping it (its pid, and so its group id, stay reserved)."""
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _kill_group(process):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def parse_report(data, overflowed, cells, cases):
    """The :class:`RunReport` of the bytes one run wrote on its pipe; never raises on what it reads.

    The worker sends one progress step per cell and per call, then the results; a frame cut short at the
    end is a process that died while writing it, and is left out.
    """
    if overflowed:
        return RunReport(malformed=f"more than {MAX_STREAM_BYTES} bytes were sent",
                         ready=bytes(data[:len(READY_FRAME)]) == READY_FRAME)
    step = results = None
    ready = False
    sent = {index for index, _ in cells}
    max_steps = most_steps(cells, cases)
    try:
        for count, (kind, payload) in enumerate(iter_frames(data, MAX_STREAM_BYTES), 1):
            if results is not None:
                raise MalformedOutput("something was sent after the results")
            if kind == PROGRESS_FRAME:
                if count > max_steps:
                    raise MalformedOutput("more progress steps than cells and calls")
                step = parse_step(payload, sent, cases)
                if (step[0] == "ready") != (count == 1):
                    raise MalformedOutput("the worker's first step must be, and only be, its start")
                ready = True
            else:
                record, arrays = decode_results(payload, MAX_HEADER_BYTES, MAX_ARRAYS, MAX_RECORD_DEPTH)
                results = validate_record(record, arrays, cells, cases) + (arrays,)
    except MalformedOutput as problem:
        return RunReport(malformed=str(problem), ready=ready)
    return RunReport(results=results, step=step, ready=ready)


def most_steps(cells, cases):
    """How many progress steps a run of ``cells`` and ``cases`` sends at most: its start, each cell, each call."""
    return 1 + len(cells) + sum(len(function_cases) for function_cases in cases.values())


def parse_step(payload, sent, cases):
    """``("cell", index)`` or ``("call", function)`` of a progress frame, or raise :class:`MalformedOutput`.

    ``sent`` holds the indices of the cells sent, ``cases`` the functions asked for (None: not checked).
    """
    if len(payload) > MAX_STEP_BYTES:
        raise MalformedOutput("a progress step too long")
    match = STEP.fullmatch(bytes(payload).decode("ascii", errors="replace"))
    if match is None:
        raise MalformedOutput("a progress step that is neither a cell nor a call")
    if match.group(3) is not None:
        return "ready", None
    if match.group(1) is not None:
        index = int(match.group(1))
        if sent is not None and index not in sent:
            raise MalformedOutput("a progress step naming a cell that was not sent")
        return "cell", index
    if cases is not None and match.group(2) not in cases:
        raise MalformedOutput("a progress step naming a function that was not asked for")
    return "call", match.group(2)


def _require(condition, problem):
    if not condition:
        raise MalformedOutput(problem)


def validate_record(record, arrays, cells, cases):
    """Check the worker's record against its job; return ``(cell_errors, functions)``.

    Parameters
    ----------
    record : object
        The decoded JSON record: ``{"cell_errors": [{"cell", "error"}], "functions": {function:
        {"defined", "cases": {case_id: plain.CaseRecord}}}}``.
    arrays : dict of str to numpy.ndarray
    cells : list of (int, str)
        The cells sent: an error may name only these, once each.
    cases : dict
        The functions and case ids asked for, with the specs of their arguments: the record names exactly
        these functions, no other case, and only arguments of the case as mutated.

    Raises
    ------
    MalformedOutput
    """
    _require(nesting_depth(record) <= MAX_RECORD_DEPTH, "the record is nested too deeply")
    _require(isinstance(record, dict) and set(record) == {"cell_errors", "functions"},
             "the record is not {cell_errors, functions}")
    sent = {index for index, _ in cells}
    errors, seen = record["cell_errors"], set()
    _require(isinstance(errors, list) and len(errors) <= len(sent), "cell_errors is not a list of the cells sent")
    for error in errors:
        _require(isinstance(error, dict) and set(error) == {"cell", "error"}, "a cell error is not {cell, error}")
        _require(type(error["cell"]) is int and error["cell"] in sent and error["cell"] not in seen,
                 "a cell error names a cell that was not sent")
        _require(is_text(error["error"], MAX_TEXT_CHARS), "a cell error's text is not a short string")
        seen.add(error["cell"])
    functions = record["functions"]
    _require(isinstance(functions, dict) and set(functions) == set(cases), "functions are not those asked for")
    for name, function in functions.items():
        _require(isinstance(function, dict) and set(function) == {"defined", "cases"}
                 and type(function["defined"]) is bool and isinstance(function["cases"], dict),
                 f"the record of {name} is not {{defined, cases}}")
        _require(set(function["cases"]) <= set(cases[name]), f"the record of {name} has cases not asked for")
        _require(function["defined"] or not function["cases"], f"{name} has cases but is not defined")
        for case_id, case in function["cases"].items():
            _validate_case(case, f"{name}/{case_id}/output", arrays, leaf_keys(cases[name][case_id], "arguments"))
    return errors, functions


def _validate_case(case, prefix, arrays, argument_keys):
    _require(isinstance(case, dict), f"{prefix}: the case record is not a dict")
    ok = case.get("status") == "ok"
    _require(set(case) == (CASE_KEYS | {"output"} if ok else CASE_KEYS), f"{prefix}: the case record's keys")
    _require(case["status"] in ("ok", "error"), f"{prefix}: unknown status")
    _require(case["error"] is None if ok else is_text(case["error"], MAX_TEXT_CHARS),
             f"{prefix}: the error is not a short string")
    _require(case["error_kind"] is None if ok else case["error_kind"] in ERROR_KINDS,
             f"{prefix}: the error's kind is not one of plain.ERROR_KINDS")
    _require(type(case["random_draws"]) is bool, f"{prefix}: random_draws is not a bool")
    mutated = case["mutated"]
    _require(isinstance(mutated, list) and len(mutated) <= MAX_MUTATED
             and all(isinstance(key, str) and key in argument_keys for key in mutated),
             f"{prefix}: mutated names something that is not an argument")
    if ok:
        check_spec(case["output"], arrays, prefix)


@functools.lru_cache(maxsize=None)
def group_factory():
    """The factory of per-submission control groups on this machine, or None (see :mod:`graders.cgroups`)."""
    return find_factory() if sandboxed() else None


@contextlib.contextmanager
def submission_group(uid):
    """The control group of the sandbox run by ``uid`` for the ``with`` block, or None where there is none."""
    factory = group_factory()
    if factory is None or uid is None:
        yield None
        return
    try:
        group = factory.create(f"uid-{uid}", SUBMISSION_MEMORY_BYTES, SUBMISSION_PROCESSES)
    except OSError as error:
        raise SandboxUnavailable(f"the submission's control group could not be made under "
                                 f"{factory.description} ({error.strerror or error})") from None
    try:
        yield group
    finally:
        group.remove()


def run_once(cells, cases, arguments, seconds, pool=None, extra_cells=()):
    """One sandboxed run: ``(RunReport, seconds used)``.

    The sandbox's user id comes from ``pool`` (default :data:`UID_POOL`), held for the whole run, and its
    processes share one control group where the machine has them; without the sandbox, the worker runs as
    the caller. ``extra_cells``: the indices of the cells the student added.
    """
    started = time.monotonic()
    with (pool or UID_POOL).uid() if sandboxed() else contextlib.nullcontext() as uid, \
            submission_group(uid) as group:
        jobdir = _job_folder()
        read_fd, write_fd = os.pipe()
        try:
            try:
                prepare_job(jobdir, cells, cases, arguments, uid, write_fd, extra_cells)
            except OSError as error:  # no disk, no inodes: the machine's
                raise SandboxUnavailable(f"the sandbox's job could not be written ({error.strerror or error})") \
                    from None
            workdir = os.path.join(jobdir, "work")
            command = sandbox_command(jobdir)
            with tempfile.TemporaryFile() as errors:
                process = subprocess.Popen(group.wrap(command) if group else command,
                                           cwd=workdir if not sandboxed() else jobdir,
                                           env=sandbox_environment(workdir), stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=errors,
                                           start_new_session=True, pass_fds=(write_fd,))
                os.close(write_fd)
                write_fd = None
                data, overflowed, stopped = read_stream(read_fd, process, started + seconds,
                                                        clock=StepClock(extra_cells, most_steps(cells, cases)))
                report = parse_report(data, overflowed, cells, cases)
                report.stopped = stopped
                report.exit_status = process.returncode
                if group is not None:
                    report.memory_killed = group.memory_killed()
                    report.peak_memory = group.peak_memory()
                if not report.ready:
                    raise SandboxUnavailable(_start_failure(process, errors))
        finally:
            os.close(read_fd)
            if write_fd is not None:
                os.close(write_fd)
            remove_tree(jobdir)
    return report, time.monotonic() - started


def _job_folder():
    try:
        return tempfile.mkdtemp(prefix="grading-", dir=job_folders_parent())
    except OSError as error:
        raise SandboxUnavailable(f"no folder for the sandbox's job ({error.strerror or error})") from None


def _start_failure(process, errors):
    """One line on a sandbox that never reported its start: its exit status and the first line it wrote.

    Nothing of the student's has run then (the worker reports its start before the first cell), so the
    line is the machine's, for the instructor.
    """
    errors.seek(0)
    lines = errors.read(4096).decode("utf-8", errors="replace").strip().splitlines()
    said = f": {lines[0][:MAX_STDERR_SHOWN]}" if lines else ""
    return f"the sandbox did not start (exit status {process.returncode}){said}"


def extra_cell_indices(notebook):
    """Indices of the code cells the student added: those with no grade id (every release code cell has one)."""
    return {index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code" and not grade_id(cell)}


def run_submission(notebook, cases, arguments):
    """Run a submission's code on every case in the sandbox.

    A run that dies in a step (a cell or a call) is run again without that step, so that one ``os._exit``
    costs only what it broke. Before the step is blamed, it is run once more as it was: a step that dies
    only once was killed from outside (by the machine, not by the student's code), and the submission is
    then the machine's problem (:class:`SandboxUnavailable`), never graded on that run. A step the grader
    stopped at its time limit, or in which the kernel killed a process for the submission's memory limit,
    is the student's at once.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The student's notebook (test cells already restored by nbgrader).
    cases : dict
        ``{function: {case_id: arguments spec}}``, see :func:`graders.plain.flatten`.
    arguments : dict
        The arrays of all arguments.

    Returns
    -------
    RunResult
        Never raises on anything the student's code did: a report that does not validate gives
        :data:`MALFORMED` for every function.

    Raises
    ------
    SandboxUnavailable
        The sandbox failed, or a step was killed from outside.
    """
    cells = definition_cells(notebook)
    extra = extra_cell_indices(notebook)
    result = RunResult()
    remaining = SECONDS_PER_SUBMISSION
    suspect = None
    for _ in range(2 * MAX_RESTARTS + 1):
        pending = {name: spec for name, spec in cases.items() if name not in result.crashed_functions}
        report, used = run_once(cells, pending, arguments, max(remaining, 1.0), extra_cells=extra)
        remaining -= used
        if report.malformed is not None:
            result.malformed = report.malformed
            break
        if suspect is not None and remaining > 0 and not _died_in(report, suspect):
            raise SandboxUnavailable(f"the grading process was killed from outside (exit status "
                                     f"{suspect_status}) in {' '.join(map(str, suspect))}, which ran through "
                                     f"when run again")
        if report.results is not None:
            cell_errors, result.functions, result.arrays = report.results
            result.cell_errors += cell_errors
            return result
        if report.step is None or report.step[0] == "ready":
            raise SandboxUnavailable("the grading process ended before it ran any cell")
        if report.stopped is None and not report.memory_killed and remaining > 0 and suspect is None:
            suspect, suspect_status = report.step, report.exit_status
            continue
        suspect = None
        cells = _blame(result, report, cells, extra, remaining)
        if remaining <= 0:
            break
    for name in cases:
        result.crashed_functions.setdefault(name, MALFORMED if result.malformed else "the notebook could not be run")
    return result


def _died_in(report, step):
    """Whether a run ended without results in ``step``, not stopped by the grader's clock."""
    return report.results is None and report.stopped is None and report.step == step


def _blame(result, report, cells, extra, remaining):
    """Record what ended the run in its step; return the cells of the next run (that step and what it
    takes with it left out)."""
    kind, what = report.step
    if remaining <= 0:
        reason = "was stopped at the time limit of the submission"
    elif report.memory_killed:
        reason = f"used more than the {SUBMISSION_MEMORY_BYTES / 1024 ** 3:g} GiB of memory of a submission"
    elif report.stopped is not None:
        reason = f"did not finish within {SECONDS_PER_CALL if kind == 'call' else SECONDS_PER_CELL:g} s"
    else:
        reason = "ended the grading process"
    if kind == "call":
        result.crashed_functions[what] = f"calling it {reason}"
        return cells
    if report.stopped is not None and what in extra:  # its limit was what the added cells had left
        return _skip_extra_cells(result, cells, extra, what)
    result.cell_errors.append({"cell": what, "error": f"this cell {reason}; it was skipped"})
    return [(index, source) for index, source in cells if index != what]


def _skip_extra_cells(result, cells, extra, first):
    """Leave out the added cell ``first`` and every added cell after it, each with a note."""
    skipped = [index for index, _ in cells if index in extra and index >= first]
    result.cell_errors += [{"cell": index, "error": EXTRA_CELLS_NOTE} for index in skipped]
    return [(index, source) for index, source in cells if index not in skipped]


def case_output(result, function_name, case_id):
    """The student's output of one case as plain data, or raise ValueError for a malformed record."""
    record = result.functions[function_name]["cases"][case_id]
    return unflatten(result.arrays, record["output"])


def self_test():
    """Run one trivial job in the sandbox; raise :class:`SandboxUnavailable` unless it reports back in full.

    Run before a batch, so that a broken sandbox stops the batch instead of grading every submission 0.
    """
    try:
        report, _ = run_once([(0, "ready = 1")], {}, {}, 60.0)
    except OSError as error:
        raise SandboxUnavailable(f"the sandbox could not be prepared ({error.strerror or error})") from None
    if report.results is None:
        raise SandboxUnavailable(f"the sandbox's self-test got no results ({report.malformed or 'none sent'})")
    cell_errors, _, _ = report.results
    if cell_errors:
        raise SandboxUnavailable(f"the sandbox's self-test failed: {cell_errors[0]['error']}")
