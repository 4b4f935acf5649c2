"""``make autograde``: intake, sandboxed grading, nbgrader recording, reports, one submission's failure its own.

1. The intake (:mod:`graders.intake`) reads ``submitted/`` into a folder of this run under ``intake/``
   (``class``, ``part-K-of-N`` or ``student-ID``), queueing only the students whose record is not up to date;
   entries whose id breaks the rule are listed and never reach nbgrader.
2. :mod:`graders.batch` grades the queued notebooks in the sandbox, in parallel, and caches the verdicts; a
   submission whose grading fails is taken out of the queue, with nothing cached or recorded for it. The
   sandbox is tested first: when it does not work (bubblewrap missing or refused, no disk...), the run stops
   before grading anyone, saying why, rather than give every submission a 0. A sandbox that fails later, for
   one submission, before any of its code ran, is the machine's fault too: that submission needs attention.
3. ``nbgrader autograde`` records the queue into the gradebook (the run's folder is its submitted folder). A student
   is marked as recorded, with the digest the intake gave their submission, only once their grades are
   committed (:func:`graders.nbgrader_plugin.mark_recorded`); a student it fails on, or a run killed at any
   moment, leaves the student unmarked, and the next run records them again.
4. The reports are written from the gradebook, always, one run at a time.

Runs at once: a run on the whole class excludes every other run in the course folder; runs on different parts
of the class (``--part 1/2`` and ``--part 2/2``, split by a hash of the student id) or on one student go on
together, each in its own intake folder, and record into one gradebook (PostgreSQL: ``GRADEBOOK_URL``). Two
runs on the same part, or a run on the class beside any other, are refused with a one-line reason.

The exit status is 0 when every submission was recorded, else 1, after a list of the submissions that need the
instructor's attention, one line each.

Usage: ``python -m graders.autograde [--jobs N] [--scheduler ADDR] [--student ID | --part K/N] [--force]``
"""
import argparse
import contextlib
import fcntl
import gc
import json
import os
import select
import shutil
import signal
import sys
import threading
import time
import traceback

from graders.errors import SandboxUnavailable
from graders.intake import INTAKE_KEY, NOTEBOOK_NAME, NotReleased, print_summary, read_record_marker, run_intake
from graders.notebook import ASSIGNMENT, ROOT
from graders.settings import paths
from graders.student_ids import id_problem, parse_part, shown

NBGRADER_LOG = "nbgrader-autograde.log"


def record(intake_dir, root, log_path):
    """Run ``nbgrader autograde`` on the intake folder; return ``{student: reason}`` of those not recorded."""
    expected = _intake_digests(intake_dir)
    if not expected:
        return {}
    with Recorder(root, log_path) as recorder:
        recorder.add({student: os.path.join(intake_dir, student) for student in expected}, expected)
        return recorder.finish()


def _intake_digests(intake_dir):
    digests = {}
    for student in sorted(os.listdir(intake_dir)):
        if student.startswith("."):
            continue
        path = os.path.join(intake_dir, student, ASSIGNMENT, NOTEBOOK_NAME)
        with open(path, encoding="utf-8") as handle:
            digests[student] = json.load(handle)["metadata"][INTAKE_KEY]["digest"]
    return digests


PARTS_FOLDER = ".recording"
# While grading goes on, a part is sent to nbgrader once this many students are ready (all that are left at the end);
# a part costs nbgrader next to nothing beyond its students (10 parts of one and one part of 10: the same CPU time).
PART_SIZE = 4
# How many students may wait for nbgrader, their verdicts cached, before the grading waits for it.
MAX_BACKLOG = 32
# Plots are drawn while nbgrader records (draw_plots_ahead) when a run records at most this many students. A run
# that records more has recorded most of them while it graded: its last part is short, and reading every record
# one more time while it is recorded costs more than the drawing it would hide (at 1000 students, a second).
DRAW_AHEAD_MAX_STUDENTS = MAX_BACKLOG


