"""An LTI 1.3 launch, checked as the 1EdTech Security Framework requires (docs/lti.md).

1. **Login** (``begin_login``): the platform names itself (``iss``, maybe ``client_id``) and
   whom it launches (``login_hint``); eduapp answers with a redirect to the platform's
   authorization endpoint carrying a fresh ``nonce`` and a signed ``state``. The state is bound
   to this browser: a cookie whose hash it holds, so a launch started in another browser (a
   login CSRF) is refused.
2. **Launch** (``check_launch``): the platform posts back a signed ``id_token`` and the state.
   Checked in this order, each refusal a ``LaunchRefused`` with its reason for the log and its
   words for the person: the state (signature, age, this browser's cookie), the token's header
   (RS256 only, so ``alg: none`` and HMAC tricks are refused, and a ``kid``), its key (from the
   platform's key set, fetched again once on an unknown ``kid``), the signature and claims
   (``iss``, ``aud``/``azp`` against the registration, ``exp``/``iat`` with a minute of leeway,
   ``sub``), the nonce (the state's, and used once), the deployment (registered), the message
   type and the LTI version.

A launch refused creates no account and signs nobody in: the checks all come before anything
is written but the nonce, and the request that refuses rolls back.
"""

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm.attributes import set_committed_value

from eduapp.extensions import db, utcnow
from eduapp.lti.models import Platform, UsedNonce
from eduapp.transaction import separate_transaction

log = logging.getLogger("eduapp.lti")

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINKING)
LTI_VERSION = "1.3.0"
ALGORITHM = "RS256"
#: The cookie that binds a login's state to the browser; its name carries the login's id, so
#: two launches in two tabs do not overwrite each other's.
COOKIE_PREFIX = "eduapp_lti_"


class LaunchRefused(Exception):
    """A login or launch refused: ``reason`` for the log, ``message`` for the person."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class LoginStart:
    """Where to send the browser, and the cookie that binds the login to it."""

    platform: Platform
    redirect_url: str
    cookie_name: str
    cookie_value: str


@dataclass(frozen=True)
class Launch:
    """A launch that passed every check."""

    platform: Platform
    claims: dict = field(repr=False)

    @property
    def message_type(self) -> str:
        return self.claims[CLAIM + "message_type"]

    @property
    def subject(self) -> str:
        return self.claims["sub"]

    @property
    def deployment_id(self) -> str:
        return self.claims[CLAIM + "deployment_id"]

    @property
    def roles(self) -> list[str]:
        return list(self.claims.get(CLAIM + "roles") or [])

    @property
    def context(self) -> dict:
        return self.claims.get(CLAIM + "context") or {}

    @property
    def resource_link(self) -> dict:
        return self.claims.get(CLAIM + "resource_link") or {}

    @property
    def custom(self) -> dict:
        return self.claims.get(CLAIM + "custom") or {}

    @property
    def deep_linking(self) -> dict:
        return self.claims.get(DEEP_LINKING_CLAIM) or {}

    @property
    def ags(self) -> dict:
        return self.claims.get(AGS_CLAIM) or {}

    @property
    def nrps(self) -> dict:
        return self.claims.get(NRPS_CLAIM) or {}

    @property
    def document_target(self) -> str:
        return (self.claims.get(CLAIM + "launch_presentation") or {}).get("document_target", "")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="eduapp-lti-login")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def platform_for(issuer: str, client_id: str | None) -> Platform:
    """The registered platform this issuer (and client id, when given) names."""
    query = sa.select(Platform).where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    platforms = list(db.session.scalars(query.limit(2)))
    if len(platforms) != 1:
        reason = "unknown platform" if not platforms else "several registrations, no client_id"
        raise LaunchRefused(
            f"login: {reason} (issuer {issuer[:100]!r})",
            "This LMS is not registered with eduapp. Ask your eduapp administrator to add it.",
        )
    return platforms[0]


def begin_login(params: dict, launch_url: str, own_host: str) -> LoginStart:
    """Answer a platform's login initiation (GET or POST parameters)."""
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not login_hint:
        raise LaunchRefused(
            "login: iss or login_hint missing",
            "The LMS sent an incomplete login request. Open eduapp from your course again.",
        )
    platform = platform_for(issuer, params.get("client_id"))
    deployment_id = params.get("lti_deployment_id")
    if deployment_id and not _knows_deployment(platform, deployment_id):
        raise LaunchRefused(
            "login: unknown deployment", "This installation of eduapp in the LMS is not known."
        )
    target = params.get("target_link_uri", "")
    if target and urlsplit(target).netloc != own_host:
        raise LaunchRefused(
            "login: target_link_uri on another host",
            "The LMS asked to open a page that is not eduapp's.",
        )
    binding, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    login = {
        key: params[key]
        for key in (
            "iss",
            "login_hint",
            "lti_message_hint",
            "target_link_uri",
            "client_id",
            "lti_deployment_id",
        )
        if params.get(key)
    }
    login_id = secrets.token_hex(8)
    state = _serializer().dumps(
        {"p": platform.id, "n": nonce, "i": login_id, "b": _digest(binding), "l": login}
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_url).query else "?"
    return LoginStart(
        platform,
        f"{platform.auth_url}{separator}{urlencode(query)}",
        COOKIE_PREFIX + login_id,
        binding,
    )


