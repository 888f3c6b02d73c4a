"""The learner's player: modules, playing, feedback, reflections, resume, endings."""

import re

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.extensions import db
from eduapp.player import services
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.reflections.models import Reflection
from eduapp.transaction import unit_of_work
from tests.support.player import choose, start


def test_module_list_shows_published_modules_with_progress(client, auth, login_as, course):
    login_as(Role.LEARNER)
    page = client.get("/modules").get_data(as_text=True)
    assert "Test module" in page
    assert "Scenarios finished: 0 of 1" in page


def test_module_page_renders_reading_safely_and_offers_the_scenario(client, login_as, course):
    login_as(Role.LEARNER)
    page = client.get("/modules/test-module").get_data(as_text=True)
    assert "<strong>shared</strong>" in page
    assert 'href="https://example.org/article"' in page
    assert "A ward round" in page and ">Start<" in page


def test_a_learner_plays_to_an_ending_with_feedback_and_path(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "At the bedside" in page and "What did you notice first?" in page

    response = choose(auth, attempt_id, 1, reflection="She looked tired.")
    assert response.status_code == 302
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "You chose: Ask her what matters most" in page
    assert "You slowed the round down and heard her." in page
    assert "granddaughter" in page

    choose(auth, attempt_id, 1)  # tell the consultant
    choose(auth, attempt_id, 1, reflection="Nervous, then relieved.")  # plan together
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Ending: Heard" in page
    assert "Her words reached the team" in page
    assert "She looked tired." in page and "Nervous, then relieved." in page
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.is_completed and attempt.step == 3
    assert [e.to_node for e in attempt.events] == ["asks", "tells", "heard_end"]
    assert attempt.events[-1].variables_after == {"voice": 2, "trust": 1}


def test_conditional_choice_is_offered_only_when_it_holds(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    choose(auth, attempt_id, 2)  # follow the consultant: trust 2
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Raise her question at the huddle" in page

    other = start(auth, fresh=True)
    choose(auth, other, 1)  # asks: trust stays 1
    choose(auth, other, 2)  # keep it to yourself -> ending
    assert db.session.get(Attempt, other).node_id == "quiet_end"


def test_a_hidden_choice_cannot_be_forced_by_posting_its_number(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    choose(auth, attempt_id, 2)  # follows, with trust 2: the huddle (choice 2) is offered
    # No play reaches 'follows' with trust 1, so the test lowers it where the attempt stands.
    db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(variables={"voice": 0, "trust": 1})
    )
    db.session.commit()
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Go back to Mrs Okafor" in page and "Raise her question at the huddle" not in page
    for number in (2, 7):  # the hidden choice, and a number no choice has
        assert choose(auth, attempt_id, number).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert (attempt.step, attempt.node_id) == (1, "follows")
    assert db.session.scalar(sa.select(sa.func.count(ChoiceEvent.id))) == 1


def test_resume_returns_to_the_unfinished_attempt_and_start_again_makes_a_new_one(
    client, auth, login_as, course
):
    login_as(Role.LEARNER)
    first = start(auth)
    choose(auth, first, 2)
    assert start(auth) == first
    page = client.get("/modules/test-module").get_data(as_text=True)
    assert f"/attempts/{first}" in page and "Continue" in page
    second = start(auth, fresh=True)
    assert second != first
    db.session.expire_all()
    assert db.session.get(Attempt, first).status == "abandoned"
    assert db.session.get(Attempt, second).step == 0


def test_saving_a_reflection_alone_keeps_the_learner_on_the_node(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    page = f"/attempts/{attempt_id}"
    response = auth.post(
        page,
        {
            "step": 0,
            "reflection": "A first thought",
            "visibility": "tutors",
            "save_reflection": "1",
        },
    )
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "A first thought" in html and "Your reflection is saved." in html
    reflection = db.session.scalar(sa.select(Reflection))
    assert reflection.visibility == "tutors" and reflection.node_id == "bedside"
    auth.post(
        page,
        {
            "step": 0,
            "reflection": "A second thought",
            "visibility": "private",
            "save_reflection": "1",
        },
    )
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Reflection)).all()
    assert [r.body for r in rows] == ["A second thought"]


def test_a_stale_page_still_keeps_the_reflection_typed_on_it(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    choose(auth, attempt_id, 1, step=0)
    # The learner pressed Back, wrote a reflection on the old page and chose again.
    choose(auth, attempt_id, 2, step=0, reflection="Written on the old page")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.step == 1 and attempt.node_id == "asks"
    reflection = db.session.scalar(sa.select(Reflection))
    assert reflection.body == "Written on the old page" and reflection.step == 0


def test_others_choices_are_hidden_below_five_learners_and_shown_from_five(
    app, client, auth, login_as, make_user, course
):
    from datetime import timedelta

    from eduapp.accounts.models import User
    from eduapp.content.models import DocumentKind
    from eduapp.content.queries import newest_version
    from eduapp.extensions import utcnow

    version = newest_version(DocumentKind.SCENARIO, "ward-round")
    me = login_as(Role.LEARNER)
    mine = start(auth)
    choose(auth, mine, 1)
    choose(auth, mine, 2)
    others = [make_user(Role.LEARNER) for _ in range(5)]
    # Only accounts a day old count in what learners see of each other (docs/privacy.md).
    db.session.execute(
        sa.update(User)
        .where(User.id.in_([me.id] + [other.id for other in others]))
        .values(created_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()
    for index, other in enumerate(others):
        attempt = services.start_attempt(other, version)
        services.choose(attempt, 0, 1 if index < 2 else 2)
        if index == 2:  # four learners, me included
            page = client.get(f"/attempts/{mine}").get_data(as_text=True)
            assert "shown once enough learners have decided here" in page
    # The snapshot was taken at the fifth learner (3 of 5 asked her) and holds at the sixth.
    page = client.get(f"/attempts/{mine}").get_data(as_text=True)
    assert "How learners chose here" in page and "(5 or more learners" in page
    assert "60%" in page and "40%" in page


def test_a_failure_while_recording_a_choice_leaves_nothing_half_written(
    app, auth, login_as, course, monkeypatch
):
    """A failure while a choice is recorded, at the event or after it: the claim, the event and
    the reflection all roll back. (PostgreSQL writes the event in the claim's statement, so a
    failure of the event's statement comes before anything is written; on SQLite it comes
    between the two.)"""
    login_as(Role.LEARNER)
    attempt_id = start(auth)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    for name in ("_record_event", "_upsert_reflection"):
        with monkeypatch.context() as patch:
            patch.setattr(services, name, broken)
            attempt = db.session.get(Attempt, attempt_id)
            with pytest.raises(RuntimeError), unit_of_work():
                services.choose(
                    attempt, 0, 1, services.ReflectionInput("kept?", services.Visibility.PRIVATE)
                )
        db.session.expire_all()
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.step == 0 and attempt.node_id == "bedside", name
        assert db.session.scalar(sa.select(sa.func.count(ChoiceEvent.id))) == 0, name
        assert db.session.scalar(sa.select(sa.func.count(Reflection.id))) == 0, name


def test_my_attempts_lists_only_my_attempts(client, auth, login_as, make_user, course):
    from eduapp.content.models import DocumentKind
    from eduapp.content.queries import newest_version

    someone = make_user(Role.LEARNER)
    services.start_attempt(someone, newest_version(DocumentKind.SCENARIO, "ward-round"))
    login_as(Role.LEARNER)
    assert "not started a scenario yet" in client.get("/attempts").get_data(as_text=True)
    start(auth)
    page = client.get("/attempts").get_data(as_text=True)
    assert len(re.findall(r'href="/attempts/\d+"', page)) == 1


def test_emptying_an_answered_reflection_keeps_it(app, auth, login_as, course, make_user):
    from eduapp.reflections.models import ReflectionReply

    learner = login_as(Role.LEARNER)
    attempt_id = start(auth)
    page = f"/attempts/{attempt_id}"
    auth.post(
        page,
        {
            "step": 0,
            "reflection": "Worth answering",
            "visibility": "tutors",
            "save_reflection": "1",
        },
    )
    reflection = db.session.scalar(sa.select(Reflection))
    db.session.add(ReflectionReply(reflection_id=reflection.id, author_id=learner.id, body="Hi"))
    db.session.commit()
    response = choose(auth, attempt_id, 1, step=0, reflection="")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).step == 1
    assert db.session.scalar(sa.select(Reflection)).body == "Worth answering"
