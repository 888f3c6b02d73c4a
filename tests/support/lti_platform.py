"""A real LTI 1.3 Advantage platform on loopback, for driving eduapp as an LTI tool.

The protocol work (signing launches, the client-credentials token endpoint, deep-linking
responses, bearer tokens on the services) is lti1p3platform's; this module is the glue: a Flask
app served by werkzeug in a thread, a course world kept in memory, and two HTML pages. Where the
library checks less than the specifications ask, the glue adds the missing checks, so a tool
that passes here is not merely passing a lenient platform.
"""

import itertools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from jinja2 import DictLoader
from lti1p3platform.exceptions import (
    InvalidKeySetUrl,
    LineItemNotFoundException,
    LtiDeepLinkingResponseException,
    LtiException,
    LtiServiceException,
    MissingRequiredClaim,
    PreflightRequestValidationException,
    UnsupportedGrantType,
)
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.response import Response as ServiceResponse
from lti1p3platform.score import ActivityProgress, GradeProgress, UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)
from werkzeug.serving import make_server

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"
#: The platform's sign-in. Cookies on 127.0.0.1 reach every port, the tool's too: hence the name.
USER_COOKIE = "lti_platform_user"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINE_ITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE_LINE_ITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINE_ITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
#: The parameters of an OIDC authentication request that LTI 1.3 fixes.
AUTH_PARAMETERS = {"response_type": "id_token", "response_mode": "form_post", "prompt": "none"}

TEMPLATES = {
    "course.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ course.title }} · Test LTI platform</title>
</head>
<body>
  <header><p>Test LTI platform · signed in as {{ user.name }}</p></header>
  <main>
    <h1>{{ course.title }}</h1>
    <h2>Activities</h2>
    {% if links %}
    <ul>
      {% for link, url in links %}<li><a href="{{ url }}">{{ link.title }}</a></li>{% endfor %}
    </ul>
    {% else %}
    <p>No activities yet.</p>
    {% endif %}
    {% if add_url %}<p><a href="{{ add_url }}">Add eduapp content</a></p>{% endif %}
  </main>
</body>
</html>
""",
    "embedded.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ link.title }} · Test LTI platform</title>
</head>
<body>
  <main>
    <h1>{{ link.title }}</h1>
    <iframe title="{{ link.title }} in eduapp" src="{{ url }}" width="900" height="500"></iframe>
  </main>
</body>
</html>
""",
    "launch.html": """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Opening eduapp · Test LTI platform</title>
</head>
<body>
  <main>
    <h1>Opening eduapp</h1>
    <form method="post" action="{{ action }}" id="lti-launch">
      <input type="hidden" name="id_token" value="{{ id_token }}">
      <input type="hidden" name="state" value="{{ state }}">
      <button type="submit">Continue to eduapp</button>
    </form>
  </main>
  <script>document.getElementById("lti-launch").submit();</script>
</body>
</html>
""",
}


@dataclass
class Course:
    id: str
    title: str
    label: str


@dataclass
class User:
    id: str
    name: str
    email: str
    #: LTI role URIs, the same in every course the user belongs to.
    roles: list[str]
    courses: list[str]

    @property
    def is_instructor(self) -> bool:
        return INSTRUCTOR in self.roles


@dataclass
class Link:
    """A resource link placed in a course."""

    id: str
    course_id: str
    title: str
    custom: dict[str, str] = field(default_factory=dict)
    line_item_id: str | None = None
    #: The tool's target for this link (a deep-linking item's ``url``); None: its launch URL.
    url: str | None = None


@dataclass
class LineItem:
    id: str
    course_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    resource_link_id: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Message:
    """What an ``lti_message_hint`` (or a deep-linking ``data`` value) stands for."""

    user_id: str
    course_id: str
    link_id: str | None = None
    is_deep_link: bool = False


@dataclass
class LaunchForm:
    """The auto-submitting form the platform answers /auth with: POST ``fields`` to ``action``."""

    action: str
    fields: dict[str, str]

    @classmethod
    def parse(cls, html: str) -> "LaunchForm":
        """The first form of ``html``, with its inputs' names and values."""
        parser = _FormParser()
        parser.feed(html)
        assert parser.action is not None, "the page has no form"
        return cls(parser.action, parser.fields)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
        elif tag == "input" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


