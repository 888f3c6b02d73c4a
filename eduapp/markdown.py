"""The one way Markdown becomes HTML: markdown-it-py (CommonMark and tables), sanitized by nh3.

markdown-it-py reads a text in one pass, in time that grows with its length, and nests blocks
and inline elements at most ``MAX_NESTING`` deep, so no shape of text makes it quadratic or
recurse without bound. It is still Python: each line, table cell and marker it tries costs
microseconds, and nh3 slows on thousands of nested raw tags. So each text is measured first (by
counting, in linear time) and shown as escaped plain text when rendering it would cost more than
its budget, as is every further text of a page whose Markdown has used the page's budget
(SECURITY.md rows 22 and 25; docs/architecture.md says why this engine).
"""

import html
import re

import nh3
from flask import g, has_request_context
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
#: Markdown beyond this size is refused by the content checker; here it is cut as a last guard.
MAX_MARKDOWN_CHARS = 200_000
#: Blocks within blocks (quotes, lists) and inline elements within inline elements (links,
#: emphasis) deeper than this are left as text: markdown-it-py's own limit.
MAX_NESTING = 20
#: CommonMark, plus tables. Raw HTML is passed on to nh3, which keeps only the allowlist (so an
#: author's <abbr>, <sup> or <dl> survives and a <script> never does).
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable("table")


def render_markdown(text: str | None, base_level: int = 2) -> Markup:
    """Render author-written Markdown to HTML that is safe to put in a page.

    Headings start at ``base_level`` (an ``<h2>`` by default) whatever level the author used.

    Anything outside the allowlist is removed from the rendered HTML, so scripts, event
    handlers, styles and javascript:/data: links never survive. Text beyond the budgets below
    is shown as escaped plain text instead.
    """
    if not text:
        return Markup("")
    text = text[:MAX_MARKDOWN_CHARS]
    left = _page_budget_left()
    elements = _elements(text) if left > TEXT_ELEMENTS else None
    if elements is not None and elements <= MAX_ELEMENTS:
        if elements + TEXT_ELEMENTS <= left:
            _charge_page(elements + TEXT_ELEMENTS)
            return _rendered(text, base_level)
        _charge_page(left)  # the page's budget is spent: every further text is plain
    return _plain(text)


def _rendered(text: str, base_level: int) -> Markup:
    """``text`` rendered by markdown-it-py, its headings shifted, sanitized by nh3."""
    tokens = _MARKDOWN.parse(text)
    _shift_headings(tokens, base_level)
    clean = nh3.clean(
        _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


def _plain(text: str) -> Markup:
    """The text as escaped paragraphs, for text Markdown cannot render within its budget."""
    blocks = (block.strip() for block in _PLAIN_SPLIT.split(text))
    paragraphs = "".join(f"<p>{html.escape(block)}</p>" for block in blocks if block)
    return Markup(paragraphs)  # noqa: S704 - escaped whole, so it holds no markup


#: markdown-it-py does a bounded amount of work for each line, each table cell (a row shorter
#: than its header is filled up to the header's width) and each character at which it stops
#: reading plain text to try its inline rules (a bracket, star, backslash, entity, tag...):
#: about 11 microseconds at most on a quiet machine (a run of brackets or of short lines;
#: tests/security/test_rows_hardening_bounds.py counts the rules it tries). A text of more than
#: MAX_ELEMENTS of these is shown as plain text, and so is every further text of a page once
#: its Markdown has cost MAX_PAGE_ELEMENTS, each text counting TEXT_ELEMENTS more than its own
#: (about a hundred microseconds each, however short): at worst about 60 ms for one text and
#: 0.15 s for a page. The course's longest text comes to about 200 elements, the texts of its
#: heaviest file to about 500 together.
MAX_ELEMENTS = 5_000
MAX_PAGE_ELEMENTS = 10_000
TEXT_ELEMENTS = 4
#: Blocks as markdown-it-py ends them (after reading \r\n and a lone \r as \n).
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_PLAIN_SPLIT = re.compile(r"\n\s*\n")


def _elements(text: str) -> int:
    """About how many elements' worth of work markdown-it-py would do on ``text``. Linear."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as markdown-it-py reads it
    cells = 0
    for block in _BLOCK_SPLIT.split(text):
        if "|" in block:
            lines = block.split("\n")
            cells += (max(line.count("|") for line in lines) + 1) * len(lines)
    lines = text.count("\n") + 1
    markers = len(_MARKDOWN.inline.terminator_re.findall(text)) - lines + 1  # not newlines
    return lines + cells + markers


def _page_budget_left() -> int:
    """Elements the page being rendered may still spend on Markdown."""
    if not has_request_context():
        return MAX_PAGE_ELEMENTS
    return MAX_PAGE_ELEMENTS - g.get("markdown_elements", 0)


def _charge_page(elements: int) -> None:
    if has_request_context():
        g.markdown_elements = g.get("markdown_elements", 0) + elements


def _shift_headings(tokens: list[Token], base_level: int) -> None:
    """Make the author's top heading level ``base_level``, keeping the outline beneath it.

    Authors write sections as they like (``#`` or ``##``); on the page they must sit under the
    page's own headings, without skipping a level.
    """
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = base_level - min(int(t.tag[1]) for t in headings)
    for token in headings:
        token.tag = f"h{min(6, max(1, int(token.tag[1]) + shift))}"
