"""Deep Linking 2.0, the tool's side (docs/lti.md): what eduapp offers an instructor to place
in their course, and the signed response that carries their choice back to the LMS.

A deep-linking launch leaves the platform's request in the session (``lti_deep_link``, written
by eduapp/lti/views.py); ``pending_request`` reads it back. Each chosen item becomes an
``ltiResourceLink`` content item that opens eduapp's launch URL with the custom parameter
``eduapp_item`` naming the document (provisioning.item_of), so that the link's first launch
ties it to that scenario, module or assessment. Scenarios and assessments ask the platform for
a gradebook column (``lineItem``): a finished scenario scores 1 of 1, an assessment its points
out of the most it can score.
"""

import logging
import secrets
import time
from dataclasses import dataclass

from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import (
    assessment_of,
    module_of,
    newest_assessment_for_module,
    newest_scenario_versions,
    published_modules,
)
from eduapp.engine.scoring import score_attempt
from eduapp.extensions import db
from eduapp.lti import keys
from eduapp.lti.launch import CLAIM, LTI_VERSION
from eduapp.lti.models import Platform
from eduapp.lti.provisioning import item_of
from eduapp.security.headers import origin_of

log = logging.getLogger("eduapp.lti")

#: Where a deep-linking launch leaves the platform's request (eduapp/lti/views.py).
SESSION_KEY = "lti_deep_link"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESPONSE = "LtiDeepLinkingResponse"
#: The one kind of content item eduapp makes: a link that launches eduapp.
RESOURCE_LINK = "ltiResourceLink"
#: A response is posted by the browser at once; five minutes covers a slow network.
LIFETIME_SECONDS = 5 * 60


@dataclass(frozen=True)
class DeepLinkRequest:
    """A platform's deep-linking request, waiting for the instructor's choice."""

    platform: Platform
    deployment_id: str
    return_url: str
    #: The platform's opaque ``data``, echoed in the response; None when it sent none.
    data: object
    accept_multiple: bool
    accept_types: tuple[str, ...]
    context_title: str

    @property
    def accepts_links(self) -> bool:
        return RESOURCE_LINK in self.accept_types


def pending_request(stored: object) -> DeepLinkRequest | None:
    """The request a deep-linking launch left in the session, if there is one still to answer
    (its platform still registered, its return URL one a browser may be sent to)."""
    if not isinstance(stored, dict):
        return None
    platform = db.session.get(Platform, stored.get("platform_id") or 0)
    if platform is None:
        return None
    request = DeepLinkRequest(
        platform=platform,
        deployment_id=str(stored.get("deployment_id") or ""),
        return_url=str(stored.get("return_url") or ""),
        data=stored.get("data"),
        accept_multiple=bool(stored.get("accept_multiple")),
        accept_types=tuple(str(kind) for kind in stored.get("accept_types") or ()),
        context_title=str(stored.get("context_title") or ""),
    )
    try:
        origin_of(request.return_url)
    except ValueError as error:
        log.warning("lti deep linking: return URL refused (platform %s): %s", platform.id, error)
        return None
    return request


@dataclass(frozen=True)
class Item:
    """One thing an instructor may place in their course."""

    kind: DocumentKind
    #: The ``eduapp_item`` value that names it ("scenario:<slug>", ...).
    value: str
    title: str
    summary: str
    #: The most it scores in the gradebook; None when it has no gradebook column (a module).
    score_maximum: float | None

    @property
    def tag(self) -> str | None:
        return {DocumentKind.SCENARIO: "completion", DocumentKind.ASSESSMENT: "score"}.get(
            self.kind
        )


@dataclass(frozen=True)
class ModuleEntry:
    """A published module with its published scenarios and its assessment, in course order."""

    module: Item
    order: int
    scenarios: tuple[Item, ...]
    assessment: Item | None

    @property
    def items(self) -> tuple[Item, ...]:
        return (self.module, *self.scenarios, *((self.assessment,) if self.assessment else ()))


def _item(version: Version, score_maximum: float | None) -> Item:
    return Item(
        kind=DocumentKind(version.document.kind),
        value=item_of(version.document),
        title=version.title,
        summary=version.summary,
        score_maximum=score_maximum,
    )


def catalogue() -> list[ModuleEntry]:
    """What eduapp offers: every published module, its published scenarios and its
    assessment. Nothing unpublished is in it."""
    versions = published_modules()
    modules = {version.id: module_of(version) for version in versions}
    scenarios = newest_scenario_versions(
        sorted({slug for module in modules.values() for slug in module.scenarios})
    )
    entries = []
    for version in versions:
        module = modules[version.id]
        assessment = newest_assessment_for_module(version.slug)
        entries.append(
            ModuleEntry(
                module=_item(version, None),
                order=module.order,
                scenarios=tuple(
                    _item(scenarios[slug], 1) for slug in module.scenarios if slug in scenarios
                ),
                assessment=_item(assessment, assessment_maximum(assessment))
                if assessment is not None
                else None,
            )
        )
    return entries


def assessment_maximum(version: Version) -> float:
    """The most an attempt at this assessment can score: what scoring counts as its maximum."""
    return score_attempt(assessment_of(version), {}).max_points


def items_by_value(entries: list[ModuleEntry]) -> dict[str, Item]:
    """Every item of the catalogue by its ``eduapp_item`` value (a scenario in two modules once)."""
    return {item.value: item for entry in entries for item in entry.items}


def content_item(item: Item, launch_url: str) -> dict:
    """The ``ltiResourceLink`` content item that places ``item`` in the course."""
    content = {
        "type": RESOURCE_LINK,
        "title": item.title,
        "text": item.summary,
        "url": launch_url,
        "custom": {"eduapp_item": item.value},
    }
    if item.score_maximum is not None:
        content["lineItem"] = {
            "scoreMaximum": item.score_maximum,
            "label": item.title,
            "resourceId": item.value,
            "tag": item.tag,
        }
    return content


def response_token(
    request: DeepLinkRequest, content_items: list[dict], message: str | None = None
) -> str:
    """The signed ``LtiDeepLinkingResponse`` that answers ``request`` with these content items
    (none: nothing is added), and ``message`` for the platform to show, if any."""
    now = int(time.time())
    claims = {
        "iss": request.platform.client_id,
        "aud": request.platform.issuer,
        "iat": now,
        "exp": now + LIFETIME_SECONDS,
        "nonce": secrets.token_urlsafe(24),
        CLAIM + "deployment_id": request.deployment_id,
        CLAIM + "message_type": RESPONSE,
        CLAIM + "version": LTI_VERSION,
        DL_CLAIM + "content_items": content_items,
    }
    if request.data is not None:
        claims[DL_CLAIM + "data"] = request.data
    if message:
        claims[DL_CLAIM + "msg"] = message
    return keys.sign(claims)
