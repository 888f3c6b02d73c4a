"""The test LTI platform itself, against a stub tool (no eduapp): its key set, the login it
starts, the launches it signs, its token endpoint, deep-linking return and services."""

import threading
import time
import uuid
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server

from tests.support.lti_platform import (
    ASSERTION_TYPE,
    INSTRUCTOR,
    LEARNER,
    SCORE_TYPE,
    USER_COOKIE,
    LaunchForm,
    TestPlatform,
)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINE_ITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class StubTool:
    """Just enough of an LTI tool: a login that redirects to the platform, a key set it can
    rotate, and signed messages."""

    def __init__(self):
        self.rotate()
        self.app = Flask(__name__)
        self.app.add_url_rule("/lti/login", view_func=self.login)
        self.app.add_url_rule("/lti/jwks.json", view_func=self.jwks)

    def rotate(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex

    def login(self):
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": request.args["client_id"],
            "redirect_uri": f"{request.host_url}lti/launch",
            "login_hint": request.args["login_hint"],
            "lti_message_hint": request.args["lti_message_hint"],
            "nonce": "nonce-1",
            "state": "state-1",
        }
        return redirect(f"{request.args['iss']}/auth?{urlencode(query)}")

    def jwks(self):
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return jsonify(keys=[{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}])

    def sign(self, claims):
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def assertion(self, platform, **changes):
        now = int(time.time())
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        return self.sign({**claims, **changes})


@contextmanager
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def tool():
    stub = StubTool()
    with served(stub.app) as url:
        stub.url = url
        yield stub


@pytest.fixture
def platform(tool):
    with TestPlatform(tool.url) as platform:
        platform.add_course("ward-101", "Ward round", "WARD101")
        platform.add_user("ada", "Ada Lovelace", "ada@example.org", [LEARNER], ["ward-101"])
        platform.add_user("kim", "Kim Nurse", "kim@example.org", [INSTRUCTOR], ["ward-101"])
        platform.add_link(
            "ward-101",
            "Sepsis",
            {"scenario": "sepsis"},
            line_item={"label": "Sepsis", "scoreMaximum": 10},
        )
        yield platform


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as http:
        yield http


def the_link(platform):
    return next(iter(platform.links.values()))


def verified(platform, id_token):
    keys = jwt.PyJWKSet.from_dict(httpx.get(platform.jwks_url).json())
    key = next(k for k in keys.keys if k.key_id == jwt.get_unverified_header(id_token)["kid"])
    return jwt.decode(
        id_token, key, algorithms=["RS256"], audience=platform.client_id, issuer=platform.issuer
    )


def token(http, platform, tool, scope, **changes):
    return http.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": tool.assertion(platform, **changes),
            "scope": scope,
        },
    )


def bearer(http, platform, tool, scope):
    response = token(http, platform, tool, scope)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_jwks_publishes_the_signing_key(http, platform):
    (key,) = http.get(platform.jwks_url).json()["keys"]
    assert key["kid"] == platform.kid
    assert (key["alg"], key["kty"], key["use"]) == ("RS256", "RSA", "sig")
    assert "d" not in key


def test_start_redirects_to_the_tool_login(http, platform, tool):
    link = the_link(platform)
    response = http.get(platform.start_url("ada", "ward-101", link.id))
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{tool.url}/lti/login"
    params = {name: values[0] for name, values in parse_qs(location.query).items()}
    hint = params.pop("lti_message_hint")
    assert params == {
        "iss": platform.issuer,
        "login_hint": "ada",
        "target_link_uri": f"{tool.url}/lti/launch",
        "client_id": "eduapp-tool",
        "lti_deployment_id": "deployment-1",
    }
    assert hint and "ward-101" not in hint and link.id not in hint
    assert response.cookies[USER_COOKIE] == "ada"


def test_a_learner_cannot_start_deep_linking(http, platform):
    assert http.get(platform.start_url("ada", "ward-101", deep_link=True)).status_code == 403


