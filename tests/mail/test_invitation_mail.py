"""Invitations are mailed: learners invited to a cohort by address, and co-authors added to a
draft (issue 12). Each message is written in the transaction of the invitation."""

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort
from eduapp.extensions import db
from eduapp.mail.models import OutboxMail
from eduapp.transaction import unit_of_work
from tests.support.accounts import Auth


def test_each_address_invited_to_a_cohort_is_mailed_once(client, auth, login_as, mailbox):
    tutor = login_as(Role.TUTOR, email="tutor.tess@example.org")
    auth.post("/cohorts/new", {"name": "Ward 7 placement"}, page="/cohorts/")
    cohort = db.session.scalar(sa.select(Cohort))
    page = f"/cohorts/{cohort.id}"
    invited = auth.post(f"{page}/invite", {"emails": "Ana@Example.org, ben@example.org"}, page=page)
    assert invited.status_code == 302
    for address in ("ana@example.org", "ben@example.org"):
        [message] = mailbox.messages(address)
        assert message["Subject"].startswith("You are invited to join Ward 7 placement")
        text = message.get_body(("plain",)).get_content()
        assert tutor.display_name in text and "/my/learning" in text and "/register" in text
    # Inviting an address again mails nothing more.
    auth.post(f"{page}/invite", {"emails": "ana@example.org"}, page=page)
    assert len(mailbox.messages("ana@example.org")) == 1


def test_an_invitation_outside_a_request_links_to_the_public_address(app, make_user):
    tutor = make_user(Role.TUTOR)
    with unit_of_work():
        cohort = cohorts.create_cohort(tutor, "Evening cohort")
        cohorts.invite_emails(cohort, "cleo@example.org", tutor)
    mail = db.session.scalar(
        sa.select(OutboxMail).where(OutboxMail.to_address == "cleo@example.org")
    )
    assert f"{app.config['PUBLIC_URL']}/my/learning" in mail.text_body


def test_a_co_author_added_to_a_draft_is_mailed_and_nobody_else_is(app, make_user, mailbox):
    educator = make_user(Role.PATIENT_EDUCATOR)
    student = make_user(Role.LEARNER, email="sam.student@example.org")
    auth = Auth(app.test_client())
    assert auth.login(educator).status_code == 302
    new = {"kind": "scenario", "slug": "night-handover", "title": "The night handover"}
    auth.post("/studio/new", new | {"credit": "patient educator"}, page="/studio/")
    editor = "/studio/scenario/night-handover"
    for email in ("sam.student@example.org", "nobody@example.org"):
        answer = auth.post(
            f"{editor}/members",
            {"email": email, "role": "peer_student", "credit": "medical student"},
            page=editor,
        )
        assert answer.status_code == 302
    [message] = mailbox.messages("sam.student@example.org")
    assert message["Subject"].startswith("You can now work on The night handover")
    text = message.get_body(("plain",)).get_content()
    assert educator.display_name in text and editor in text
    assert mailbox.messages("nobody@example.org") == []
    assert student.email == "sam.student@example.org"
