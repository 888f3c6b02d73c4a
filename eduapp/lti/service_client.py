"""Calling a platform's services (its gradebook, its course rosters) as eduapp (docs/lti.md).

The 1EdTech Security Framework's client credentials grant: eduapp asks the platform's token
endpoint for an access token with a client assertion, a short-lived JWT it signs with its own
key (``keys.sign``; the platform checks it against eduapp's key set), then calls the service
with the token as a bearer.

Tokens are kept in the process, per platform registration and set of scopes, until shortly
before they expire: a sender with fifty scores for one platform asks once. A call answered 401
forgets its token and is tried once more with a fresh one (the platform restarted, or revoked
it). Each ``ServiceClient`` holds one HTTP connection pool, with ``LTI_HTTP_TIMEOUT`` on every
call; nothing here touches the database but the signing key's read.
"""

import json
import secrets
import threading
import time
from urllib.parse import urlsplit

import httpx
from flask import current_app

from eduapp.lti import keys
from eduapp.lti.models import Platform

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
MEMBERSHIPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
#: A client assertion is good for this long (the specification suggests minutes).
ASSERTION_SECONDS = 5 * 60
#: A token is used until this many seconds before the expiry the platform gave it.
EXPIRY_MARGIN_SECONDS = 60
#: The token's lifetime when the platform does not say (OAuth 2's usual hour).
DEFAULT_TOKEN_SECONDS = 3600
#: Statuses that say "try again later" rather than "this request is wrong".
RETRYABLE_STATUSES = frozenset({401, 408, 429})

#: (platform id, issuer, client id, token URL, scopes) -> (token, monotonic time to drop it).
_tokens: dict[tuple, tuple[str, float]] = {}
_tokens_lock = threading.Lock()


class ServiceError(Exception):
    """A platform's service could not be used. ``reason`` is for the log and the outbox row
    (no token, no personal data); ``status`` is the HTTP status, if one came back;
    ``is_permanent`` is true when sending the same request again cannot help."""

    def __init__(self, reason: str, status: int | None = None, *, is_permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:300]
        self.status = status
        self.is_permanent = is_permanent


def clean(text: str, limit: int = 120) -> str:
    """A platform's words made safe for a log line or a column: one line, printable, short."""
    flat = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(flat.split())[:limit]


def failure(response: httpx.Response, what: str) -> ServiceError:
    """The ServiceError for an answer that is not a success: a 4xx is permanent, except
    401, 408 and 429; a 5xx is not."""
    status = response.status_code
    detail = clean(response.text) if response.content else ""
    permanent = 400 <= status < 500 and status not in RETRYABLE_STATUSES
    reason = f"{what}: HTTP {status}" + (f" ({detail})" if detail else "")
    return ServiceError(reason, status, is_permanent=permanent)


def same_origin(url: str, other: str) -> bool:
    """Whether two URLs share scheme, host and port: a platform's links are followed only
    within the service that gave them, so the bearer token goes nowhere else."""
    first, second = urlsplit(url), urlsplit(other)
    return (first.scheme, first.netloc) == (second.scheme, second.netloc)


def _cache_key(platform: Platform, scopes: list[str]) -> tuple:
    scope = " ".join(sorted(set(scopes)))
    return (platform.id, platform.issuer, platform.client_id, platform.token_url, scope)


def forget_tokens() -> None:
    """Drop every kept token (tests, and a registration changed by an admin)."""
    with _tokens_lock:
        _tokens.clear()


def client_assertion(platform: Platform) -> str:
    """The JWT eduapp proves itself with at the platform's token endpoint."""
    now = int(time.time())
    return keys.sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
            "jti": secrets.token_urlsafe(24),
        }
    )


class ServiceClient:
    """Calls to platforms' services for one run (a sender's run, a roster sync)."""

    def __init__(self):
        self.http = httpx.Client(
            timeout=current_app.config["LTI_HTTP_TIMEOUT"],
            follow_redirects=False,
            headers={"User-Agent": "eduapp-lti"},
        )

    def __enter__(self) -> "ServiceClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.http.close()

    def token(self, platform: Platform, scopes: list[str]) -> str:
        """An access token for these scopes: the kept one, or a new one from the platform."""
        key = _cache_key(platform, scopes)
        with _tokens_lock:
            kept = _tokens.get(key)
        if kept is not None and kept[1] > time.monotonic():
            return kept[0]
        token, seconds = self._ask_token(platform, scopes)
        keep_until = time.monotonic() + max(0, seconds - EXPIRY_MARGIN_SECONDS)
        with _tokens_lock:
            _tokens[key] = (token, keep_until)
        return token

    def _forget(self, platform: Platform, scopes: list[str]) -> None:
        with _tokens_lock:
            _tokens.pop(_cache_key(platform, scopes), None)

    def _ask_token(self, platform: Platform, scopes: list[str]) -> tuple[str, int]:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(platform),
            "scope": " ".join(scopes),
        }
        try:
            response = self.http.post(
                platform.token_url, data=form, headers={"Accept": "application/json"}
            )
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise ServiceError(f"token endpoint unreachable: {type(error).__name__}") from None
        if response.status_code != 200:
            error = failure(response, "token endpoint")
            # Refused credentials or scopes are the registration's to fix, not the request's:
            # what waits for a token is tried again, within its tries.
            raise ServiceError(error.reason, error.status)
        try:
            answer = response.json()
            token = answer["access_token"]
        except (ValueError, KeyError, TypeError):
            raise ServiceError("token endpoint: the answer holds no access token") from None
        if not isinstance(token, str) or not token:
            raise ServiceError("token endpoint: the answer holds no access token")
        seconds = answer.get("expires_in")
        valid = isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0
        return token, int(seconds) if valid else DEFAULT_TOKEN_SECONDS

    def call(
        self,
        platform: Platform,
        scopes: list[str],
        method: str,
        url: str,
        *,
        accept: str | None = None,
        body: dict | None = None,
        content_type: str = "application/json",
        params: dict | None = None,
    ) -> httpx.Response:
        """One request to a service with a bearer token; ``params`` are added to the URL's
        own query. Raises ServiceError when the platform cannot be reached or gives no token;
        any answer (a 4xx or 5xx too) is returned for the caller to judge."""
        try:
            target = httpx.URL(url)
            if params:
                target = target.copy_merge_params(params)
        except httpx.InvalidURL:
            raise ServiceError("the service's address is not a URL", is_permanent=True) from None
        content = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": content_type} if content is not None else {}
        if accept:
            headers["Accept"] = accept
        response = self._send(platform, scopes, method, target, content, headers)
        if response.status_code == 401:
            self._forget(platform, scopes)
            response = self._send(platform, scopes, method, target, content, headers)
        return response

    def _send(self, platform, scopes, method, target, content, headers) -> httpx.Response:
        bearer = {"Authorization": f"Bearer {self.token(platform, scopes)}"}
        try:
            return self.http.request(method, target, content=content, headers=headers | bearer)
        except httpx.HTTPError as error:
            raise ServiceError(f"{method} unreachable: {type(error).__name__}") from None
