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


def path_to(endpoint: str, **values) -> str:
    """The path of an app page, inside a request or not (a service called from the command line,
    a worker or a test has no request to build URLs from)."""
    if has_request_context():
        return url_for(endpoint, **values)
    root = current_app.config["APPLICATION_ROOT"]
    adapter = current_app.url_map.bind("localhost", script_name=root)
    return adapter.build(endpoint, values)


def external_url(endpoint: str, **values) -> str:
    """An absolute link to a page, for mail (``absolute_url``)."""
    return absolute_url(path_to(endpoint, **values))


def absolute_url(path: str) -> str:
    """A path inside the app as an absolute link, for mail: on the address the request came to,
    or, outside a request (a command, a worker), on ``PUBLIC_URL``'s scheme and host."""
    if has_request_context():
        return request.host_url.rstrip("/") + path
    public = current_app.config["PUBLIC_URL"]
    if not public:
        raise RuntimeError("set PUBLIC_URL to write links in mail outside a request")
    parts = urlsplit(public)
    return f"{parts.scheme or 'https'}://{parts.netloc}{path}"
