"""The format help, as pages in the studio: the same documents the repository holds
(docs/scenario-format.md, docs/assessment-format.md), so there is one text to keep right."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

from eduapp.markdown import render_markdown
from eduapp.security.access import signed_in

bp = Blueprint("studio_help", __name__, template_folder="templates")

#: The page's name -> the document it shows. Modules are described with scenarios.
FORMATS = {
    "scenario": "scenario-format.md",
    "module": "scenario-format.md",
    "assessment": "assessment-format.md",
}


def _document(name: str) -> tuple[str, str]:
    """(title, Markdown below the title) of a format document."""
    path = Path(current_app.root_path).parent / "docs" / FORMATS[name]
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    return first.removeprefix("# ").strip(), rest


@bp.get("/formats/<name>")
@signed_in
def format_help(name: str):
    if name not in FORMATS:
        abort(404)
    title, body = _document(name)
    return render_template(
        "studio/format_help.html", title=title, body=render_markdown(body), name=name
    )