class TestPlatform:
    """An LTI 1.3 platform on a free loopback port with eduapp registered as its tool, and the
    courses, people, links, line items and scores it holds. Its URL is known once constructed;
    it serves between ``__enter__`` and ``__exit__``."""

    __test__ = False  # a helper, whatever pytest makes of its name

    client_id = "eduapp-tool"
    deployment_id = "deployment-1"

    def __init__(self, tool_url: str, tool_key_set: Callable[[], dict] | None = None):
        """``tool_key_set``, when given, supplies the tool's JWKS instead of a GET of
        ``{tool_url}/lti/jwks.json`` (for a tool that is only a Flask test client)."""
        self.tool_url = tool_url.rstrip("/")
        self.tool_key_set = tool_key_set
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_key_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        self.kid = Registration.get_jwk(self.public_key_pem)["kid"]
        self.courses: dict[str, Course] = {}
        self.users: dict[str, User] = {}
        self.links: dict[str, Link] = {}
        self.line_items: dict[str, LineItem] = {}
        #: Every score accepted, oldest first: the score's JSON plus ``line_item_id``.
        self.scores: list[dict] = []
        #: Every content item accepted from a deep-linking response, oldest first.
        self.deep_link_items: list[dict] = []
        #: While true, the score endpoint answers 503 Service Unavailable.
        self.down = False
        #: lti_message_hint -> the launch it starts.
        self.messages: dict[str, Message] = {}
        #: The ``data`` sent in a deep-linking request -> that request, until answered.
        self.deep_link_requests: dict[str, Message] = {}
        self.used_assertion_ids: set[str] = set()
        self._ids = itertools.count(1)
        self.server = make_server("127.0.0.1", 0, create_platform_app(self), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # A short poll: each test starts and stops a platform, and shutdown waits out a poll.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @property
    def issuer(self) -> str:
        return self.url

    @property
    def oidc_auth_url(self) -> str:
        return f"{self.url}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks"

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.url}/deep_link_return"

    @property
    def tool_login_url(self) -> str:
        return f"{self.tool_url}/lti/login"

    @property
    def tool_launch_url(self) -> str:
        return f"{self.tool_url}/lti/launch"

    def embedded_url(self, course_id: str, link_id: str, user_id: str) -> str:
        """The course's page showing one activity in an iframe, as ``user_id`` sees it."""
        return f"{self.url}/course/{course_id}/embedded/{link_id}?as={user_id}"

    def course_url(self, course_id: str, user_id: str) -> str:
        return f"{self.url}/course/{course_id}?{urlencode({'as': user_id})}"

    def lineitems_url(self, course_id: str) -> str:
        return f"{self.url}/courses/{course_id}/lineitems"

    def lineitem_url(self, course_id: str, line_item_id: str) -> str:
        return f"{self.lineitems_url(course_id)}/{line_item_id}"

    def memberships_url(self, course_id: str) -> str:
        return f"{self.url}/courses/{course_id}/memberships"

    def add_course(self, course_id: str, title: str, label: str = "") -> Course:
        self.courses[course_id] = Course(course_id, title, label or course_id)
        return self.courses[course_id]

    def add_user(
        self, user_id: str, name: str, email: str, roles: list[str], courses: list[str]
    ) -> User:
        self.users[user_id] = User(user_id, name, email, list(roles), list(courses))
        return self.users[user_id]

    def add_link(
        self,
        course_id: str,
        title: str,
        custom: dict[str, str] | None = None,
        line_item: dict | None = None,
        url: str | None = None,
    ) -> Link:
        """A resource link in the course; ``line_item`` (AGS JSON: label, scoreMaximum,
        resourceId, tag) makes the line item it is graded into."""
        if line_item is not None:
            problem = line_item_problem(line_item, default_label=title)
            if problem:
                raise ValueError(problem)
        link = Link(f"link-{next(self._ids)}", course_id, title, dict(custom or {}), url=url)
        self.links[link.id] = link
        if line_item is not None:
            item = self.add_line_item(
                course_id,
                line_item.get("label") or title,
                line_item["scoreMaximum"],
                resource_id=line_item.get("resourceId"),
                resource_link_id=link.id,
                tag=line_item.get("tag"),
            )
            link.line_item_id = item.id
        return link

    def add_line_item(
        self,
        course_id: str,
        label: str,
        score_maximum: float,
        resource_id: str | None = None,
        resource_link_id: str | None = None,
        tag: str | None = None,
    ) -> LineItem:
        item = LineItem(
            f"item-{next(self._ids)}",
            course_id,
            label,
            score_maximum,
            resource_id,
            resource_link_id,
            tag,
        )
        self.line_items[item.id] = item
        return item

    def line_item_json(self, item: LineItem) -> dict:
        data = {
            "id": self.lineitem_url(item.course_id, item.id),
            "label": item.label,
            "scoreMaximum": item.score_maximum,
            "resourceId": item.resource_id,
            "resourceLinkId": item.resource_link_id,
            "tag": item.tag,
        }
        return {name: value for name, value in data.items() if value is not None}

    def start_url(
        self, user: str, course: str, link: str | None = None, deep_link: bool = False
    ) -> str:
        """Where a browser starts a launch: of ``link``, or a deep-linking one."""
        query = {"user": user, "course": course}
        if deep_link:
            query["deep_link"] = "1"
        elif link is not None:
            query["link"] = link
        return f"{self.url}/start?{urlencode(query)}"

    def launch_with(
        self, client, user: str, course: str, link: str | None = None, deep_link: bool = False
    ) -> LaunchForm:
        """Walk a launch as a browser without JavaScript would, with an ``httpx.Client`` or a
        ``requests.Session`` against a live tool: the platform's /start, the tool's login, the
        platform's /auth. The caller POSTs the returned form to the tool."""
        url = self.start_url(user, course, link, deep_link)
        login_url = _redirect_target(url, _get(client, url))
        response = _get(client, login_url)
        if response.status_code == 200:  # a tool that posts its authentication request
            form = LaunchForm.parse(response.text)
            auth_url = urljoin(login_url, form.action)
            response = client.post(auth_url, data=form.fields)
        else:
            auth_url = _redirect_target(login_url, response)
            response = _get(client, auth_url)
        assert response.status_code == 200, f"/auth answered {response.status_code}"
        form = LaunchForm.parse(response.text)
        return LaunchForm(urljoin(auth_url, form.action), form.fields)

    def sign(self, claims: dict, headers: dict | None = None) -> str:
        """``claims`` signed RS256 with the platform's key, ``kid`` in the header; for tests of
        forged or altered messages."""
        return Registration.encode_and_sign(
            dict(claims), self.private_key_pem, {"kid": self.kid, **(headers or {})}
        )

    def registration(self) -> Registration:
        """The platform's registration of eduapp, built afresh on each call so that the tool's
        key set is fetched anew (the tool rotates its keys)."""
        return (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(self.tool_login_url)
            .set_launch_url(self.tool_launch_url)
            .set_deeplink_launch_url(self.tool_launch_url)
            .set_tool_key_set_url(f"{self.tool_url}/lti/jwks.json")
            .set_platform_public_key(self.public_key_pem)
            .set_platform_private_key(self.private_key_pem)
        )

    def config(self) -> "PlatformConfig":
        return PlatformConfig(platform=self)