def test_auth_answers_with_a_signed_resource_link_launch(http, platform, tool):
    link = the_link(platform)
    form = platform.launch_with(http, "ada", "ward-101", link.id)
    assert form.action == f"{tool.url}/lti/launch"
    assert form.fields["state"] == "state-1"
    claims = verified(platform, form.fields["id_token"])
    assert claims["nonce"] == "nonce-1"
    assert claims[f"{CLAIM}deployment_id"] == "deployment-1"
    assert claims[f"{CLAIM}message_type"] == "LtiResourceLinkRequest"
    assert claims[f"{CLAIM}version"] == "1.3.0"
    assert claims[f"{CLAIM}target_link_uri"] == f"{tool.url}/lti/launch"
    assert (claims["sub"], claims["name"], claims["email"]) == (
        "ada",
        "Ada Lovelace",
        "ada@example.org",
    )
    assert claims[f"{CLAIM}roles"] == [LEARNER]
    assert claims[f"{CLAIM}context"]["id"] == "ward-101"
    assert claims[f"{CLAIM}context"]["title"] == "Ward round"
    assert claims[f"{CLAIM}resource_link"] == {"id": link.id, "title": "Sepsis"}
    assert claims[f"{CLAIM}custom"] == {"scenario": "sepsis"}
    assert claims[f"{CLAIM}launch_presentation"]["return_url"] == platform.course_url(
        "ward-101", "ada"
    )
    ags = claims[AGS_CLAIM]
    assert ags["lineitems"] == platform.lineitems_url("ward-101")
    assert ags["lineitem"] == platform.lineitem_url("ward-101", link.line_item_id)
    assert SCORE_SCOPE in ags["scope"]
    assert claims[NRPS_CLAIM]["context_memberships_url"] == platform.memberships_url("ward-101")


def test_auth_answers_an_instructor_with_a_deep_linking_request(http, platform):
    form = platform.launch_with(http, "kim", "ward-101", deep_link=True)
    claims = verified(platform, form.fields["id_token"])
    assert claims[f"{CLAIM}message_type"] == "LtiDeepLinkingRequest"
    settings = claims[DL_SETTINGS]
    assert settings["deep_link_return_url"] == platform.deep_link_return_url
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert isinstance(settings["data"], str)
    assert f"{CLAIM}resource_link" not in claims


def auth_params(platform, http, **changes):
    response = http.get(platform.start_url("ada", "ward-101", the_link(platform).id))
    start = parse_qs(urlsplit(response.headers["location"]).query)
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": "eduapp-tool",
        "redirect_uri": platform.tool_launch_url,
        "login_hint": "ada",
        "lti_message_hint": start["lti_message_hint"][0],
        "nonce": "n",
        "state": "s",
    }
    return {**params, **changes}


def test_auth_accepts_a_post(http, platform):
    response = http.post(platform.oidc_auth_url, data=auth_params(platform, http))
    assert response.status_code == 200
    assert LaunchForm.parse(response.text).action == platform.tool_launch_url


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": "http://127.0.0.1:9/elsewhere"},
        {"response_mode": "query"},
        {"prompt": "login"},
        {"client_id": "someone-else"},
        {"lti_message_hint": "forged"},
        {"nonce": ""},
    ],
    ids=["redirect_uri", "response_mode", "prompt", "client_id", "message_hint", "nonce"],
)
def test_auth_refuses_a_bad_request(http, platform, changes):
    response = http.get(platform.oidc_auth_url, params=auth_params(platform, http, **changes))
    assert response.status_code == 400
    assert "id_token" not in response.text


def test_auth_refuses_a_login_hint_other_than_the_signed_in_user(http, platform):
    params = auth_params(platform, http)  # signed in as ada
    platform.add_user("bo", "Bo Other", "bo@example.org", [LEARNER], ["ward-101"])
    response = http.get(platform.oidc_auth_url, params={**params, "login_hint": "bo"})
    assert response.status_code == 400


