"""Synthetic cohorts for the benchmarks: many learners playing the real course through the engine.

``generate(n)`` (inside an app context, on a migrated database) loads the course, makes one
tutor and one cohort of ``n`` learners with every module set, and has each learner play real
scenarios by random walks through the engine until ``choices_per_learner`` choices are recorded,
writing reflections (some shared with tutors, some replied to) and assessment attempts on the way.
Rows are inserted with SQLAlchemy Core ``insert()`` in executemany batches; the same seed gives
the same data.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.walks import BEGINNING, assess, play
from eduapp.accounts.models import Profession, Role, User, UserRole
from eduapp.accounts.passwords import hash_password
from eduapp.accounts.services import create_or_update_account
from eduapp.assessments.models import AssessmentAnswer, AssessmentAttempt
from eduapp.cohorts.models import Cohort, CohortMember, CohortModule, CohortTutor
from eduapp.content.models import DocumentKind
from eduapp.content.queries import (
    assessment_of,
    module_of,
    newest_scenario_versions,
    newest_versions,
    published_modules,
    scenario_of,
)
from eduapp.content.services import load_course
from eduapp.extensions import db
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.reflections.models import Reflection, ReflectionReply
from eduapp.tallies import services as tallies

ROOT = Path(__file__).resolve().parent.parent
#: Every generated account signs in with this phrase (the benchmark signs in through the form).
SIGN_IN_PHRASE = "a-long-benchmark-passphrase-for-all"
TUTOR_EMAIL = "bench-tutor@example.org"
#: Learners are walked and written this many at a time, so memory stays flat at any size.
LEARNERS_PER_CHUNK = 500
FIRST_NAMES = ("Ada", "Bea", "Cai", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kim", "Lou")
LAST_NAMES = ("Abbott", "Baker", "Chen", "Diallo", "Evans", "Fischer", "Garcia", "Hughes", "Ito")


@dataclass(frozen=True)
class Generated:
    """What the benchmarks need to find their way in the generated data."""

    cohort_id: int
    tutor_email: str
    #: A learner with a completed attempt, and that attempt (for the ending page).
    learner_email: str
    ending_attempt_id: int
    #: The scenario played most, for the insight page.
    busiest_scenario: str
    password: str
    learners: int
    attempts: int
    choice_events: int
    reflections: int


class _Ids:
    """Primary keys handed out in Python, so that child rows can be written in the same batch."""

    def __init__(self, table: sa.Table) -> None:
        self.next = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


def _insert(table: sa.Table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def generate(
    learners: int,
    *,
    choices_per_learner: int = 40,
    seed: int = 0,
    curriculum_dir: Path = ROOT / "curriculum",
    scenarios_dir: Path = ROOT / "scenarios",
) -> Generated:
    """Fill the database with one cohort of ``learners`` learners and their play; see the module."""
    rng = random.Random(seed)
    load_course(curriculum_dir, scenarios_dir)
    tutor, _ = create_or_update_account(
        TUTOR_EMAIL, "Bench Tutor", SIGN_IN_PHRASE, {Role.TUTOR}, None
    )
    course = _Course()
    cohort_id = _make_cohort(tutor.id, course)
    password_hash = hash_password(SIGN_IN_PHRASE)
    users, attempts = _Ids(User.__table__), _Ids(Attempt.__table__)
    assessment_attempts = _Ids(AssessmentAttempt.__table__)
    totals = {"attempts": 0, "events": 0, "reflections": 0}
    first_ending: tuple[str, int] | None = None
    for start in range(0, learners, LEARNERS_PER_CHUNK):
        batch = _Batch()
        for number in range(start, min(start + LEARNERS_PER_CHUNK, learners)):
            user_id = users.take()
            email = f"learner{number:05d}@bench.example.org"
            batch.user(user_id, email, _name(rng, number), rng, password_hash, cohort_id)
            finished = play(
                batch, course, rng, user_id, attempts.take, choices_per_learner, tutor.id
            )
            assess(batch, course, rng, user_id, finished, assessment_attempts.take)
            if first_ending is None and batch.completed:
                first_ending = (email, batch.completed[0])
        batch.write()
        totals["attempts"] += len(batch.rows[Attempt])
        totals["events"] += len(batch.rows[ChoiceEvent])
        totals["reflections"] += len(batch.rows[Reflection])
    _reset_sequences()
    # The rows went in around the services, so the running counts are computed once here,
    # as `flask tallies rebuild` would after a bulk import.
    tallies.rebuild()
    db.session.commit()
    email, ending = first_ending or ("", 0)
    return Generated(
        cohort_id=cohort_id,
        tutor_email=TUTOR_EMAIL,
        learner_email=email,
        ending_attempt_id=ending,
        busiest_scenario=course.scenarios[0][0],
        password=SIGN_IN_PHRASE,
        learners=learners,
        attempts=totals["attempts"],
        choice_events=totals["events"],
        reflections=totals["reflections"],
    )


class _Course:
    """The published course as the walks need it: scenarios in course order, assessments."""

    def __init__(self) -> None:
        self.modules = published_modules()
        slugs = [s for m in self.modules for s in module_of(m).scenarios]
        versions = newest_scenario_versions(slugs)
        #: (slug, version id, parsed scenario), in the order of the course.
        self.scenarios = [(s, versions[s].id, scenario_of(versions[s])) for s in slugs]
        by_module = {assessment_of(v).module: v for v in newest_versions(DocumentKind.ASSESSMENT)}
        #: Scenario slug -> (assessment version id, id of a free-text question or None).
        self.assessments: dict[str, tuple[int, str | None]] = {}
        for module in self.modules:
            version = by_module.get(module.slug)
            if version is None:
                continue
            text = [q.id for q in assessment_of(version).questions if q.type == "text"]
            for slug in module_of(module).scenarios:
                self.assessments[slug] = (version.id, text[0] if text else None)


def _make_cohort(tutor_id: int, course: _Course) -> int:
    cohort_id = db.session.execute(
        sa.insert(Cohort.__table__)
        .values(name="Benchmark cohort", join_code="BENCH1", created_at=BEGINNING)
        .returning(Cohort.__table__.c.id)
    ).scalar_one()
    _insert(CohortTutor.__table__, [{"cohort_id": cohort_id, "user_id": tutor_id}])
    # Half the modules are past their due date, so every status shows on the dashboard.
    _insert(
        CohortModule.__table__,
        [
            {
                "cohort_id": cohort_id,
                "document_id": module.document_id,
                "due_at": BEGINNING + timedelta(days=30 * (index + 1) - 60 * (index % 2)),
                "assigned_at": BEGINNING + timedelta(minutes=index),
            }
            for index, module in enumerate(course.modules)
        ],
    )
    return cohort_id


def _name(rng: random.Random, number: int) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {number}"


class _Batch:
    """Rows for a chunk of learners, written parents first."""

    ORDER = (
        User,
        UserRole,
        CohortMember,
        Attempt,
        ChoiceEvent,
        Reflection,
        AssessmentAttempt,
        AssessmentAnswer,
    )

    def __init__(self) -> None:
        self.rows: dict[type, list[dict]] = {model: [] for model in self.ORDER}
        self.replies: list[dict] = []
        #: Completed attempt ids of this batch.
        self.completed: list[int] = []

    def user(self, user_id, email, name, rng, password_hash, cohort_id) -> None:
        joined = BEGINNING + timedelta(minutes=rng.randrange(60 * 24 * 14))
        profession = rng.choice(list(Profession)).value
        self.rows[User].append(
            {
                "id": user_id,
                "email": email,
                "display_name": name,
                "password_hash": password_hash,
                "profession": profession,
                "created_at": joined,
            }
        )
        self.rows[UserRole].append({"user_id": user_id, "role": Role.LEARNER.value})
        self.rows[CohortMember].append(
            {"cohort_id": cohort_id, "user_id": user_id, "joined_at": joined}
        )

    def write(self) -> None:
        for model in self.ORDER:
            _insert(model.__table__, self.rows[model])
            if model is Reflection and self.replies:
                # Replies need the reflections' ids, which the database gave them.
                self._write_replies()

    def _write_replies(self) -> None:
        keys = {(r["attempt_id"], r["step"]): r for r in self.replies}
        table = Reflection.__table__
        found = db.session.execute(
            sa.select(table.c.id, table.c.attempt_id, table.c.step).where(
                table.c.attempt_id.in_({attempt for attempt, _ in keys})
            )
        )
        _insert(
            ReflectionReply.__table__,
            [
                {**keys[(a, s)]["reply"], "reflection_id": rid}
                for rid, a, s in found
                if (a, s) in keys
            ],
        )


def _reset_sequences() -> None:
    """On PostgreSQL, move the id sequences past the ids handed out here."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in (User.__table__, Attempt.__table__, AssessmentAttempt.__table__):
        highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1)).scalar_subquery()
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        db.session.execute(sa.select(sa.func.setval(sequence, highest)))