def _knows_deployment(platform: Platform, deployment_id: str) -> bool:
    return any(d.deployment_id == deployment_id for d in platform.deployments)


def check_launch(form: dict, cookies: dict) -> Launch:
    """The launch posted by the platform, checked in full (the module's docstring)."""
    state = _read_state(form.get("state", ""), cookies)
    platform = db.session.get(Platform, state["p"])
    if platform is None:
        raise LaunchRefused("launch: platform removed", "This LMS is no longer registered.")
    claims = _verified_claims(form.get("id_token", ""), platform)
    if not hmac.compare_digest(str(claims.get("nonce", "")), state["n"]):
        raise LaunchRefused("launch: nonce is not the login's", _AGAIN)
    _use_nonce(platform, state["n"])
    if not _knows_deployment(platform, str(claims.get(CLAIM + "deployment_id", ""))):
        raise LaunchRefused(
            "launch: unknown deployment", "This installation of eduapp in the LMS is not known."
        )
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise LaunchRefused(
            f"launch: message type {str(message_type)[:40]!r}",
            "eduapp cannot open this kind of LMS link.",
        )
    if claims.get(CLAIM + "version") != LTI_VERSION:
        raise LaunchRefused("launch: LTI version", "eduapp speaks LTI 1.3 only.")
    launch = Launch(platform, claims)
    if message_type == RESOURCE_LINK and not launch.resource_link.get("id"):
        raise LaunchRefused("launch: no resource link", _AGAIN)
    if message_type == DEEP_LINKING and not launch.deep_linking.get("deep_link_return_url"):
        raise LaunchRefused("launch: no deep_link_return_url", _AGAIN)
    return launch


_AGAIN = "This link from the LMS could not be checked. Open eduapp from your course again."


_NO_COOKIE = (
    "Your browser did not keep the cookie eduapp set a moment ago, so this launch cannot be "
    "tied to you. Allow cookies for this site, then open eduapp from your course again."
)


def _signed_state(state: str) -> dict:
    try:
        return _serializer().loads(state, max_age=current_app.config["LTI_LOGIN_LIFETIME_SECONDS"])
    except SignatureExpired:
        raise LaunchRefused("launch: state expired", _AGAIN) from None
    except BadSignature:
        raise LaunchRefused("launch: state forged or missing", _AGAIN) from None


def login_of(state: str) -> tuple[Platform, dict]:
    """The platform and the login parameters a launch's state holds (its signature and age
    checked, nothing else): to start the same login again in a window of its own."""
    data = _signed_state(state)
    platform = db.session.get(Platform, data["p"])
    if platform is None:
        raise LaunchRefused("launch: platform removed", "This LMS is no longer registered.")
    return platform, data["l"]


