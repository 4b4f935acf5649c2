"""Feedback pages that show a student's notebook as inert content: nothing a student wrote runs when they open.

nbgrader's feedback template passes markdown cells and HTML outputs to the page as they are, so the
preprocessors below rewrite the autograded notebook before the export, one job each, by the rules of
:mod:`graders.inert`:

- :class:`SanitizeMarkdownCells` renders each markdown cell and keeps only inert HTML;
- :class:`DropActiveOutputs` keeps only the output types shown as text or images;
- :class:`ResetOutputMetadata` keeps only well-formed display hints (size, alt text) of outputs;
- :class:`SanitizeRichOutputs` keeps only inert HTML in ``text/html`` and ``text/markdown`` outputs;

and :class:`PolicyHTMLExporter` writes a Content-Security-Policy into the page, under which no inline script
or event handler runs, scripts load only from the page's own origin (its MathJax, in the page's folder) and
nothing is loaded from elsewhere, in case some markup got through anyway.
"""
import functools
import logging
import re

import jinja2
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, List, Unicode

from graders.inert import (drop_active_outputs, html_exporter, make_markdown_cell_inert, make_rich_outputs_inert,
                           markdown_sources, reset_output_metadata)
from graders.notebook import RELEASE_NOTEBOOK

#: The policy of feedback pages: the only scripts that run are files of the page's own origin (its local copy
#: of MathJax, :mod:`graders.feedback_page`), never an inline script, an event handler or a ``javascript:``
#: address; nothing is fetched from elsewhere (images are data: URLs, styles inline, MathJax's fonts local); no
#: frame, plugin, form or <base>. A meta policy cannot set ``frame-ancestors``; a server that serves the pages
#: can add it as a header.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; object-src 'none'; frame-src 'none'; "
                           "img-src data:; style-src 'unsafe-inline'; font-src 'self' data:; base-uri 'none'; "
                           "form-action 'none'")
HEAD_TAG = re.compile(r"<head(\s[^>]*)?>", re.I)


def _markdown_exporter(preprocessor):
    """The HTML exporter running ``preprocessor``, or a default one (a preprocessor used on its own)."""
    return preprocessor.parent if isinstance(preprocessor.parent, HTMLExporter) else html_exporter()


#: ``display_data_priority`` of nbgrader's preprocessors (``nbgrader.preprocessors.NbGraderPreprocessor``).
NBGRADER_DISPLAY_PRIORITY = ("text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png", "image/jpeg",
                             "text/plain")


class InertPreprocessor(Preprocessor):
    """Base of the preprocessors below: an nbconvert preprocessor with the traits nbgrader's preprocessors add.

    nbgrader's ``NbGraderPreprocessor`` is not its base: importing anything of nbgrader loads its package, which
    loads the Jupyter server extensions (most of a second). The traits are those of ``NbGraderPreprocessor``,
    except that ``display_data_priority`` is configurable, so that the exporter's setting is taken without a
    warning.
    """

    default_language = Unicode("ipython")
    display_data_priority = List(list(NBGRADER_DISPLAY_PRIORITY)).tag(config=True)
    enabled = Bool(True, help="Whether to use this preprocessor when running nbgrader").tag(config=True)


class SanitizeMarkdownCells(InertPreprocessor):
    """Render each markdown cell to inert HTML (:func:`graders.inert.make_markdown_cell_inert`), except the
    release's own text, kept as written (as the intake keeps it)."""

    release_notebook = Unicode(RELEASE_NOTEBOOK, help="The notebook whose markdown cells are kept as written: the "
                                                      "release's, written by the instructor.").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown" and cell.source not in release_markdown(self.release_notebook):
            make_markdown_cell_inert(cell, _markdown_exporter(self), resources)
        return cell, resources


@functools.lru_cache(maxsize=None)
def release_markdown(path):
    """The sources of the markdown cells of the notebook at ``path`` (none when it cannot be read), read once per
    process: nbgrader exports a whole class in one."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as problem:
        logging.getLogger(__name__).warning("%s: %s; every markdown cell is sanitized", path, problem)
        return frozenset()
    return markdown_sources(notebook)


class DropActiveOutputs(InertPreprocessor):
    """Keep only the output representations shown as text or images (:func:`graders.inert.drop_active_outputs`)."""

    def preprocess_cell(self, cell, resources, cell_index):
        drop_active_outputs(cell)
        return cell, resources


class ResetOutputMetadata(InertPreprocessor):
    """Keep only well-formed display hints in output metadata (:func:`graders.inert.reset_output_metadata`)."""

    def preprocess_cell(self, cell, resources, cell_index):
        reset_output_metadata(cell)
        return cell, resources


class SanitizeRichOutputs(InertPreprocessor):
    """Make ``text/html`` and ``text/markdown`` outputs inert (:func:`graders.inert.make_rich_outputs_inert`)."""

    def preprocess_cell(self, cell, resources, cell_index):
        make_rich_outputs_inert(cell, lambda: _markdown_exporter(self), resources)
        return cell, resources


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


#: An ``<img>`` tag, its attribute text in group 1: quoted values may hold ``>``.
IMG_TAG = re.compile(r"""<img(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.I)
QUOTED_VALUE = re.compile(r"""=\s*("[^"]*"|'[^']*')""")
ALT_ATTRIBUTE = re.compile(r"(?:^|\s)alt(?:\s*=|\s|/|$)", re.I)
#: What nbconvert's HTML exporter writes as an image's alternative text when it has none.
MISSING_ALT_TEXT = "No description has been provided for this image"


