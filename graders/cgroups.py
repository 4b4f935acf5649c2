"""Memory and process limits per submission: a control group (cgroup) for each sandbox.

Resource limits (``setrlimit``) hold per process or per user; a submission
that forks four processes of 1.2 GB each passes a per-process limit of 3 GB.
A control group holds every process of one sandbox, its children included,
and caps their memory and their number together: the kernel's OOM killer
acts inside the group when the group's total reaches its limit, so a
submission can never take a neighbour's memory.

Where the groups live, in order of preference:

- **cgroup v2** with the ``memory`` and ``pids`` controllers delegated to this
  process's cgroup (``memory.max``, ``memory.swap.max``, ``pids.max``; the OOM
  kills are read from ``memory.events``, the peak from ``memory.peak``);
- **cgroup v1**, the ``memory`` and ``pids`` hierarchies writable
  (``memory.limit_in_bytes``, ``memory.memsw.limit_in_bytes``, ``pids.max``;
  ``memory.oom_control`` and ``memory.max_usage_in_bytes``);
- **none** (not root, no delegation): the documented fallback is the worker's
  own limits, per process (``RLIMIT_AS``) and per sandbox user
  (``RLIMIT_NPROC``, one user id per running sandbox), so one submission's
  total is bounded by their product. ``GRADER_CGROUPS=none`` chooses it.

The trusted side creates one group per sandbox user id (each held by one
sandbox at a time), moves the sandbox into it before bubblewrap starts (see
:meth:`SubmissionGroup.wrap`), and after the run reads whether the kernel
killed something there for memory, then kills what is left and removes it.
"""
import contextlib
import errno
import os
import signal
import time

GROUP_FOLDER = "grader-sandbox"
# Moves the shell into each group it is given (writing 0 to cgroup.procs moves the writer), then becomes the command.
JOIN_SCRIPT = 'while [ "$1" != -- ]; do echo 0 > "$1" || exit 125; shift; done; shift; exec "$@"'
JOIN_FAILED_STATUS = 125


