"""Moving a draft's source in and out as a file: upload a new revision, download the source.

Uploads are never stored as files: their text becomes a revision, so no name the browser sends
is ever used (SECURITY.md row 18). Only plain UTF-8 text files are accepted.
"""

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from wtforms import IntegerField
from wtforms.validators import InputRequired

from eduapp.engine import MAX_FILE_BYTES, MAX_FILE_SIZE_TEXT
from eduapp.errors import render_error
from eduapp.security.access import signed_in
from eduapp.studio import queries, revisions
from eduapp.studio.access import load_document
from eduapp.studio.errors import Conflict
from eduapp.studio.pages import editor_page

bp = Blueprint("files", __name__)

#: File endings an author's text editor produces for our formats.
TEXT_SUFFIXES = (".md", ".txt", ".markdown")
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: An upload's request: the file and the multipart form around it.
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024


#: What the editor says when no file came with an upload.
NO_FILE = "Choose a file to upload first."
#: ... and when the request was larger than the server reads.
TOO_LARGE = (
    f"That file is larger than {MAX_FILE_SIZE_TEXT}, so it was not uploaded and nothing was "
    "kept: choose it again once it is smaller (split a long scenario in two, or remove pasted "
    "images)."
)


class UploadForm(FlaskForm):
    base = IntegerField(validators=[InputRequired()])
    file = FileField("A source file (.md or .txt)", validators=[FileRequired()])


class UploadRefused(ValueError):
    """Not a plain text file of ours; the message says why."""


def read_upload(storage) -> str:
    """The uploaded file's text, or UploadRefused: a wrong ending, binary content, not UTF-8."""
    name = (storage.filename or "").lower()
    if not name.endswith(TEXT_SUFFIXES):
        raise UploadRefused("Upload a plain-text .md or .txt file.")
    data = storage.stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        abort(413)
    if b"\x00" in data:
        raise UploadRefused("That file is not plain text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused("Save the file as UTF-8 text and upload it again.") from None
    if text.lstrip().lower().startswith(("<!doctype", "<html", "<svg", "<?xml")):
        raise UploadRefused("That is a web page or an image, not a scenario or module file.")
    return text


@bp.url_value_preprocessor
def _allow_a_whole_file(endpoint: str | None, _values) -> None:
    """An upload may carry a file of MAX_UPLOAD_BYTES, above the app's MAX_CONTENT_LENGTH; set
    before the CSRF check reads the form (as studio.views does for a posted draft)."""
    if endpoint == "files.upload":
        request.max_content_length = MAX_UPLOAD_REQUEST_BYTES


@bp.post("/<kind>/<slug>/upload")
@signed_in
def upload(kind: str, slug: str):
    """Upload a file as the next revision; a refused one comes back on the editor, saying why."""
    document, membership = load_document(kind, slug, edit=True)
    form = UploadForm()
    if not form.validate_on_submit():
        return editor_page(document, membership, status=400, upload_error=NO_FILE)
    try:
        source = read_upload(form.file.data)
    except UploadRefused as refused:
        return editor_page(document, membership, status=400, upload_error=str(refused))
    try:
        revisions.save_source(current_user, document, form.base.data, source, "Uploaded a file")
    except Conflict:
        flash(
            "Someone saved since you opened the editor; upload again on the newest revision.",
            "error",
        )
        return redirect(url_for("studio.editor", kind=kind, slug=slug))
    flash("The uploaded file is saved as a new revision.", "success")
    return redirect(url_for("studio.editor", kind=kind, slug=slug))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """A request over MAX_CONTENT_LENGTH is refused before anything reads it (the CSRF check is
    the first to try), so the file is gone: say so on the editor, to a signed-in member who
    edits it, with the 413; anyone else gets the plain 413 page."""
    args = request.view_args or {}
    if request.endpoint != "files.upload" or not current_user.is_authenticated:
        return render_error(413)
    try:
        document, membership = load_document(args["kind"], args["slug"], edit=True)
    except HTTPException:
        return render_error(413)
    return editor_page(document, membership, status=413, upload_error=TOO_LARGE)


@bp.get("/<kind>/<slug>/source.md")
@signed_in
def download(kind: str, slug: str):
    """The newest revision's source as a file to edit elsewhere; never rendered by the browser."""
    document, _ = load_document(kind, slug)
    latest = queries.latest_revision(document)
    response = Response(latest.source, mimetype="text/markdown")
    response.headers["Content-Disposition"] = f'attachment; filename="{document.slug}.md"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
