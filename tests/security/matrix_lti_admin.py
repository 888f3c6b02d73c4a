"""Access rows for the admin's LTI pages (eduapp/lti/admin_views.py): registered platforms,
changing and removing one, the tool's configuration values and rotating eduapp's signing key
are for admins only. Every allowed POST sends what the page would accept, so the admin's row
proves the write goes through (302) and every other persona's that it is refused first."""

from eduapp.extensions import db
from eduapp.lti.models import Deployment, Platform
from tests.security.access_world import Row, expect

#: A registration the world already holds (another issuer than any other matrix's platform).
ISSUER = "https://lms.matrix-admin.example.edu"

PLATFORM = {
    "name": "Matrix LMS",
    "issuer": ISSUER,
    "client_id": "matrix-client",
    "auth_url": ISSUER + "/auth",
    "token_url": ISSUER + "/token",
    "jwks_url": ISSUER + "/jwks",
    "deployment_ids": "matrix-deployment",
}
ADMIN_ONLY = expect(403, admin=200)


def prepare(world):
    platform = Platform(**{k: v for k, v in PLATFORM.items() if k != "deployment_ids"})
    platform.deployments.append(Deployment(deployment_id="matrix-deployment"))
    db.session.add(platform)
    db.session.commit()
    return {"lti_admin_platform": platform.id}


ROWS = {
    ("lti_admin.index", "GET"): Row("/admin/lti", ADMIN_ONLY),
    ("lti_admin.register", "POST"): Row(
        "/admin/lti/platforms",
        expect(403, admin=302),
        {**PLATFORM, "client_id": "another-client"},
    ),
    ("lti_admin.platform", "GET"): Row("/admin/lti/platforms/{lti_admin_platform}", ADMIN_ONLY),
    ("lti_admin.update", "POST"): Row(
        "/admin/lti/platforms/{lti_admin_platform}",
        expect(403, admin=302),
        {**PLATFORM, "name": "Matrix LMS, renamed", "deployment_ids": "matrix-deployment\n2"},
    ),
    ("lti_admin.confirm_removal", "GET"): Row(
        "/admin/lti/platforms/{lti_admin_platform}/remove", ADMIN_ONLY
    ),
    ("lti_admin.remove", "POST"): Row(
        "/admin/lti/platforms/{lti_admin_platform}/remove",
        expect(403, admin=302),
        {"confirm": "y", "waiting_seen": "0"},
    ),
    ("lti_admin.tool", "GET"): Row("/admin/lti/tool", ADMIN_ONLY),
    ("lti_admin.rotate_key", "POST"): Row("/admin/lti/tool/rotate-key", expect(403, admin=302), {}),
}