def _read_state(state: str, cookies: dict) -> dict:
    data = _signed_state(state)
    binding = cookies.get(COOKIE_PREFIX + data["i"])
    if binding is None:
        raise LaunchRefused("launch: the login's cookie did not come back", _NO_COOKIE)
    if not hmac.compare_digest(_digest(binding), data["b"]):
        raise LaunchRefused("launch: state bound to another browser", _AGAIN)
    return data


def _verified_claims(token: str, platform: Platform) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise LaunchRefused("launch: id_token is not a JWT", _AGAIN) from None
    if header.get("alg") != ALGORITHM:
        raise LaunchRefused(f"launch: alg {str(header.get('alg'))[:20]!r} refused", _AGAIN)
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchRefused("launch: no kid", _AGAIN)
    key = platform_key(platform, kid)
    config = current_app.config
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=config["LTI_CLOCK_LEEWAY_SECONDS"],
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused("launch: expired", _AGAIN) from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused("launch: wrong audience", _AGAIN) from None
    except jwt.InvalidIssuerError:
        raise LaunchRefused("launch: wrong issuer", _AGAIN) from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused("launch: bad signature", _AGAIN) from None
    except jwt.InvalidTokenError as error:
        raise LaunchRefused(f"launch: {type(error).__name__}", _AGAIN) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise LaunchRefused("launch: azp is not eduapp's client id", _AGAIN)
    return claims


def platform_key(platform: Platform, kid: str):
    """The platform's public key with this ``kid``: from the stored key set, fetched again
    (at most once a minute) when the kid is not in it."""
    key = _key_in(platform.jwks_json, kid)
    if key is not None:
        return key
    fetched = platform.jwks_fetched_at
    wait = current_app.config["LTI_JWKS_REFETCH_SECONDS"]
    if fetched is None or (utcnow() - fetched).total_seconds() >= wait:
        key = _key_in(refresh_key_set(platform), kid)
        if key is not None:
            return key
    raise LaunchRefused(f"launch: unknown kid {kid[:40]!r}", _AGAIN)


def _key_in(jwks_json: str | None, kid: str):
    if not jwks_json:
        return None
    try:
        key_set = jwt.PyJWKSet.from_json(jwks_json)
    except jwt.PyJWKSetError:
        return None
    for key in key_set.keys:
        if key.key_id == kid and key.key_type == "RSA":
            return key.key
    return None


def refresh_key_set(platform: Platform) -> str | None:
    """Fetch the platform's key set and keep it, on a transaction of its own so that a refused
    launch keeps it too (every worker reads the same one)."""
    now = utcnow()
    try:
        response = httpx.get(platform.jwks_url, timeout=current_app.config["LTI_HTTP_TIMEOUT"])
        response.raise_for_status()
        jwks_json = json.dumps(response.json())
        jwt.PyJWKSet.from_json(jwks_json)
    except (httpx.HTTPError, ValueError, jwt.PyJWKSetError) as error:
        log.warning("lti platform %s: key set not fetched: %s", platform.id, type(error).__name__)
        jwks_json = platform.jwks_json
    with separate_transaction() as connection:
        connection.execute(
            sa.update(Platform)
            .where(Platform.id == platform.id)
            .values(jwks_json=jwks_json, jwks_fetched_at=now)
        )
    # What this request reads from now on, without writing it a second time.
    set_committed_value(platform, "jwks_json", jwks_json)
    set_committed_value(platform, "jwks_fetched_at", now)
    return jwks_json


def _use_nonce(platform: Platform, nonce: str) -> None:
    """Record the nonce; a second launch with it is refused. Nonces older than twice a login's
    lifetime go: their state has expired, so no launch can bring them back."""
    lifetime = timedelta(seconds=current_app.config["LTI_LOGIN_LIFETIME_SECONDS"])
    db.session.execute(sa.delete(UsedNonce).where(UsedNonce.used_at < utcnow() - 2 * lifetime))
    try:
        with db.session.begin_nested():
            db.session.add(UsedNonce(platform_id=platform.id, nonce=nonce))
            db.session.flush()
    except sa.exc.IntegrityError:
        raise LaunchRefused("launch: nonce replayed", _AGAIN) from None
