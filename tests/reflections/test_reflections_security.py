"""Rows 2, 3, 6 and 7 of shared/SECURITY.md on the reflection pages."""

import logging

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.extensions import db
from eduapp.reflections import services
from eduapp.reflections.models import PeerReviewAllocation, ReflectionReply
from tests.support.accounts import Auth
from tests.support.reflections import HOSTILE, cohort_with, page_of, playtest_reflection, reflect

ESCAPED = "&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt; and {{7*7}}"


def _signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def test_row_02_hostile_text_is_literal_on_every_reflection_page(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author, reviewer = make_user(Role.LEARNER), make_user(Role.LEARNER)
    cohort = cohort_with(tutor, author, reviewer)
    reflection = reflect(author, HOSTILE)
    services.reply(tutor, reflection, HOSTILE)
    services.set_themes(tutor, reflection, [], "<i>{{7*7}}</i>")
    services.open_peer_review(tutor, reflection, cohort.id)
    allocation = db.session.scalar(sa.select(PeerReviewAllocation))
    services.submit_peer_review(
        allocation, {"connects": 1, "tension": 1, "perspective": 1}, HOSTILE
    )

    pages = {
        tutor: ["/reflections/queue?status=all", f"/reflections/{reflection.id}"],
        author: ["/my/reflections", f"/my/reflections/{reflection.id}"],
        reviewer: [f"/peer-reviews/{allocation.id}"],
    }
    for user, urls in pages.items():
        client = _signed_in(app, user)
        for url in urls:
            page = page_of(client, url)
            assert ESCAPED in page, url
            assert "<b onmouseover" not in page and ">49<" not in page and " 49 " not in page
    theme_page = page_of(_signed_in(app, tutor), f"/reflections/{reflection.id}")
    assert "&lt;i&gt;{{7*7}}&lt;/i&gt;" in theme_page and "<i>{{7*7}}" not in theme_page


def test_row_03_another_learners_reflection_is_a_logged_404(app, make_user, course, caplog):
    owner, other = make_user(Role.LEARNER), make_user(Role.LEARNER)
    reflection = reflect(owner, "Mine alone")
    client = _signed_in(app, other)
    url = f"/my/reflections/{reflection.id}"
    with caplog.at_level(logging.WARNING, logger="eduapp.access"):
        response = client.get(url)
        posted = Auth(client).post(f"{url}/visibility", {"visibility": "private"}, page="/profile")
    assert response.status_code == 404 and posted.status_code == 404
    assert "Mine alone" not in response.get_data(as_text=True)
    assert f"refused: Reflection {reflection.id} belongs to another user" in caplog.text
    db.session.expire_all()
    assert reflection.visibility == "tutors"


def test_row_03_a_tutor_who_does_not_teach_the_learner_gets_a_logged_404(
    app, make_user, course, caplog
):
    learner = make_user(Role.LEARNER)
    cohort_with(make_user(Role.TUTOR), learner)
    reflection = reflect(learner, "For my own tutor")
    outsider = make_user(Role.TUTOR)
    cohort_with(outsider, make_user(Role.LEARNER), name="Outsider's cohort")
    client = _signed_in(app, outsider)
    base = f"/reflections/{reflection.id}"
    with caplog.at_level(logging.WARNING, logger="eduapp.access"):
        responses = [client.get(base)] + [
            Auth(client).post(f"{base}/{action}", data, page="/profile")
            for action, data in (
                ("replies", {"body": "Sneaky"}),
                ("themes", {"new_theme": "sneaky"}),
                ("peer-review", {"cohort": "1"}),
            )
        ]
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert "For my own tutor" not in responses[0].get_data(as_text=True)
    assert caplog.text.count(f"refused: reflection {reflection.id}") == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionReply)) == 0


def test_row_06_a_reply_without_a_csrf_token_changes_nothing(app, make_user, course):
    tutor, learner = make_user(Role.TUTOR), make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    reflection = reflect(learner)
    client = _signed_in(app, tutor)
    response = client.post(f"/reflections/{reflection.id}/replies", data={"body": "Hi"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionReply)) == 0
    response = client.post("/notifications", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_row_07_state_changes_refuse_get(app, make_user, course):
    tutor, learner = make_user(Role.TUTOR), make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    reflection = reflect(learner)
    client = _signed_in(app, tutor)
    for action in ("replies", "themes", "peer-review"):
        assert client.get(f"/reflections/{reflection.id}/{action}").status_code == 405
    client = _signed_in(app, learner)
    assert client.get(f"/my/reflections/{reflection.id}/visibility").status_code == 405


def test_row_03_a_playtest_reflection_is_no_learner_page(app, make_user, course, caplog):
    author = make_user(Role.LEARNER)
    reflection = playtest_reflection(author, "Written in a playtest")
    client = _signed_in(app, author)
    url = f"/my/reflections/{reflection.id}"
    with caplog.at_level(logging.WARNING, logger="eduapp.access"):
        response = client.get(url)
        posted = Auth(client).post(f"{url}/visibility", {"visibility": "private"}, page="/profile")
    assert response.status_code == 404 and posted.status_code == 404
    assert caplog.text.count(f"refused: reflection {reflection.id} was written in a playtest") == 2
    db.session.expire_all()
    assert reflection.visibility == "tutors"