def line_item_problem(data, default_label: str | None = None) -> str | None:
    """What is wrong with a line item's JSON, if anything."""
    if not isinstance(data, dict):
        return "A line item is a JSON object."
    label = data.get("label", default_label)
    if not isinstance(label, str) or not label.strip():
        return "label is required."
    if not _is_number(data.get("scoreMaximum")) or data["scoreMaximum"] <= 0:
        return "scoreMaximum must be a number above 0."
    return None


def score_problem(score) -> str | None:
    """What is wrong with a score's JSON (AGS 2.0, the Score publish service), if anything."""
    if not isinstance(score, dict):
        return "A score is a JSON object."
    if not isinstance(score.get("userId"), str):
        return "userId is required."
    if score.get("activityProgress") not in {value.value for value in ActivityProgress}:
        return "activityProgress is missing or unknown."
    if score.get("gradingProgress") not in {value.value for value in GradeProgress}:
        return "gradingProgress is missing or unknown."
    if _timestamp(score.get("timestamp")) is None:
        return "timestamp must be an ISO 8601 date and time with its offset."
    if "scoreGiven" in score:
        if not _is_number(score["scoreGiven"]) or score["scoreGiven"] < 0:
            return "scoreGiven must be a number, 0 or more."
        if not _is_number(score.get("scoreMaximum")) or score["scoreMaximum"] <= 0:
            return "scoreGiven needs a scoreMaximum above 0."
    return None


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _timestamp(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _get(client, url: str):
    """GET without following redirects, from an ``httpx.Client`` or a ``requests.Session``."""
    if isinstance(client, httpx.Client):
        return client.get(url, follow_redirects=False)
    return client.get(url, allow_redirects=False)


def _redirect_target(url: str, response) -> str:
    assert response.status_code in (302, 303), f"{url} answered {response.status_code}"
    return urljoin(url, response.headers["location"])


def _audiences(claims: dict) -> list:
    audience = claims.get("aud")
    return [audience] if isinstance(audience, str) else list(audience or [])


# The library's abstract classes, filled in.


class FlaskRequest(Request):
    """The library's view of a Flask request."""

    def build_metadata(self, flask_request):
        return {
            "method": flask_request.method,
            "form_data": flask_request.form.to_dict(),
            "get_data": _paging_args(flask_request.args),
            "headers": flask_request.headers,
            "content_type": flask_request.content_type,
            "path": flask_request.path,
            "json": flask_request.get_json(silent=True),
        }


def _paging_args(args) -> dict:
    """The query string, ``page`` and ``limit`` as numbers: the services add 1 to the page."""
    query = args.to_dict()
    for name in ("page", "limit"):
        if name in query:
            if not query[name].isdigit() or int(query[name]) < 1:
                abort(400, f"{name} must be a whole number above 0.")
            query[name] = int(query[name])
    return query


class PlatformConfig(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, platform: TestPlatform) -> None:
        self.platform = platform
        # get_jwks, get_access_token and validate_token assert a registration was loaded.
        self.get_registration()

    def get_registration_by_params(self, **_params) -> Registration:
        return self.platform.registration()

    def fetch_public_key(self, key_set_url):
        if self.platform.tool_key_set is not None:
            return self.platform.tool_key_set()
        return super().fetch_public_key(key_set_url)


class OIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, hint: str) -> None:
        self._lti_message_hint = hint

    def get_redirect(self, url: str):
        return redirect(url)


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **_kwargs):
        return render_template(
            "launch.html",
            action=launch_data["launch_url"],
            id_token=launch_data["id_token"],
            state=launch_data["state"],
        )


