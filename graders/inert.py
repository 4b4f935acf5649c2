"""Inert content: what may stay of a student's markup and outputs in a page, so that nothing a student wrote runs.

A student's notebook is shown as a page by the feedback and, through formgrader, to the instructor on the
Jupyter server's own origin, where a script would act with the instructor's rights. The rules here make its
cells and outputs inert; :mod:`graders.sanitize` applies them as nbconvert preprocessors (one job each) and
writes the page's Content-Security-Policy, and the intake applies them to each submission it takes in
(:func:`inert_notebook`).

"Inert HTML" is what :func:`inert_html` keeps: formatting, tables, code, links to ``http``, ``https`` and
``mailto`` addresses, and images (the page's policy shows only those given as ``data:image/...`` URLs, as
plots and pasted images are). Every other tag is shown as text (a student sees their markup rather than
losing it); every other attribute (``on*`` event handlers above all) and every other address
(``javascript:``, ``data:text/html``...) is dropped.

Nothing here imports nbconvert, nor bleach until some HTML is cleaned: markdown is rendered by the HTML exporter
a caller gives, made only when a text has to be rendered. Most submissions hold no markdown but the release's
own, and the intake takes them in without loading either.
"""
import functools
import math
import re
from html import escape

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
#: Output representations a page shows as text or images; ``text/html`` and ``text/markdown`` only once made
#: inert by :func:`make_rich_outputs_inert`.
SHOWN_MIME_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg",
                    "image/svg+xml")
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
#: How :func:`inert_markdown` starts what it writes.
INERT_MARKDOWN_START = '<div class="inert-markdown">'
URL_NOISE = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]")
DISPLAY_SIZE = re.compile(r"[0-9]{1,6}(\.[0-9]{1,3})?")


#: The most elements the HTML parser may hold open at once while cleaning student HTML; deeper HTML is shown as its
#: text. The parser searches its open elements at each end tag, so cleaning costs time in the square of the depth
#: (20,000 nested ``<div>`` take seconds); bounded, it costs time in proportion to the size.
MAX_HTML_DEPTH = 100


class TooDeep(Exception):
    """The HTML being cleaned nests more than :data:`MAX_HTML_DEPTH` elements."""


class _BoundedOpenElements(list):
    """html5lib's stack of open elements (``TreeBuilder.openElements``), which it grows by ``append`` and
    ``insert`` only: one element more than :data:`MAX_HTML_DEPTH` raises :class:`TooDeep`."""

    def append(self, element):
        self._check()
        super().append(element)

    def insert(self, index, element):
        self._check()
        super().insert(index, element)

    def _check(self):
        if len(self) >= MAX_HTML_DEPTH:
            raise TooDeep


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
    from bleach import html5lib_shim

    if name not in INERT_ATTRIBUTES["*"] and name not in INERT_ATTRIBUTES.get(tag, ()):
        return False
    if name in ("href", "src"):
        # The normalisation bleach applies before it reads the scheme: entities decoded, noise dropped.
        address = URL_NOISE.sub("", html5lib_shim.convert_entities(value)).lower()
        if address.startswith("data:"):
            return tag == "img" and name == "src" and IMAGE_DATA_URL.match(address) is not None
    return True


@functools.lru_cache(maxsize=None)
def _cleaner():
    """The bleach cleaner of :func:`inert_html`, made (and bleach loaded) at its first use."""
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    cleaner = bleach.Cleaner(tags=INERT_TAGS, attributes=_allowed_attribute, protocols=INERT_PROTOCOLS, strip=False,
                             strip_comments=True, css_sanitizer=CSSSanitizer())
    tree = cleaner.parser.tree
    reset = tree.reset

    def reset_bounded():  # the parser resets its tree builder at the start of each text it parses
        reset()
        tree.openElements = _BoundedOpenElements()

    tree.reset = reset_bounded
    return cleaner


def inert_html(html):
    """The inert HTML of ``html``: kept tags and attributes only, the rest escaped or dropped.

    HTML that nests more than :data:`MAX_HTML_DEPTH` elements is shown as its text, all of it escaped.

    Parameters
    ----------
    html : str
        HTML from a student (a rendered markdown cell, a ``text/html`` output).

    Returns
    -------
    str
    """
    try:
        return _cleaner().clean(html)
    except TooDeep:
        return escape(html, quote=False)


