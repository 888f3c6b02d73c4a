"""Access rows for cohorts. The world's cohort is taught by the cohort_tutor persona (or by a
tutor made here) and has the learner or co-author persona and another learner as members; the
tutor persona teaches a different cohort. A second cohort invites the persona's own address (or
a stranger's). Joining and leaving are for learners."""

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import CohortInvite
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from tests.security.access_world import Row, expect


def prepare(world):
    persona = world.persona.name
    teacher = world.me if persona == "cohort_tutor" else world.make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(teacher, "Matrix cohort")
    cohorts.join(world.values["other_learner"], cohort)
    if persona in ("learner", "co_author"):
        cohorts.join(world.me, cohort)
    if persona == "tutor":
        cohorts.create_cohort(world.me, "Another cohort")
    module = newest_version(DocumentKind.MODULE, "test-module")
    cohorts.assign_module(cohort, module.document, None)
    invited = cohorts.create_cohort(world.make_user(Role.TUTOR), "Invited cohort")
    email = world.me.email if world.me is not None else "stranger@example.org"
    invite = CohortInvite(cohort_id=invited.id, email=email)
    db.session.add(invite)
    db.session.flush()
    return {
        "cohort": cohort,
        "cohort_id": cohort.id,
        "join_code": cohort.join_code,
        "module_document_id": module.document_id,
        "invite": invite.id,
    }


def taught(answer):
    """Only the cohort's tutors and admins; learners and patient educators lack the role (403);
    a tutor of another cohort gets 404, as if the cohort did not exist."""
    return expect(403, tutor=404, reviewer=404, cohort_tutor=answer, admin=answer)


TEACHERS = expect(403, tutor=200, reviewer=200, cohort_tutor=200, admin=200)
LEARNERS = expect(403, learner=302, co_author=302)
C = "/cohorts/{cohort_id}"
S = f"{C}/scenarios/ward-round"

ROWS = {
    ("cohorts.index", "GET"): Row("/cohorts/", TEACHERS),
    ("cohorts.create", "POST"): Row(
        "/cohorts/new", expect(403, tutor=400, reviewer=400, cohort_tutor=400, admin=400), {}
    ),
    ("cohorts.dashboard", "GET"): Row(C, taught(200)),
    ("cohorts.invite", "POST"): Row(f"{C}/invite", taught(302), {"emails": "a@example.org"}),
    # Sent empty: the dashboard comes back with the message by the field.
    ("cohorts.add_tutor", "POST"): Row(f"{C}/tutors", taught(400), {}),
    ("cohorts.assign", "POST"): Row(f"{C}/modules", taught(400), {}),
    ("cohorts.unassign", "POST"): Row(
        f"{C}/modules/{{module_document_id}}/remove", taught(302), {}
    ),
    ("cohorts.renew_code", "POST"): Row(f"{C}/code", taught(302), {}),
    ("membership.join_with_code", "POST"): Row(
        "/my/cohorts/join", LEARNERS, {"code": "{join_code}"}
    ),
    ("membership.join_invited", "POST"): Row("/my/invitations/{invite}/join", LEARNERS, {}),
    ("membership.leave", "POST"): Row("/my/cohorts/{cohort_id}/leave", LEARNERS, {}),
    ("insight.scenario", "GET"): Row(S, taught(200)),
    ("insight.choices_csv", "GET"): Row(f"{S}/choices.csv", taught(200)),
    ("insight.endings_csv", "GET"): Row(f"{S}/endings.csv", taught(200)),
    ("insight.time_csv", "GET"): Row(f"{S}/time.csv", taught(200)),
    ("insight.progress_csv", "GET"): Row(f"{C}/progress.csv", taught(200)),
}