class GradesService(AssignmentsGradesService):
    """AGS on the platform's line items, for one course (and one line item, if given)."""

    def __init__(self, platform, course_id, line_item_id=None, scopes=()):
        super().__init__(
            FlaskRequest(request),
            platform.config(),
            platform.lineitems_url(course_id),
            platform.lineitem_url(course_id, line_item_id) if line_item_id else None,
        )
        self.platform = platform
        self.course_id = course_id
        self.scopes = list(scopes)

    @property
    def allowed_scopes(self):
        # The library accepts a token with any AGS scope on every endpoint; each endpoint here
        # names the scopes that grant it.
        return self.scopes

    def check_course(self) -> None:
        if self.course_id not in self.platform.courses:
            raise LtiServiceException("No such course.", 404)

    def course_items(self) -> list[LineItem]:
        self.check_course()
        items = list(self.platform.line_items.values())
        return [item for item in items if item.course_id == self.course_id]

    def item(self, line_item_id) -> LineItem:
        item = self.platform.line_items.get(line_item_id)
        if item is None or item.course_id != self.course_id:
            raise LineItemNotFoundException(line_item_id)
        return item

    def find_lineitems(
        self,
        page=1,
        limit=None,
        line_item_id=None,
        resource_link_id=None,
        resource_id=None,
        tag=None,
        **_unknown,
    ):
        wanted = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag}
        items = [
            self.platform.line_item_json(item)
            for item in self.course_items()
            if all(value is None or getattr(item, name) == value for name, value in wanted.items())
        ]
        return _page(items, page, limit)

    def find_lineitem(self, line_item_id):
        return self.platform.line_item_json(self.item(line_item_id))

    def create_lineitem(self, creation_data):
        self.check_course()
        problem = line_item_problem(creation_data) or self.link_problem(creation_data)
        if problem:
            raise LtiServiceException(problem, 400)
        item = self.platform.add_line_item(
            self.course_id,
            creation_data["label"],
            creation_data["scoreMaximum"],
            resource_id=creation_data.get("resourceId"),
            resource_link_id=creation_data.get("resourceLinkId"),
            tag=creation_data.get("tag"),
        )
        return self.platform.line_item_json(item)

    def link_problem(self, data: dict) -> str | None:
        link_id = data.get("resourceLinkId")
        if link_id is None:
            return None
        link = self.platform.links.get(link_id) if isinstance(link_id, str) else None
        if link is None or link.course_id != self.course_id:
            return "resourceLinkId names no link of this course."
        return None

    def member_problem(self, user_id: str) -> str | None:
        user = self.platform.users.get(user_id)
        if user is None or self.course_id not in user.courses:
            return "userId names no member of this course."
        return None

    def update_lineitem(self, update_data):
        item = self.item(update_data["id"])
        problem = line_item_problem(update_data)
        if problem:
            raise LtiServiceException(problem, 400)
        item.label = update_data["label"]
        item.score_maximum = update_data["scoreMaximum"]
        item.resource_id = update_data.get("resourceId")
        item.tag = update_data.get("tag")
        return self.platform.line_item_json(item)

    def delete_lineitem(self, line_item_id):
        item = self.item(line_item_id)
        del self.platform.line_items[item.id]
        for link in self.platform.links.values():
            if link.line_item_id == item.id:
                link.line_item_id = None

    def update_score(self, line_item_id, score):
        item = self.item(line_item_id)
        if self.platform.down:
            raise LtiServiceException("The platform is down for maintenance.", 503)
        problem = score_problem(score) or self.member_problem(score["userId"])
        if problem:
            raise LtiServiceException(problem, 400)
        moment = _timestamp(score["timestamp"])
        if any(
            _timestamp(earlier["timestamp"]) > moment
            for earlier in self.platform.scores
            if earlier["line_item_id"] == item.id and earlier["userId"] == score["userId"]
        ):
            return UpdateScoreStatus.OLD_TIMESTAMP
        self.platform.scores.append({**score, "line_item_id": item.id})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None, **_unknown):
        item = self.item(line_item_id)
        latest = {
            score["userId"]: score
            for score in self.platform.scores
            if score["line_item_id"] == item.id and user_id in (None, score["userId"])
        }
        return _page([self.result_json(item, score) for score in latest.values()], page, limit)

    def result_json(self, item: LineItem, score: dict) -> dict:
        """A user's result: their latest score, scaled to the line item's maximum."""
        url = self.platform.lineitem_url(self.course_id, item.id)
        result = {
            "id": f"{url}/results/{score['userId']}",
            "scoreOf": url,
            "userId": score["userId"],
            "resultMaximum": item.score_maximum,
        }
        if "scoreGiven" in score:
            scale = item.score_maximum / score["scoreMaximum"]
            result["resultScore"] = score["scoreGiven"] * scale
        if score.get("comment"):
            result["comment"] = score["comment"]
        return result


