"""Mutation testing of the graders: can the tests fail when a check is removed or the code is changed?

Two modes, both on copies of the project in a temporary folder (the checkout it runs from is never written):

``--mode removal``
    For each check name of the registry (:func:`graders.assignment.check_names`), disable every statement that
    produces a failure of that name (``raise Failed("<name>", ...)``, ``return CheckFailure("<name>", ...)``,
    ``return _fail(..., "<name>", ...)``, a ``Verdict(..., "<name>", ...)``; a statement that only builds such a
    value, an assignment, has its enclosing ``if`` disabled instead), then run ``tests/test_named_checks.py``.
    Every removal must be killed (the tests fail).

``--mode mutants``
    AST mutants of the graders' code: a comparison negated (``==``/``!=``, ``<``/``>=``, ``is``/``is not``,
    ``in``/``not in``...) or moved across its boundary (``<``/``<=``, ``>``/``>=``), ``and``/``or`` swapped,
    ``True``/``False`` swapped, a number changed (``n`` to ``n + 1``), a ``not`` removed, a returned value
    replaced by ``None``, a ``raise`` statement deleted. Each mutant runs a fast, relevant selection of tests
    (``-x``, a time limit per mutant); the score is killed / total, with time-outs counted apart, and every
    surviving mutant is listed with its place and its change.

Usage::

    python bench/mutation.py [--mode removal|mutants|both] [--files graders/ladder.py ...] [--jobs 2]
                             [--timeout 300] [--tests tests/test_x.py ...] [--json out.json]
                             [--survivors-of earlier.json]
"""
import argparse
import ast
import concurrent.futures
import copy
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSIGNMENT = os.environ.get("GRADER_ASSIGNMENT", "regularization")
IGNORED = (".git", ".venv", "__pycache__", ".pytest_cache", "autograded", "feedback", "reports", "intake", ".cache",
           "backups", "gradebook.db", ".ipynb_checkpoints")
MUTATED_FILES = ("graders/ladder.py", "graders/grading.py", f"graders/{ASSIGNMENT}/checks.py", "graders/mistakes.py",
                 "graders/plain.py")
REMOVAL_TESTS = ("tests/test_named_checks.py",)
# The fast unit tests first: with -x, most mutants are killed before a notebook is graded.
MUTANT_TESTS = ("tests/test_plain.py", "tests/test_ladder_mutants.py", "tests/test_ladder.py", "tests/test_oracle.py",
                *(f"tests/test_sandbox.py::{name}" for name in (  # the worker protocol, no sandbox started
                    "test_a_valid_report_is_accepted_as_sent", "test_a_malformed_record_is_refused_without_raising",
                    "test_a_malformed_results_frame_is_refused_without_raising",
                    "test_numeric_arrays_of_every_kind_travel_exactly",
                    "test_a_malformed_stream_is_refused_without_raising")),
                "tests/test_worker.py", "tests/test_named_checks.py", "tests/test_grading.py")
# The callables that produce a named failure, and the position of the check name among their arguments.
PRODUCERS = {"Failed": 0, "CheckFailure": 0, "_fail": 1, "Verdict": 2}


def copy_project(destination, source=ROOT):
    """Copy the project (its working tree, generated folders left out) into ``destination``."""
    shutil.copytree(source, destination, symlinks=True, ignore=shutil.ignore_patterns(*IGNORED))
    return destination


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as handle:
        return handle.read()


def write(root, path, text):
    full = os.path.join(root, path)
    with open(full, "w", encoding="utf-8") as handle:
        handle.write(text)
    cache = os.path.join(os.path.dirname(full), "__pycache__")
    shutil.rmtree(cache, ignore_errors=True)


# --- Check removal ---

