"""Feedback pages that show a student's notebook as inert content: nothing a student wrote runs when they open.

A feedback page is read by the student and, through formgrader, by the instructor on the Jupyter server's own
origin, where a script would act with the instructor's rights. nbgrader's feedback template passes markdown
cells and HTML outputs to the page as they are, so the preprocessors below rewrite the autograded notebook
before the export, one job each:

- :class:`SanitizeMarkdownCells` renders each markdown cell and keeps only inert HTML;
- :class:`DropActiveOutputs` keeps only the output types shown as text or images;
- :class:`ResetOutputMetadata` keeps only well-formed display hints (size, alt text) of outputs;
- :class:`SanitizeRichOutputs` keeps only inert HTML in ``text/html`` and ``text/markdown`` outputs;

and :class:`PolicyHTMLExporter` writes a Content-Security-Policy into the page, under which no inline script
or event handler runs, scripts load only from the page's own origin (its MathJax, in the page's folder) and
nothing is loaded from elsewhere, in case some markup got through anyway.

"Inert HTML" is what :func:`inert_html` keeps: formatting, tables, code, links to ``http``, ``https`` and
``mailto`` addresses, and images (the page's policy shows only those given as ``data:image/...`` URLs, as
plots and pasted images are). Every other tag is shown as text (a student sees their markup rather than
losing it); every other attribute (``on*`` event handlers above all) and every other address
(``javascript:``, ``data:text/html``...) is dropped.
"""
import math
import re

import bleach
from bleach import html5lib_shim
from bleach.css_sanitizer import CSSSanitizer
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, List, Unicode

#: Tags kept in student HTML: formatting, lists, tables, code, links and images. Everything else is escaped.
INERT_TAGS = frozenset((
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
))
#: Attributes kept, by tag ("*": on every kept tag). ``style`` keeps only the properties bleach deems safe.
INERT_ATTRIBUTES = {
    "*": {"class", "id", "title", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "details": {"open"},
}
#: Address schemes kept in ``href`` and ``src``; ``data`` only in an image's ``src`` (see ``_allowed_attribute``).
INERT_PROTOCOLS = frozenset(("http", "https", "mailto", "data"))
#: ``data:`` URLs kept as an image's ``src``: images a browser decodes without running anything (an SVG shown
#: by an ``<img>`` runs no script).
IMAGE_DATA_URL = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]")
#: Output representations the page shows as text or images; ``text/html`` and ``text/markdown`` only once
#: sanitized by :class:`SanitizeRichOutputs`.
SHOWN_MIME_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
                    "image/svg+xml")
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
#: The policy of feedback pages: the only scripts that run are files of the page's own origin (its local copy
#: of MathJax, :mod:`graders.feedback_page`), never an inline script, an event handler or a ``javascript:``
#: address; nothing is fetched from elsewhere (images are data: URLs, styles inline, MathJax's fonts local); no
#: frame, plugin, form or <base>. A meta policy cannot set ``frame-ancestors``; a server that serves the pages
#: can add it as a header.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; object-src 'none'; frame-src 'none'; "
                           "img-src data:; style-src 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; "
                           "form-action 'none'")
HEAD_TAG = re.compile(r"<head(\s[^>]*)?>", re.I)
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]")
DISPLAY_SIZE = re.compile(r"[0-9]{1,6}(\.[0-9]{1,3})?")


def _is_size(value):
    """Whether ``value`` is an image width or height the template can write unquoted: a number, or its digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value) and 0 <= value < 10 ** 6
    return isinstance(value, str) and DISPLAY_SIZE.fullmatch(value) is not None


#: Output metadata the template reads (``get_metadata``), each with the values it may take.
DISPLAY_HINTS = {
    "width": _is_size,
    "height": _is_size,
    "unconfined": lambda value: isinstance(value, bool),
    "alt": lambda value: isinstance(value, str),
}


def _allowed_attribute(tag, name, value):
    """bleach's attribute filter: the attribute is listed for the tag, and a ``data:`` URL only as an image."""
    if name not in INERT_ATTRIBUTES["*"] and name not in INERT_ATTRIBUTES.get(tag, ()):
        return False
    if name in ("href", "src"):
        # The normalisation bleach applies before it reads the scheme: entities decoded, noise dropped.
        address = URL_NOISE.sub("", html5lib_shim.convert_entities(value)).lower()
        if address.startswith("data:"):
            return tag == "img" and name == "src" and IMAGE_DATA_URL.match(address) is not None
    return True


