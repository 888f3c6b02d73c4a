"""Reflections made as learners make them, cohorts to share them in, and their pages read."""

import sqlalchemy as sa

from eduapp.cohorts import services as cohorts
from eduapp.content.models import Document, DocumentKind, Revision
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.player import services as player
from eduapp.player.models import Attempt
from eduapp.reflections.models import Reflection, Visibility
from eduapp.transaction import unit_of_work

HOSTILE = "<b onmouseover=alert(1)>bold</b> and {{7*7}}"


def cohort_with(tutor, *learners, name="Cohort A"):
    """A cohort of the tutor's with these learners, committed as its requests would be."""
    with unit_of_work():
        cohort = cohorts.create_cohort(tutor, name)
        for learner in learners:
            cohorts.join(learner, cohort)
    return cohort


def reflect(learner, body="She looked tired.", visibility=Visibility.TUTORS) -> Reflection:
    """A new reflection of the learner at the first node of the fixture scenario, committed."""
    with unit_of_work():
        version = newest_version(DocumentKind.SCENARIO, "ward-round")
        attempt = player.start_attempt(learner, version, fresh=True)
        assert player.save_reflection(attempt, 0, player.ReflectionInput(body, visibility))
    return db.session.scalar(
        sa.select(Reflection).where(Reflection.attempt_id == attempt.id, Reflection.step == 0)
    )


def playtest_reflection(user, body="Playtest words") -> Reflection:
    """A reflection shared with tutors, written in an author's playtest of a draft."""
    revision = db.session.scalar(
        sa.select(Revision)
        .join(Document, Document.id == Revision.document_id)
        .where(Document.slug == "ward-round")
    )
    attempt = Attempt(
        user_id=user.id,
        revision_id=revision.id,
        is_playtest=True,
        node_id="bedside",
        variables={},
    )
    db.session.add(attempt)
    db.session.flush()
    reflection = Reflection(
        attempt_id=attempt.id,
        user_id=user.id,
        step=0,
        node_id="bedside",
        prompt="What did you notice first?",
        body=body,
        visibility=Visibility.TUTORS.value,
    )
    db.session.add(reflection)
    db.session.commit()
    return reflection


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)
