"""One stand-alone module made of functions and classes of the graders and everything they use.

:func:`bundle` copies the source of each object, follows every global name its code reads (symbol tables,
not guesses) and brings in what that name is bound to in the object's own module: another function or class
of the graders (copied in turn), a module or an object of another package (imported), or a constant (written
as a literal). Imports of grader modules inside a function are dropped, their names brought in the same way.
A name bound to two different things in two modules, or to something that cannot be written out, stops the
bundle with one line naming it, so a change of the graders never goes into the release half-copied.
"""
import ast
import builtins
import importlib
import inspect
import os
import pprint
import re
import struct
import symtable
import sys
import textwrap
import types

GRADER_PACKAGE = "graders"


class BundleError(Exception):
    """The objects cannot be bundled; the message names the object and the name in question."""


def is_grader_module(name):
    return name == GRADER_PACKAGE or name.startswith(GRADER_PACKAGE + ".") or name == "plain"


def _grader_module(name):
    """The loaded grader module of that name (``plain`` is ``graders.plain``, as the worker imports it)."""
    return importlib.import_module("graders.plain" if name == "plain" else name)


def _is_copied(value):
    return isinstance(value, (types.FunctionType, type)) and is_grader_module(getattr(value, "__module__", ""))


class _Bundle:
    def __init__(self, replacements):
        self.replacements = replacements
        self.imports = {}       # name -> import statement
        self.constants = {}     # name -> source of the value
        self.definitions = {}   # name -> (object, source)
        self.late = {}          # name -> expression, assigned after every definition
        self.origins = {}       # name -> what it stands for, to detect two meanings of one name
        self.sources = {}       # object -> (its source lines, the number of the first)

    def source_lines(self, obj):
        """``inspect.getsourcelines(obj)``, read once per object (a class's is found by parsing its whole module)."""
        if obj not in self.sources:
            self.sources[obj] = inspect.getsourcelines(obj)
        return self.sources[obj]

    def line(self, obj):
        """The number of the first line of ``obj``'s source."""
        return self.source_lines(obj)[1]

    def claim(self, name, origin):
        if self.origins.setdefault(name, origin) != origin:
            raise BundleError(f"the name {name!r} stands for {self.origins[name]} and for {origin}")

    def add_object(self, obj):
        name = obj.__name__
        self.claim(name, f"{obj.__module__}.{obj.__qualname__}")
        if name in self.definitions:
            return
        if obj.__qualname__ != name:
            raise BundleError(f"{obj.__module__}.{obj.__qualname__} is not defined at the top of its module")
        source = textwrap.dedent("".join(self.source_lines(obj)[0]))
        self.definitions[name] = (obj, None)
        module = sys.modules[obj.__module__]
        imported = set()
        source = self._drop_grader_imports(source, obj, imported)
        self.definitions[name] = (obj, source)
        for global_name in sorted(_global_names(source) - imported):
            if global_name != name:
                self.resolve(module, global_name, obj)

    def _drop_grader_imports(self, source, obj, imported):
        """Replace each ``from graders... import ...`` inside the code by ``pass``; bring in what it imported.

        The names it bound are added to ``imported``.
        """
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import) and any(is_grader_module(alias.name) for alias in node.names):
                raise BundleError(f"{obj.__module__}.{obj.__qualname__} imports a grader module as a whole")
            if not (isinstance(node, ast.ImportFrom) and node.module and is_grader_module(node.module)):
                continue
            for alias in node.names:
                imported.add(alias.asname or alias.name)
                bound = self.resolve(_grader_module(node.module), alias.name, obj)
                if alias.asname and alias.asname != bound:
                    self.alias(alias.asname, bound)
            indent = lines[node.lineno - 1][:node.col_offset]
            lines[node.lineno - 1] = indent + "pass"
            for number in range(node.lineno, node.end_lineno):
                lines[number] = None
        return "\n".join(line for line in lines if line is not None) + "\n"

    def alias(self, name, target):
        self.claim(name, f"an alias of {target}")
        self.late[name] = target

    def resolve(self, module, name, user):
        """Bring in what ``name`` is in ``module`` (read by ``user``); return the name it has in the bundle."""
        if name.startswith("__") and name.endswith("__"):
            return name
        replacement = self.replacements.get((module.__name__, name))
        if replacement is not None:
            self.add_object(replacement)
            if replacement.__name__ != name:
                self.alias(name, replacement.__name__)
            return name
        namespace = vars(module)
        if name not in namespace:
            if hasattr(builtins, name):
                return name
            raise BundleError(f"{user.__module__}.{user.__qualname__} reads {name!r}, which {module.__name__} "
                              "does not define")
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            if is_grader_module(value.__name__):
                raise BundleError(f"{module.__name__}.{name} is a grader module, which is not bundled")
            statement = f"import {value.__name__}" + ("" if value.__name__ == name else f" as {name}")
            self.claim(name, statement)
            self.imports[name] = statement
        elif _is_copied(value):
            self.add_object(value)
            if value.__name__ != name:
                self.alias(name, value.__name__)
        elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)) and not _is_copied(value):
            home = value.__module__
            if getattr(sys.modules.get(home), value.__name__, None) is not value:
                raise BundleError(f"{module.__name__}.{name} cannot be imported from {home}")
            statement = f"from {home} import {value.__name__}" + ("" if value.__name__ == name else f" as {name}")
            self.claim(name, statement)
            self.imports[name] = statement
        elif isinstance(value, dict) and value and all(_is_copied(item) for item in value.values()):
            for item in value.values():
                self.add_object(item)
            self.claim(name, f"{module.__name__}.{name}")
            self.late[name] = "{" + ", ".join(f"{key!r}: {item.__name__}" for key, item in value.items()) + "}"
        else:
            try:
                text = self._constant(module, name, value)
            except BundleError:
                if not _made_of_grader_objects(value):
                    raise
                self._copy_statement(module, name, user)
                return name
            self.claim(name, text)
            self.constants[name] = text
        return name

    def _copy_statement(self, module, name, user):
        """Bring in a constant that is no literal (instances of bundled classes, lambdas...) by copying the
        top-level statement of ``module`` that assigns it, after everything that statement reads."""
        tree = ast.parse(inspect.getsource(module))
        nodes = [node for node in tree.body if isinstance(node, ast.Assign) and len(node.targets) == 1
                 and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name]
        if len(nodes) != 1:
            raise BundleError(f"{module.__name__}.{name} is neither a literal nor assigned once at the top of its "
                              "module")
        expression = ast.get_source_segment(inspect.getsource(module), nodes[0].value)
        self.claim(name, f"{module.__name__}.{name}")
        if name in self.late:
            return
        for global_name in sorted(_global_names(f"{name} = {expression}\n")):
            if global_name != name:
                self.resolve(module, global_name, user)
        self.late[name] = expression

    def _constant(self, module, name, value):
        if isinstance(value, re.Pattern):
            self.imports["re"] = "import re"
            return f"re.compile({value.pattern!r}, {int(value.flags)})"
        if isinstance(value, struct.Struct):
            self.imports["struct"] = "import struct"
            return f"struct.Struct({value.format!r})"
        text = pprint.pformat(value, width=110, sort_dicts=False)
        try:
            same = ast.literal_eval(text) == value
        except (ValueError, SyntaxError):
            same = False
        if not same:
            raise BundleError(f"{module.__name__}.{name} = {text[:60]} cannot be written as a literal")
        return text


