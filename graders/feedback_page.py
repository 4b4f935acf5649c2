"""What a student reads first on their feedback page, and the local MathJax that renders its formulas.

The page is nbgrader's feedback template with a summary on top (``templates/feedback_page``). The
preprocessors below gather what the summary shows, one job each, into ``resources["summary"]``:

- :class:`SummarizeFunctions`: each graded function with its points and its verdict, the likely mistake first;
- :class:`ListFailedCells`: the cells that failed when the notebook was graded, with their error;

and :class:`BundleMathJax` puts MathJax in the page's folder (``mathjax/``), from which the page loads it: formulas
are rendered without any network, under a Content-Security-Policy that runs no inline script and loads scripts
from the page's own origin only (:data:`graders.sanitize.CONTENT_SECURITY_POLICY`). Every page's folder holds all
of MathJax's files, so a student's folder renders anywhere on its own; the first page of a run gets a written copy
(about 2.6 MB) and the others hard links to its files (:func:`place_mathjax`).
"""
import copy
import errno
import functools
import os
import stat

from graders.assignment import graders_module
from graders.notebook import ASSIGNMENT, grade_id
from graders.reports import CELL_ERROR_KEY, VERDICT_KEY
from graders.sanitize import InertPreprocessor, PolicyHTMLExporter

TEMPLATE_NAME = "feedback_page"
TEMPLATE_FILE = "page.html.j2"  # extends nbgrader's feedback page, index.html.j2
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
LIKELY_MISTAKE = ". Likely mistake: "
#: The folder beside the page that holds its MathJax, and the scripts the page loads from it, in order.
MATHJAX_FOLDER = "mathjax"
MATHJAX_SCRIPTS = (f"{MATHJAX_FOLDER}/page-config.js", f"{MATHJAX_FOLDER}/MathJax.js")
#: The parts of MathJax 2.7 the page uses: TeX in, HTML-CSS out with the STIX-Web fonts, the Safe extension
#: (no ``javascript:`` link, style or extension from a student's TeX). Paths relative to MathJax's folder.
MATHJAX_PARTS = ("MathJax.js", "LICENSE", "config/TeX-AMS-MML_HTMLorMML-full.js", "config/Safe.js",
                 "extensions/Safe.js", "extensions/TeX", "extensions/HTML-CSS", "jax/input/TeX", "jax/element/mml",
                 "jax/output/HTML-CSS", "fonts/HTML-CSS/STIX-Web/woff")
PAGE_CONFIG = os.path.join(TEMPLATES, TEMPLATE_NAME, "mathjax-page-config.js")


@functools.lru_cache(maxsize=None)
def mistake_messages():
    """``{mistake id: message}`` of the assignment's catalogue, read at its first use: a page needs it only when a
    verdict's message was edited by hand, and reading it loads the assignment's graders (numpy with them)."""
    return {mistake.mistake_id: mistake.message for mistake in graders_module(ASSIGNMENT).MISTAKES}


def template_basedirs():
    """The folders nbconvert searches for the feedback template: this project's, then nbgrader's (its base).

    nbgrader's folder is found without importing nbgrader (whose package loads the Jupyter server extensions).
    """
    import importlib.util

    nbgrader_dir = importlib.util.find_spec("nbgrader").submodule_search_locations[0]
    return [TEMPLATES, os.path.join(nbgrader_dir, "server_extensions", "formgrader", "templates")]


class FeedbackPageExporter(PolicyHTMLExporter):
    """The exporter of the feedback pages: the page's Content-Security-Policy and this project's template.

    The template is the class's own, whatever nbgrader's ``GenerateFeedback`` configures for ``HTMLExporter``
    (its ``feedback`` template, which this one extends).
    """

    def __init__(self, config=None, parent=None, **kwargs):
        from traitlets.config import Config

        own = Config(copy.deepcopy(config if config is not None else getattr(parent, "config", Config())))
        own.FeedbackPageExporter.template_name = TEMPLATE_NAME
        own.FeedbackPageExporter.template_file = TEMPLATE_FILE
        own.FeedbackPageExporter.extra_template_basedirs = template_basedirs()
        super().__init__(config=own, parent=parent, **kwargs)


