"""Issue 13, the way to learners: a published scenario in no module says so and is proposed to a
module, whose own review rule then publishes it; the review panel says why a sign-off does not
count and who can give the missing ones; publishing over a request for changes is confirmed."""

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.audit.models import AuditEvent
from eduapp.content.models import Document, Revision, Version
from eduapp.extensions import db
from eduapp.notifications.models import Notification
from eduapp.studio.models import ModuleProposal, ProposalStatus
from tests.support.accounts import Auth

SCENARIO = "/studio/scenario/night-handover"
MODULE = "/studio/module/team-module"


def sign_in(app, user) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    return auth


def newest(slug: str) -> Revision:
    db.session.expire_all()
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def start(auth, slug, kind, title):
    new = {"kind": kind, "slug": slug, "title": title, "credit": "patient educator"}
    assert auth.post("/studio/new", new, page="/studio/").status_code == 302


def invite(auth, page, user, role="staff", credit="nursing tutor"):
    data = {"email": user.email, "role": role, "credit": credit}
    assert auth.post(f"{page}/members", data, page=page).status_code == 302


def decide(auth, page, number, decision="approve", note=""):
    data = {"revision": number, "decision": decision, "note": note}
    return auth.post(f"{page}/review", data, page=page)


def publish(auth, page, number, **extra):
    return auth.post(f"{page}/publish", {"revision": number, **extra}, page=page)


def texts_for(user) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Notification.text)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


@pytest.fixture
def world(app, make_user, course):
    """A published scenario in no module, by a patient educator and a tutor (and a student);
    and a published studio module listing only the course's ward-round, by two others."""
    people = {
        "educator": make_user(Role.PATIENT_EDUCATOR),
        "tutor": make_user(Role.TUTOR),
        "student": make_user(Role.LEARNER, profession="medicine"),
        "module_educator": make_user(Role.PATIENT_EDUCATOR),
        "module_tutor": make_user(Role.TUTOR),
    }
    auth = {name: sign_in(app, user) for name, user in people.items()}
    start(auth["educator"], "night-handover", "scenario", "The night handover")
    invite(auth["educator"], SCENARIO, people["tutor"])
    invite(auth["educator"], SCENARIO, people["student"], "peer_student", "medical student")
    for name in ("educator", "tutor"):
        decide(auth[name], SCENARIO, 1)
    assert publish(auth["educator"], SCENARIO, 1).status_code == 302
    start(auth["module_educator"], "team-module", "module", "Working as a team")
    invite(auth["module_educator"], MODULE, people["module_tutor"])
    source = (
        newest("team-module")
        .source.replace("order: 99", "order: 2")
        .replace("outcome: Describe ...", "outcome: Describe the team.\nscenario: ward-round")
    )
    save = {"base": 1, "source": source, "message": "m"}
    assert auth["module_educator"].post(f"{MODULE}/save", save, page=MODULE).status_code == 302
    for name in ("module_educator", "module_tutor"):
        decide(auth[name], MODULE, 2)
    assert publish(auth["module_educator"], MODULE, 2).status_code == 302
    return people, auth


def test_a_scenario_in_no_module_says_so_and_a_non_members_proposal_waits(app, world):
    people, auth = world
    page = auth["student"].client.get(SCENARIO).get_data(as_text=True)
    assert "is in no published module, so learners cannot find it yet" in page
    version_page = auth["student"].client.get(f"{SCENARIO}/versions/1").get_data(as_text=True)
    assert "is in no published module" in version_page
    assert "Working as a team" in page  # offered in the form
    response = auth["student"].post(
        f"{SCENARIO}/proposals",
        {"module": "team-module", "note": "Night shifts are team work."},
        page=SCENARIO,
    )
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(ModuleProposal))
    assert proposal.status == ProposalStatus.OPEN and proposal.revision_id is None
    assert newest("team-module").number == 2  # nothing changed in the module yet
    for name in ("module_educator", "module_tutor"):
        assert any("is proposed for the module" in t for t in texts_for(people[name]))
    module_page = auth["module_tutor"].client.get(MODULE).get_data(as_text=True)
    assert "Scenarios proposed for this module" in module_page
    assert "Night shifts are team work." in module_page
    # A second proposal to the same module waits on the first: the module is not offered.
    again = auth["student"].post(f"{SCENARIO}/proposals", {"module": "team-module"}, page=SCENARIO)
    assert again.status_code == 400 and "Choose one of the modules offered" in again.get_data(
        as_text=True
    )


