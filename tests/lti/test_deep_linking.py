"""Deep Linking 2.0, eduapp's side: an instructor launched for deep linking picks published
content, and the signed response carries it back to the LMS, once."""

import html
import re
import time

import jwt
import pytest

from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind
from eduapp.extensions import db
from eduapp.lti import keys
from eduapp.lti.launch import CLAIM, DEEP_LINKING_CLAIM
from eduapp.security.headers import CONTENT_SECURITY_POLICY, origin_of
from eduapp.transaction import unit_of_work
from tests.support.accounts import Auth
from tests.support.lti import CLIENT_ID, DEPLOYMENT, INSTRUCTOR, ISSUER

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RETURN_URL = "https://lms.example.edu/deep-link/return?course=course-1"
PAGE = "/lti/deep-linking"
SCENARIO, MODULE, ASSESSMENT = "scenario:ward-round", "module:test-module", "assessment:test-module"
#: The fixture assessment's questions score 1 + 2 + 4 + 0 + 2 + 1 at most.
ASSESSMENT_MAXIMUM = 10
CHOICE = re.compile(r'name="items" id="[^"]+" value="([^"]+)"\s+aria-[^>]*?( checked)?>')
RETURN_FORM = re.compile(
    r'<form method="post" action="([^"]+)" data-autosubmit>\s*'
    r'<input type="hidden" name="JWT" value="([^"]+)">'
)


def deep_linking_launch(platform, **settings):
    """A real deep-linking launch by an instructor of the fixture course."""
    claims = {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "roles": INSTRUCTOR,
        CLAIM + "resource_link": None,
        CLAIM + "custom": None,
        DEEP_LINKING_CLAIM: {
            "deep_link_return_url": RETURN_URL,
            "accept_types": ["ltiResourceLink"],
            "accept_multiple": True,
            "data": "opaque-request-7",
            **settings,
        },
    }
    return platform.launch(**claims)


@pytest.fixture
def pending(course, fake_platform, client):
    """An instructor signed in by a deep-linking launch, its request waiting."""
    response = deep_linking_launch(fake_platform)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)
    return Auth(client)


def send(auth, *items, page=None, **fields):
    """POST the picker with these items and fields, the CSRF token taken from ``page``."""
    return auth.post(PAGE, {"items": list(items), **fields}, page=page)


def returned(response) -> tuple[str, str]:
    """The return form's target and its JWT."""
    match = RETURN_FORM.search(response.get_data(as_text=True))
    assert match, "no return form on the page"
    return html.unescape(match.group(1)), match.group(2)


def decoded(token: str) -> dict:
    """The response checked as a platform would: with eduapp's published key set."""
    key = jwt.PyJWKSet.from_dict(keys.key_set())[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER, issuer=CLIENT_ID)


def checked_items(text: str) -> set[str]:
    """The values of the picker's inputs that are checked."""
    return {value for value, checked in CHOICE.findall(text) if checked}


def waiting(client) -> bool:
    with client.session_transaction() as session:
        return "lti_deep_link" in session


def test_the_picker_names_the_course_and_offers_the_published_catalogue(pending):
    page = pending.client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<h1>Add eduapp content to Interprofessional practice 1</h1>" in text
    assert "<legend><h2>" in text and "Test module</h2></legend>" in text
    assert [value for value, _ in CHOICE.findall(text)] == [MODULE, SCENARIO, ASSESSMENT]
    assert text.count('type="checkbox" name="items"') == 3 and checked_items(text) == set()
    assert "A ward round" in text and "Test module: check your understanding" in text
    assert f"Gradebook: score out of {ASSESSMENT_MAXIMUM} points." in text
    assert "Gradebook: 1 point once finished." in text


def test_a_platform_that_takes_one_item_gets_radio_buttons(course, fake_platform, client):
    deep_linking_launch(fake_platform, accept_multiple=False)
    text = client.get(PAGE).get_data(as_text=True)
    assert 'type="radio" name="items"' in text and 'type="checkbox" name="items"' not in text
    refused = send(Auth(client), SCENARIO, ASSESSMENT, send="y")
    assert refused.status_code == 400
    assert "Your course takes one item at a time here" in refused.get_data(as_text=True)
    chosen = send(Auth(client), SCENARIO, send="y")
    assert len(decoded(returned(chosen)[1])[DL + "content_items"]) == 1


