"""Compare what every simulated learner was told was saved with what the database holds.

    python -m bench.load.checker DATABASE_URL LEDGER.json [MAIL_DIR]

Reads the database directly (SQLAlchemy, the app's models) and checks that:

- every learner who finished signing up (pressed the mailed link's button and was signed in)
  has its account, with its address confirmed; every message in the outbox was sent, and, given
  the folder the files backend wrote to, each sent message is there once and nothing else is;
- every acknowledged choice exists exactly once, as the event of its attempt and step, with the
  choice the learner pressed;
- the events of every attempt have unique steps 1..n, chain from the scenario's start node, and
  replay through the engine to exactly the nodes and variables recorded; the attempt row's step,
  node and variables equal its last event's (or the start state without events), and its status
  agrees with the node (completed exactly at an ending);
- every acknowledged reflection is present with the text last acknowledged (or a text the
  learner sent later whose answer never came), and no visit has two reflections;
- the running counts the dashboards read (eduapp/tallies), kept by the workers while learners
  played and joined the cohort, equal a recount from the recorded choices.

Exits 1 on any loss or inconsistency.
"""

import sys
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.databases import bench_app
from bench.load import ledger as ledger_file
from bench.load.ledger import ACKED, UNKNOWN, LearnerLedger
from eduapp.accounts.models import User
from eduapp.content.queries import parse_scenario_source
from eduapp.engine import ChoiceUnavailable, start_state, take_choice
from eduapp.extensions import db
from eduapp.mail.models import OutboxMail
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.reflections.models import Reflection
from eduapp.tallies import services as tallies
from eduapp.tallies.models import (
    CohortProfession,
    CohortTally,
    LearnerChoice,
    LearnerScenario,
    VersionChoiceCount,
)


