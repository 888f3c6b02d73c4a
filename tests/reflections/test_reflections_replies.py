"""Replies, themes, the learner's view of their reflections, and notifications."""

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.extensions import db
from eduapp.notifications.models import Notification
from eduapp.notifications.services import notify
from eduapp.reflections import services
from eduapp.reflections.models import (
    BUILTIN_THEMES,
    Reflection,
    ReflectionReply,
    ReflectionTheme,
    Theme,
    Visibility,
)
from tests.support.accounts import Auth
from tests.support.reflections import cohort_with, page_of, reflect


def _tutor_and_learner(app, make_user):
    tutor = make_user(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    return tutor, learner


def test_a_reply_reaches_the_learner_with_a_notification(app, make_user, course):
    tutor, learner = _tutor_and_learner(app, make_user)
    reflection = reflect(learner, "I stayed silent at the huddle.")
    tutor_client, learner_client = app.test_client(), app.test_client()
    Auth(tutor_client).login(tutor)
    Auth(learner_client).login(learner)
    assert "Notifications (0)" in page_of(learner_client, "/modules")

    url = f"/reflections/{reflection.id}"
    response = Auth(tutor_client).post(
        f"{url}/replies", {"body": "What made speaking up hard?"}, page=url
    )
    assert response.status_code == 302
    assert "What made speaking up hard?" in page_of(tutor_client, url)

    header = page_of(learner_client, "/modules")
    assert "Notifications (1)" in header
    notes = page_of(learner_client, "/notifications")
    assert "Your tutor replied to your reflection on “A ward round”." in notes
    assert f'href="/my/reflections/{reflection.id}"' in notes
    mine = page_of(learner_client, f"/my/reflections/{reflection.id}")
    assert "What made speaking up hard?" in mine and tutor.display_name in mine
    assert "What made speaking up hard?" in page_of(learner_client, "/my/reflections")

    response = Auth(learner_client).post("/notifications", page="/notifications")
    assert response.status_code == 302
    assert "Notifications (0)" in page_of(learner_client, "/modules")
    assert "Your tutor replied" in page_of(learner_client, "/notifications")


def test_an_empty_reply_is_refused_and_nothing_is_written(client, auth, make_user, course):
    tutor, learner = _tutor_and_learner(client.application, make_user)
    reflection = reflect(learner)
    auth.login(tutor)
    url = f"/reflections/{reflection.id}"
    response = auth.post(f"{url}/replies", {"body": "   "}, page=url)
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionReply)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_themes_builtin_and_added_without_duplicates(client, auth, make_user, course):
    tutor, learner = _tutor_and_learner(client.application, make_user)
    reflection = reflect(learner)
    auth.login(tutor)
    url = f"/reflections/{reflection.id}"
    page = page_of(client, url)
    for name in BUILTIN_THEMES:
        assert name in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Theme)) == 0  # GET wrote none

    auth.post(
        f"{url}/themes", {"themes": ["teamwork", "equity"], "new_theme": "Speaking  UP"}, page=url
    )
    auth.post(f"{url}/themes", {"themes": ["teamwork"], "new_theme": "speaking up"}, page=url)
    names = list(db.session.scalars(sa.select(Theme.name).order_by(Theme.name)))
    assert names == sorted({*BUILTIN_THEMES, "speaking up"})
    tagged = set(
        db.session.scalars(
            sa.select(Theme.name)
            .join(ReflectionTheme, ReflectionTheme.theme_id == Theme.id)
            .where(ReflectionTheme.reflection_id == reflection.id)
        )
    )
    assert tagged == {"teamwork", "speaking up"}  # equity was unticked
    assert "speaking up" in page_of(client, "/reflections/queue")

    # A form without the "add a theme" field (another client, an old page) is fine too.
    assert auth.post(f"{url}/themes", {"themes": "equity"}, page=url).status_code == 302

    # Another reflection offers the added theme as a checkbox.
    other = reflect(learner, "Another one")
    assert 'value="speaking up"' in page_of(client, f"/reflections/{other.id}")


def test_the_learner_sees_every_reflection_newest_first_and_changes_visibility(
    client, auth, make_user, course
):
    tutor, learner = _tutor_and_learner(client.application, make_user)
    private = reflect(learner, "Older and private", Visibility.PRIVATE)
    reflect(learner, "Newer and shared")
    auth.login(learner)
    page = page_of(client, "/my/reflections")
    assert page.index("Newer and shared") < page.index("Older and private")
    assert "Only me" in page and "Me and my tutors" in page

    url = f"/my/reflections/{private.id}"
    response = auth.post(f"{url}/visibility", {"visibility": "tutors", "user_id": "1"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Reflection, private.id).visibility == "tutors"

    tutor_client = client.application.test_client()
    Auth(tutor_client).login(tutor)
    assert "Older and private" in page_of(tutor_client, "/reflections/queue")
    auth.post(f"{url}/visibility", {"visibility": "private"}, page=url)
    assert "Older and private" not in page_of(tutor_client, "/reflections/queue")
    assert tutor_client.get(f"/reflections/{private.id}").status_code == 404


def test_a_bad_visibility_is_refused(client, auth, make_user, course):
    _, learner = _tutor_and_learner(client.application, make_user)
    reflection = reflect(learner)
    auth.login(learner)
    url = f"/my/reflections/{reflection.id}"
    response = auth.post(f"{url}/visibility", {"visibility": "everyone"}, page=url)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Reflection, reflection.id).visibility == "tutors"


def test_notifications_are_ones_own_newest_first(client, auth, make_user, course):
    me, someone = make_user(Role.LEARNER), make_user(Role.LEARNER)
    notify(me, "First news", "/modules")
    notify(someone, "Someone else's news", "/modules")
    db.session.commit()
    notify(me, "Second news", "/my/reflections")
    db.session.commit()
    auth.login(me)
    page = page_of(client, "/notifications")
    assert page.index("Second news") < page.index("First news")
    assert "Someone else's news" not in page
    assert "Notifications (2)" in page


def test_notify_refuses_a_link_outside_the_app(app, make_user):
    user = make_user(Role.LEARNER)
    for link in ("https://evil.example", "//evil.example/x", "javascript:alert(1)"):
        try:
            notify(user, "x", link)
        except ValueError:
            continue
        raise AssertionError(f"{link} was accepted")


def test_a_reflection_holds_its_replies_oldest_first(app, make_user, course):
    tutor, learner = _tutor_and_learner(app, make_user)
    reflection = reflect(learner)
    first = services.reply(tutor, reflection, "First")
    second = services.reply(tutor, reflection, "Second")
    assert reflection.replies == [first, second]  # in the session that wrote them
    db.session.commit()
    db.session.expire_all()
    assert [r.body for r in db.session.get(Reflection, reflection.id).replies] == [
        "First",
        "Second",
    ]
    assert first.reflection is reflection