def test_the_response_is_signed_for_the_platform_and_carries_each_kind(pending):
    before = int(time.time())
    response = send(pending, SCENARIO, ASSESSMENT, MODULE, send="y")
    assert response.status_code == 200
    action, token = returned(response)
    assert action == RETURN_URL
    claims = decoded(token)
    assert claims["iss"] == CLIENT_ID and claims["aud"] == ISSUER
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] - claims["iat"] == 300
    assert len(claims["nonce"]) >= 16
    assert claims[CLAIM + "deployment_id"] == DEPLOYMENT
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[DL + "data"] == "opaque-request-7"
    assert claims[DL + "msg"] == "Added from eduapp: 3 items."
    launch_url = "http://localhost/lti/launch"
    scenario, assessment, module = claims[DL + "content_items"]
    assert scenario == {
        "type": "ltiResourceLink",
        "title": "A ward round",
        "text": scenario["text"],
        "url": launch_url,
        "custom": {"eduapp_item": SCENARIO},
        "lineItem": {
            "scoreMaximum": 1,
            "label": "A ward round",
            "resourceId": SCENARIO,
            "tag": "completion",
        },
    }
    assert scenario["text"]
    assert assessment["custom"] == {"eduapp_item": ASSESSMENT}
    assert assessment["url"] == launch_url
    assert assessment["lineItem"] == {
        "scoreMaximum": ASSESSMENT_MAXIMUM,
        "label": "Test module: check your understanding",
        "resourceId": ASSESSMENT,
        "tag": "score",
    }
    assert assessment["text"] == "Six questions for the test suite, one or more of each type."
    assert module["custom"] == {"eduapp_item": MODULE}
    assert (module["title"], module["text"]) == ("Test module", "A module for the test suite.")
    assert "lineItem" not in module


def test_a_request_without_data_gets_none_back(course, fake_platform, client):
    deep_linking_launch(fake_platform, data=None)
    claims = decoded(returned(send(Auth(client), MODULE, send="y"))[1])
    assert DL + "data" not in claims
    assert [item["custom"]["eduapp_item"] for item in claims[DL + "content_items"]] == [MODULE]


def test_a_request_is_answered_once(pending):
    assert waiting(pending.client)
    returned(send(pending, SCENARIO, send="y"))
    assert not waiting(pending.client)
    again = pending.client.get(PAGE)
    assert again.status_code == 404
    assert "Start from your course" in again.get_data(as_text=True)
    resent = send(pending, SCENARIO, send="y", page="/profile")
    assert resent.status_code == 404
    assert RETURN_FORM.search(resent.get_data(as_text=True)) is None


def test_cancel_returns_nothing_and_says_so(pending):
    response = send(pending, SCENARIO, cancel="y")
    assert response.status_code == 200
    action, token = returned(response)
    claims = decoded(token)
    assert action == RETURN_URL
    assert claims[DL + "content_items"] == []
    assert claims[DL + "msg"] == "Nothing from eduapp was added."
    assert claims[DL + "data"] == "opaque-request-7"
    assert not waiting(pending.client)


