"""Security headers on every response.

Two things only an LTI page may widen, for one response, by naming one origin (the LMS's): its
forms may post there (the deep-linking answer goes back to the LMS), and it may be shown in
that origin's frame (the launch's "open in a new window" page, inside the LMS's course page).
Everything else keeps the policy below.
"""

import re
from urllib.parse import urlsplit

from flask import Response, current_app, g, session

_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]
CONTENT_SECURITY_POLICY = "; ".join(_DIRECTIVES)
#: What an origin in a Content-Security-Policy source list may hold: a host name, an IPv4
#: address or a bracketed IPv6 one. Nothing that could end the directive (";", ",", space).
_HOST = re.compile(r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$")


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL; ValueError for anything else, and for a host
    that could not stand in a Content-Security-Policy source list as it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    port = parts.port  # ValueError when it is not a number in range
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if not _HOST.match(host):
        raise ValueError("a host a Content-Security-Policy cannot name")
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def allow_form_posts_to(url: str) -> None:
    """This response's forms may post to ``url``'s origin too (ValueError: not one to name)."""
    g.form_action_origin = origin_of(url)


def allow_framing_by(*urls: str) -> None:
    """This response may be shown in frames of these URLs' origins (ValueError: not ones to
    name)."""
    g.frame_ancestor_origin = " ".join(dict.fromkeys(origin_of(url) for url in urls))


def _policy() -> str:
    form_origin = g.get("form_action_origin")
    frame_origin = g.get("frame_ancestor_origin")
    if not form_origin and not frame_origin:
        return CONTENT_SECURITY_POLICY
    directives = list(_DIRECTIVES)
    if form_origin:
        directives[directives.index("form-action 'self'")] = f"form-action 'self' {form_origin}"
    if frame_origin:
        directives[directives.index("frame-ancestors 'none'")] = f"frame-ancestors {frame_origin}"
    return "; ".join(directives)


def set_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = _policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if not g.get("frame_ancestor_origin"):
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    # HTTPS only, from now on, for a year (production); browsers ignore it over plain HTTP.
    if hsts_seconds := current_app.config["HSTS_SECONDS"]:
        response.headers["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    # Pages for a signed-in user can hold reflections and other personal data: never cache them.
    # (Read from the cookie session, not the database, so that error pages get it too.)
    if session.get("_user_id"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Vary"] = "Cookie"
    return response