_CLEANER = bleach.Cleaner(tags=INERT_TAGS, attributes=_allowed_attribute, protocols=INERT_PROTOCOLS,
                          strip=False, strip_comments=True, css_sanitizer=CSSSanitizer())


def inert_html(html):
    """The inert HTML of ``html``: kept tags and attributes only, the rest escaped or dropped.

    Parameters
    ----------
    html : str
        HTML from a student (a rendered markdown cell, a ``text/html`` output).

    Returns
    -------
    str
    """
    return _CLEANER.clean(html)


def inert_markdown(source, exporter, cell=None, resources=None):
    """Markdown rendered and made inert, written so that rendering it as markdown again leaves it unchanged.

    The feedback template renders markdown itself (``markdown2html``); rendering here first is the only way
    to see the links and images the markdown makes. The result is one ``<div>`` on one line (line breaks
    become ``&#10;``), which markdown passes through as a raw HTML block.

    Parameters
    ----------
    source : str
        The markdown.
    exporter : nbconvert.exporters.HTMLExporter
        The exporter whose renderer (attachments, anchors, code highlighting) the template uses.
    cell : nbformat.NotebookNode, optional
        The cell the markdown comes from, for its attachments.
    resources : dict, optional
        The export's resources.

    Returns
    -------
    str
    """
    html = exporter.markdown2html({"cell": cell or {}, "resources": resources or {}}, source)
    body = inert_html(html).replace("\r", "&#13;").replace("\n", "&#10;")
    return f'<div class="inert-markdown">{body}</div>'


def _markdown_exporter(preprocessor):
    """The HTML exporter running ``preprocessor``, or a default one (a preprocessor used on its own)."""
    return preprocessor.parent if isinstance(preprocessor.parent, HTMLExporter) else HTMLExporter()


#: ``display_data_priority`` of nbgrader's preprocessors (``nbgrader.preprocessors.NbGraderPreprocessor``).
NBGRADER_DISPLAY_PRIORITY = ("text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg",
                             "text/plain")


class InertPreprocessor(Preprocessor):
    """Base of the preprocessors below: an nbconvert preprocessor with the traits nbgrader's preprocessors add.

    nbgrader's ``NbGraderPreprocessor`` is not its base: importing anything of nbgrader loads its package, which
    loads the Jupyter server extensions (most of a second), and the intake, which makes each submission inert
    (:func:`inert_notebook`), needs none of it. The traits are those of ``NbGraderPreprocessor``, except that
    ``display_data_priority`` is configurable, so that the exporter's setting is taken without a warning.
    """

    default_language = Unicode("ipython")
    display_data_priority = List(list(NBGRADER_DISPLAY_PRIORITY)).tag(config=True)
    enabled = Bool(True, help="Whether to use this preprocessor when running nbgrader").tag(config=True)


def _display_outputs(cell):
    """The outputs of a code cell that carry representations (``display_data``, ``execute_result``)."""
    if cell.cell_type != "code":
        return []
    return [output for output in cell.get("outputs", []) if output.get("output_type") in ("display_data",
                                                                                           "execute_result")]


