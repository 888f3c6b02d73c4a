"""Access rows for assessments: attempts are their owner's alone; marking is for the tutors of
the learner's cohort, and a tutor of another cohort gets 404."""

from eduapp.accounts.models import Role
from eduapp.assessments import services
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from tests.security.access_world import Row, expect

LEARNERS = {"learner": 200, "co_author": 200}
#: Tutors who do not teach the learner get 404; everyone without the tutor role gets 403.
MARKERS = {"cohort_tutor": 200, "tutor": 404, "reviewer": 404}


def prepare(world):
    version = newest_version(DocumentKind.ASSESSMENT, "test-module")
    other = world.values["other_learner"]  # a member of the world's cohort
    marked = services.start_attempt(other, version)
    services.submit(marked, {"handover": "He wants to go home <b onmouseover=x>{{7*7}}</b>."})
    owner = world.me if world.persona.role == Role.LEARNER else other
    attempt = services.start_attempt(owner, version)
    answer = next(a for a in marked.answers if a.question_id == "handover")
    return {"assessment_attempt": attempt.id, "assessment_answer": answer.id}


MARK = "/assessments/marking/{assessment_answer}"

ROWS = {
    ("assessments.overview", "GET"): Row("/assessments/test-module", expect(200)),
    ("assessments.start", "POST"): Row(
        "/assessments/test-module/start", expect(403, learner=302, co_author=302), {}
    ),
    ("assessments.attempt", "GET"): Row(
        "/assessments/attempts/{assessment_attempt}", expect(404, **LEARNERS)
    ),
    ("assessments.answer", "POST"): Row(
        "/assessments/attempts/{assessment_attempt}",
        expect(404, learner=302, co_author=302),
        {"save": "y"},
    ),
    ("assessments.marking_queue", "GET"): Row(
        "/assessments/marking", expect(403, cohort_tutor=200, tutor=200, reviewer=200)
    ),
    ("assessments.mark", "GET"): Row(MARK, expect(403, **MARKERS)),
    ("assessments.save_mark", "POST"): Row(
        MARK,
        expect(403, **{**MARKERS, "cohort_tutor": 302}),
        {"points-0": "2", "points-1": "1", "points-2": "0", "feedback": "Clear."},
    ),
}