def named_check(node):
    """The check name a call node produces a failure of, or None."""
    if not isinstance(node, ast.Call):
        return None
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
    position = PRODUCERS.get(name)
    if position is None:
        return None
    arguments = list(node.args)
    keyword = {"Failed": "check", "CheckFailure": "check", "_fail": "check", "Verdict": "check"}[name]
    value = arguments[position] if len(arguments) > position else next(
        (k.value for k in node.keywords if k.arg == keyword), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _statement_lists(node):
    for field in ("body", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", []):
        yield handler.body


class RemoveCheck(ast.NodeTransformer):
    """Disable every statement producing a failure named ``name``; count them in ``sites``."""

    def __init__(self, name):
        self.name = name
        self.sites = []

    def _produces(self, statement):
        return any(named_check(node) == self.name for node in ast.walk(statement))

    def generic_visit(self, node):
        for statements in _statement_lists(node):
            for index, statement in enumerate(statements):
                if isinstance(statement, (ast.Raise, ast.Return, ast.Expr)) and self._produces(statement):
                    self.sites.append(statement.lineno)
                    statements[index] = ast.copy_location(ast.Pass(), statement)
                elif (isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign))
                      and self._produces(statement) and isinstance(node, ast.If)):
                    self.sites.append(node.lineno)
                    node.test = ast.copy_location(ast.Constant(False), node.test)
        return super().generic_visit(node)


def graders_sources(root):
    """Every Python file of ``graders/`` (the engine and the assignment's package), relative to ``root``."""
    found = []
    for folder, _, names in os.walk(os.path.join(root, "graders")):
        found += [os.path.relpath(os.path.join(folder, name), root) for name in names if name.endswith(".py")]
    return sorted(found)


def removal_mutants(root, names):
    """``[(name, {path: mutated source}, sites)]``: each check name removed from every file that produces it."""
    mutants = []
    for name in names:
        files, sites = {}, []
        for path in graders_sources(root):
            tree = ast.parse(read(root, path))
            remover = RemoveCheck(name)
            remover.visit(tree)
            if remover.sites:
                files[path] = ast.unparse(ast.fix_missing_locations(tree))
                sites += [f"{path}:{line}" for line in remover.sites]
        mutants.append({"name": name, "files": files, "sites": sites, "change": f"check '{name}' removed"})
    return mutants


# --- Mutants ---

NEGATED = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
           ast.LtE: ast.Gt, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
BOUNDARY = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Is: "is",
          ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in", ast.And: "and", ast.Or: "or"}


