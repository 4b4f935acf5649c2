"""graders.bundle: a stand-alone module made of grader objects and everything they read."""
import sys
import textwrap

import pytest

from graders import bundle

PACKAGE = "bundlefixture"
MODULES = {
    "__init__": "",
    "shapes": '''
        from dataclasses import dataclass

        import numpy as np

        from bundlefixture.numbers import LIMIT as OTHER_LIMIT, helper

        SCALE = 2.5
        NAMES = ("x", "y")


        @dataclass(frozen=True)
        class Point:
            x: float


        class Special(Point):
            pass


        def root(value):
            from bundlefixture.numbers import inner as innermost

            return Special(float(np.float64(helper(value) * SCALE + innermost() + OTHER_LIMIT)))


        def by_name(name):
            return TABLE[name](1)


        def names():
            return [name.upper() for name in NAMES]


        TABLE = {"root": root}
    ''',
    "numbers": '''
        LIMIT = 3


        def helper(value):
            return value + LIMIT


        def inner():
            return 1
    ''',
    "clash": '''
        SCALE = 3.0


        def scaled(value):
            return value * SCALE
    ''',
    "opaque": '''
        HANDLE = object()


        def reads_handle():
            return HANDLE
    ''',
    "replacement": '''
        def fake_helper(value):
            return -value
    ''',
}


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A throw-away package standing for the graders; yields its modules by name."""
    folder = tmp_path / PACKAGE
    folder.mkdir()
    for name, source in MODULES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(bundle, "GRADER_PACKAGE", PACKAGE)
    import importlib

    modules = {name: importlib.import_module(f"{PACKAGE}.{name}") for name in MODULES if name != "__init__"}
    yield modules
    for name in list(sys.modules):
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            del sys.modules[name]


def _run(text):
    """Execute a bundle where the package cannot be imported; return its namespace."""
    namespace = {"__name__": "bundled"}
    exec(compile(text, "bundled", "exec"), namespace)
    return namespace


def test_a_bundle_runs_without_the_package(package, monkeypatch):
    text = bundle.bundle([package["shapes"].root, package["shapes"].by_name, package["shapes"].names],
                         header='"""bundled"""')
    expected = package["shapes"].root(1), package["shapes"].by_name("root")
    for name in list(sys.modules):
        if name.startswith(PACKAGE):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if PACKAGE not in entry and "pytest-" not in entry])
    namespace = _run(text)
    assert namespace["root"](1).x == expected[0].x == (1 + 3) * 2.5 + 1 + 3
    assert isinstance(namespace["root"](1), namespace["Point"])
    assert namespace["by_name"]("root").x == expected[1].x
    assert namespace["names"]() == ["X", "Y"]
    assert f"from {PACKAGE}" not in text and f"import {PACKAGE}" not in text
    assert text.index("class Point") < text.index("class Special")


def test_only_what_is_read_is_copied(package):
    text = bundle.bundle([package["shapes"].names])
    assert "NAMES = " in text and "def names" in text
    assert "def root" not in text and "SCALE" not in text and "import numpy" not in text


def test_a_replacement_takes_the_place_of_what_a_module_reads(package):
    text = bundle.bundle([package["shapes"].root],
                         {(f"{PACKAGE}.shapes", "helper"): package["replacement"].fake_helper})
    assert "def fake_helper" in text and "helper = fake_helper" in text and "value + LIMIT" not in text
    assert _run(text)["root"](1).x == -1 * 2.5 + 1 + 3


@pytest.mark.parametrize("roots, message", [
    (lambda m: [m["shapes"].root, m["clash"].scaled], "'SCALE' stands for"),
    (lambda m: [m["opaque"].reads_handle], "HANDLE = <object object"),
])
def test_what_cannot_be_bundled_faithfully_stops_the_bundle(package, roots, message):
    with pytest.raises(bundle.BundleError, match=message.replace("(", r"\(")):
        bundle.bundle(roots(package))


def test_each_object_s_source_is_read_once(package, monkeypatch):
    """A class's source is found by parsing its whole module: a bundle reads each object's source once (and gives
    the same text while the reads are counted)."""
    roots = [package["shapes"].root, package["shapes"].by_name, package["shapes"].names]
    unread = bundle.bundle(roots)
    reads = []
    getsourcelines = bundle.inspect.getsourcelines
    monkeypatch.setattr(bundle.inspect, "getsourcelines", lambda obj: reads.append(obj) or getsourcelines(obj))
    assert bundle.bundle(roots) == unread
    assert reads and len(reads) == len(set(reads))
    assert {package["shapes"].Point, package["shapes"].Special} <= set(reads)