def test_token_refuses_a_garbage_assertion(http, platform):
    response = http.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": "not-a-jwt",
            "scope": SCORE_SCOPE,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_refuses_a_missing_parameter(http, platform):
    response = http.post(platform.token_url, data={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "changes",
    [{"aud": "http://127.0.0.1:9/token"}, {"sub": "someone-else"}, {"exp": 1}],
    ids=["aud", "sub", "expired"],
)
def test_token_refuses_an_assertion_with_wrong_claims(http, platform, tool, changes):
    response = token(http, platform, tool, SCORE_SCOPE, **changes)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_refuses_a_replayed_assertion(http, platform, tool):
    assertion = tool.assertion(platform)
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": SCORE_SCOPE,
    }
    assert http.post(platform.token_url, data=data).status_code == 200
    assert http.post(platform.token_url, data=data).status_code == 401


def test_token_fetches_the_tool_keys_again_after_a_rotation(http, platform, tool):
    assert token(http, platform, tool, SCORE_SCOPE).status_code == 200
    tool.rotate()
    response = token(http, platform, tool, f"{SCORE_SCOPE} {NRPS_SCOPE}")
    assert response.status_code == 200
    assert response.json()["scope"] == f"{SCORE_SCOPE} {NRPS_SCOPE}"


def score(user_id="ada", **changes):
    return {
        "userId": user_id,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-03-01T10:00:00.000+00:00",
        **changes,
    }


def post_score(http, platform, headers, body):
    item_url = platform.lineitem_url("ward-101", the_link(platform).line_item_id)
    return http.post(
        f"{item_url}/scores", json=body, headers={**headers, "Content-Type": SCORE_TYPE}
    )


def test_scores_are_kept_and_refused_while_down(http, platform, tool):
    headers = bearer(http, platform, tool, SCORE_SCOPE)
    platform.down = True
    assert post_score(http, platform, headers, score()).status_code == 503
    platform.down = False
    assert post_score(http, platform, headers, score()).status_code == 200
    assert platform.scores == [{**score(), "line_item_id": the_link(platform).line_item_id}]


def test_scores_need_a_valid_token_with_the_score_scope(http, platform, tool):
    assert post_score(http, platform, {}, score()).status_code == 401
    forged = {"Authorization": f"Bearer {tool.sign({'iss': platform.issuer})}"}
    assert post_score(http, platform, forged, score()).status_code == 401
    read_only = bearer(http, platform, tool, NRPS_SCOPE)
    assert post_score(http, platform, read_only, score()).status_code == 401
    assert platform.scores == []


def test_scores_are_checked(http, platform, tool):
    headers = bearer(http, platform, tool, SCORE_SCOPE)
    assert post_score(http, platform, headers, score(user_id="nobody")).status_code == 400
    assert post_score(http, platform, headers, score(timestamp="yesterday")).status_code == 400
    assert post_score(http, platform, headers, score()).status_code == 200
    older = score(timestamp="2026-02-01T10:00:00+00:00")
    assert post_score(http, platform, headers, older).status_code == 409


def test_line_items_are_listed_a_page_at_a_time(http, platform, tool):
    headers = bearer(http, platform, tool, LINE_ITEM_SCOPE)
    created = http.post(
        platform.lineitems_url("ward-101"),
        content=b'{"label": "Handover", "scoreMaximum": 5, "tag": "final"}',
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
    )
    assert created.status_code == 201
    assert created.json()["id"].startswith(platform.lineitems_url("ward-101"))
    first = http.get(platform.lineitems_url("ward-101"), params={"limit": 1}, headers=headers)
    assert [item["label"] for item in first.json()] == ["Sepsis"]
    assert first.links["next"]["url"]
    second = http.get(first.links["next"]["url"], headers=headers)
    assert [item["label"] for item in second.json()] == ["Handover"]
    tagged = http.get(platform.lineitems_url("ward-101"), params={"tag": "final"}, headers=headers)
    assert [item["label"] for item in tagged.json()] == ["Handover"]


def test_a_line_item_is_read_updated_and_deleted(http, platform, tool):
    headers = bearer(http, platform, tool, LINE_ITEM_SCOPE)
    link = the_link(platform)
    url = platform.lineitem_url("ward-101", link.line_item_id)
    assert http.get(url, headers=headers).json() == {
        "id": url,
        "label": "Sepsis",
        "scoreMaximum": 10,
        "resourceLinkId": link.id,
    }
    changed = http.put(
        url,
        content=b'{"label": "Sepsis (revised)", "scoreMaximum": 20}',
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
    )
    assert changed.status_code == 200
    assert changed.json()["scoreMaximum"] == 20
    assert http.delete(url, headers=headers).status_code == 204
    assert http.get(url, headers=headers).status_code == 404
    assert link.line_item_id is None