class SanitizeMarkdownCells(InertPreprocessor):
    """Render each markdown cell to inert HTML, so no markup of it runs in the page.

    A markdown cell passes raw HTML through (``<script>``, ``<img onerror=...>``, ``<iframe>``) and makes
    ``javascript:`` links of ``[text](javascript:...)``; its rendered HTML goes through :func:`inert_html`.
    Attachments are embedded as ``data:`` URLs on the way and removed from the cell.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = inert_markdown(cell.source, _markdown_exporter(self), cell, resources)
            cell.pop("attachments", None)
        return cell, resources


class DropActiveOutputs(InertPreprocessor):
    """Keep only the output representations in ``SHOWN_MIME_TYPES``.

    ``application/javascript`` is written into the page as a script; widget views, other ``application/*``
    and vendor types are code for a front end. They are dropped; an output left with nothing to show says
    which types were left out.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        for output in _display_outputs(cell):
            data = output.get("data", {})
            dropped = sorted(key for key in data if key not in SHOWN_MIME_TYPES)
            for key in dropped:
                del data[key]
            if dropped and not data:
                data["text/plain"] = f"[not shown in feedback: {', '.join(dropped)}]"
        return cell, resources


class ResetOutputMetadata(InertPreprocessor):
    """Keep only the display hints of ``DISPLAY_HINTS`` in output metadata, with values of the right kind.

    The template writes an image's width and height unquoted into its ``<img>`` tag (a width of
    ``"1 onerror=..."`` adds an event handler), puts a ``text/html`` output whose metadata says ``isolated``
    into an ``<iframe>``, and takes an image's address from ``filenames``. Everything but well-formed hints
    is dropped.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        for output in _display_outputs(cell):
            output["metadata"] = self._hints(output.get("metadata", {}), nested=True)
        return cell, resources

    def _hints(self, metadata, nested):
        hints = {key: value for key, value in metadata.items() if key in DISPLAY_HINTS and DISPLAY_HINTS[key](value)}
        if nested:
            hints.update({key: self._hints(value, nested=False) for key, value in metadata.items()
                          if key in IMAGE_MIME_TYPES and isinstance(value, dict)})
        return hints


class SanitizeRichOutputs(InertPreprocessor):
    """Make ``text/html`` and ``text/markdown`` outputs inert.

    A ``text/html`` output beside an image is dropped (once its scripts are gone, an interactive chart is
    an empty box, and its static image is what the reader can see); any other goes through
    :func:`inert_html`. A ``text/markdown`` output is rendered as a markdown cell is.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        for output in _display_outputs(cell):
            data = output.get("data", {})
            if "text/html" in data:
                if any(key in data for key in IMAGE_MIME_TYPES):
                    del data["text/html"]
                else:
                    data["text/html"] = inert_html(_text(data["text/html"]))
            if "text/markdown" in data:
                data["text/markdown"] = inert_markdown(_text(data["text/markdown"]), _markdown_exporter(self),
                                                       resources=resources)
        return cell, resources


def _text(value):
    """An output's text, given as a string or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def with_policy(page, policy=CONTENT_SECURITY_POLICY):
    """``page`` with a ``<meta http-equiv="Content-Security-Policy">`` first in its ``<head>``.

    Raises
    ------
    ValueError
        The page has no ``<head>``.
    """
    head = HEAD_TAG.search(page)
    if head is None:
        raise ValueError("the exported feedback page has no <head> to put its Content-Security-Policy in")
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return page[:head.end()] + meta + page[head.end():]


class PolicyHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter, whose pages carry a Content-Security-Policy (``CONTENT_SECURITY_POLICY``)."""

    content_security_policy = Unicode(CONTENT_SECURITY_POLICY,
                                      help="The Content-Security-Policy written into every page.").tag(config=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        page, resources = super().from_notebook_node(nb, resources, **kw)
        return with_policy(page, self.content_security_policy), resources


def inert_notebook(notebook, trusted_markdown=frozenset()):
    """Make a student's notebook inert in place, for every page that shows it (formgrader's grading view too).

    Outputs go through :class:`DropActiveOutputs`, :class:`ResetOutputMetadata` and
    :class:`SanitizeRichOutputs`; markdown cells through :class:`SanitizeMarkdownCells`, except those whose
    source is one of ``trusted_markdown`` (the release's own text, kept as written).

    Parameters
    ----------
    notebook : nbformat.NotebookNode
    trusted_markdown : set of str
    """
    resources = {}
    steps = (DropActiveOutputs(), ResetOutputMetadata(), SanitizeRichOutputs())
    markdown = SanitizeMarkdownCells()
    for index, cell in enumerate(notebook.cells):
        for step in steps:
            step.preprocess_cell(cell, resources, index)
        if cell.cell_type == "markdown" and cell.source not in trusted_markdown:
            markdown.preprocess_cell(cell, resources, index)
