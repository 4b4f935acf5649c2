"""`make validate` runs the student's kernel in the sandbox: a hostile cell reaches nothing of the machine."""
import json
import os
import re
import socket
import subprocess
import sys

import nbformat
import pytest

from graders import validate
from graders.notebook import ROOT
from tests.notebooks import make_submission, reference_solutions

SECRET = os.path.join(ROOT, "graders", "regularization", "expected", "compute_cost_with_regularization.npz")
PREFIX_TARGET = os.path.join(sys.prefix, "written-by-a-student")

# A student's extra cell that tries everything the sandbox forbids and reports, in the error it raises
# (the only part of a cell validate prints), what it managed. The test prepends the targets as variables.
ATTACK = """\
import json, os, resource, socket
report = {"uid": os.getuid(), "pids": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
          "limits": {name: resource.getrlimit(getattr(resource, name))[1] for name in LIMIT_NAMES}}
try:
    with open(SECRET, "rb") as handle:
        report["secret"] = f"read {len(handle.read())} bytes"
except OSError as error:
    report["secret"] = type(error).__name__
try:
    report["course"] = sorted(os.listdir(COURSE))
except OSError as error:
    report["course"] = type(error).__name__
try:
    socket.create_connection(("127.0.0.1", PORT), timeout=5).close()
    report["tcp"] = "connected"
except OSError as error:
    report["tcp"] = type(error).__name__
report["written"] = {}
for target in WRITE_TARGETS:
    try:
        with open(target, "w") as handle:
            handle.write("written by a student")
        report["written"][target] = "written"
    except OSError as error:
        report["written"][target] = type(error).__name__
!touch {TOUCH_TARGET}
raise RuntimeError("REPORT " + json.dumps(report))
"""