class MembershipService(NamesRoleProvisioningService):
    """NRPS on one course's members."""

    def __init__(self, platform, course_id):
        super().__init__(
            FlaskRequest(request), platform.config(), platform.memberships_url(course_id)
        )
        self.platform = platform
        self.course_id = course_id

    def get_context_by_id(self):
        course = self.platform.courses.get(self.course_id)
        if course is None:
            raise LtiServiceException("No such course.", 404)
        return Context(id=course.id, label=course.label, title=course.title)

    def is_resource_link_valid(self, context_id, resource_link_id):
        link = self.platform.links.get(resource_link_id)
        return link is not None and link.course_id == context_id

    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **_unknown):
        members = [
            {
                "user_id": user.id,
                "name": user.name,
                "email": user.email,
                "roles": user.roles,
                "status": "Active",
            }
            for user in list(self.platform.users.values())
            if self.course_id in user.courses
            and (role is None or any(r == role or r.endswith(f"#{role}") for r in user.roles))
        ]
        return _page(members, page, limit)


def _page(content: list, page: int, limit: int | None) -> dict:
    if limit is None:
        return {"content": content, "has_next": False}
    start = (page - 1) * limit
    return {"content": content[start : start + limit], "has_next": start + limit < len(content)}


# The platform's web app.

bp = Blueprint("lti_platform", __name__)


def create_platform_app(platform: TestPlatform) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader(TEMPLATES)
    app.extensions["lti_platform"] = platform
    app.register_blueprint(bp)
    return app


def _platform() -> TestPlatform:
    return current_app.extensions["lti_platform"]