def test_unpublished_and_unknown_items_are_refused_with_the_choice_kept(pending):
    with unit_of_work():
        db.session.add(Document(kind=DocumentKind.SCENARIO, slug="still-a-draft"))
    response = send(
        pending,
        SCENARIO,
        "scenario:still-a-draft",
        "module:no-such",
        "user:1",
        "<b>assessment:</b>",
        send="y",
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Not in eduapp&#39;s published content:" in text
    assert "“scenario:still-a-draft”, “module:no-such”, “user:1” and 1 more." in text
    assert "<b>" not in text
    assert {value for value, _ in CHOICE.findall(text)} == {MODULE, SCENARIO, ASSESSMENT}
    assert checked_items(text) == {SCENARIO}
    assert RETURN_FORM.search(text) is None
    assert waiting(pending.client)


def test_choosing_nothing_is_refused(pending):
    response = send(pending, send="y")
    assert response.status_code == 400
    assert "Choose at least one item to add, or cancel." in response.get_data(as_text=True)
    assert waiting(pending.client)


def test_extra_fields_change_nothing(pending):
    response = send(pending, SCENARIO, send="y", return_url="https://evil.example/", data="x")
    action, token = returned(response)
    assert action == RETURN_URL
    assert decoded(token)[DL + "data"] == "opaque-request-7"


def test_a_platform_that_takes_no_links_is_told_so(course, fake_platform, client):
    deep_linking_launch(fake_platform, accept_types=["file", "html"])
    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "asked for kinds of content eduapp does not make here" in text
    assert "file, html" in text
    assert 'name="items"' not in text
    refused = send(Auth(client), SCENARIO, send="y")
    assert refused.status_code == 400
    assert "Your LMS does not take links to eduapp content here" in refused.get_data(as_text=True)
    cancelled = send(Auth(client), cancel="y")
    assert decoded(returned(cancelled)[1])[DL + "content_items"] == []


def test_a_post_without_its_csrf_token_is_refused_and_the_request_waits(pending):
    response = pending.client.post(PAGE, data={"items": SCENARIO, "send": "y"})
    assert response.status_code == 400
    assert RETURN_FORM.search(response.get_data(as_text=True)) is None
    assert waiting(pending.client)


def _pending_request(client, **overrides) -> None:
    with client.session_transaction() as session:
        session["lti_deep_link"] = {
            "platform_id": overrides.pop("platform_id"),
            "deployment_id": DEPLOYMENT,
            "return_url": RETURN_URL,
            "data": None,
            "accept_multiple": True,
            "accept_types": ["ltiResourceLink"],
            "context_title": "A course",
            **overrides,
        }


@pytest.mark.parametrize("role", [Role.LEARNER, Role.ADMIN, Role.PATIENT_EDUCATOR])
def test_only_tutors_use_it(course, fake_platform, client, login_as, role):
    login_as(role)
    _pending_request(client, platform_id=fake_platform.id)
    assert client.get(PAGE).status_code == 403
    assert send(Auth(client), SCENARIO, send="y", page="/profile").status_code == 403


def test_a_tutor_without_a_pending_request_is_told_where_to_start(course, client, login_as):
    login_as(Role.TUTOR)
    page = client.get(PAGE)
    assert page.status_code == 404
    assert "add an activity or content, pick eduapp" in page.get_data(as_text=True)
    assert send(Auth(client), SCENARIO, send="y", page="/profile").status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "return_url",
    [
        "javascript:alert(1)",
        "data:text/html,<form>",
        "https://lms.example.edu;script-src *",
        "https://lms example.edu/",
        "https://lms.example.edu:99999/",
        "",
    ],
)
def test_a_return_url_no_browser_should_be_sent_to_is_no_request(
    course, fake_platform, client, login_as, return_url
):
    login_as(Role.TUTOR)
    _pending_request(client, platform_id=fake_platform.id, return_url=return_url)
    assert client.get(PAGE).status_code == 404


def test_a_request_whose_platform_was_removed_is_no_request(course, client, login_as):
    login_as(Role.TUTOR)
    _pending_request(client, platform_id=999_999)
    assert client.get(PAGE).status_code == 404


def test_the_return_page_posts_to_the_platform_with_a_script_of_its_own(pending):
    text = send(pending, SCENARIO, send="y").get_data(as_text=True)
    assert '<script src="/static/lti-autosubmit.js" defer></script>' in text
    assert re.findall(r"<script(?![^>]*\bsrc=)", text) == []
    assert re.search(r'<button type="submit" class="button primary">Return to your course', text)
    script = pending.client.get("/static/lti-autosubmit.js")
    assert "form[data-autosubmit]" in script.get_data(as_text=True)
    script.close()


def test_the_return_page_lets_its_form_post_to_the_platform_only(pending):
    response = send(pending, SCENARIO, send="y")
    widened = response.headers["Content-Security-Policy"].split("; ")
    original = CONTENT_SECURITY_POLICY.split("; ")
    changed = [(a, b) for a, b in zip(original, widened, strict=True) if a != b]
    assert changed == [("form-action 'self'", "form-action 'self' https://lms.example.edu")]
    # Every other page keeps its forms to eduapp.
    assert pending.client.get("/profile").headers["Content-Security-Policy"] == (
        CONTENT_SECURITY_POLICY
    )


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://LMS.example.edu/return?x=1", "https://lms.example.edu"),
        ("http://127.0.0.1:8080/deep_link_return", "http://127.0.0.1:8080"),
        ("https://[::1]:8443/r", "https://[::1]:8443"),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    "url",
    ["ftp://lms.example.edu/", "https://lms.example.edu;x/", "https://a'b.example/", "//x/"],
)
def test_origin_of_refuses_what_a_policy_cannot_name(url):
    with pytest.raises(ValueError):
        origin_of(url)
