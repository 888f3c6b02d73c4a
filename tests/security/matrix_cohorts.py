"""Access rows for cohorts. The world's cohort is taught by the cohort_tutor persona (or by a
tutor made here) and has the learner or co-author persona and another learner as members; the
tutor persona teaches a different cohort."""

from access_world import Row, expect

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version


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
    return {"cohort": cohort, "cohort_id": cohort.id, "join_code": cohort.join_code,
            "module_document_id": module.document_id}


TAUGHT = {"cohort_tutor": 200, "admin": 200}

ROWS: dict = {}
assert Row and expect and TAUGHT
