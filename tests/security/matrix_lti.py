"""Access rows for LTI's own endpoints. A platform's login and launch and eduapp's key set are
public: what guards them is the launch's checks (tests/lti/test_launch.py), so without a
registered platform or a login's state every persona gets the same refusal page. The first
visit's profession question and linking an LMS account are anyone signed in's."""

from tests.security.access_world import Row, expect

ROWS = {
    ("lti.login", "GET"): Row("/lti/login", expect(400, anonymous=400)),
    ("lti.login", "POST"): Row("/lti/login", expect(400, anonymous=400), {}),
    ("lti.launch", "POST"): Row("/lti/launch", expect(400, anonymous=400), {}),
    ("lti.jwks", "GET"): Row("/lti/jwks.json", expect(200, anonymous=200)),
    ("lti.welcome", "GET"): Row("/lti/welcome", expect(200)),
    # No profession chosen: the question again, with its message.
    ("lti.welcome", "POST"): Row("/lti/welcome", expect(400), {"profession": ""}),
    ("lti.links", "GET"): Row("/lti/links", expect(200)),
    ("lti.links", "POST"): Row("/lti/links", expect(302), {}),
}