class Recorder:
    """``nbgrader autograde`` recording a run in parts, in one process, while the sandbox grades the rest.

    One process (:class:`RecordingProcess`) imports nbgrader once and records each part it is sent, one after the
    other, as ``nbgrader autograde`` would: a part is a folder of this run's intake folder
    (``.recording/part-K``) into which the students whose verdicts are cached are moved, and nbgrader's submitted
    folder for that part. A student is recorded once, in one part; a student never added (their grading failed)
    is never seen by nbgrader. nbgrader's output of every part goes to one log.

    Parameters
    ----------
    root : str
        The course folder (the one whose ``graders`` this process runs: the recording process is its fork).
    log_path : str
        Where nbgrader's output is written.
    part_size : int
        While grading goes on, a part is sent once this many students are ready and nbgrader is idle.
    """

    def __init__(self, root, log_path, part_size=PART_SIZE):
        self.root, self.log_path, self.part_size = root, log_path, part_size
        self.process = self.log = None
        self.ready, self.digests, self.parts = {}, {}, 0
        self.busy = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def start(self):
        """A student is queued: start nbgrader's process, whose imports then overlap the rest of the intake and the
        grading, and say that nbgrader records the run; no-op once started.

        nbgrader's output goes to the log from now on (it replaces the last run's): a run that queues no one starts
        no process and leaves the last run's log alone.
        """
        if self.process is not None:
            return
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        self.log = open(self.log_path, "w+", encoding="utf-8")
        load_what_recording_shares()
        self.process = RecordingProcess(self.root, self.log)
        print("+ nbgrader autograde", ASSIGNMENT, flush=True)

    def add(self, folders, digests):
        """Students whose verdicts are cached: ``{student: intake folder}`` and ``{student: intake digest}``.

        When nbgrader lags :data:`MAX_BACKLOG` students behind, waits for its part to be recorded: the caller
        (the grading loop) hands no new submission to the sandbox meanwhile, which leaves the cores to nbgrader
        rather than a long tail of recording alone at the end.
        """
        self.ready.update(folders)
        self.digests.update(digests)
        self._send_if_idle(final=False)
        if self.busy and len(self.ready) >= MAX_BACKLOG:
            self._send_if_idle(final=True)

    def _send_if_idle(self, final):
        if self.busy and self._part_done(block=final):
            self.busy = False
        if self.busy or not self.ready or (not final and len(self.ready) < self.part_size):
            return
        self.start()
        self.parts += 1
        part = os.path.join(os.path.dirname(next(iter(self.ready.values()))), PARTS_FOLDER, f"part-{self.parts}")
        os.makedirs(part)
        for student, folder in sorted(self.ready.items()):
            os.rename(folder, os.path.join(part, student))
        self.ready = {}
        self.process.stdin.write(os.path.relpath(part, self.root) + "\n")
        self.process.stdin.flush()
        self.busy = True

    def _part_done(self, block):
        """Whether nbgrader said it recorded the part it was sent (waiting for it with ``block``)."""
        if not block and not select.select([self.process.stdout], [], [], 0)[0]:
            return False
        return bool(self.process.stdout.readline())

    def finish(self):
        """Record every student added and not yet recorded; return ``{student: reason}`` of those not recorded."""
        while self.ready or self.busy:
            if self.busy and not self._part_done(block=True):
                break  # nbgrader's process ended: the students it did not record are listed below
            self.busy = False
            self._send_if_idle(final=True)
        status = self.close()
        if status is None:
            return {}
        self.log.seek(0)
        output = self.log.read()
        for line in output.splitlines():
            if line.startswith("[") or status == 0:
                print(line, file=sys.stderr)
        shown_log = os.path.relpath(self.log_path, self.root)
        autograded = os.path.join(self.root, "autograded")
        failed = {student: f"nbgrader could not record it (see {shown_log})" for student, digest in self.digests.items()
                  if read_record_marker(os.path.join(autograded, student, ASSIGNMENT))[0] != digest}
        if status != 0 and not failed:
            failed["(nbgrader)"] = f"nbgrader autograde exited with status {status} (see {self.log_path})"
        return failed

    def close(self):
        """End nbgrader's process (at once, unless every part was sent and recorded); its exit status, None if it
        was never started."""
        if self.process is None:
            return None
        if self.process.returncode is None:
            if self.ready or self.busy or not self.parts:  # unfinished, or started for nothing
                self.process.kill()
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
            self.process.wait()
            self.process.stdout.close()
        return self.process.returncode

    @property
    def started(self):
        return self.process is not None