def _docstrings(tree):
    """The ids of the docstring nodes of a module, its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _annotations(tree):
    """The ids of every node inside an annotation (dataclass fields, arguments, returns)."""
    found = set()
    for node in ast.walk(tree):
        for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
            if annotation is not None:
                found.update(id(inner) for inner in ast.walk(annotation))
    return found


def mutation_points(tree):
    """``[(node index in ast.walk order, kind, line, description)]`` of every mutant of a module."""
    skip = _docstrings(tree) | _annotations(tree)
    points = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.Compare):
            for position, operator in enumerate(node.ops):
                kind = type(operator)
                points.append((index, ("negate", position), line, f"{SYMBOL[kind]} -> {SYMBOL[NEGATED[kind]]}"))
                if kind in BOUNDARY:
                    points.append((index, ("boundary", position), line,
                                   f"{SYMBOL[kind]} -> {SYMBOL[BOUNDARY[kind]]}"))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And
            points.append((index, ("boolop",), line, f"{SYMBOL[type(node.op)]} -> {SYMBOL[other]}"))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            points.append((index, ("not",), line, "'not' removed"))
        elif isinstance(node, ast.Constant) and type(node.value) is bool:
            points.append((index, ("bool",), line, f"{node.value} -> {not node.value}"))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
            points.append((index, ("number",), line, f"{node.value!r} -> {node.value + 1!r}"))
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            points.append((index, ("return",), line, f"return {_short(node.value)} -> return None"))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            points.append((index, ("raise",), line, f"raise {_short(node.exc)} deleted"))
    return points


def _short(node, limit=60):
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def apply_mutation(source, index, kind):
    """``source`` with the mutation ``kind`` applied to the ``index``-th node of ``ast.walk``."""
    tree = ast.parse(source)
    node = list(ast.walk(tree))[index]
    if kind[0] in ("negate", "boundary"):
        table = NEGATED if kind[0] == "negate" else BOUNDARY
        node.ops[kind[1]] = table[type(node.ops[kind[1]])]()
    elif kind[0] == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind[0] == "not":
        node.op = ast.UAdd()  # `+x` of a bool is its int: truth unchanged, the `not` gone
        node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
    elif kind[0] == "bool":
        node.value = not node.value
    elif kind[0] == "number":
        node.value = node.value + 1
    elif kind[0] == "return":
        node.value = None
    elif kind[0] == "raise":
        _replace_statement(tree, node, ast.Pass())
    return ast.unparse(ast.fix_missing_locations(tree))


def _replace_statement(tree, old, new):
    for parent in ast.walk(tree):
        for statements in _statement_lists(parent):
            for position, statement in enumerate(statements):
                if statement is old:
                    statements[position] = ast.copy_location(new, old)
                    return
    raise ValueError("statement not found")


def code_mutants(root, paths):
    mutants = []
    for path in paths:
        source = read(root, path)
        for index, kind, line, change in mutation_points(ast.parse(source)):
            mutants.append({"name": f"{path}:{line}", "path": path, "line": line, "change": change,
                            "files": {path: apply_mutation(source, index, kind)}})
    return mutants


# --- Running ---

def run_tests(workdir, tests, timeout):
    """``("killed" | "survived" | "timeout", seconds, first failed test)`` of one run of ``tests`` in ``workdir``."""
    environment = {**os.environ, "GRADER_ASSIGNMENT": ASSIGNMENT, "PYTHONDONTWRITEBYTECODE": "1",
                   "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "pytest", *tests, "-x", "-q", "-p", "no:cacheprovider"]
    start = time.monotonic()
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        process = subprocess.Popen(command, cwd=workdir, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            status = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            return "timeout", time.monotonic() - start, ""
        output.seek(0)
        failures = [line[:300] for line in output.read().splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return ("survived" if status == 0 else "killed"), time.monotonic() - start, failures[0] if failures else ""


def run_mutants(mutants, tests, jobs, timeout, workspace, source, progress=True):
    """Run every mutant in one of ``jobs`` copies of ``source`` (the snapshot of the project taken at the start,
    so that edits to the checkout during a run change nothing); each mutant gets ``outcome`` and ``seconds``."""
    copies = queue.Queue()
    for number in range(jobs):
        copies.put(copy_project(os.path.join(workspace, f"copy{number}"), source))

    def one(mutant):
        workdir = copies.get()
        originals = {path: read(workdir, path) for path in mutant["files"]}
        try:
            for path, text in mutant["files"].items():
                write(workdir, path, text)
            present = [test for test in tests if os.path.exists(os.path.join(workdir, test))]
            mutant["outcome"], mutant["seconds"], mutant["failed"] = run_tests(workdir, present, timeout)
        finally:
            for path, text in originals.items():
                write(workdir, path, text)
            copies.put(workdir)
        return mutant

    done = 0
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for mutant in pool.map(one, mutants):
            done += 1
            if progress:
                print(f"[{done}/{len(mutants)}] {mutant['outcome']:8} {mutant['seconds']:5.1f}s  "
                      f"{mutant['name']}  {mutant['change']}", flush=True)
    return mutants


def baseline(tests, timeout, workspace, source):
    """The selection must pass on the unmutated copy, or no outcome means anything."""
    workdir = copy_project(os.path.join(workspace, "baseline"), source)
    present = [test for test in tests if os.path.exists(os.path.join(workdir, test))]
    outcome, seconds, _ = run_tests(workdir, present, timeout)
    if outcome != "survived":
        sys.exit(f"mutation: the tests {' '.join(present)} do not pass on the unmutated project ({outcome})")
    shutil.rmtree(workdir)
    return seconds


def removal_report(mutants):
    print("\nCheck removal (tests/test_named_checks.py)")
    width = max(len(m["name"]) for m in mutants)
    for mutant in mutants:
        sites = ", ".join(mutant["sites"]) or "no site found"
        print(f"  {mutant['name']:{width}}  {mutant['outcome']:8}  {len(mutant['sites'])} site(s): {sites}")
        if mutant["failed"]:
            print(f"  {'':{width}}  first failure: {mutant['failed']}")
    killed = sum(m["outcome"] == "killed" for m in mutants)
    print(f"  {killed}/{len(mutants)} removals killed")


def mutants_report(mutants):
    print("\nMutation score")
    for path in sorted({m["path"] for m in mutants}):
        mine = [m for m in mutants if m["path"] == path]
        counts = {kind: sum(m["outcome"] == kind for m in mine) for kind in ("killed", "survived", "timeout")}
        print(f"  {path}: {counts['killed']}/{len(mine)} killed, {counts['survived']} survived, "
              f"{counts['timeout']} timed out")
    killed = sum(m["outcome"] == "killed" for m in mutants)
    timeouts = sum(m["outcome"] == "timeout" for m in mutants)
    print(f"  total: {killed}/{len(mutants)} killed ({100 * killed / max(len(mutants), 1):.1f}%), "
          f"{timeouts} timed out")
    survivors = [m for m in mutants if m["outcome"] != "killed"]
    if survivors:
        print("\nSurviving mutants")
        for mutant in survivors:
            print(f"  {mutant['outcome']:8} {mutant['path']}:{mutant['line']}  {mutant['change']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("removal", "mutants", "both"), default="both")
    parser.add_argument("--files", nargs="+", default=list(MUTATED_FILES))
    parser.add_argument("--tests", nargs="+", default=None, help="the tests of the mutants mode")
    parser.add_argument("--only", nargs="+", default=None, help="in removal mode, these check names only")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--json", default=None, help="write every outcome to this file")
    parser.add_argument("--survivors-of", default=None,
                        help="in mutants mode, run only the mutants that survived in this earlier --json file")
    args = parser.parse_args(argv)
    jobs = max(1, min(args.jobs, 2))
    start = time.monotonic()
    results = {}
    with tempfile.TemporaryDirectory(prefix="mutation-") as workspace:
        source = copy_project(os.path.join(workspace, "pristine"))
        if args.mode in ("removal", "both"):
            sys.path.insert(0, source)
            os.environ["GRADER_ASSIGNMENT"] = ASSIGNMENT
            from graders.assignment import check_names

            names = args.only or list(check_names(ASSIGNMENT))
            print(f"baseline of {' '.join(REMOVAL_TESTS)}: {baseline(REMOVAL_TESTS, args.timeout, workspace, source):.1f}s")
            mutants = removal_mutants(source, names)
            for mutant in mutants:
                mutant["path"] = "removal"
                if not mutant["files"]:
                    mutant["outcome"], mutant["seconds"], mutant["failed"] = "survived", 0.0, ""
            run_mutants([m for m in mutants if m["files"]], REMOVAL_TESTS, jobs, args.timeout,
                        os.path.join(workspace, "removal"), source)
            removal_report(mutants)
            results["removal"] = mutants
        if args.mode in ("mutants", "both"):
            tests = args.tests or list(MUTANT_TESTS)
            print(f"baseline of {' '.join(tests)}: {baseline(tests, args.timeout, workspace, source):.1f}s")
            mutants = code_mutants(source, args.files)
            if args.survivors_of:
                with open(args.survivors_of, encoding="utf-8") as handle:
                    earlier = {(m["name"], m["change"]) for m in json.load(handle)["mutants"] if m["outcome"] != "killed"}
                mutants = [m for m in mutants if (m["name"], m["change"]) in earlier]
            print(f"{len(mutants)} mutants in {', '.join(args.files)}")
            run_mutants(mutants, tests, jobs, args.timeout, os.path.join(workspace, "mutants"), source)
            mutants_report(mutants)
            results["mutants"] = mutants
    elapsed = time.monotonic() - start
    print(f"\nmutation: {elapsed / 60:.1f} min")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({mode: [{k: v for k, v in m.items() if k != "files"} for m in mutants]
                       for mode, mutants in results.items()}, handle, indent=1)
    failed = any(m["outcome"] != "killed" for m in results.get("removal", []))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