@pytest.fixture
def listening_port():
    """A TCP server on loopback; yields ``(port, connected)`` where ``connected()`` tells if anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)

    def connected():
        try:
            client, _ = server.accept()
        except socket.timeout:
            return False
        client.close()
        return True

    yield server.getsockname()[1], connected
    server.close()


def _attack(tmp_path, port, write_targets, environment=None):
    """Validate a correct notebook with the hostile cell appended; return (completed process, report)."""
    targets = {"LIMIT_NAMES": sorted(validate.KERNEL_LIMITS), "SECRET": SECRET, "COURSE": ROOT, "PORT": port,
               "WRITE_TARGETS": write_targets, "TOUCH_TARGET": str(tmp_path / "touched-by-a-student")}
    source = "".join(f"{name} = {value!r}\n" for name, value in targets.items()) + ATTACK
    notebook = make_submission(reference_solutions(), extra_cells=[(10 ** 6, source)])
    path = tmp_path / "student" / "Regularization.ipynb"
    path.parent.mkdir()
    nbformat.write(notebook, path)
    result = subprocess.run([sys.executable, "-m", "graders.validate", str(path)], capture_output=True, text=True,
                            timeout=600, cwd=ROOT, env={**os.environ, **(environment or {})})
    found = re.search(r"^  error in your cell: RuntimeError: REPORT (\{.*\})$", result.stdout, re.MULTILINE)
    assert found, result.stdout + result.stderr
    return result, json.loads(found.group(1))


def test_the_kernel_reaches_nothing_outside_its_folder(tmp_path, listening_port):
    port, connected = listening_port
    outside = str(tmp_path / "written-by-a-student")
    result, report = _attack(tmp_path, port, [outside, PREFIX_TARGET])
    try:
        assert report["secret"] in ("FileNotFoundError", "PermissionError")
        assert isinstance(report["course"], str) or not {"graders", "source", "gradebook.db"} & set(report["course"])
        assert report["tcp"] != "connected" and not connected()
        assert set(report["written"]) == {outside, PREFIX_TARGET} and "written" not in report["written"].values()
        assert not os.path.exists(outside) and not os.path.exists(PREFIX_TARGET)
        assert not (tmp_path / "touched-by-a-student").exists()
    finally:
        if os.path.exists(PREFIX_TARGET):
            os.remove(PREFIX_TARGET)
    assert report["uid"] != 0 if os.getuid() == 0 else report["uid"] == os.getuid()
    assert os.getpid() not in report["pids"] and len(report["pids"]) <= 4  # its own PID namespace
    assert report["limits"] == validate.KERNEL_LIMITS
    # the rest of the report is unchanged: the functions are right, so every public check passes
    assert result.returncode == 0 and result.stdout.count("PASS") == 4, result.stdout


def test_the_same_attack_succeeds_without_the_sandbox(tmp_path, listening_port):
    """Proof that the test above can fail: with the sandbox switched off the attacker gets through."""
    if os.getuid() != 0 and not os.access(SECRET, os.R_OK):
        pytest.skip("the grader's files are not readable by this user")
    port, connected = listening_port
    outside = str(tmp_path / "written-by-a-student")
    _, report = _attack(tmp_path, port, [outside], environment={"GRADER_SANDBOX": "none"})
    assert report["secret"].startswith("read ") and "graders" in report["course"]
    assert report["tcp"] == "connected" and connected()
    assert report["written"] == {outside: "written"} and os.path.exists(outside)
    assert (tmp_path / "touched-by-a-student").exists()
    assert report["uid"] == os.getuid() and os.getpid() in report["pids"]


def _bound(command):
    """``{source: option}`` of every folder the bwrap command line makes visible."""
    bound = {}
    for index, argument in enumerate(command):
        if argument in ("--bind", "--ro-bind", "--ro-bind-try"):
            bound[command[index + 1]] = argument
    return bound


@pytest.mark.parametrize("uid", [0, 1000], ids=["root", "user"])
def test_kernel_command_line(monkeypatch, uid):
    monkeypatch.setattr(os, "getuid", lambda: uid)
    work = "/tmp/validate-x/work"
    command = validate.kernel_command(work, 123456)
    assert os.path.basename(command[0]) == "bwrap"
    for option in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
                   "--clearenv"):
        assert option in command
    bound = _bound(command)
    assert {source for source, option in bound.items() if option == "--bind"} == {work}
    assert set(bound) <= {"/usr", "/etc/alternatives", "/etc/fonts", work, os.path.realpath(sys.prefix),
                          os.path.realpath(sys.base_prefix)}
    assert ROOT not in bound and not any(source.startswith(os.path.join(ROOT, "graders")) for source in bound)
    launcher = command.index(validate.KERNEL_LAUNCHER)
    assert command[launcher + 1:] == ["123456", json.dumps(validate.KERNEL_LIMITS), "{connection_file}"]
    assert set(validate.KERNEL_LIMITS) == {"RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_CORE"}
    if uid == 0:  # root in the sandbox may change its user id and nothing else, which the launcher then does
        assert command[1:7] == ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        assert "os.setuid(uid)" in validate.KERNEL_LAUNCHER
    else:
        assert "--unshare-user" in command and "--disable-userns" in command and "--cap-add" not in command


def test_kernel_command_line_without_the_sandbox(monkeypatch):
    monkeypatch.setenv("GRADER_SANDBOX", "none")
    command = validate.kernel_command("/tmp/validate-x/work", 123456)
    assert "bwrap" not in " ".join(command) and command[-2:] == ["-f", "{connection_file}"]


def test_validate_refuses_to_run_without_bubblewrap(monkeypatch):
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    monkeypatch.delenv("GRADER_SANDBOX", raising=False)
    with pytest.raises(validate.SandboxUnavailable, match="bubblewrap"):
        validate.kernel_command("/tmp/validate-x/work", 123456)



def _load_config(environment):
    """Load nbgrader_config.py three times in one process, as nbgrader does; return the process's stderr."""
    code = ("from traitlets.config.loader import PyFileConfigLoader\n"
            "for _ in range(3):\n"
            f"    PyFileConfigLoader('nbgrader_config.py', path={ROOT!r}).load_config()\n")
    environment = {key: value for key, value in {**os.environ, **environment}.items() if value is not None}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env=environment)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_stock_execution_says_once_that_it_is_unsandboxed():
    stderr = _load_config({"NBGRADER_STOCK_EXECUTE": "1", "NBGRADER_STOCK_EXECUTE_WARNED": None})
    lines = [line for line in stderr.splitlines() if "UNSAFE" in line]
    assert len(lines) == 1
    assert "NBGRADER_STOCK_EXECUTE=1" in lines[0] and "unsandboxed" in lines[0]
    assert "current user" in lines[0] and f"uid {os.getuid()}" in lines[0] and "benchmark" in lines[0]


def test_sandboxed_autograding_prints_no_warning():
    assert "UNSAFE" not in _load_config({"NBGRADER_STOCK_EXECUTE": None, "NBGRADER_STOCK_EXECUTE_WARNED": None})


def test_a_virtualenv_reached_through_a_link_runs_from_its_real_folder(monkeypatch, tmp_path):
    """Only the environment's real folder is bound in the sandbox: the link's path does not exist there."""
    link = tmp_path / "linked-venv"
    link.symlink_to(os.path.realpath(sys.prefix))
    monkeypatch.setattr(sys, "prefix", str(link))
    monkeypatch.setattr(sys, "executable", str(link / "bin" / os.path.basename(sys.executable)))
    command = validate.kernel_command("/tmp/validate-x/work", 123456)
    python = command[command.index(validate.KERNEL_LAUNCHER) - 3]
    assert python == os.path.join(os.path.realpath(str(link)), "bin", os.path.basename(sys.executable))
    assert os.path.realpath(str(link)) in _bound(command) and str(link) not in _bound(command)