def load_what_recording_shares():
    """Import what both this run and nbgrader's plugin (:mod:`graders.nbgrader_plugin`) use, before the recording
    process is forked: nbformat and jsonschema, numpy and the sandbox (:mod:`graders.batch`, with which the run
    grades next), the report keys. The recording process inherits them instead of importing them again."""
    import graders.batch  # noqa: F401
    import graders.reports  # noqa: F401


class RecordingProcess:
    """The recording process: a fork of this process, with its imports, that runs :func:`serve_recording` in the
    course folder ``root``, its stdout and stderr going to ``log`` (an open file).

    It is started as :mod:`subprocess` starts a process with ``close_fds``, without a new interpreter: it holds
    no file of this process but the two pipes (so no lock of the run either), it reads the parts to record from
    :attr:`stdin` and says each is recorded on :attr:`stdout`, and it ends with the status of
    :func:`serve_recording` without running this process's exit functions or flushing its buffers (flushed
    before the fork). It is forked before any other thread starts (:meth:`Recorder.start` runs in the intake).

    Attributes
    ----------
    pid : int
    stdin, stdout : file
        The ends of its pipes, in text.
    returncode : int or None
        Once it ended (:meth:`wait`): its exit status, or minus the signal that killed it.
    """

    def __init__(self, root, log):
        if threading.active_count() > 1:  # a lock another thread holds would stay held, forever, in the child
            raise RuntimeError("the recording process must be forked while the run has no other thread")
        commands_in, commands_out = os.pipe()
        replies_in, replies_out = os.pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        self.pid = os.fork()
        if self.pid == 0:
            _become_recording_process(root, commands_in, replies_out, log.fileno())
        os.close(commands_in)
        os.close(replies_out)
        self.stdin = open(commands_out, "w", encoding="utf-8")
        self.stdout = open(replies_in, encoding="utf-8")
        self.returncode = None

    def kill(self):
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)

    def wait(self):
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def _become_recording_process(root, commands, replies, log):
    """In the forked child: keep only the pipes (``commands`` as stdin, ``replies``) and the log (as stdout and
    stderr), serve in ``root``, and exit with the status of :func:`serve_recording` (1 if it raised)."""
    status = 1
    try:
        gc.freeze()  # what the fork inherited is never collected here, and never traversed again
        commands, replies, log = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3) for fd in (commands, replies, log))
        for fd, std in ((commands, 0), (log, 1), (log, 2)):
            os.dup2(fd, std)
        os.closerange(3, replies)
        os.closerange(replies + 1, os.sysconf("SC_OPEN_MAX"))
        os.chdir(root)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1,
                                       closefd=False)
        status = serve_recording(sys.stdin, open(replies, "w", encoding="utf-8", buffering=1))
    except BaseException:  # whatever happened, the child never returns into the run's code
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        os._exit(status)


def serve_recording(commands, replies):
    """The recording process of :class:`Recorder`: record each part named on ``commands`` with ``nbgrader
    autograde``; return the first non-zero status of a part, once ``commands`` ends, else 0.

    Says ``recorded PART`` on ``replies`` after each; everything nbgrader writes goes to stdout and stderr.
    """
    with loaded_for_good():
        from jupyter_core.application import NoStart

        nbgrader_app = recording_application()
    status = 0
    for line in commands:
        part = line.rstrip("\n")
        try:
            application = nbgrader_app()
            application.initialize(["autograde", ASSIGNMENT, "--force", "--log-level=WARN",
                                    f"--CourseDirectory.submitted_directory={part}"])
            application.start()
        except NoStart:
            pass
        except SystemExit as exit_:
            status = status or (exit_.code if isinstance(exit_.code, int) else 1)
        except Exception:  # nbgrader failed on this part as a whole: its students are found unrecorded
            traceback.print_exc()
            status = status or 1
        sys.stdout.flush()
        sys.stderr.flush()
        replies.write(f"recorded {part}\n")
    return status


