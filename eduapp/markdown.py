"""The one way Markdown becomes HTML: rendered, then sanitized with an allowlist.

Python-Markdown is slow on some shapes of text, so each text is measured first (in linear
time) and shown as plain text when rendering it would cost more than its budget, as is every
further text of a page whose Markdown has used the page's budget (SECURITY.md rows 22, 25).
"""

import html
import re
import threading

import markdown as md
import nh3
from flask import g, has_request_context
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


def render_markdown(text: str | None, base_level: int = 2) -> Markup:
    """Render author-written Markdown to HTML that is safe to put in a page.

    Headings start at ``base_level`` (an ``<h2>`` by default) whatever level the author used.

    Raw HTML in the source is escaped by Markdown's own rule and then anything outside the
    allowlist is removed, so scripts, event handlers, styles and javascript:/data: links
    never survive. Text beyond the budgets below is shown as escaped plain text instead.
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
    """``text`` rendered by Python-Markdown, its headings shifted, sanitized by nh3."""
    try:
        rendered = _shift_headings(_converter().convert(text), base_level)
    except RecursionError:
        return _plain(text)
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


def _plain(text: str) -> Markup:
    """The text as escaped paragraphs, for text Markdown cannot render within its budget."""
    blocks = (block.strip() for block in _BLOCK_SPLIT.split(text))
    paragraphs = "".join(f"<p>{html.escape(block)}</p>" for block in blocks if block)
    return Markup(paragraphs)  # noqa: S704 - escaped whole, so it holds no markup


#: Python-Markdown slows quadratically (or recurses without bound) on some hostile shapes:
#: thousands of inline markers in one paragraph, brackets or list markers nested hundreds deep.
#: No real author text comes near these limits; text that does is shown as plain text.
MAX_INLINE_MARKERS_PER_BLOCK = 1000
MAX_INLINE_MARKERS = 5000
MAX_NESTING = 16
_INLINE_MARKERS = re.compile(r"[<\[\]\\&`*_!]")
_BLOCK_SPLIT = re.compile(r"\n\s*\n")
#: Python-Markdown re-reads a whole block for each of its lines, so lines per block are capped;
#: many tiny blocks and very wide tables are slow too (linear, but seconds at our size limit).
MAX_LINES_PER_BLOCK = 1000
MAX_BLOCKS = 3000
MAX_TABLE_CELLS_PER_LINE = 100
#: A block of n lines costs Python-Markdown about n * n steps: a heading, rule, list item or
#: table row inside a block splits it and puts the rest back to be read again, by every block
#: processor (SECURITY.md row 25: 200,000 characters of headings took 4.5 s). So the sum of
#: n * n over the blocks is bounded: never above MAX_LINE_PAIRS (about 50 ms), and at most
#: LINE_PAIRS_PER_CHAR per character past MIN_LINE_PAIRS, so that a page rendering many texts
#: pays in proportion to their length. The course's texts stay under 1 pair per character.
MAX_LINE_PAIRS = 1_000_000
MIN_LINE_PAIRS = 10_000
LINE_PAIRS_PER_CHAR = 16
#: Python-Markdown spends tens of microseconds on each element it makes (a paragraph, item,
#: heading, table cell, emphasis or link; a 900-row table of 99 columns took 5.6 s) and a few
#: hundred on each text however short (20,000 one-word option feedbacks in one preview took
#: 14 s). A text of more than MAX_ELEMENTS is shown as plain text, and so is every further text
#: of a page once its Markdown has cost MAX_PAGE_ELEMENTS, each text counting TEXT_ELEMENTS
#: more than its own: at worst about 0.5 s for one text and 1 s for a page. The course's
#: longest text has about 120 elements and its heaviest page under 400.
MAX_ELEMENTS = 5_000
MAX_PAGE_ELEMENTS = 10_000
TEXT_ELEMENTS = 4
_TEXT_LINE = re.compile(r"^[ \t]*\S", re.MULTILINE)
#: Markers nested on one line: ``>`` (a space after it optional), or a list marker and a space.
#: Each repetition starts with a non-blank marker, so the pattern cannot backtrack
#: exponentially on runs of blanks (``(\s*marker\s+){17,}`` took 30 s on 65 characters).
_NESTED_LINE = re.compile(
    rf"^[ \t]*(?:(?:>|[-*+][ \t]|\d+[.)][ \t])[ \t]*){{{MAX_NESTING + 1},}}", re.MULTILINE
)
#: Blocks as Python-Markdown splits them (after reading \r\n and a lone \r as \n).
_MARKDOWN_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")


def _elements(text: str) -> int | None:
    """About how many elements Python-Markdown would make of ``text``, or None when the text
    has a shape it handles too slowly or too deeply whatever its length. Linear time."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Python-Markdown reads it
    if _NESTED_LINE.search(text):
        return None
    blocks = _MARKDOWN_BLOCK_SPLIT.split(text)
    lines = [block.count("\n") + 1 for block in blocks]
    if len(blocks) > MAX_BLOCKS or max(lines) > MAX_LINES_PER_BLOCK:
        return None
    if sum(n * n for n in lines) > min(
        MAX_LINE_PAIRS, MIN_LINE_PAIRS + LINE_PAIRS_PER_CHAR * len(text)
    ):
        return None
    if any(line.count("|") > MAX_TABLE_CELLS_PER_LINE for line in text.split("\n")):
        return None
    depth = 0
    for char in text:
        if char == "[":
            depth += 1
            if depth > MAX_NESTING:
                return None
        elif char == "]" and depth:
            depth -= 1
    counts = [len(_INLINE_MARKERS.findall(block)) for block in _BLOCK_SPLIT.split(text)]
    if max(counts) > MAX_INLINE_MARKERS_PER_BLOCK or sum(counts) > MAX_INLINE_MARKERS:
        return None
    # A line is at most a paragraph, item, heading or row; a bar starts a table cell; a
    # marker starts an emphasis, link or code span.
    return len(_TEXT_LINE.findall(text)) + text.count("|") + sum(counts)


def _page_budget_left() -> int:
    """Elements the page being rendered may still spend on Markdown."""
    if not has_request_context():
        return MAX_PAGE_ELEMENTS
    return MAX_PAGE_ELEMENTS - g.get("markdown_elements", 0)


def _charge_page(elements: int) -> None:
    if has_request_context():
        g.markdown_elements = g.get("markdown_elements", 0) + elements


_local = threading.local()


def _converter() -> md.Markdown:
    """This thread's converter, reset: building one costs more than converting a short text."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = md.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        _local.converter = converter
    return converter.reset()


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def _shift_headings(html: str, base_level: int) -> str:
    """Make the author's top heading level ``base_level``, keeping the outline beneath it.

    Authors write sections as they like (``#`` or ``##``); on the page they must sit under the
    page's own headings, without skipping a level.
    """
    levels = [int(level) for _, level in _HEADING_TAG.findall(html)]
    if not levels:
        return html
    shift = base_level - min(levels)
    return _HEADING_TAG.sub(
        lambda m: f"<{m.group(1)}h{min(6, max(1, int(m.group(2)) + shift))}", html
    )