def _member(platform: TestPlatform, user_id, course_id) -> tuple[User, Course]:
    """The user and the course, or 404/403 unless the user belongs to the course."""
    course = platform.courses.get(course_id)
    if course is None:
        abort(404, "No such course.")
    user = platform.users.get(user_id)
    if user is None or course.id not in user.courses:
        abort(403, "Not a member of this course.")
    return user, course


def _signed_in(response, user: User):
    response.set_cookie(USER_COOKIE, user.id, httponly=True, samesite="Lax")
    return response


@bp.get("/jwks")
def jwks():
    return jsonify(_platform().config().get_jwks())


@bp.get("/course/<course_id>")
def course_page(course_id):
    platform = _platform()
    user_id = request.args.get("as") or request.cookies.get(USER_COOKIE)
    user, course = _member(platform, user_id, course_id)
    links = [
        (link, platform.start_url(user.id, course.id, link.id))
        for link in list(platform.links.values())
        if link.course_id == course.id
    ]
    add_url = platform.start_url(user.id, course.id, deep_link=True) if user.is_instructor else None
    page = render_template("course.html", course=course, user=user, links=links, add_url=add_url)
    return _signed_in(make_response(page), user)


@bp.get("/course/<course_id>/embedded/<link_id>")
def embedded_activity(course_id, link_id):
    """An activity shown inside the course page, in an iframe (Moodle's "Embed" container)."""
    platform = _platform()
    user_id = request.args.get("as") or request.cookies.get(USER_COOKIE)
    user, course = _member(platform, user_id, course_id)
    link = platform.links.get(link_id)
    if link is None or link.course_id != course.id:
        abort(404, "No such link in this course.")
    url = platform.start_url(user.id, course.id, link.id)
    return _signed_in(make_response(render_template("embedded.html", link=link, url=url)), user)


@bp.get("/start")
def start():
    """Third-party-initiated login: send the browser to the tool's login URL."""
    platform = _platform()
    user, course = _member(platform, request.args.get("user"), request.args.get("course"))
    login = OIDCLogin(FlaskRequest(request), platform.config())
    if request.args.get("deep_link") == "1":
        if not user.is_instructor:
            abort(403, "Only instructors add content.")
        message = Message(user.id, course.id, is_deep_link=True)
        login.set_deeplinking_launch_url()
    else:
        link = platform.links.get(request.args.get("link"))
        if link is None or link.course_id != course.id:
            abort(404, "No such link in this course.")
        message = Message(user.id, course.id, link.id)
        if link.url:
            login.set_launch_url(link.url)
    hint = secrets.token_urlsafe(16)
    platform.messages[hint] = message
    login.set_lti_message_hint(hint)
    return _signed_in(login.initiate_login(user.id), user)


@bp.route("/auth", methods=["GET", "POST"])
def auth():
    """The OIDC authorization endpoint: answer the tool's authentication request with a
    signed launch, posted by the browser to the tool's redirect_uri."""
    platform = _platform()
    params = request.values
    if "openid" not in params.get("scope", "").split():
        abort(400, "scope must include openid.")
    expected = {
        **AUTH_PARAMETERS,
        "client_id": platform.client_id,
        "redirect_uri": platform.tool_launch_url,
    }
    for name, value in expected.items():
        if params.get(name) != value:
            abort(400, f"{name} must be {value}.")
    user = platform.users.get(params.get("login_hint"))
    if user is None:
        abort(400, "login_hint names no user.")
    if request.cookies.get(USER_COOKIE, user.id) != user.id:
        abort(400, "login_hint is not the user signed in to the platform.")
    message = platform.messages.get(params.get("lti_message_hint", ""))
    if message is None or message.user_id != user.id:
        abort(400, "lti_message_hint names no launch of this user.")
    launch = _launch(platform, user, message)
    try:
        return launch.lti_launch()
    except PreflightRequestValidationException:
        abort(400, "nonce and state are required.")