def test_an_accepted_proposal_goes_through_the_modules_rule_to_learners(app, world, make_user):
    people, auth = world
    auth["student"].post(f"{SCENARIO}/proposals", {"module": "team-module"}, page=SCENARIO)
    proposal = db.session.scalar(sa.select(ModuleProposal))
    # Someone who does not edit the module cannot decide: they do not see it at all.
    refused = auth["tutor"].post(f"{MODULE}/proposals/{proposal.id}/accept", page=SCENARIO)
    assert refused.status_code == 404
    accepted = auth["module_tutor"].post(f"{MODULE}/proposals/{proposal.id}/accept", page=MODULE)
    assert accepted.status_code == 302
    revision = newest("team-module")
    assert revision.number == 3 and revision.author_id == people["student"].id
    assert "scenario: night-handover" in revision.source
    assert any("accepted" in t for t in texts_for(people["student"]))
    assert any("needs sign-off" not in t for t in texts_for(people["module_educator"]))
    page = auth["educator"].client.get(SCENARIO).get_data(as_text=True)
    assert "On its way" in page
    # The module's own rule: both of its members sign revision 3, then it is published.
    for name in ("module_educator", "module_tutor"):
        decide(auth[name], MODULE, 3)
    assert publish(auth["module_tutor"], MODULE, 3).status_code == 302
    page = auth["educator"].client.get(SCENARIO).get_data(as_text=True)
    assert "Learners find it in" in page and "is in no published module" not in page
    learner = sign_in(app, make_user(Role.LEARNER, profession="nursing"))
    module_page = learner.client.get("/modules/team-module").get_data(as_text=True)
    assert "The night handover" in module_page
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "proposed" in actions and "accepted_proposal" in actions


def test_a_module_editors_proposal_is_accepted_at_once_and_a_decline_changes_nothing(app, world):
    people, auth = world
    # The module's tutor is made a member of the scenario: their proposal edits the module.
    invite(auth["educator"], SCENARIO, people["module_tutor"])
    response = auth["module_tutor"].post(
        f"{SCENARIO}/proposals", {"module": "team-module"}, page=SCENARIO
    )
    assert response.status_code == 302
    proposal = db.session.scalar(sa.select(ModuleProposal))
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.revision_id is not None
    assert any("needs sign-off" in t for t in texts_for(people["module_educator"]))
    # Declining: a proposal decided already cannot be decided again.
    declined = auth["module_educator"].post(
        f"{MODULE}/proposals/{proposal.id}/decline", page=MODULE
    )
    assert declined.status_code == 302
    db.session.expire_all()
    assert db.session.get(ModuleProposal, proposal.id).status == ProposalStatus.ACCEPTED


def test_the_review_panel_says_why_a_sign_off_does_not_count_and_who_can_give_it(
    app, world, make_user
):
    people, auth = world
    admin = make_user(Role.ADMIN)
    admin_auth = sign_in(app, admin)
    edited = newest("night-handover").source.replace("Where it begins", "Where it starts")
    save = {"base": 1, "source": edited, "message": "x"}
    assert auth["educator"].post(f"{SCENARIO}/save", save, page=SCENARIO).status_code == 302
    decide(admin_auth, SCENARIO, 2)
    # A patient educator who is also a tutor fills one line, never two.
    both = make_user(Role.PATIENT_EDUCATOR, Role.TUTOR)
    invite(auth["educator"], SCENARIO, both, "staff", "nurse educator")
    decide(sign_in(app, both), SCENARIO, 2)
    page = auth["educator"].client.get(SCENARIO).get_data(as_text=True)
    assert "signed off as an admin who is not a member of this draft" in page
    assert "signed off revision 1; revision 2 was saved since" in page
    assert "can sign off for this line" in page
    assert people["tutor"].display_name in page.split('id="review-why"')[1].split("</div>")[0]
    # Nobody left for a line: the panel says whom to invite.
    only = make_user(Role.TUTOR)
    only_auth = sign_in(app, only)
    start(only_auth, "solo-draft", "scenario", "A solo draft")
    solo = only_auth.client.get("/studio/scenario/solo-draft").get_data(as_text=True)
    assert "Invite a patient educator" in solo


def test_publishing_over_a_request_for_changes_asks_for_confirmation(app, world):
    people, auth = world
    edited = newest("night-handover").source.replace("Where it begins", "Where it starts")
    save = {"base": 1, "source": edited, "message": "x"}
    auth["educator"].post(f"{SCENARIO}/save", save, page=SCENARIO)
    for name in ("educator", "tutor"):
        decide(auth[name], SCENARIO, 2)
    decide(auth["student"], SCENARIO, 2, "changes", "The carer needs a voice.")
    versions = db.session.scalar(sa.select(sa.func.count(Version.id)))
    refused = publish(auth["educator"], SCENARIO, 2)
    assert refused.status_code == 400
    assert "tick the box to publish anyway" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Version.id))) == versions
    done = publish(auth["educator"], SCENARIO, 2, over_changes="y")
    assert done.status_code == 302
    detail = db.session.scalar(
        sa.select(AuditEvent.detail)
        .where(AuditEvent.action == "published")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert "over a request for changes" in detail
    assert any("was published as version 2" in t for t in texts_for(people["student"]))