@dataclass
class CheckReport:
    attempts_checked: int = 0
    events_checked: int = 0
    reflections_in_database: int = 0
    sign_ups_acknowledged: int = 0
    choices_acknowledged: int = 0
    reflections_acknowledged: int = 0
    accounts_lost: int = 0
    choices_lost: int = 0
    reflections_lost: int = 0
    mail_sent: int = 0
    duplicates: int = 0
    inconsistencies: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def records_checked(self) -> int:
        return (
            self.sign_ups_acknowledged + self.choices_acknowledged + self.reflections_acknowledged
        )

    @property
    def records_lost(self) -> int:
        return self.accounts_lost + self.choices_lost + self.reflections_lost

    @property
    def ok(self) -> bool:
        return not (self.records_lost or self.duplicates or self.inconsistencies)

    def problem(self, kind: str, message: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        self.problems.append(message)

    def as_dict(self) -> dict:
        return {
            "attempts_checked": self.attempts_checked,
            "events_checked": self.events_checked,
            "reflections_in_database": self.reflections_in_database,
            "sign_ups_acknowledged": self.sign_ups_acknowledged,
            "mail_sent": self.mail_sent,
            "choices_acknowledged": self.choices_acknowledged,
            "reflections_acknowledged": self.reflections_acknowledged,
            "records_checked": self.records_checked,
            "records_lost": self.records_lost,
            "duplicates": self.duplicates,
            "inconsistencies": self.inconsistencies,
            "problems": self.problems[:50],
        }


def check(url: str, ledgers: list[LearnerLedger], mail_dir: Path | None = None) -> CheckReport:
    report = CheckReport()
    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            _check_sign_ups(session, ledgers, report)
            _check_outbox(session, mail_dir, report)
            _check_duplicates(session, report)
            events = _events_by_attempt(session)
            _check_attempts(session, events, report)
            _check_claims(session, events, ledgers, report)
    finally:
        engine.dispose()
    _check_tallies(url, report)
    return report


def _check_tallies(url: str, report: CheckReport) -> None:
    """Recount in a transaction that is rolled back, and compare with what was kept."""
    app = bench_app(url)
    with app.app_context():
        kept = tally_rows()
        tallies.rebuild()
        recounted = tally_rows()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    for table in kept:
        differing = set(kept[table]) ^ set(recounted[table])
        if differing:
            report.problem(
                "inconsistencies",
                f"{table}: {len(differing)} rows differ from a recount, e.g. {min(differing)}",
            )


def tally_rows() -> dict[str, list[tuple]]:
    """Every running count that a recount from the recorded choices must reproduce."""
    return {
        model.__tablename__: sorted(
            tuple(row) for row in db.session.execute(sa.select(*model.__table__.c))
        )
        for model in (
            CohortTally,
            LearnerChoice,
            VersionChoiceCount,
            LearnerScenario,
            CohortProfession,
        )
    }


def _check_sign_ups(session: Session, ledgers: list, report: CheckReport) -> None:
    """A learner told "your account is ready" has it (the address is unique: exactly one)."""
    confirmed = dict(session.execute(sa.select(User.email, User.email_verified_at)).all())
    for learner in ledgers:
        if not learner.signed_up:
            continue
        report.sign_ups_acknowledged += 1
        if confirmed.get(learner.email) is None:
            state = "unconfirmed" if learner.email in confirmed else "missing"
            report.problem("accounts_lost", f"{learner.email}: signed up, account {state}")


def _check_outbox(session: Session, mail_dir: Path | None, report: CheckReport) -> None:
    """Every queued message was sent; the files backend wrote each sent one, once."""
    rows = session.execute(sa.select(OutboxMail.id, OutboxMail.sent_at, OutboxMail.tries)).all()
    for mail_id, sent_at, tries in rows:
        if sent_at is None:
            report.problem("inconsistencies", f"mail {mail_id} never sent ({tries} tries)")
    sent = {mail_id for mail_id, sent_at, _ in rows if sent_at is not None}
    report.mail_sent = len(sent)
    if mail_dir is None:
        return
    written = {int(path.stem) for path in mail_dir.glob("*.eml")}
    for mail_id in sorted(sent - written):
        report.problem("inconsistencies", f"mail {mail_id} marked sent, but no file")
    for mail_id in sorted(written - sent):
        report.problem("inconsistencies", f"mail {mail_id} written, but not marked sent")


def _check_duplicates(session: Session, report: CheckReport) -> None:
    for model in (ChoiceEvent, Reflection):
        rows = session.execute(
            sa.select(model.attempt_id, model.step, sa.func.count())
            .group_by(model.attempt_id, model.step)
            .having(sa.func.count() > 1)
        ).all()
        for attempt_id, step, count in rows:
            report.problem(
                "duplicates", f"{model.__tablename__}: attempt {attempt_id} step {step} x{count}"
            )


def _events_by_attempt(session: Session) -> dict[int, list[ChoiceEvent]]:
    events: dict[int, list[ChoiceEvent]] = {}
    for event in session.scalars(sa.select(ChoiceEvent).order_by("attempt_id", "step")):
        events.setdefault(event.attempt_id, []).append(event)
    return events


def _check_attempts(session: Session, events: dict, report: CheckReport) -> None:
    """Replay every attempt's events through the engine and compare with the stored rows."""
    for attempt in session.scalars(sa.select(Attempt).where(Attempt.version_id.is_not(None))):
        report.attempts_checked += 1
        mine = events.get(attempt.id, [])
        report.events_checked += len(mine)
        scenario = parse_scenario_source(attempt.version.source, attempt.version.document.slug)
        state = start_state(scenario)
        where = f"attempt {attempt.id}"
        if [e.step for e in mine] != list(range(1, len(mine) + 1)):
            report.problem("inconsistencies", f"{where}: steps {[e.step for e in mine]}")
            continue
        for event in mine:
            if event.from_node != state.node_id:
                report.problem("inconsistencies", f"{where} step {event.step}: wrong from_node")
                break
            try:
                state = take_choice(scenario, state, event.choice_number)
            except ChoiceUnavailable:
                report.problem("inconsistencies", f"{where} step {event.step}: choice not offered")
                break
            if (event.to_node, event.variables_after) != (state.node_id, dict(state.variables)):
                report.problem("inconsistencies", f"{where} step {event.step}: replay differs")
                break
        else:
            stored = (attempt.step, attempt.node_id, attempt.variables)
            if stored != (state.step, state.node_id, dict(state.variables)):
                report.problem("inconsistencies", f"{where}: row differs from its last event")
            at_ending = scenario.node(attempt.node_id).is_ending
            completed = attempt.status == AttemptStatus.COMPLETED.value
            if at_ending != completed and attempt.status != AttemptStatus.ABANDONED.value:
                report.problem("inconsistencies", f"{where}: status {attempt.status} at node")
    report.reflections_in_database = session.scalar(sa.select(sa.func.count(Reflection.id)))


def _check_claims(session: Session, events: dict, ledgers: list, report: CheckReport) -> None:
    owners = dict(session.execute(sa.select(User.email, User.id)).all())
    attempt_owner = dict(session.execute(sa.select(Attempt.id, Attempt.user_id)).all())
    bodies = {
        (attempt_id, step): body
        for attempt_id, step, body in session.execute(
            sa.select(Reflection.attempt_id, Reflection.step, Reflection.body)
        )
    }
    for learner in ledgers:
        user_id = owners.get(learner.email)
        for attempt_id in learner.attempts:
            if attempt_owner.get(attempt_id) != user_id:
                report.problem(
                    "inconsistencies", f"{learner.email}: attempt {attempt_id} not theirs"
                )
        for claim in learner.choices:
            report.choices_acknowledged += 1
            recorded = [e for e in events.get(claim.attempt, []) if e.step == claim.step]
            if len(recorded) != 1 or recorded[0].choice_number != claim.choice:
                report.problem(
                    "choices_lost",
                    f"{learner.email}: choice {claim.choice} at attempt {claim.attempt} step "
                    f"{claim.step} ({claim.how}) is {[e.choice_number for e in recorded]}",
                )
        _check_reflections(learner, bodies, report)


def _check_reflections(learner: LearnerLedger, bodies: dict, report: CheckReport) -> None:
    writes_by_visit: dict[tuple[int, int], list] = {}
    for write in learner.reflections:
        writes_by_visit.setdefault((write.attempt, write.step), []).append(write)
    for visit, writes in writes_by_visit.items():
        acked = [i for i, w in enumerate(writes) if w.outcome == ACKED]
        report.reflections_acknowledged += len(acked)
        if not acked:
            continue
        last = acked[-1]
        allowed = {writes[last].text.strip()} | {
            w.text.strip() for w in writes[last + 1 :] if w.outcome == UNKNOWN
        }
        if bodies.get(visit) not in allowed:
            report.problem(
                "reflections_lost",
                f"{learner.email}: reflection at attempt {visit[0]} step {visit[1]} "
                f"({writes[last].via}) is {'missing' if visit not in bodies else 'different'}",
            )


def format_check(report: CheckReport) -> str:
    lines = [
        f"attempts checked        {report.attempts_checked}",
        f"choice events checked   {report.events_checked}",
        f"reflections in database {report.reflections_in_database}",
        f"sign-ups acknowledged   {report.sign_ups_acknowledged}",
        f"mail sent               {report.mail_sent}",
        f"acknowledged choices    {report.choices_acknowledged}",
        f"acknowledged reflection writes {report.reflections_acknowledged}",
        f"records lost            {report.records_lost}",
        f"duplicates              {report.duplicates}",
        f"inconsistencies         {report.inconsistencies}",
    ]
    lines += [f"  PROBLEM: {p}" for p in report.problems[:50]]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    mail_dir = Path(argv[2]) if len(argv) == 3 else None
    report = check(argv[0], ledger_file.load(Path(argv[1])), mail_dir)
    print(format_check(report))
    print("OK: nothing lost" if report.ok else "FAILED: loss or inconsistency")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
