"""The virtualenv is exactly the pinned list, complete, and without the slow optional URI checker."""
import os
import re
import subprocess
import sys

import pytest

from graders.notebook import ROOT


def pinned_requirements():
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_to_one_version():
    requirements = pinned_requirements()
    assert len(requirements) > 50
    assert [line for line in requirements if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+-]+", line)] == []


def test_the_pinned_list_is_complete():
    # installed with --no-deps, so a dependency missing from the list would surface here
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("module", ["nbformat", "nbgrader.api"])
def test_importing_the_notebook_libraries_compiles_no_grammar(module):
    probe = f"import sys, {module}; print(sorted(m for m in ('lark', 'rfc3987_syntax') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
