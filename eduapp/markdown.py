"""The one way Markdown becomes HTML: rendered, then sanitized with an allowlist."""

import html
import re

import markdown as md
import nh3
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
    never survive.
    """
    if not text:
        return Markup("")
    text = text[:MAX_MARKDOWN_CHARS]
    if _is_hostile(text):
        rendered = _as_plain_text(text)
    else:
        converter = md.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        try:
            rendered = _shift_headings(converter.convert(text), base_level)
        except RecursionError:
            rendered = _as_plain_text(text)
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above


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
#: Markers nested on one line: ``>`` (a space after it optional), or a list marker and a space.
#: Each repetition starts with a non-blank marker, so the pattern cannot backtrack
#: exponentially on runs of blanks (``(\s*marker\s+){17,}`` took 30 s on 65 characters).
_NESTED_LINE = re.compile(
    rf"^[ \t]*(?:(?:>|[-*+][ \t]|\d+[.)][ \t])[ \t]*){{{MAX_NESTING + 1},}}", re.MULTILINE
)
#: Blocks as Python-Markdown splits them (after reading \r\n and a lone \r as \n).
_MARKDOWN_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")


def _is_hostile(text: str) -> bool:
    """Would Markdown take too long, or too deep, on this text? Linear time."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Python-Markdown reads it
    if _NESTED_LINE.search(text):
        return True
    blocks = _MARKDOWN_BLOCK_SPLIT.split(text)
    if len(blocks) > MAX_BLOCKS or any(b.count("\n") >= MAX_LINES_PER_BLOCK for b in blocks):
        return True
    if any(line.count("|") > MAX_TABLE_CELLS_PER_LINE for line in text.split("\n")):
        return True
    depth = 0
    for char in text:
        if char == "[":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif char == "]" and depth:
            depth -= 1
    counts = [len(_INLINE_MARKERS.findall(block)) for block in _BLOCK_SPLIT.split(text)]
    return max(counts) > MAX_INLINE_MARKERS_PER_BLOCK or sum(counts) > MAX_INLINE_MARKERS


def _as_plain_text(text: str) -> str:
    """The text as escaped paragraphs, for input Markdown cannot render within its budget."""
    blocks = (block.strip() for block in _BLOCK_SPLIT.split(text))
    return "".join(f"<p>{html.escape(block)}</p>" for block in blocks if block)


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