def test_results_are_the_latest_scores_scaled_to_the_line_item(http, platform, tool):
    headers = bearer(http, platform, tool, f"{SCORE_SCOPE} {RESULT_SCOPE}")
    post_score(http, platform, headers, score(scoreGiven=1, scoreMaximum=2))
    item_url = platform.lineitem_url("ward-101", the_link(platform).line_item_id)
    (result,) = http.get(f"{item_url}/results", headers=headers).json()
    assert result == {
        "id": f"{item_url}/results/ada",
        "scoreOf": item_url,
        "userId": "ada",
        "resultScore": 5,
        "resultMaximum": 10,
    }


def test_memberships_are_listed_a_page_at_a_time(http, platform, tool):
    headers = bearer(http, platform, tool, NRPS_SCOPE)
    first = http.get(platform.memberships_url("ward-101"), params={"limit": 1}, headers=headers)
    assert first.status_code == 200
    assert first.json()["context"]["id"] == "ward-101"
    assert [m["user_id"] for m in first.json()["members"]] == ["ada"]
    second = http.get(first.links["next"]["url"], headers=headers)
    assert second.json()["members"] == [
        {
            "user_id": "kim",
            "name": "Kim Nurse",
            "email": "kim@example.org",
            "roles": [INSTRUCTOR],
            "status": "Active",
        }
    ]
    assert "next" not in second.links


def test_deep_linking_return_places_the_chosen_links(http, platform, tool):
    form = platform.launch_with(http, "kim", "ward-101", deep_link=True)
    request_claims = verified(platform, form.fields["id_token"])
    now = int(time.time())
    response_jwt = tool.sign(
        {
            "iss": platform.client_id,
            "aud": platform.issuer,
            "iat": now,
            "exp": now + 300,
            "nonce": uuid.uuid4().hex,
            f"{CLAIM}deployment_id": platform.deployment_id,
            f"{CLAIM}message_type": "LtiDeepLinkingResponse",
            f"{CLAIM}version": "1.3.0",
            "https://purl.imsglobal.org/spec/lti-dl/claim/data": request_claims[DL_SETTINGS][
                "data"
            ],
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
                {
                    "type": "ltiResourceLink",
                    "title": "Handover",
                    "custom": {"scenario": "handover"},
                    "lineItem": {"scoreMaximum": 5, "tag": "final"},
                }
            ],
        }
    )
    response = http.post(platform.deep_link_return_url, data={"JWT": response_jwt})
    assert response.status_code == 302
    assert response.headers["location"] == platform.course_url("ward-101", "kim")
    link = list(platform.links.values())[-1]
    assert (link.title, link.custom) == ("Handover", {"scenario": "handover"})
    item = platform.line_items[link.line_item_id]
    assert (item.label, item.score_maximum, item.tag, item.resource_link_id) == (
        "Handover",
        5,
        "final",
        link.id,
    )
    assert [item["title"] for item in platform.deep_link_items] == ["Handover"]
    replayed = http.post(platform.deep_link_return_url, data={"JWT": response_jwt})
    assert replayed.status_code == 400


def test_the_course_page_lists_links_and_offers_instructors_to_add_content(http, platform):
    learner = http.get(f"{platform.url}/course/ward-101", params={"as": "ada"})
    assert learner.status_code == 200
    assert '<html lang="en">' in learner.text
    assert "Sepsis" in learner.text
    assert "Add eduapp content" not in learner.text
    assert learner.cookies[USER_COOKIE] == "ada"
    instructor = http.get(f"{platform.url}/course/ward-101", params={"as": "kim"})
    assert "Add eduapp content" in instructor.text
    outsider = http.get(f"{platform.url}/course/ward-101", params={"as": "nobody"})
    assert outsider.status_code == 403
