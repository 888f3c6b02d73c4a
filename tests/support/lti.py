"""Launching eduapp through its LTI endpoints with the test client, as a platform whose key is
the test's: for the launch's own checks (tests/lti/test_launch.py) and for forging what a
platform must never get through (SECURITY.md row 37). The real platform, not ours, is in
tests/support/lti_platform.py.
"""

import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from eduapp.extensions import db, utcnow
from eduapp.lti.launch import CLAIM
from eduapp.lti.models import Deployment, Platform
from eduapp.transaction import unit_of_work

ISSUER = "https://lms.example.edu"
CLIENT_ID = "eduapp-client"
DEPLOYMENT = "deployment-1"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = [LIS + "Learner"]
INSTRUCTOR = [LIS + "Instructor"]


class KeyPair:
    def __init__(self, kid: str | None = None):
        self.kid = kid or secrets.token_hex(8)
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}


class FakePlatform:
    """A platform registered in eduapp whose key set is the test's (stored as if fetched a
    moment ago, so no fetch happens unless a kid is unknown: its JWKS URL is a closed port)."""

    def __init__(self, client):
        self.client = client
        self.key = KeyPair()
        with unit_of_work():
            platform = Platform(
                name="Test LMS",
                issuer=ISSUER,
                client_id=CLIENT_ID,
                auth_url=ISSUER + "/auth",
                token_url=ISSUER + "/token",
                jwks_url="http://127.0.0.1:9/jwks",
                jwks_json=json.dumps({"keys": [self.key.jwk()]}),
                jwks_fetched_at=utcnow(),
            )
            platform.deployments.append(Deployment(deployment_id=DEPLOYMENT))
            db.session.add(platform)
        self.id = platform.id

    def login(self, **overrides) -> dict:
        """Start a login; the state and nonce eduapp sent to the authorization endpoint."""
        params = {
            "iss": ISSUER,
            "login_hint": "hint-1",
            "target_link_uri": "http://localhost/lti/launch",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT,
            **overrides,
        }
        response = self.client.get("/lti/login", query_string=params)
        assert response.status_code == 302, response.get_data(as_text=True)
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return {name: values[0] for name, values in query.items()}

    def claims(self, nonce: str, sub: str = "lms-user-1", **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Ada Lovelace",
            "email": f"{sub}@students.example.edu",
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "roles": LEARNER,
            CLAIM + "context": {"id": "course-1", "title": "Interprofessional practice 1"},
            CLAIM + "resource_link": {"id": "link-1", "title": "Ward round"},
            CLAIM + "custom": {"eduapp_item": "scenario:ward-round"},
            CLAIM + "target_link_uri": "http://localhost/lti/launch",
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def sign(self, claims: dict, key: KeyPair | None = None, **headers) -> str:
        key = key or self.key
        return jwt.encode(
            claims, key.private, algorithm="RS256", headers={"kid": key.kid, **headers}
        )

    def launch(self, token: str | None = None, *, state: str | None = None, **claims):
        """A whole launch: login, then post a token (signed from ``claims`` unless given)."""
        sent = self.login()
        if token is None:
            token = self.sign(self.claims(claims.pop("nonce", sent["nonce"]), **claims))
        return self.client.post(
            "/lti/launch", data={"id_token": token, "state": state or sent["state"]}
        )


@pytest.fixture
def fake_platform(app, client):
    return FakePlatform(client)


def register(platform) -> Platform:
    """Register a ``TestPlatform`` (tests/support/lti_platform.py) in eduapp, as an admin would
    (its key set is fetched at the first launch)."""
    with unit_of_work():
        row = Platform(
            name="Test platform",
            issuer=platform.issuer,
            client_id=platform.client_id,
            auth_url=platform.oidc_auth_url,
            token_url=platform.token_url,
            jwks_url=platform.jwks_url,
        )
        row.deployments.append(Deployment(deployment_id=platform.deployment_id))
        db.session.add(row)
    return row


def lms_platform() -> Platform:
    """A registered platform whose endpoints nothing answers, added to the session: for tests
    that build an LMS course's rows without launching."""
    platform = Platform(
        name="LMS",
        issuer="https://lms.example.edu",
        client_id="eduapp",
        auth_url="https://lms.example.edu/auth",
        token_url="https://lms.example.edu/token",
        jwks_url="https://lms.example.edu/jwks",
    )
    db.session.add(platform)
    return platform
