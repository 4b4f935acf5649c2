"""Turning the bytes a student submitted into a notebook nbgrader can grade, with the release's metadata only.

nbgrader trusts the metadata of a notebook: grade ids, points, schema
versions, checksums. A student's notebook carries whatever the student (or
another course) left there. :func:`gradable_notebook` rebuilds the notebook
from its cells' types and sources and their outputs, and gives nbgrader
metadata back only to the cells that match a release cell:

- the first cell carrying a release cell's grade id (and its cell type) gets that
  release cell's metadata, schema version included; every other cell loses its
  nbgrader metadata (a pasted copy of a test cell, a grade cell the student made,
  another course's ids, malformed metadata);
- locked cells get their release source back, deleted test cells are put back;
- a notebook in another layout (no release cell found, e.g. the original course's
  notebook) is graded on the functions it defines, placed in the release's cells;
- the notebook gets the release's format version, metadata and fresh cell ids.
"""
import ast
import copy
import json
import re

import nbformat

from graders.errors import UnreadableSubmission
from graders.notebook import GRADED_FUNCTIONS, grade_id, nbgrader_metadata

MAX_CELLS = 2000
MAX_TAGS = 20
CELL_TYPES = ("code", "markdown", "raw")
#: A JSON escape of a UTF-16 surrogate: the only way a lone one (which no UTF-8 text holds) gets into parsed JSON.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def parse_notebook(data):
    """The cells and format version of a submitted file's bytes: ``(raw notebook dict, major version)``.

    Raises
    ------
    UnreadableSubmission
    """
    if not data.strip():
        raise UnreadableSubmission("the notebook file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableSubmission("the notebook file is not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise UnreadableSubmission("the notebook file nests its JSON too deeply") from None
    except ValueError:
        raise UnreadableSubmission("the notebook file is not valid JSON (was it edited outside Jupyter or "
                                   "truncated?)") from None
    if not isinstance(raw, dict):
        raise UnreadableSubmission("the file is not a Jupyter notebook (it is not a JSON object)")
    if SURROGATE_ESCAPE.search(text) and not _is_unicode(raw):
        raise UnreadableSubmission("the notebook holds text that is not valid Unicode (a lone surrogate, "
                                   "\\ud800 to \\udfff, that no UTF-8 file can hold)")
    version = raw.get("nbformat")
    if version == 4 or (version is None and isinstance(raw.get("cells"), list)):
        return raw, 4
    if version == 3:
        return _upgraded_v3(raw), 4
    raise UnreadableSubmission(f"the file is not a Jupyter notebook of format 3 or 4 (nbformat is "
                               f"{str(version)[:20]!r})")


def _is_unicode(raw):
    """Whether every string of the parsed JSON ``raw`` is valid Unicode: JSON may spell a lone UTF-16 surrogate as
    an escape, which :func:`json.loads` keeps and no UTF-8 text can hold."""
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _upgraded_v3(raw):
    try:
        return json.loads(json.dumps(nbformat.convert(nbformat.from_dict(raw), 4)))
    except Exception as error:  # nbformat's converter raises many types on arbitrary JSON
        raise UnreadableSubmission(f"the file is not a readable notebook of format 3 ({type(error).__name__})") \
            from None


def gradable_notebook(raw, release):
    """The gradable notebook of a submission and the notes about it (one line each).

    Parameters
    ----------
    raw : dict
        The parsed JSON of the submitted notebook (see :func:`parse_notebook`).
    release : nbformat.NotebookNode
        The release notebook.

    Returns
    -------
    notebook : nbformat.NotebookNode
    notes : list of str

    Raises
    ------
    UnreadableSubmission
    """
    raw_cells = raw.get("cells")
    if not isinstance(raw_cells, list):
        raise UnreadableSubmission("the file is not a Jupyter notebook (it has no list of cells)")
    if len(raw_cells) > MAX_CELLS:
        raise UnreadableSubmission(f"the notebook has {len(raw_cells)} cells; the limit is {MAX_CELLS}")
    pairs = [(raw_cell, cell) for raw_cell, cell in zip(raw_cells, map(_rebuilt_cell, raw_cells)) if cell is not None]
    cells = [cell for _, cell in pairs]
    notes = []
    if len(cells) < len(raw_cells):
        notes.append(f"{len(raw_cells) - len(cells)} malformed cell(s) were left out")
    claimed, stripped = _claim_release_metadata(pairs, release)
    if stripped:
        notes.append(f"nbgrader metadata was removed from {stripped} cell(s) that are not cells of the release "
                     "(copies of release cells, or cells from another notebook)")
    if not claimed:
        cells, moved = _in_release_layout(cells, release)
        notes.append("the notebook is not in the release's layout; "
                     + (f"graded on the functions it defines ({', '.join(moved)}), placed in the release's cells"
                        if moved else "none of the graded functions was found in it"))
    notebook = nbformat.v4.new_notebook(metadata=copy.deepcopy(release.metadata))
    notebook.cells = cells
    notebook.nbformat, notebook.nbformat_minor = release.nbformat, release.nbformat_minor
    _restore_locked_cells(notebook, release)
    restored = _restore_graded_cells(notebook, release)
    if restored:
        notes.append("deleted test cells were restored: " + ", ".join(restored))
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"
    _drop_invalid_outputs(notebook)
    return notebook, notes


def _text(value):
    """A cell source or output text: a string, or a list of strings joined; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    return None


def _rebuilt_cell(raw):
    """A new cell from an untrusted one: type, source, outputs and tags only; None when malformed."""
    if not isinstance(raw, dict) or raw.get("cell_type") not in CELL_TYPES:
        return None
    source = _text(raw.get("source", ""))
    if source is None:
        return None
    if raw["cell_type"] == "code":
        outputs = raw.get("outputs")
        # Not nbformat.v4.new_code_cell, which validates the outputs: one that is not valid notebook JSON would
        # stop the whole submission; _drop_invalid_outputs drops it later, alone.
        cell = nbformat.from_dict({"cell_type": "code", "id": "", "metadata": {}, "execution_count": None,
                                   "source": source,
                                   "outputs": [dict(o) for o in outputs if isinstance(o, dict)]
                                   if isinstance(outputs, list) else []})
    else:  # the notebook is validated once, whole (nbformat's new_markdown_cell would validate each cell)
        cell = nbformat.from_dict({"cell_type": raw["cell_type"], "id": "", "metadata": {}, "source": source})
        if raw["cell_type"] == "markdown" and isinstance(raw.get("attachments"), dict):
            cell["attachments"] = raw["attachments"]
    metadata = raw.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    if isinstance(tags, list) and len(tags) <= MAX_TAGS and all(isinstance(t, str) and len(t) <= 64 for t in tags):
        cell.metadata["tags"] = list(tags)
    del cell["id"]
    return nbformat.from_dict(cell)


def _claim_release_metadata(pairs, release):
    """Give release metadata to the first matching cell of each release grade id.

    ``pairs`` holds ``(untrusted cell, rebuilt cell)``; the rebuilt cells are changed in place.

    Returns
    -------
    claimed : int
        How many cells got release metadata.
    stripped : int
        How many cells had nbgrader metadata that was dropped.
    """
    by_id = {grade_id(cell): cell for cell in release.cells if grade_id(cell)}
    taken, claimed, stripped = set(), 0, 0
    for raw, cell in pairs:
        name = grade_id(raw)
        model = by_id.get(name)
        if model is not None and name not in taken and model.cell_type == cell.cell_type:
            taken.add(name)
            cell.metadata = nbformat.from_dict({**copy.deepcopy(model.metadata), **cell.metadata})
            claimed += 1
        elif isinstance(raw.get("metadata"), dict) and "nbgrader" in raw["metadata"]:
            stripped += 1
    return claimed, stripped


TOP_LEVEL_DEF = re.compile(r"^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(", re.M)


def _defined_functions(source):
    """``(defined, attempted)``: the functions a cell defines at its top level, and, for a cell that does not
    parse (which defines none), those it tries to define (``def name(`` at the start of a line)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(), set(TOP_LEVEL_DEF.findall(source))
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}, set()


def _in_release_layout(cells, release):
    """The release's cells, each graded function's cell replaced by the student's cell defining it.

    The last code cell defining a function wins, as it would when the notebook runs top to bottom. A cell that
    does not parse defines nothing when it runs, so it stands for a function only where no cell that parses
    defines it: then the grader runs it in the function's place and names its syntax error.
    """
    definitions, attempts = {}, {}
    for cell in cells:
        if cell.cell_type == "code":
            defined, attempted = _defined_functions(cell.source)
            for name in defined:
                definitions[name] = cell.source
            for name in attempted:
                attempts[name] = cell.source
    definitions = {**attempts, **definitions}
    rebuilt, moved = [], []
    for model in release.cells:
        cell = copy.deepcopy(model)
        name = grade_id(model)
        if name in GRADED_FUNCTIONS and name in definitions:
            cell.source = definitions[name]
            moved.append(name)
        rebuilt.append(cell)
    return rebuilt, moved


def _restore_locked_cells(notebook, release):
    """Give read-only cells their release source back, as nbgrader's OverwriteCells will."""
    locked = {grade_id(cell): cell.source for cell in release.cells
              if nbgrader_metadata(cell).get("locked") and grade_id(cell)}
    for cell in notebook.cells:
        if grade_id(cell) in locked:
            cell.source = locked[grade_id(cell)]


def _restore_graded_cells(notebook, release):
    """Put back the release's autograded test cells that the student deleted; return their grade ids."""
    present = {grade_id(cell) for cell in notebook.cells}
    restored = []
    for index, cell in enumerate(release.cells):
        name = grade_id(cell)
        if not nbgrader_metadata(cell).get("grade") or name in present:
            continue
        anchor = grade_id(release.cells[index - 1]) if index else None
        position = next((i + 1 for i, c in enumerate(notebook.cells) if anchor and grade_id(c) == anchor),
                        len(notebook.cells))
        notebook.cells.insert(position, copy.deepcopy(cell))
        restored.append(name)
    return restored


def _drop_invalid_outputs(notebook):
    """Keep the outputs and attachments that are valid notebook JSON; drop the others, cell by cell."""
    if _valid(notebook):
        return
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs if _valid_output(output, notebook)]
        elif "attachments" in cell and not _valid_cell(cell, notebook):
            del cell["attachments"]
        if cell.cell_type == "code" and not _valid_cell(cell, notebook):
            cell.outputs = []
    if not _valid(notebook):
        raise UnreadableSubmission("the notebook's JSON does not follow the notebook format")


def _valid(notebook):
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError:
        return False
    return True


def _valid_cell(cell, notebook):
    probe = nbformat.v4.new_notebook(metadata=notebook.metadata)
    probe.cells = [cell]
    probe.nbformat_minor = notebook.nbformat_minor
    return _valid(probe)


def _valid_output(output, notebook):
    probe_cell = nbformat.from_dict({"cell_type": "code", "id": "probe", "metadata": {}, "execution_count": None,
                                     "source": "", "outputs": [output]})
    return _valid_cell(probe_cell, notebook)
