"""The one way Markdown becomes HTML: rendered, then sanitized with an allowlist."""

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


def render_markdown(text: str | None) -> Markup:
    """Render author-written Markdown to HTML that is safe to put in a page.

    Raw HTML in the source is escaped by Markdown's own rule and then anything outside the
    allowlist is removed, so scripts, event handlers, styles and javascript:/data: links
    never survive.
    """
    if not text:
        return Markup("")
    converter = md.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    html = converter.convert(text[:MAX_MARKDOWN_CHARS])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitized by nh3 just above
