"""Access rows for the learner's own data. Every signed-in user may see and download their own
data; My learning and asking for erasure are for learners; carrying out an erasure (on the
admin's pages) is for admins. Joining and leaving cohorts are in matrix_cohorts.py."""

from eduapp.extensions import db
from eduapp.mydata.models import ErasureRequest
from tests.security.access_world import Row, expect

LEARNERS = {"learner": 302, "co_author": 302}


def prepare(world):
    erasure = ErasureRequest(user_id=world.values["other_learner"].id)
    db.session.add(erasure)
    db.session.commit()
    return {"erasure": erasure.id}


ROWS = {
    ("mydata.learning", "GET"): Row("/my/learning", expect(403, learner=200, co_author=200)),
    ("mydata.data", "GET"): Row("/my/data", expect(200)),
    ("mydata.request_erasure", "POST"): Row("/my/data", expect(403, **LEARNERS), {"confirm": "y"}),
    # Anyone signed in downloads their own data, whatever their roles.
    ("mydata.export_json", "GET"): Row("/my/data/export", expect(200)),
    ("mydata.export_csv", "GET"): Row("/my/data/choices.csv", expect(200)),
    ("admin.erasure_requests", "GET"): Row("/admin/erasure", expect(403, admin=200)),
    ("admin.carry_out_erasure", "POST"): Row(
        "/admin/erasure/{erasure}", expect(403, admin=302), {}
    ),
}