def mathjax_root():
    """The folder of MathJax 2.7 that the package ``jupyter-server-mathjax`` ships.

    The package is found without being imported (it loads the Jupyter server).
    """
    import importlib.util

    package_dir = importlib.util.find_spec("jupyter_server_mathjax").submodule_search_locations[0]
    return os.path.join(package_dir, "static")


def mathjax_files(root=None):
    """``{path in the page's folder: bytes}`` of the MathJax the page loads, its configuration included."""
    root = root or mathjax_root()
    files = {}
    for part in MATHJAX_PARTS:
        path = os.path.join(root, part)
        names = ([path] if os.path.isfile(path) else
                 sorted(os.path.join(folder, name) for folder, _, found in os.walk(path) for name in found))
        if not names:
            raise FileNotFoundError(f"{path}: this part of MathJax is missing; reinstall jupyter-server-mathjax")
        for name in names:
            with open(name, "rb") as handle:
                files[f"{MATHJAX_FOLDER}/{os.path.relpath(name, root)}"] = handle.read()
    with open(PAGE_CONFIG, "rb") as handle:
        files[MATHJAX_SCRIPTS[0]] = handle.read()
    return files


def verdict_parts(verdict):
    """``(likely mistake or None, what the checks found)`` of a verdict's metadata.

    The grader appends the likely mistake to the message (``"... . Likely mistake: <the catalogued mistake>.
    <the diagnosis from properties>"``); the summary shows it first and the rest after it. Only a verdict
    that carries a diagnosis is split, at the last marker (a student's own error text comes before it).
    """
    message = verdict.get("message") or ""
    if not (verdict.get("diagnosis") or verdict.get("property")):
        return None, message
    if LIKELY_MISTAKE not in message:  # a message changed by hand: the catalogue still names the mistake
        return mistake_messages().get(verdict.get("diagnosis")), message
    head, likely = message.rsplit(LIKELY_MISTAKE, 1)
    return likely, head


def _summary(resources):
    return resources.setdefault("summary", {"functions": [], "failed_cells": []})