def _launch(platform: TestPlatform, user: User, message: Message) -> MessageLaunch:
    course = platform.courses[message.course_id]
    launch = MessageLaunch(FlaskRequest(request), platform.config())
    launch.set_user_data(user.id, user.roles, full_name=user.name, email_address=user.email)
    given_name, _, family_name = user.name.partition(" ")
    names = {"given_name": given_name, "family_name": family_name}
    launch.set_extra_claims({claim: name for claim, name in names.items() if name})
    launch.set_launch_context_claim(course.id, [COURSE_OFFERING], course.title, course.label)
    launch.set_launch_presentation_claim("window", platform.course_url(course.id, user.id))
    launch.set_nrps(platform.memberships_url(course.id))
    if message.is_deep_link:
        data = secrets.token_urlsafe(16)
        platform.deep_link_requests[data] = message
        launch.set_ags(platform.lineitems_url(course.id))
        # The library types extra_data as a dict; the specification's `data` is an opaque string.
        launch.set_dl(
            platform.deep_link_return_url,
            title=f"Add eduapp content to {course.title}",
            accept_types={"ltiResourceLink"},
            extra_data=data,
        )
        return launch
    link = platform.links[message.link_id]
    launch.set_resource_link_claim(link.id, title=link.title)
    if link.custom:
        launch.set_custom_parameters_claim(link.custom)
    if link.url:
        launch.set_launch_url(link.url)
    line_item_url = (
        platform.lineitem_url(course.id, link.line_item_id) if link.line_item_id else None
    )
    launch.set_ags(platform.lineitems_url(course.id), line_item_url)
    return launch


