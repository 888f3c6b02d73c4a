"""URL converters shared by every blueprint, and links for mail."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter, Map

from eduapp.extensions import MAX_INTEGER


class RowNumberConverter(IntegerConverter):
    """``<int:...>`` for ids and numbers kept in integer columns: a number larger than a column
    holds matches no route, so it is a 404 like any other missing record, never a database error
    (SECURITY.md row 35)."""

    def __init__(self, url_map: Map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(url_map, *args, **kwargs)


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page, for mail: to the address the request came to, or, outside a
    request (a command, a worker), to ``PUBLIC_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    public = current_app.config["PUBLIC_URL"]
    if not public:
        raise RuntimeError(f"set PUBLIC_URL to write a link to {endpoint} outside a request")
    parts = urlsplit(public)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def absolute_url(path: str) -> str:
    """A path inside the app (a notification's link) as an absolute link, for mail: on the
    address the request came to, or, outside a request, on ``PUBLIC_URL``'s host."""
    if has_request_context():
        return request.host_url.rstrip("/") + path
    public = current_app.config["PUBLIC_URL"]
    if not public:
        raise RuntimeError("set PUBLIC_URL to write links in mail outside a request")
    parts = urlsplit(public)
    return f"{parts.scheme or 'https'}://{parts.netloc}{path}"
