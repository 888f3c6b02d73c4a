"""Access rows for the learner's own data. Every signed-in user may see and download their own
data; My learning, joining and leaving cohorts and asking for erasure are for learners; carrying
out an erasure is for admins."""

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import CohortInvite
from eduapp.extensions import db
from eduapp.mydata.models import ErasureRequest
from tests.security.access_world import Row, expect

LEARNERS = {"learner": 302, "co_author": 302}


def prepare(world):
    # An invitation to a second cohort for the persona's own address (or a stranger's).
    teacher = world.make_user(Role.TUTOR)
    invited = cohorts.create_cohort(teacher, "Invited cohort")
    email = world.me.email if world.me is not None else "stranger@example.org"
    invite = CohortInvite(cohort_id=invited.id, email=email)
    erasure = ErasureRequest(user_id=world.values["other_learner"].id)
    db.session.add_all([invite, erasure])
    db.session.commit()
    return {"invite": invite.id, "erasure": erasure.id}


ROWS = {
    ("mydata.learning", "GET"): Row("/my/learning", expect(403, learner=200, co_author=200)),
    ("mydata.join_with_code", "POST"): Row(
        "/my/cohorts/join", expect(403, **LEARNERS), {"code": "{join_code}"}
    ),
    ("mydata.join_invited", "POST"): Row(
        "/my/invitations/{invite}/join", expect(403, **LEARNERS), {}
    ),
    ("mydata.leave", "POST"): Row("/my/cohorts/{cohort_id}/leave", expect(403, **LEARNERS), {}),
    ("mydata.data", "GET"): Row("/my/data", expect(200)),
    ("mydata.request_erasure", "POST"): Row("/my/data", expect(403, **LEARNERS), {"confirm": "y"}),
    # Anyone signed in downloads their own data, whatever their roles.
    ("mydata.export_json", "GET"): Row("/my/data/export", expect(200)),
    ("mydata.export_csv", "GET"): Row("/my/data/choices.csv", expect(200)),
    ("mydata.erasure_requests", "GET"): Row("/admin/erasure", expect(403, admin=200)),
    ("mydata.carry_out_erasure", "POST"): Row(
        "/admin/erasure/{erasure}", expect(403, admin=302), {}
    ),
}