@bp.post("/token")
def token():
    """OAuth 2 client credentials with a JWT client assertion (the IMS Security Framework)."""
    platform = _platform()
    form = request.form.to_dict()
    try:
        answer = platform.config().get_access_token(form)
    except MissingRequiredClaim as error:
        return _oauth_error("invalid_request", str(error), 400)
    except UnsupportedGrantType:
        return _oauth_error("unsupported_grant_type", "Use client_credentials.", 400)
    except (LtiException, InvalidKeySetUrl, jwt.PyJWTError, KeyError, ValueError) as error:
        return _oauth_error("invalid_client", str(error) or type(error).__name__, 401)
    if form["client_assertion_type"] != ASSERTION_TYPE:
        return _oauth_error("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
    problem = _assertion_problem(platform, form["client_assertion"])
    if problem:
        return _oauth_error("invalid_client", problem, 401)
    if not answer["scope"]:
        return _oauth_error("invalid_scope", "None of the scopes asked for is offered.")
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


def _assertion_problem(platform: TestPlatform, assertion: str) -> str | None:
    """What the library leaves unchecked in a client assertion whose signature it verified."""
    claims = jwt.decode(assertion, options={"verify_signature": False})
    if claims.get("iss") != platform.client_id or claims.get("sub") != platform.client_id:
        return "iss and sub must be the client id."
    if platform.token_url not in _audiences(claims):
        return "aud must name the token endpoint."
    if "exp" not in claims or not claims.get("jti"):
        return "exp and jti are required."
    if claims["jti"] in platform.used_assertion_ids:
        return "This client assertion was used before."
    platform.used_assertion_ids.add(claims["jti"])
    return None


def _oauth_error(error: str, description: str, status: int = 400):
    return jsonify(error=error, error_description=description), status


@bp.post("/deep_link_return")
def deep_link_return():
    """The tool's deep-linking response: place each resource link it chose in the course."""
    platform = _platform()
    if "JWT" not in request.form:
        abort(400, "The JWT field is missing.")
    config = platform.config().set_accepted_deeplinking_types(["ltiResourceLink"])
    try:
        items = config.validate_deeplinking_resp(request.form.to_dict())
    except (
        LtiException,
        LtiDeepLinkingResponseException,
        InvalidKeySetUrl,
        jwt.PyJWTError,
        KeyError,
        TypeError,
        ValueError,
    ) as error:
        abort(400, f"The deep-linking response is not valid: {error}")
    claims = jwt.decode(request.form["JWT"], options={"verify_signature": False})
    data = _deep_link_data(platform, claims)
    problems = [
        line_item_problem(item["lineItem"], default_label=item.get("title"))
        for item in items
        if "lineItem" in item
    ]
    if any(problems):
        abort(400, " ".join(problem for problem in problems if problem))
    message = platform.deep_link_requests.pop(data)
    for item in items:
        platform.add_link(
            message.course_id,
            item.get("title") or "Untitled",
            item.get("custom"),
            line_item=item.get("lineItem"),
            url=item.get("url"),
        )
    platform.deep_link_items.extend(items)
    return redirect(platform.course_url(message.course_id, message.user_id))


def _deep_link_data(platform: TestPlatform, claims: dict) -> str:
    """The ``data`` of the deep-linking request a response answers, checking what the library
    leaves unchecked."""
    if claims.get("iss") != platform.client_id:
        abort(400, "iss must be the client id.")
    if platform.issuer not in _audiences(claims):
        abort(400, "aud must be the platform's issuer.")
    if claims.get(f"{CLAIM}deployment_id") != platform.deployment_id:
        abort(400, "deployment_id is not this deployment.")
    if not claims.get("nonce"):
        abort(400, "nonce is required.")
    data = claims.get(f"{DL_CLAIM}data")
    if not isinstance(data, str) or data not in platform.deep_link_requests:
        abort(400, "data does not answer a deep-linking request of this platform.")
    return data


@bp.route("/courses/<course_id>/lineitems", methods=["GET", "POST"])
def line_items(course_id):
    platform = _platform()
    if request.method == "GET":
        service = GradesService(platform, course_id, scopes=[SCOPE_LINE_ITEM, SCOPE_LINE_ITEM_READ])
        return _container(_answer(service, service.handle_get_lineitems))
    _require_type(LINE_ITEM_TYPE)
    service = GradesService(platform, course_id, scopes=[SCOPE_LINE_ITEM])
    return _reply(_answer(service, service.handle_create_lineitem))


@bp.route("/courses/<course_id>/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
def line_item(course_id, item_id):
    platform = _platform()
    if request.method == "GET":
        service = GradesService(
            platform, course_id, item_id, [SCOPE_LINE_ITEM, SCOPE_LINE_ITEM_READ]
        )
        return _reply(_answer(service, service.handle_get_lineitem, line_item_id=item_id))
    service = GradesService(platform, course_id, item_id, [SCOPE_LINE_ITEM])
    if request.method == "PUT":
        _require_type(LINE_ITEM_TYPE)
        return _reply(_answer(service, service.handle_update_lineitem, line_item_id=item_id))
    return _reply(_answer(service, service.handle_delete_lineitem, line_item_id=item_id))


@bp.post("/courses/<course_id>/lineitems/<item_id>/scores")
def scores(course_id, item_id):
    _require_type(SCORE_TYPE)
    service = GradesService(_platform(), course_id, item_id, [SCOPE_SCORE])
    return _reply(_answer(service, service.handle_update_score, line_item_id=item_id))


@bp.get("/courses/<course_id>/lineitems/<item_id>/results")
def results(course_id, item_id):
    service = GradesService(_platform(), course_id, item_id, [SCOPE_RESULT])
    return _container(_answer(service, service.handle_get_results, line_item_id=item_id))


@bp.get("/courses/<course_id>/memberships")
def memberships(course_id):
    service = MembershipService(_platform(), course_id)
    answer = _answer(service, service.handle_get_members)
    response = _reply(answer)
    if answer.code < 400 and answer.result.get("next"):
        response.headers["Link"] = f'<{answer.result["next"]}>; rel="next"'
    return response


def _answer(service, handler, **kwargs) -> ServiceResponse:
    """The library's answer. A bearer token it cannot verify escapes its handlers as an
    exception, not the 401 it answers a missing token with."""
    try:
        return service.handle_resp(handler, **kwargs)
    except LineItemNotFoundException:
        return ServiceResponse(None, 404, "Line item not found")
    except (LtiException, jwt.PyJWTError) as error:
        return ServiceResponse(None, 401, f"Invalid LTI 1.3 authentication token: {error}")


def _require_type(media_type: str) -> None:
    if request.mimetype != media_type:
        abort(415, f"The body must be {media_type}.")


def _reply(answer):
    """A flask response for the library's service response."""
    if answer.code >= 400:
        response = jsonify(error=answer.message)
        response.status_code = answer.code
        return response
    if answer.result is None:
        return current_app.response_class(status=answer.code)
    body = json.dumps(answer.result)
    return current_app.response_class(body, answer.code, mimetype=answer.media_type)


def _container(answer):
    """A page of line items or results: a JSON array, the next page in the Link header (the
    library puts the page in an object)."""
    if answer.code >= 400:
        return _reply(answer)
    page = answer.result
    body = json.dumps(page["content"])
    response = current_app.response_class(body, answer.code, mimetype=answer.media_type)
    if page.get("next"):
        response.headers["Link"] = f'<{page["next"]}>; rel="next"'
    return response


@pytest.fixture
def lti_platform(live_server):
    """A fresh LTI 1.3 platform on loopback with eduapp (the live server) as its tool."""
    with TestPlatform(live_server.url) as platform:
        yield platform
