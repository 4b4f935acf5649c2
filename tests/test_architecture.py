"""The engine's shape: it names no assignment, its modules import each other without a cycle, and every module of
graders/ has its own test module."""
import ast
import os

import pytest

from graders.assignment import ROOT, assignment_names
from graders.notebook import GRADED_FUNCTIONS, NOTEBOOK_NAME

GRADERS = os.path.join(ROOT, "graders")
ENGINE_MODULES = sorted(name[:-3] for name in os.listdir(GRADERS) if name.endswith(".py") and name != "__init__.py")


def _source(module):
    with open(os.path.join(GRADERS, module + ".py"), encoding="utf-8") as handle:
        return handle.read()


def _code_without_docstrings(module):
    """The module's code with its docstrings and comments left out: what it does, not what it says."""
    tree = ast.parse(_source(module))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def _assignment_words():
    words = set(GRADED_FUNCTIONS) | {os.path.splitext(NOTEBOOK_NAME)[0]}
    for name in assignment_names():
        words.add(name)
    return words


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_the_engine_names_no_assignment(module):
    """An engine module's code holds no assignment's name, notebook or graded function: those come from
    graders.assignment (the source folder and the assignment's graders package)."""
    code = _code_without_docstrings(module).lower()
    found = sorted(word for word in _assignment_words() if word.lower() in code)
    assert not found, f"graders/{module}.py names {found}"


def _imports(module):
    """The modules of graders/ (engine and assignment packages) that ``module`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(_source(module))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("graders"):
            parts = node.module.split(".")
            if len(parts) >= 2 and parts[1] in ENGINE_MODULES:
                found.add(parts[1])
            elif len(parts) == 1:
                found.update(alias.name for alias in node.names if alias.name in ENGINE_MODULES)
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("graders.") and alias.name.split(".")[1] in ENGINE_MODULES)
    return found - {module}


def _cycle(graph):
    """One import cycle of ``graph`` ({module: imported modules}) as a list of modules, or None."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_engine_s_modules_import_each_other_without_a_cycle():
    graph = {module: _imports(module) for module in ENGINE_MODULES}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, ["b", "c", "b"]),
], ids=["two", "none", "deeper"])
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert _cycle(graph) == cycle


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_each_engine_module_has_its_own_test_module(module):
    assert os.path.exists(os.path.join(ROOT, "tests", f"test_{module}.py")), f"tests/test_{module}.py is missing"


@pytest.mark.parametrize("name", assignment_names())
def test_each_module_of_an_assignment_s_graders_has_its_own_test_module(name):
    package = os.path.join(GRADERS, name)
    modules = sorted(entry[:-3] for entry in os.listdir(package) if entry.endswith(".py") and entry != "__init__.py")
    missing = [module for module in modules
               if not os.path.exists(os.path.join(ROOT, "tests", name, f"test_{module}.py"))]
    assert not missing, f"tests/{name}/ lacks test modules for {missing}"
