"""Launches from a real LTI 1.3 platform that is not ours (lti1p3platform, served on loopback):
eduapp's login and launch speak what a platform speaks."""

import httpx
import sqlalchemy as sa

from eduapp.extensions import db
from eduapp.lti.models import Identity, Platform
from tests.support.lti import register
from tests.support.lti_platform import INSTRUCTOR, LEARNER


def _course(platform):
    platform.add_course("nursing-101", "Interprofessional practice", "IPP")
    platform.add_user("ada", "Ada Learner", "ada@students.example.edu", [LEARNER], ["nursing-101"])
    platform.add_user("tom", "Tom Tutor", "tom@staff.example.edu", [INSTRUCTOR], ["nursing-101"])
    return platform.add_link("nursing-101", "Ward round", {"eduapp_item": "scenario:ward-round"})


def test_a_launch_from_the_platform_signs_the_learner_in(app, course, live_server, lti_platform):
    register(lti_platform)
    link = _course(lti_platform)
    with httpx.Client() as browser:
        form = lti_platform.launch_with(browser, "ada", "nursing-101", link.id)
        response = browser.post(form.action, data=form.fields)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/lti/welcome")
        welcome = browser.get(live_server.url + "/lti/welcome")
        assert "Welcome, Ada Learner" in welcome.text
    identity = db.session.scalar(sa.select(Identity))
    assert identity.subject == "ada"
    # The platform's key set was fetched once and kept for every worker.
    assert db.session.scalar(sa.select(Platform.jwks_json)) is not None


def test_a_replayed_launch_from_the_platform_is_refused(app, course, live_server, lti_platform):
    register(lti_platform)
    link = _course(lti_platform)
    with httpx.Client() as browser:
        form = lti_platform.launch_with(browser, "tom", "nursing-101", link.id)
        assert browser.post(form.action, data=form.fields).status_code == 302
        again = browser.post(form.action, data=form.fields)
    assert again.status_code == 400
    assert "could not be opened" in again.text
