"""Unit tests of :mod:`graders.validate` that need no kernel: the switches, the kernel's user, handing its folder
over, and the exit statuses of an unreadable file and of a machine without bubblewrap. Validation itself runs a
sandboxed kernel and the grader, and is covered end to end: the sandbox and the kernel's command line in
``tests/test_validate_sandbox.py``, the report and its wording in ``tests/test_student_workflow.py``."""
import os

import nbformat
import pytest

from graders import validate
from graders.intake import read_release


@pytest.mark.parametrize("value, sandboxed", [(None, True), ("", True), ("bwrap", True), ("none", False)],
                         ids=["unset", "empty", "other", "none"])
def test_only_grader_sandbox_none_turns_the_sandbox_off(monkeypatch, value, sandboxed):
    if value is None:
        monkeypatch.delenv("GRADER_SANDBOX", raising=False)
    else:
        monkeypatch.setenv("GRADER_SANDBOX", value)
    assert validate.sandboxed() is sandboxed


def test_the_kernel_user_is_unprivileged_and_this_process_own():
    uid = validate.kernel_uid()
    assert uid == validate.KERNEL_UID_BASE + os.getpid()
    assert uid >= 100000


@pytest.mark.skipif(os.getuid() != 0, reason="only root gives files away")
def test_give_to_hands_every_file_and_folder_to_the_kernel_user(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f").write_text("")
    (tmp_path / "g").write_text("")
    validate._give_to(str(tmp_path), 123457)
    for path in (tmp_path, tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "f", tmp_path / "g"):
        assert (os.stat(path).st_uid, os.stat(path).st_gid) == (123457, 123457)


def test_an_unreadable_file_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "Regularization.ipynb"
    path.write_text("")
    assert validate.validate(str(path)) == 2
    assert capsys.readouterr().out == f"{path}: the notebook file is empty\n"


def test_without_bubblewrap_the_command_exits_2_naming_the_cause(tmp_path, monkeypatch, capsys):
    path = tmp_path / "Regularization.ipynb"
    nbformat.write(read_release(), path)
    monkeypatch.delenv("GRADER_SANDBOX", raising=False)
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit) as exited:
        validate.main([str(path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("validate: bubblewrap (bwrap) is not installed") and err.count("\n") == 1