def _made_of_grader_objects(value):
    """Whether ``value`` holds instances of grader classes, in containers, beside literals only: a value its
    assignment statement, copied, makes again."""
    if is_grader_module(getattr(type(value), "__module__", "")):
        return True
    if isinstance(value, (tuple, list, set, frozenset)):
        parts = list(value)
    elif isinstance(value, dict):
        parts = list(value.keys()) + list(value.values())
    else:
        return is_grader_module(getattr(type(value), "__module__", ""))
    return any(_made_of_grader_objects(part) for part in parts) and all(
        _made_of_grader_objects(part) or _is_literal(part) for part in parts)


def _is_literal(value):
    try:
        return ast.literal_eval(repr(value)) == value
    except (ValueError, SyntaxError, TypeError):
        return False


def _global_names(source):
    """Names the code of one definition reads from its module: in its decorators, defaults and bases, and the
    implicit globals of its body and of every function and class nested in it."""
    table = symtable.symtable(source, "definition", "exec")
    names = {symbol.get_name() for symbol in table.get_symbols()
             if symbol.is_referenced() and not symbol.is_assigned() and not symbol.is_imported()}

    def walk(scope):
        for child in scope.get_children():
            names.update(symbol.get_name() for symbol in child.get_symbols()
                         if symbol.is_global() and symbol.is_referenced())
            walk(child)

    walk(table)
    return names


def _path(obj):
    """The file defining ``obj``, relative to the course root."""
    return os.path.relpath(inspect.getsourcefile(inspect.unwrap(obj)),
                           os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def bundle(roots, replacements=None, header=""):
    """The source of a module holding ``roots`` and everything they use.

    Parameters
    ----------
    roots : list of function or class
        Objects of grader modules, available in the bundle under their own names.
    replacements : dict, optional
        ``{(module name, global name): function}``: wherever code of that module reads that name, the bundle
        uses the function instead (under the name read).
    header : str
        Text put first (the module's docstring and comments).

    Returns
    -------
    str
        Python source; it compiles.

    Raises
    ------
    BundleError
    """
    state = _Bundle(replacements or {})
    for root in roots:
        state.add_object(root)
    parts = [header.rstrip("\n") + "\n"]
    parts.append("\n".join(state.imports[name] for name in sorted(state.imports, key=lambda n: state.imports[n])))
    parts.append("\n".join(f"{name} = {state.constants[name]}" for name in sorted(state.constants)))
    classes = [obj for obj, _ in state.definitions.values() if isinstance(obj, type)]
    functions = [obj for obj, _ in state.definitions.values() if not isinstance(obj, type)]
    for group in (_bases_first(classes, state.line), functions):
        by_file = {}
        for obj in group:
            by_file.setdefault(_path(obj), []).append(obj)
        for path in sorted(by_file):
            objects = sorted(by_file[path], key=state.line)
            parts.append(f"# from {path}\n\n" + "\n\n".join(state.definitions[obj.__name__][1].rstrip("\n")
                                                             for obj in objects))
    if state.late:  # in the order they were brought in: each after what it reads
        parts.append("\n".join(f"{name} = {state.late[name]}" for name in state.late))
    text = "\n\n\n".join(part for part in parts if part.strip()) + "\n"
    compile(text, "bundle", "exec")
    return text


def _bases_first(classes, line):
    """``classes`` in source order (``line(obj)`` gives the first line of each), each after the bundled classes it
    derives from."""
    ordered = []
    pending = sorted(classes, key=lambda obj: (_path(obj), line(obj)))

    def place(obj):
        if obj in ordered:
            return
        for base in obj.__bases__:
            if base in classes:
                place(base)
        ordered.append(obj)

    for obj in pending:
        place(obj)
    return ordered
