"""Access rows for the landing page, accounts, the player and administration."""

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.player import services
from tests.security.access_world import Row, expect

LEARNERS = {"learner": 200, "co_author": 200}


def prepare(world):
    other_learner = world.make_user(Role.LEARNER, profession="medicine")
    is_learner = world.persona.role == Role.LEARNER
    attempt = services.start_attempt(
        world.me if is_learner else other_learner,
        newest_version(DocumentKind.SCENARIO, "ward-round"),
    )
    return {"attempt": attempt.id, "other": other_learner.id, "other_learner": other_learner}


ROWS = {
    ("core.index", "GET"): Row("/", expect(302, anonymous=200)),
    ("core.healthz", "GET"): Row("/healthz", expect(200, anonymous=200)),
    ("static", "GET"): Row("/static/eduapp.css", expect(200, anonymous=200)),
    ("accounts.register", "GET"): Row("/register", expect(302, anonymous=200)),
    ("accounts.register", "POST"): Row("/register", expect(302, anonymous=200), {}),
    # Public: what it shows depends only on the session's own sign-up.
    ("accounts.check_inbox", "GET"): Row("/register/sent", expect(200, anonymous=200)),
    # A mailed link: public, and worthless without the token (here, one that never existed).
    ("accounts.confirm_address", "GET"): Row("/confirm/not-a-token", expect(410, anonymous=410)),
    ("accounts.confirm_address", "POST"): Row(
        "/confirm/not-a-token", expect(410, anonymous=410), {}
    ),
    # Asking for a password reset link: public, and the same answer whoever asks.
    ("accounts.forgot_password", "GET"): Row("/password/forgot", expect(200, anonymous=200)),
    ("accounts.forgot_password", "POST"): Row("/password/forgot", expect(200, anonymous=200), {}),
    ("accounts.reset_sent", "GET"): Row("/password/forgot/sent", expect(200, anonymous=200)),
    ("accounts.reset_password", "GET"): Row(
        "/password/reset/not-a-token", expect(410, anonymous=410)
    ),
    ("accounts.reset_password", "POST"): Row(
        "/password/reset/not-a-token", expect(410, anonymous=410), {}
    ),
    ("accounts.ask_for_confirmation", "POST"): Row("/profile/confirm-address", expect(302), {}),
    ("accounts.login", "GET"): Row("/login", expect(302, anonymous=200)),
    ("accounts.login", "POST"): Row("/login", expect(302, anonymous=200), {}),
    ("accounts.logout", "POST"): Row("/logout", expect(302), {}),
    ("accounts.profile", "GET"): Row("/profile", expect(200)),
    # An empty post keeps the profile as it is.
    ("accounts.profile", "POST"): Row("/profile", expect(302), {}),
    ("accounts.change_password", "POST"): Row("/profile/password", expect(400), {}),
    ("accounts.change_email", "POST"): Row("/profile/email", expect(400), {}),
    ("player.modules", "GET"): Row("/modules", expect(200)),
    ("player.module", "GET"): Row("/modules/test-module", expect(200)),
    ("player.start", "POST"): Row(
        "/scenarios/ward-round/start", expect(403, learner=302, co_author=302), {}
    ),
    ("player.attempts", "GET"): Row("/attempts", expect(403, **LEARNERS)),
    # The attempt is the persona's own when it is a learner, someone else's otherwise.
    ("player.attempt", "GET"): Row("/attempts/{attempt}", expect(404, **LEARNERS)),
    ("player.step", "POST"): Row(
        "/attempts/{attempt}", expect(404, learner=302, co_author=302), {"step": "0", "choice": "1"}
    ),
    ("admin.users", "GET"): Row("/admin/users", expect(403, admin=200)),
    ("admin.set_roles", "POST"): Row("/admin/users/{other}/roles", expect(403, admin=302), {}),
    ("admin.confirm_address", "POST"): Row(
        "/admin/users/{other}/confirm-address", expect(403, admin=302), {}
    ),
    ("admin.audit", "GET"): Row("/admin/audit", expect(403, admin=200)),
}