class SubmissionGroup:
    """The control group(s) of one sandbox run.

    Parameters
    ----------
    folders : dict of str to str
        ``{controller: folder}``: the group's folder in each hierarchy (one folder for cgroup v2).
    version : int
        1 or 2.
    """

    def __init__(self, folders, version):
        self.folders = folders
        self.version = version

    def wrap(self, command):
        """``command`` preceded by a shell that joins this group first, so that nothing of it runs outside."""
        procs = sorted({os.path.join(folder, "cgroup.procs") for folder in self.folders.values()})
        return ["/bin/sh", "-c", JOIN_SCRIPT, "sh", *procs, "--", *command]

    def memory_killed(self):
        """Whether the kernel's OOM killer killed a process of this group (its memory limit was reached)."""
        if self.version == 2:
            return _read_counter(self.folders["memory"], "memory.events", "oom_kill") > 0
        return _read_counter(self.folders["memory"], "memory.oom_control", "oom_kill") > 0

    def peak_memory(self):
        """The group's peak memory use in bytes (0 when the kernel does not say)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            with open(os.path.join(self.folders["memory"], name), encoding="ascii") as handle:
                return int(handle.read().split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def remove(self):
        """Kill every process left in the group, then remove its folders; never raises."""
        for folder in sorted(set(self.folders.values()), key=len, reverse=True):
            _empty_and_remove(folder)


def _read_counter(folder, name, key):
    try:
        with open(os.path.join(folder, name), encoding="ascii") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 2 and parts[0] == key:
                    return int(parts[1])
    except (OSError, ValueError):
        pass
    return 0


def _empty_and_remove(folder):
    kill_file = os.path.join(folder, "cgroup.kill")
    for _ in range(100):
        try:
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError as error:
            if error.errno != errno.EBUSY:
                return
        if os.path.exists(kill_file):
            with contextlib.suppress(OSError):
                _write(kill_file, "1")
        else:
            for pid in _members(folder):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _members(folder):
    try:
        with open(os.path.join(folder, "cgroup.procs"), encoding="ascii") as handle:
            return [int(line) for line in handle if line.strip()]
    except (OSError, ValueError):
        return []


def _write(path, text):
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


class GroupFactory:
    """Creates :class:`SubmissionGroup` folders under this process's own cgroup(s).

    Parameters
    ----------
    bases : dict of str to str
        ``{controller: folder}`` under which the groups are made.
    version : int
    """

    def __init__(self, bases, version):
        self.bases = bases
        self.version = version

    @property
    def description(self):
        return f"cgroup v{self.version} ({', '.join(sorted(set(self.bases.values())))})"

    def create(self, name, memory_bytes, max_processes):
        """A fresh group ``name`` with these limits; one left by an earlier run of that name is emptied first."""
        folders = {controller: os.path.join(base, name) for controller, base in self.bases.items()}
        for folder in set(folders.values()):
            _empty_and_remove(folder)
            os.mkdir(folder, 0o700)
        group = SubmissionGroup(folders, self.version)
        try:
            if self.version == 2:
                _write(os.path.join(folders["memory"], "memory.max"), str(memory_bytes))
                with contextlib.suppress(FileNotFoundError):
                    _write(os.path.join(folders["memory"], "memory.swap.max"), "0")
            else:
                _write(os.path.join(folders["memory"], "memory.limit_in_bytes"), str(memory_bytes))
                with contextlib.suppress(FileNotFoundError):
                    _write(os.path.join(folders["memory"], "memory.memsw.limit_in_bytes"), str(memory_bytes))
            _write(os.path.join(folders["pids"], "pids.max"), str(max_processes))
        except OSError:
            group.remove()
            raise
        return group


def own_cgroups(proc_cgroup="/proc/self/cgroup", mountinfo="/proc/self/mountinfo"):
    """``{hierarchy: folder}`` of this process's cgroups: ``"unified"`` for v2, controller names for v1."""
    mounts = {}
    with open(mountinfo, encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            separator = fields.index("-")
            root, point, fstype = fields[3], fields[4], fields[separator + 1]
            if fstype == "cgroup2":
                mounts.setdefault("unified", (root, point))
            elif fstype == "cgroup":
                for option in fields[separator + 3].split(","):
                    mounts.setdefault(option, (root, point))
    folders = {}
    with open(proc_cgroup, encoding="utf-8") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for controller in (controllers.split(",") if controllers else ["unified"]):
                if controller in mounts:
                    root, point = mounts[controller]
                    relative = path[len(root):] if path.startswith(root) and root != "/" else path
                    folders[controller] = os.path.join(point, relative.lstrip("/"))
    return folders


def _v2_factory(folder):
    base = os.path.join(folder, GROUP_FOLDER)
    with open(os.path.join(folder, "cgroup.controllers"), encoding="ascii") as handle:
        if not {"memory", "pids"} <= set(handle.read().split()):
            return None
    _write(os.path.join(folder, "cgroup.subtree_control"), "+memory +pids")
    with contextlib.suppress(FileExistsError):
        os.mkdir(base, 0o700)
    _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
    return GroupFactory({"memory": base, "pids": base}, 2)


def _v1_factory(folders):
    bases = {}
    for controller in ("memory", "pids"):
        base = os.path.join(folders[controller], GROUP_FOLDER)
        with contextlib.suppress(FileExistsError):
            os.mkdir(base, 0o700)
        bases[controller] = base
    return GroupFactory(bases, 1)


def find_factory():
    """The :class:`GroupFactory` this machine allows, or None (the fallback: per-process and per-user limits)."""
    if os.environ.get("GRADER_CGROUPS") == "none" or os.geteuid() != 0:
        return None
    try:
        folders = own_cgroups()
    except (OSError, ValueError):
        return None
    if "unified" in folders:
        with contextlib.suppress(OSError):
            factory = _v2_factory(folders["unified"])
            if factory is not None:
                return factory
    if "memory" in folders and "pids" in folders:
        with contextlib.suppress(OSError):
            return _v1_factory(folders)
    return None
