"""The load test's checker finds what it must: a lost choice, a changed reflection, an attempt
row out of step with its events, a sign-up without its account, mail never sent; and the
learner's page parser reads the real step page."""

import sqlalchemy as sa

from bench.load.checker import check
from bench.load.ledger import ACKED, UNKNOWN, ChoiceClaim, LearnerLedger, ReflectionWrite
from bench.load.pages import parse
from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db
from eduapp.mail.models import OutboxMail
from eduapp.mail.services import queue_mail
from eduapp.player import services
from eduapp.player.models import Attempt
from eduapp.reflections.models import Visibility
from eduapp.tallies.models import VersionChoiceCount
from eduapp.transaction import unit_of_work

NOTE = "I noticed her worry <b>first</b> & the café noise."


def _played(make_user, database_url):
    """A learner who chose twice with a reflection at the first node; their honest ledger."""
    user = make_user(Role.LEARNER)
    with unit_of_work():
        version = newest_version(DocumentKind.SCENARIO, "ward-round")
        attempt = services.start_attempt(user, version)
        reflection = services.ReflectionInput(NOTE, Visibility.PRIVATE)
        assert services.choose(attempt, 0, 1, reflection) is services.Outcome.RECORDED
        assert services.choose(attempt, 1, 1) is services.Outcome.RECORDED
    ledger = LearnerLedger(user.email, attempts={attempt.id})
    ledger.choices += [
        ChoiceClaim(attempt.id, 1, 1, "single"),
        ChoiceClaim(attempt.id, 2, 1, "double-concurrent"),
        ChoiceClaim(attempt.id, 2, 1, "double-concurrent"),
    ]
    ledger.reflections.append(ReflectionWrite(attempt.id, 0, NOTE, ACKED, "choice"))
    db.session.remove()
    return attempt.id, ledger


def test_an_honest_ledger_passes(app, course, make_user, database_url):
    _, ledger = _played(make_user, database_url)
    report = check(database_url, [ledger])
    assert report.ok, report.problems
    assert (report.records_checked, report.events_checked, report.attempts_checked) == (4, 2, 1)


def test_a_made_up_choice_and_a_changed_reflection_are_reported_lost(
    app, course, make_user, database_url
):
    attempt_id, ledger = _played(make_user, database_url)
    ledger.choices.append(ChoiceClaim(attempt_id, 3, 1, "single"))
    ledger.reflections.append(ReflectionWrite(attempt_id, 0, "a later text", ACKED, "save"))
    report = check(database_url, [ledger])
    assert (report.choices_lost, report.reflections_lost, report.ok) == (1, 1, False)


def test_a_later_write_whose_answer_never_came_may_be_the_one_stored(
    app, course, make_user, database_url
):
    attempt_id, ledger = _played(make_user, database_url)
    ledger.reflections.insert(0, ReflectionWrite(attempt_id, 0, "first draft", ACKED, "save"))
    ledger.reflections[1].outcome = UNKNOWN
    assert check(database_url, [ledger]).ok


def test_an_attempt_row_that_disagrees_with_its_events_is_an_inconsistency(
    app, course, make_user, database_url
):
    attempt_id, ledger = _played(make_user, database_url)
    db.session.execute(sa.update(Attempt).where(Attempt.id == attempt_id).values(node_id="asks"))
    db.session.commit()
    report = check(database_url, [ledger])
    assert report.inconsistencies == 1 and not report.ok


def test_running_counts_that_disagree_with_a_recount_are_an_inconsistency(
    app, course, make_user, database_url
):
    _, ledger = _played(make_user, database_url)
    db.session.execute(
        sa.update(VersionChoiceCount).values(learners=VersionChoiceCount.learners + 1)
    )
    db.session.commit()
    report = check(database_url, [ledger])
    assert report.inconsistencies == 1 and "version_choice_counts" in report.problems[0]
    assert db.session.scalar(sa.select(sa.func.min(VersionChoiceCount.learners))) == 2


def test_the_learner_reads_the_step_page_as_a_browser_would(client, auth, course, make_user):
    user = make_user(Role.LEARNER)
    auth.login(user)
    start = parse(client.get("/modules/test-module").get_data(as_text=True))
    form = start.form_to("/scenarios/ward-round/start")[0]
    path = client.post(form.action, data=form.hidden).headers["Location"]
    client.post(path, data={**form.hidden, "step": "0", "reflection": NOTE, "save_reflection": "1"})
    page = parse(client.get(path).get_data(as_text=True))
    step = next(f for f in page.forms if f.action == path)
    assert step.hidden["step"] == "0" and step.hidden["csrf_token"]
    assert step.textareas["reflection"] == NOTE
    assert [b.value for b in step.buttons if b.name == "choice"] == ["1", "2"]
    assert "Your reflection is saved." in page.flashes


def test_a_learner_told_their_account_is_ready_must_have_it_confirmed(
    app, course, make_user, database_url
):
    _, ledger = _played(make_user, database_url)
    ledger.signed_up = True
    unconfirmed = make_user(verified=False)
    ledgers = [
        ledger,
        LearnerLedger(unconfirmed.email, signed_up=True),
        LearnerLedger("never-made@example.org", signed_up=True),
        LearnerLedger("still-waiting@example.org"),  # did not finish: nothing is claimed
    ]
    report = check(database_url, ledgers)
    assert (report.sign_ups_acknowledged, report.accounts_lost) == (3, 2)
    assert sorted(p.split(", ")[1] for p in report.problems) == [
        "account missing",
        "account unconfirmed",
    ]


def _mail_to(address: str) -> OutboxMail:
    mail = queue_mail(address, "Hello", "confirm_address", name="Ana", link="https://x/l", hours=1)
    db.session.commit()
    return mail


def test_mail_left_unsent_or_sent_without_its_file_is_an_inconsistency(app, database_url, tmp_path):
    app.config.update(MAIL_BACKEND="files", MAIL_DIR=tmp_path)
    delivered, unsent, lost_file = (_mail_to(f"l{n}@example.org") for n in range(3))
    app.test_cli_runner().invoke(args=["mail", "send"])  # sends all three
    db.session.execute(sa.update(OutboxMail).where(OutboxMail.id == unsent.id).values(sent_at=None))
    db.session.commit()
    (tmp_path / f"{lost_file.id:07d}.eml").unlink()

    report = check(database_url, [], tmp_path)

    assert report.mail_sent == 2 and report.inconsistencies == 3
    assert report.problems == [
        f"mail {unsent.id} never sent (1 tries)",
        f"mail {lost_file.id} marked sent, but no file",
        f"mail {unsent.id} written, but not marked sent",
    ]
    assert f"{delivered.id:07d}.eml" in {path.name for path in tmp_path.iterdir()}