def inert_markdown(source, exporter, cell=None, resources=None):
    """Markdown rendered and made inert, written so that rendering it as markdown again leaves it unchanged.

    Markdown already in that shape (:func:`is_inert_markdown`) is cleaned again, not rendered again: doing it
    twice gives what doing it once gave.

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
    if is_inert_markdown(source):
        return _on_one_line(inert_html(_on_lines(source)))
    html = exporter.markdown2html({"cell": cell or {}, "resources": resources or {}}, source)
    return f"{INERT_MARKDOWN_START}{_on_one_line(inert_html(html))}</div>"


def is_inert_markdown(source):
    """Whether ``source`` has the shape :func:`inert_markdown` gives: one ``<div class="inert-markdown">`` on one
    line, which markdown passes through as raw HTML (a raw HTML block ends only at a blank line)."""
    return (source.startswith(INERT_MARKDOWN_START) and source.endswith("</div>") and "\n" not in source
            and "\r" not in source)


def _on_one_line(html):
    """``html`` on one line: its line breaks written as character references (the same text in a page)."""
    return html.replace("\r", "&#13;").replace("\n", "&#10;")


def _on_lines(html):
    """The line breaks of ``html`` written as themselves again (:func:`_on_one_line` undone).

    Cleaning must see them as white space: inside a table, a character reference is text, which an HTML
    parser moves out in front of the table.
    """
    return html.replace("&#13;", "\r").replace("&#10;", "\n")


def html_exporter():
    """A default nbconvert HTML exporter, to render markdown as the feedback template does (loads nbconvert)."""
    from nbconvert.exporters import HTMLExporter

    return HTMLExporter()


def _display_outputs(cell):
    """The outputs of a code cell that carry representations (``display_data``, ``execute_result``)."""
    if cell.cell_type != "code":
        return []
    return [output for output in cell.get("outputs", []) if output.get("output_type") in ("display_data",
                                                                                           "execute_result")]


def drop_active_outputs(cell):
    """Keep only the output representations of ``cell`` in ``SHOWN_MIME_TYPES`` (in place).

    ``application/javascript`` is written into a page as a script; widget views, other ``application/*`` and
    vendor types are code for a front end. They are dropped; an output left with nothing to show says which
    types were left out.
    """
    for output in _display_outputs(cell):
        data = output.get("data", {})
        dropped = sorted(key for key in data if key not in SHOWN_MIME_TYPES)
        for key in dropped:
            del data[key]
        if dropped and not data:
            data["text/plain"] = f"[not shown in feedback: {', '.join(dropped)}]"


def reset_output_metadata(cell):
    """Keep only the display hints of ``DISPLAY_HINTS`` in the output metadata of ``cell``, with values of the
    right kind (in place).

    The template writes an image's width and height unquoted into its ``<img>`` tag (a width of
    ``"1 onerror=..."`` adds an event handler), puts a ``text/html`` output whose metadata says ``isolated``
    into an ``<iframe>``, and takes an image's address from ``filenames``. Everything but well-formed hints
    is dropped.
    """
    for output in _display_outputs(cell):
        output["metadata"] = _display_hints(output.get("metadata", {}), nested=True)


def _display_hints(metadata, nested):
    hints = {key: value for key, value in metadata.items() if key in DISPLAY_HINTS and DISPLAY_HINTS[key](value)}
    if nested:
        hints.update({key: _display_hints(value, nested=False) for key, value in metadata.items()
                      if key in IMAGE_MIME_TYPES and isinstance(value, dict)})
    return hints


def make_rich_outputs_inert(cell, exporter, resources=None):
    """Make the ``text/html`` and ``text/markdown`` outputs of ``cell`` inert (in place).

    A ``text/html`` output beside an image is dropped (once its scripts are gone, an interactive chart is
    an empty box, and its static image is what the reader can see); any other goes through
    :func:`inert_html`. A ``text/markdown`` output is rendered as a markdown cell is.

    Parameters
    ----------
    cell : nbformat.NotebookNode
    exporter : callable
        Gives the HTML exporter that renders markdown; called only when an output holds markdown.
    resources : dict, optional
    """
    for output in _display_outputs(cell):
        data = output.get("data", {})
        if "text/html" in data:
            if any(key in data for key in IMAGE_MIME_TYPES):
                del data["text/html"]
            else:
                data["text/html"] = inert_html(_text(data["text/html"]))
        if "text/markdown" in data:
            data["text/markdown"] = inert_markdown(_text(data["text/markdown"]), exporter(), resources=resources)


def make_markdown_cell_inert(cell, exporter, resources=None):
    """Render a markdown cell to inert HTML (in place), so no markup of it runs in a page.

    A markdown cell passes raw HTML through (``<script>``, ``<img onerror=...>``, ``<iframe>``) and makes
    ``javascript:`` links of ``[text](javascript:...)``; its rendered HTML goes through :func:`inert_html`.
    Attachments are embedded as ``data:`` URLs on the way and removed from the cell. Other cells are left
    alone.

    Parameters
    ----------
    cell : nbformat.NotebookNode
    exporter : nbconvert.exporters.HTMLExporter
    resources : dict, optional
    """
    if cell.cell_type == "markdown":
        cell.source = inert_markdown(cell.source, exporter, cell, resources)
        cell.pop("attachments", None)


def _text(value):
    """An output's text, given as a string or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def markdown_sources(notebook):
    """The sources of the markdown cells of ``notebook`` (the release's: the text :func:`inert_notebook` keeps)."""
    return frozenset(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def inert_notebook(notebook, trusted_markdown=frozenset()):
    """Make a student's notebook inert in place, for every page that shows it (formgrader's grading view too).

    Every output goes through :func:`drop_active_outputs`, :func:`reset_output_metadata` and
    :func:`make_rich_outputs_inert`; every markdown cell through :func:`make_markdown_cell_inert`, except those
    whose source is one of ``trusted_markdown`` (the release's own text, kept as written). nbconvert is loaded
    only when some markdown has to be rendered.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
    trusted_markdown : set of str
    """
    resources = {}
    exporter = functools.lru_cache(maxsize=None)(html_exporter)
    for cell in notebook.cells:
        drop_active_outputs(cell)
        reset_output_metadata(cell)
        make_rich_outputs_inert(cell, exporter, resources)
        if cell.cell_type == "markdown" and cell.source not in trusted_markdown:
            make_markdown_cell_inert(cell, exporter(), resources)
