"""Access rows for syncing a cohort's roster from its LMS course. The world has a cohort that
came from an LMS course (taught by the cohort_tutor persona, or by a tutor made here) whose
platform is a closed port: an allowed sync comes back to the dashboard with the message that
the LMS could not be reached. Tutors of other cohorts get 404, as if it did not exist."""

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.extensions import db
from eduapp.lti.models import Context, Deployment, Platform
from tests.security.access_world import Row, expect

#: Nothing listens there: the platform is down.
CLOSED = "http://127.0.0.1:9"


def prepare(world):
    teacher = world.me if world.persona.name == "cohort_tutor" else world.make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(teacher, "Course from the LMS")
    platform = Platform(
        name="Roster matrix LMS",
        issuer="https://roster-matrix.example.edu",
        client_id="eduapp-roster-matrix",
        auth_url=f"{CLOSED}/auth",
        token_url=f"{CLOSED}/token",
        jwks_url=f"{CLOSED}/jwks",
    )
    platform.deployments.append(Deployment(deployment_id="deployment-1"))
    db.session.add(platform)
    db.session.flush()
    db.session.add(
        Context(
            platform_id=platform.id,
            context_id="course-1",
            cohort_id=cohort.id,
            deployment_id="deployment-1",
            title="Interprofessional practice",
            memberships_url=f"{CLOSED}/courses/course-1/memberships",
        )
    )
    db.session.flush()
    return {"lms_cohort_id": cohort.id}


ROWS = {
    ("lti_roster.sync", "POST"): Row(
        "/lti/cohorts/{lms_cohort_id}/roster",
        expect(403, tutor=404, reviewer=404, cohort_tutor=302, admin=302),
        {},
    ),
}