def recording_application():
    """Import what recording needs before the first part comes: nbgrader's application and the preprocessors and
    hook that ``nbgrader_config.py`` names (:mod:`graders.nbgrader_plugin`); return a function that gives a new
    ``nbgrader`` application for each part."""
    from nbgrader.apps.autogradeapp import AutogradeApp
    from nbgrader.apps.nbgraderapp import NbGraderApp

    import graders.nbgrader_plugin  # noqa: F401 (loaded by nbgrader at its first part otherwise)

    def new_application():
        for application in (NbGraderApp, AutogradeApp):
            application.clear_instance()
        return NbGraderApp.instance()

    return new_application


@contextlib.contextmanager
def loaded_for_good():
    """Imports made in the ``with`` block run without the cyclic garbage collector, and what they loaded is left out
    of every later collection (:func:`gc.freeze`).

    Modules live as long as the process: the collections an import of nbgrader runs (some 0.05 s of CPU) go
    over objects that are never freed, and so would every full collection while the parts are recorded. What an
    import leaves as garbage is kept until the process ends (a few megabytes).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collect_nothing_at_exit():
    """Let the interpreter's shutdown skip its garbage collections (the process is about to end).

    They traverse every object of every module loaded: a quarter of a second once nbgrader is, and a tenth in
    the run's own process, between its last line and its exit. :func:`gc.freeze`, run after every other
    ``atexit`` function, leaves them out; the rest of the shutdown is as usual (streams flushed, files closed).
    """
    import atexit
    import gc

    atexit.register(gc.freeze)


REPORTS_STAMP = ".complete"


def write_reports(out_dir, root, recorded_now=True, ahead=None):
    """Write the reports, one run at a time; return None or a one-line reason they could not be written.

    Each run writes them after its own records are committed, under a lock, from the gradebook as it is then:
    whichever run writes last reads every record of the runs before it. A run that recorded nothing leaves
    reports alone that were completed for the same records (their stamp, written last, says which);
    ``make reports`` rebuilds them whenever asked, e.g. after grades were changed in formgrader.
    """
    os.makedirs(out_dir, exist_ok=True)
    stamp_path = os.path.join(out_dir, REPORTS_STAMP)
    try:
        with _locked(os.path.join(out_dir, ".lock"), fcntl.LOCK_EX):
            stamp = _records_stamp(root)
            if not recorded_now and _read_text(stamp_path) == stamp:
                print(f"the reports in {os.path.relpath(out_dir, root)} are up to date")
                return None
            from graders.reports import write_reports as write  # matplotlib: loaded only to write them

            with contextlib.suppress(FileNotFoundError):
                os.remove(stamp_path)
            records = write(out_dir, root, ahead)
            with open(stamp_path, "w", encoding="utf-8") as handle:
                handle.write(stamp)
    except Exception as error:  # the grades are recorded; say what went wrong with the reports
        return f"the reports could not be written: {type(error).__name__}: {error}"[:300]
    finally:
        if ahead:
            from graders.reports import remove_ahead

            remove_ahead(out_dir)
    print(f"wrote reports for {len(records)} student(s) to {os.path.relpath(out_dir, root)}")
    return None


def _records_stamp(root):
    """A digest of every student's record marker: it changes whenever a record is committed."""
    import hashlib

    digest = hashlib.sha256()
    autograded = os.path.join(root, "autograded")
    for student in sorted(os.listdir(autograded)) if os.path.isdir(autograded) else []:
        digest.update(student.encode() + b"\0" + repr(read_record_marker(os.path.join(autograded, student,
                                                                                        ASSIGNMENT))).encode())
    return digest.hexdigest()


def _read_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


class RunRefused(Exception):
    """Another run holds what this one needs; the message says which, in one line."""