def with_alt_text(page, alt=MISSING_ALT_TEXT):
    """``page`` with ``alt="<alt>"`` added, as the last attribute, to each ``<img>`` that has no ``alt``; and
    how many were added.

    nbconvert's HTML exporter does the same by parsing the whole page with BeautifulSoup and writing it out
    again (three fifths of the time a feedback page takes); only the image tags are looked at here.
    """
    added = 0

    def add_alt(tag):
        nonlocal added
        attributes = tag.group(1)
        if ALT_ATTRIBUTE.search(QUOTED_VALUE.sub("=", attributes)):
            return tag.group(0)
        added += 1
        attributes = attributes.rstrip()
        closing = "/" if attributes.endswith("/") else ""
        attributes = attributes[:-1].rstrip() if closing else attributes
        return f'{tag.group(0)[:4]}{attributes} alt="{alt}"{closing}>'

    return IMG_TAG.sub(add_alt, page), added


class HighlightOnce:
    """nbconvert's ``highlight_code`` filter, each code highlighted once per export (most cells of a class's
    notebooks are the release's own code).

    Parameters
    ----------
    highlight : nbconvert.filters.highlight.Highlight2HTML
    highlighted : dict
        The code highlighted so far, shared by the notebooks of one export; holds at most ``HIGHLIGHTED_MAX``.
    """

    def __init__(self, highlight, highlighted):
        self.highlight, self.highlighted = highlight, highlighted

    def __call__(self, source, language=None, metadata=None):
        # What the highlighting depends on: the lexer, and the only cell metadata nbconvert reads.
        magics = metadata.get("magics_language") if metadata else None
        key = (self.highlight.pygments_lexer, language, magics if isinstance(magics, str) else repr(magics), source)
        return remembered(self.highlighted, key, lambda: self.highlight(source, language, metadata), HIGHLIGHTED_MAX)


#: How many highlighted cells an export keeps (a few megabytes): a class's notebooks share most of their code.
HIGHLIGHTED_MAX = 2048
#: How many rendered markdown texts an export keeps: a class's notebooks share most of their markdown.
RENDERED_MAX = 1024


def remembered(memo, key, compute, most):
    """``memo[key]``, set to ``compute()`` when it is missing; ``memo`` is emptied first when it holds ``most``."""
    if key not in memo:
        if len(memo) >= most:
            memo.clear()
        memo[key] = compute()
    return memo[key]


class PolicyHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter, whose pages carry a Content-Security-Policy (``CONTENT_SECURITY_POLICY``).

    The page is the template's output as it is, with alternative text added to images that have none
    (:func:`with_alt_text`): nbconvert's exporter also parses and rewrites the whole page to add ``tabindex`` to
    JupyterLab's cell classes, which the classic template that nbgrader's feedback extends does not use.
    """

    content_security_policy = Unicode(CONTENT_SECURITY_POLICY,
                                      help="The Content-Security-Policy written into every page.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._highlighted = {}
        self._rendered = {}

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """nbconvert's ``markdown2html`` filter, each text rendered once per export: the pages of a class share
        most of their markdown (the release's text is on every page).

        Markdown with attachments, or rendered with images embedded, is rendered each time: only without them
        does nbconvert's rendering depend on nothing but the text and the exporter's settings.
        """
        render = super().markdown2html
        if context.get("cell", {}).get("attachments") or self.embed_images:
            return render(context, source)
        key = (self.anchor_link_text, self.exclude_anchor_links, repr(sorted(self.lexer_options.items())), source)
        return remembered(self._rendered, key, lambda: render(context, source), RENDERED_MAX)

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        self.register_filter("highlight_code", self.filters.get("highlight_code")
                             or HighlightOnce(Highlight2HTML(pygments_lexer=lexer, parent=self), self._highlighted))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        page, added = with_alt_text(page)
        if added:
            self.log.warning("Alternative text is missing on %s image(s).", added)
        return with_policy(page, self.content_security_policy), resources
