"""Access rows for shared reflections, peer review and notifications.

A reflection of the world's other learner is shared with tutors: the cohort's tutor reads and
answers it; a tutor of another cohort gets 404; everyone without the tutor role gets 403, admins
included (a reflection is for the learner's own tutors). Learner personas own a reflection and a
peer-review allocation of their own.
"""

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.player import services as player
from eduapp.reflections.models import PeerReview, PeerReviewAllocation, Reflection, Visibility
from tests.security.access_world import Row, expect


def _reflection(user, body: str) -> Reflection:
    attempt = player.start_attempt(user, newest_version(DocumentKind.SCENARIO, "ward-round"))
    player.save_reflection(attempt, attempt.step, player.ReflectionInput(body, Visibility.TUTORS))
    return db.session.scalar(db.select(Reflection).where(Reflection.attempt_id == attempt.id))


def prepare(world):
    is_learner = world.persona.role == Role.LEARNER
    shared = _reflection(world.values["other_learner"], "Shared with the cohort's tutors")
    mine = _reflection(world.me, "My own reflection") if is_learner else shared
    reviewer = world.me if is_learner else world.make_user(Role.LEARNER)
    review = PeerReview(reflection_id=shared.id, cohort_id=world.values["cohort_id"])
    db.session.add(review)
    db.session.flush()
    allocation = PeerReviewAllocation(peer_review_id=review.id, reviewer_id=reviewer.id)
    db.session.add(allocation)
    db.session.commit()
    return {"shared": shared.id, "mine": mine.id, "allocation": allocation.id}


#: The cohort's tutor may; other tutors are told it does not exist; everyone else lacks the role.
def teaching(answer):
    return expect(403, cohort_tutor=answer, tutor=404, reviewer=404)


def learners(answer):
    return expect(403, learner=answer, co_author=answer)


R = "/reflections/{shared}"
REVIEW = {"connects": "3", "tension": "2", "perspective": "4", "comment": "Thoughtful."}

ROWS = {
    ("reflections.queue", "GET"): Row(
        "/reflections/queue", expect(403, cohort_tutor=200, tutor=200, reviewer=200)
    ),
    ("reflections.reflection", "GET"): Row(R, teaching(200)),
    ("reflections.reply", "POST"): Row(f"{R}/replies", teaching(302), {"body": "Thank you."}),
    ("reflections.themes", "POST"): Row(f"{R}/themes", teaching(302), {"themes": "teamwork"}),
    ("reflections.open_peer_review", "POST"): Row(
        f"{R}/peer-review", teaching(302), {"cohort": "{cohort_id}"}
    ),
    ("reflections.my_reflections", "GET"): Row("/my/reflections", learners(200)),
    # The reflection is the persona's own when it is a learner.
    ("reflections.my_reflection", "GET"): Row("/my/reflections/{mine}", learners(200)),
    ("reflections.set_visibility", "POST"): Row(
        "/my/reflections/{mine}/visibility", learners(302), {"visibility": "private"}
    ),
    ("reflections.peer_reviews", "GET"): Row("/peer-reviews", learners(200)),
    # The allocation is the persona's own when it is a learner.
    ("reflections.peer_review", "GET"): Row("/peer-reviews/{allocation}", learners(200)),
    ("reflections.submit_peer_review", "POST"): Row(
        "/peer-reviews/{allocation}", learners(302), REVIEW
    ),
    ("notifications.index", "GET"): Row("/notifications", expect(200)),
    ("notifications.mark_read", "POST"): Row("/notifications", expect(302), {}),
    ("notifications.digest", "POST"): Row("/notifications/digest", expect(302), {}),
}