@contextlib.contextmanager
def _locked(path, mode):
    handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(handle, mode)
        yield
    finally:
        os.close(handle)


@contextlib.contextmanager
def run_folder(root, only=None, part=None):
    """The intake folder of this run, held for the ``with`` block (see the module's note on runs at once)."""
    name = (f"student-{only}" if only is not None else f"part-{part[0]}-of-{part[1]}" if part else "class")
    intake = paths(root).resolve("intake", root)
    os.makedirs(intake, exist_ok=True)
    whole_class = fcntl.LOCK_EX if name == "class" else fcntl.LOCK_SH
    try:
        with _locked(os.path.join(intake, ".class.lock"), whole_class | fcntl.LOCK_NB), \
                _locked(os.path.join(intake, f".run-{name}.lock"), fcntl.LOCK_EX | fcntl.LOCK_NB):
            yield os.path.join(intake, name)
    except BlockingIOError:
        held = "a part of it" if name == "class" else name.replace("-", " ")
        raise RunRefused(f"another make autograde is running in this course (on the whole class or {held}); "
                         f"wait for it to end") from None


def autograde(root=ROOT, reports_dir=None, jobs=None, scheduler=None, only=None, force=False, part=None):
    """Run the whole step; return ``{entry: reason}`` of the submissions that need the instructor's attention.

    ``only`` limits the run to one student, ``part`` (``(K, N)``) to part K of N of the class; ``force`` grades
    and records again even what is up to date.
    """
    with run_folder(root, only, part) as intake_dir:
        return _autograde(root, intake_dir, reports_dir, jobs, scheduler, only, force, part)


def _autograde(root, intake_dir, reports_dir, jobs, scheduler, only, force, part):
    submitted = os.path.join(root, "submitted")
    reports_dir = reports_dir or paths(root).resolve("reports", root)
    clock = PhaseClock()
    with Recorder(root, os.path.join(reports_dir, _log_name(intake_dir))) as recorder:
        # nbgrader's process starts with the first student queued: its imports overlap the rest of the intake and
        # the grading on another core; a run that queues no one starts none
        summary = run_intake(submitted, intake_dir, os.path.join(root, "autograded"), only, force, part,
                             on_queued=recorder.start)
        if only is not None and not summary.queued and only not in summary.attention and not force:
            print(f"{only}: up to date (FORCE=1 grades and records it again)")
        print_summary(summary, submitted)
        print(f"{len(summary.queued)} submission(s) new or changed since they were recorded")
        attention = dict(summary.attention)
        clock.end("intake")
        cache_keys = {}
        graded, failed = _grade(intake_dir, summary.queued, jobs, scheduler, force, recorder, summary.digests,
                                cache_keys)
        print(f"graded {graded} submission(s) in the sandbox; the others' verdicts were cached")
        for student in failed:
            shutil.rmtree(os.path.join(intake_dir, student), ignore_errors=True)
        attention.update(failed)
        clock.end("sandbox")
        recorded_now = bool(recorder.digests)
        ahead = None
        if recorded_now:
            # a score recorded anew (graded now, or a verdict of the cache) may change what the plots show: they
            # are drawn on the other core while nbgrader records, from the scores the verdicts give
            if len(recorder.digests) <= DRAW_AHEAD_MAX_STUDENTS:
                ahead = BackgroundCall(draw_plots_ahead, reports_dir, root, cache_keys)
            attention.update(recorder.finish())
        else:
            print("the gradebook is up to date: nothing to record")
    clock.end("recording")
    problem = write_reports(reports_dir, root, recorded_now, ahead.result() if ahead else None)
    if problem:
        attention["(reports)"] = problem
    clock.end("reports")
    print(clock.summary())
    return attention


