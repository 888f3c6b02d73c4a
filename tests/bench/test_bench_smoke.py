"""The benchmark's generator works: a tiny cohort, played through the engine, on each backend."""

import sqlalchemy as sa

from bench.generate import generate
from eduapp.cohorts.models import CohortMember
from eduapp.extensions import db
from eduapp.models import metadata
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent


def test_generate_makes_a_cohort_whose_learners_each_record_forty_choices(app):
    made = generate(5, choices_per_learner=40, seed=3)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMember)) == 5
    per_learner = db.session.execute(
        sa.select(Attempt.user_id, sa.func.count(ChoiceEvent.id))
        .join(ChoiceEvent, ChoiceEvent.attempt_id == Attempt.id)
        .group_by(Attempt.user_id)
    ).all()
    assert sorted(count for _, count in per_learner) == [40] * 5
    assert made.choice_events == 200
    ending = db.session.get(Attempt, made.ending_attempt_id)
    assert ending.status == AttemptStatus.COMPLETED.value


def _labels() -> list[str]:
    return db.session.scalars(sa.select(ChoiceEvent.choice_label).order_by(ChoiceEvent.id)).all()


def test_generate_is_deterministic_for_a_seed(app):
    first = generate(3, seed=7)
    labels = _labels()
    assert first.choice_events == 120 and len(labels) == 120
    for table in reversed(metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    generate(3, seed=7)
    assert _labels() == labels