class SummarizeFunctions(InertPreprocessor):
    """List each graded function, in the notebook's order, with its score and verdict in ``resources["summary"]``.

    Each entry: ``name``, ``anchor`` (its test cell's), ``score`` and ``points`` (nbgrader's, as ``GetGrades``
    left them in the cell), ``passed``, ``mistake`` (the likely mistake, or None) and ``detail`` (the failed
    check, or what passed). Runs after ``GetGrades``.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        name = grade_id(cell) or ""
        nbgrader = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbgrader.get("grade") and name.startswith("test_"):
            verdict = cell.metadata.get(VERDICT_KEY)
            score, points = float(nbgrader.get("score") or 0.0), float(nbgrader.get("points") or 0.0)
            function = name[len("test_"):]
            mistake, detail = verdict_parts(verdict) if verdict else (None, "no verdict was recorded for this cell")
            _summary(resources)["functions"].append({
                "name": function, "anchor": name, "score": min(score, points), "points": points,
                "passed": bool(verdict and verdict.get("passed")), "mistake": mistake,
                "detail": _without_name(detail, function)})
        return cell, resources


def _without_name(text, function):
    """A verdict's text without the function's name in front (``"f: all 4 checked cases passed"``): the summary
    names the function in its own column."""
    for separator in (": ", ", "):
        if text.startswith(function + separator):
            return text[len(function + separator):]
    return text


class ListFailedCells(InertPreprocessor):
    """List the cells that failed when the notebook was graded in ``resources["summary"]["failed_cells"]``.

    Each entry: ``anchor`` (written into the cell's metadata, ``feedback_anchor``, for the template to place),
    ``label`` (the function the cell defines, or its first line) and ``error``.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        error = cell.metadata.get(CELL_ERROR_KEY)
        if cell.cell_type == "code" and error:
            anchor = f"failed-cell-{cell_index}"
            cell.metadata["feedback_anchor"] = anchor
            _summary(resources)["failed_cells"].append({"anchor": anchor, "label": _cell_label(cell, cell_index),
                                                        "error": error})
        return cell, resources


def _cell_label(cell, cell_index):
    """How the summary names a cell: the function it defines, else its first line, else its position."""
    name = grade_id(cell)
    if name:
        return name
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    if not first:
        return f"cell {cell_index + 1}"
    return first if len(first) <= 60 else first[:57] + "..."


class BundleMathJax(InertPreprocessor):
    """Put MathJax in the folder of the page being made (``mathjax/``).

    Run by nbgrader's ``generate_feedback`` (the command, or formgrader through nbgrader's API), it places the
    files in the student's feedback folder itself, before nbgrader writes the page there: the first page of the
    run gets a written copy, and the others hard links to its files (:func:`place_mathjax`). A folder MathJax
    cannot be put in is logged as an error naming it, and its page is still made (showing formulas as LaTeX
    source). Run by any other exporter, it adds the files to those written beside the page
    (``resources["outputs"]``).
    """

    _written_copy = None  # the folder of this run's written copy, once there is one

    def preprocess(self, nb, resources):
        folder = self._feedback_folder(resources)
        if folder is None:
            resources.setdefault("outputs", {}).update(_bundled_mathjax())
            return nb, resources
        try:
            self._written_copy = place_mathjax(folder, self._written_copy)
        except OSError as error:
            self.log.error("%s: MathJax could not be put beside the page, whose formulas show as LaTeX source: %s",
                           folder, error)
        return nb, resources

    def _feedback_folder(self, resources):
        """The student's feedback folder when an nbgrader ``GenerateFeedback`` runs this (through its exporter),
        else None."""
        converter = self.parent
        while converter is not None and getattr(converter, "coursedir", None) is None:
            converter = getattr(converter, "parent", None)
        if converter is None:
            return None
        from nbgrader.converters import GenerateFeedback

        ids = resources.get("nbgrader", {})
        if not isinstance(converter, GenerateFeedback) or "student" not in ids or "assignment" not in ids:
            return None
        coursedir = converter.coursedir
        return coursedir.format_path(coursedir.feedback_directory, ids["student"], ids["assignment"])


def place_mathjax(folder, linked_to=None):
    """Put every file of :func:`mathjax_files` in ``folder`` (under ``mathjax/``); return the folder whose files
    later folders may link to.

    With ``linked_to`` (a folder where this was done before), the files are hard links to that folder's: one
    copy's worth of disk for a class, and a folder's files are still regular files, which any copy or archive of
    the folder takes along. Without it, or where a link cannot be made (another file system, a copy since
    removed), the folder gets a written copy. A file or link already at one of the paths is replaced, never
    written through; a path whose folder is a link, or not a folder, is refused (:class:`OSError`).
    """
    files = _bundled_mathjax()
    os.makedirs(folder, exist_ok=True)
    made = set()
    for name in files:
        _make_folders(folder, os.path.dirname(name), made)
    if linked_to is not None:
        try:
            for name in files:
                _replace(os.path.join(folder, name),
                         lambda path, name=name: os.link(os.path.join(linked_to, name), path))
            return linked_to
        except OSError:
            pass
    for name, data in files.items():
        _replace(os.path.join(folder, name), lambda path, data=data: _write_new(path, data))
    return folder


def _make_folders(top, relative, made):
    """Make the folders of the path ``relative`` under ``top``, one part at a time (those in ``made`` are known to
    be there; the ones made are added). A part that is there but is not a folder of its own, such as a link to one,
    is refused."""
    path = top
    for part in relative.split("/"):
        path = os.path.join(path, part)
        if path in made:
            continue
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise NotADirectoryError(errno.ENOTDIR, "there is something other than a folder at", path) from None
        made.add(path)


def _replace(path, make):
    """Make the file at ``path`` with ``make(path)``, whatever was at ``path`` removed first."""
    if os.path.lexists(path):
        os.unlink(path)
    make(path)


def _write_new(path, data):
    """Write ``data`` to a new file at ``path`` (which must not exist, not even as a link), readable by all."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with open(descriptor, "wb") as handle:
        os.fchmod(descriptor, 0o644)  # whatever the umask
        handle.write(data)


_MATHJAX = {}


def _bundled_mathjax():
    """:func:`mathjax_files`, read once per process (nbgrader exports every student's page in one process)."""
    if not _MATHJAX:
        _MATHJAX.update(mathjax_files())
    return _MATHJAX