class BackgroundCall:
    """``function(*arguments)`` called in a thread of its own, while this one waits on other processes.

    :meth:`result` waits for it and gives what it returned, or None when it raised: what runs in the background
    is work done ahead (imports, plots), which is done again where it is needed when it failed. The thread is
    not a daemon: the interpreter never ends in the middle of an import.
    """

    def __init__(self, function, *arguments):
        self.value = None

        def call():
            with contextlib.suppress(Exception):
                self.value = function(*arguments)

        self.thread = threading.Thread(target=call, name=f"{function.__name__} in the background")
        self.thread.start()

    def result(self):
        self.thread.join()
        return self.value


def draw_plots_ahead(reports_dir, root, cache_keys):
    """Draw the plots while nbgrader records (:func:`graders.reports.draw_ahead`), from the verdicts cached under
    ``cache_keys`` (``{student: cache key}``: every student of the run); None when a verdict is not in the cache."""
    from graders.batch import cached_record
    from graders.reports import draw_ahead  # matplotlib: loaded here, on the core nbgrader leaves free

    outcomes = {}
    for student, key in cache_keys.items():
        record = cached_record(key)
        if record is None:
            return None
        outcomes[student] = record["verdicts"]
    return draw_ahead(reports_dir, root, outcomes)


class PhaseClock:
    """Wall time of each phase of a run, printed as one line for operators and ``make bench``."""

    def __init__(self):
        self.last = time.monotonic()
        self.phases = []

    def end(self, phase):
        """The phase ``phase`` ends now (it began when the one before ended)."""
        now = time.monotonic()
        self.phases.append((phase, now - self.last))
        self.last = now

    def summary(self):
        return "phase times: " + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in self.phases)


def _grade(intake_dir, queued, jobs, scheduler, force, recorder, digests, cache_keys):
    """Grade the queued notebooks in the sandbox (after its self-test); ``(graded, {student: reason})``.

    Each student whose verdicts are cached is handed to ``recorder`` (a :class:`Recorder`) at once, so that
    nbgrader records the class while the sandbox grades the rest, and their cache keys added to ``cache_keys``;
    a student whose grading failed never is. The sandbox is tested only when a notebook is to be graded in it,
    before anyone is handed on: a queue whose verdicts are all cached needs no sandbox.
    """
    if not queued:
        return 0, {}
    from graders.batch import prefetch
    from graders.sandbox import self_test

    def ready(students):
        recorder.add({student: os.path.join(intake_dir, student) for student in students},
                     {student: digests[student] for student in students})
        cache_keys.update(students)

    return prefetch(intake_dir, jobs, scheduler, force, on_ready=ready,
                    before_grading=None if scheduler else self_test)


def _log_name(intake_dir):
    name = os.path.basename(intake_dir)
    return NBGRADER_LOG if name == "class" else NBGRADER_LOG.replace(".log", f"-{name}.log")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", default=None, help="address of a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--reports", default=None, help="folder of the reports (default: reports/)")
    parser.add_argument("--student", default=None, help="grade this student only")
    parser.add_argument("--part", default=None, help="grade part K of N of the class, e.g. 1/2")
    parser.add_argument("--force", action="store_true", help="grade and record again, even what is up to date")
    args = parser.parse_args(argv)
    if args.student is not None and id_problem(args.student):
        sys.exit(f"autograde: {id_problem(args.student)}")
    if args.student is not None and args.part:
        sys.exit("autograde: give a student or a part of the class, not both")
    try:
        part = parse_part(args.part) if args.part else None
    except ValueError as problem:
        sys.exit(f"autograde: {problem}")
    try:
        attention = autograde(ROOT, args.reports and os.path.abspath(args.reports), args.jobs, args.scheduler or None,
                              args.student, args.force, part)
    except (NotReleased, RunRefused) as problem:
        sys.exit(f"autograde: {problem}" if isinstance(problem, RunRefused) else str(problem))
    except SandboxUnavailable as problem:
        sys.exit(f"autograde: nothing was graded or recorded: {problem}")
    if attention:
        print(f"{len(attention)} submission(s) need the instructor's attention:")
        for entry, reason in sorted(attention.items()):
            print(f"  {shown(entry)}: {reason}")
        sys.exit(1)


if __name__ == "__main__":
    collect_nothing_at_exit()
    main()
