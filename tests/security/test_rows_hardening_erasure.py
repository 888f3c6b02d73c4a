"""Erasure and the data download (SECURITY.md rows 27 and 28).

Row 27: everything a learner wrote anywhere (studio comments, revision messages, sign-off notes,
credit, peer reviews) is in her download, and after erasure none of it identifies her; every
table says in the personal-data registry (eduapp/privacy.py) how it is exported and erased.
Row 28: erasing one learner never edits anyone else's records; the audit log stays intact.
"""

import json
import secrets
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from eduapp import create_app
from eduapp.accounts.models import LoginAttempt, Role
from eduapp.audit.models import AuditEvent
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind, Revision
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.models import metadata
from eduapp.mydata import registry, services
from eduapp.mydata.export import SECTIONS
from eduapp.notifications.models import Notification
from eduapp.player import services as player
from eduapp.privacy import Erasure, Names, said_columns
from eduapp.reflections import services as reflections
from eduapp.reflections.models import PeerReviewAllocation, Visibility
from eduapp.studio import commenting, members, publishing, revisions
from eduapp.studio import queries as studio_queries
from eduapp.studio.models import Comment, Decision, MemberRole, Membership, SignOff
from tests.support.accounts import Auth
from tests.support.app import config_for

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
BEFORE_HARDENING = "47bab952dcc1"

NAME = "Philippa Wrenfield"
EMAIL = "philippa.wrenfield@example.org"
#: What she writes, each a phrase found nowhere else.
COMMENT = "Marmoset thought: the carer needs a voice here"
MESSAGE = "Kestrel rewrite of the opening"
NOTE = "Quokka approves this wording"
CREDIT = "Wrenfield, third-year nursing"
REVIEW = "Pangolin says: brave and clear"


def _verified(user, name=None):
    """An account whose address is confirmed, so that invitations to it apply."""
    user.email_verified_at = utcnow()
    if name is not None:
        user.display_name = name
    db.session.commit()
    return user


def _play(user, reflection_text=None):
    """Play the test course's ward round to an ending, writing a reflection at the first step."""
    attempt = player.start_attempt(user, newest_version(DocumentKind.SCENARIO, "ward-round"))
    for index, number in enumerate((1, 1, 1)):
        note = None
        if index == 0 and reflection_text:
            note = player.ReflectionInput(reflection_text, Visibility.TUTORS)
        player.choose(attempt, attempt.step, number, note)
    return attempt


def _draft(educator):
    return revisions.create_document(
        educator, DocumentKind.SCENARIO, "night-handover", "The night handover", "patient educator"
    )


def _text_columns() -> list[sa.Column]:
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.JSON)
    ]


def _mentions(*needles: str) -> list[str]:
    """table.column: value for every text (JSON included) of every table holding a needle."""
    found = []
    for column in _text_columns():
        for value in db.session.scalars(sa.select(column).where(column.is_not(None))):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if any(needle.lower() in text.lower() for needle in needles):
                found.append(f"{column.table.name}.{column.name}: {text[:60]}")
    return found


def _learner_who_wrote_everywhere(make_user, client):
    learner = _verified(make_user(Role.LEARNER, email=EMAIL), NAME)
    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    peer = make_user(Role.LEARNER, profession="pharmacy")

    document = _draft(educator)
    members.invite(educator, document, EMAIL, MemberRole.PEER_STUDENT, CREDIT)
    source = studio_queries.latest_revision(document).source
    edited = source.replace("What the learner sees first.", "What the learner sees at first.")
    revisions.save_source(learner, document, 1, edited, MESSAGE)
    comment = commenting.add_comment(learner, document, 2, "node:opening", COMMENT)
    commenting.add_comment(educator, document, 2, "node:opening", "Agreed, thank you.", comment.id)
    publishing.review(learner, document, 2, Decision.APPROVE, NOTE)

    cohort = cohorts.create_cohort(tutor, "Night shift")
    for member in (learner, peer):
        cohorts.join(member, cohort)
    peers_reflection = _play(peer, "Mine, for review.").reflections[0]
    review = reflections.open_peer_review(tutor, peers_reflection, cohort.id)
    [allocation] = review.allocations  # she is the only other learner of the cohort
    assert allocation.reviewer_id == learner.id
    scores = {key: 3 for key, _ in reflections.RUBRIC}
    assert reflections.submit_peer_review(allocation, scores, REVIEW)

    assert Auth(client).login(EMAIL, "not her passphrase").status_code in (401, 429)
    return learner, educator, peer, comment


def test_row_27_the_download_holds_everything_she_wrote_and_erasure_leaves_none_of_it(
    client, auth, make_user, course
):
    learner, educator, peer, comment = _learner_who_wrote_everywhere(make_user, client)

    auth.login(learner)
    response = client.get("/my/data/export")
    assert response.status_code == 200
    data = response.get_json()
    assert [c["text"] for c in data["studio_comments"]] == [COMMENT]
    assert [(r["document"], r["revision"], r["message"]) for r in data["studio_revisions"]] == [
        ("night-handover", 2, MESSAGE)
    ]
    assert [(s["revision"], s["decision"], s["note"]) for s in data["studio_sign_offs"]] == [
        (2, "approve", NOTE)
    ]
    assert [(m["role"], m["credit"]) for m in data["studio_memberships"]] == [
        ("peer_student", CREDIT)
    ]
    [written] = data["peer_reviews_written"]
    assert written["comment"] == REVIEW and written["scores"] == {
        key: 3 for key, _ in reflections.RUBRIC
    }
    assert {(e["action"], e["by_me"]) for e in data["audit_log"]} >= {
        ("invited", False),
        ("edited", True),
        ("signed_off", True),
    }
    text = response.get_data(as_text=True)
    assert "Mine, for review." not in text and "Agreed, thank you." not in text
    assert peer.display_name not in text and educator.email not in text
    auth.logout()

    keys = registry.throttle_keys(learner)
    assert db.session.query(LoginAttempt).filter(LoginAttempt.key_hash.in_(keys)).count() > 0
    needles = (NAME, EMAIL, "Wrenfield", COMMENT, MESSAGE, NOTE, CREDIT, REVIEW)
    assert len(_mentions(*needles)) >= 7  # the scan finds her before erasure

    admin = make_user(Role.ADMIN)
    auth.login(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"{NAME} as Peer student" in page and MESSAGE in page and NOTE in page

    services.erase_learner(learner, admin)
    db.session.expire_all()

    assert _mentions(*needles) == []
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Erased learner as Peer student" in page and "[erased]" in page
    assert not any(needle in page for needle in needles)
    assert db.session.query(LoginAttempt).filter(LoginAttempt.key_hash.in_(keys)).count() == 0
    assert db.session.query(Notification).filter_by(user_id=learner.id).count() == 0
    # What others built on her work stays: the thread, the history, the decision, the scores.
    thread = db.session.get(Comment, comment.id)
    assert thread.body == "[erased]" and thread.author.display_name == "Erased learner"
    assert [reply.body for reply in thread.replies] == ["Agreed, thank you."]
    revision = db.session.scalars(sa.select(Revision).where(Revision.number == 2)).one()
    assert (revision.message, revision.author_id) == ("[erased]", learner.id)
    sign_off = db.session.scalars(sa.select(SignOff).where(SignOff.user_id == learner.id)).one()
    assert (sign_off.decision, sign_off.note) == ("approve", "[erased]")
    membership = db.session.scalars(sa.select(Membership).filter_by(user_id=learner.id)).one()
    assert membership.credit == "co-author"
    allocation = db.session.scalars(sa.select(PeerReviewAllocation)).one()
    assert allocation.comment == "[erased]" and allocation.scores["tension"] == 3


def _unsaid(tables: sa.MetaData) -> list[str]:
    """table.column for every user id or text column that no registry entry accounts for."""
    models = registry.models_by_table()
    missing = []
    for table in tables.sorted_tables:
        said = said_columns(models[table.name]) if table.name in models else set()
        for column in table.columns:
            holds_text = isinstance(column.type, sa.String | sa.JSON)
            names_someone = any(fk.target_fullname == "users.id" for fk in column.foreign_keys)
            if (holds_text or names_someone) and column.name not in said:
                missing.append(f"{table.name}.{column.name}")
    return missing


def test_row_27_every_table_says_how_its_people_and_texts_are_exported_and_erased(app):
    assert _unsaid(metadata) == []

    # A new table holding a user id and text, saying nothing, fails.
    extra = sa.MetaData()
    sa.Table("users", extra, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "diary_entries",
        extra,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.ForeignKey("users.id")),
        sa.Column("body", sa.Text),
    )
    assert _unsaid(extra) == ["diary_entries.user_id", "diary_entries.body"]

    someone = type("Someone", (), {"id": 1, "email": "someone@example.org"})()
    for table, entry in registry.entries():
        where = f"{table.name}: {entry}"
        declared = {entry.owner, *entry.shows, *entry.blank, *entry.withheld}
        assert declared <= set(table.c.keys()), where
        assert entry.why.strip(), where
        assert bool(entry.blank) == (entry.erasure in (Erasure.BLANK, Erasure.PSEUDONYMISE)), where
        if entry.section is None:
            assert not entry.shows, where
        elif entry.section not in SECTIONS:
            assert entry.shows and len(registry.sections()[entry.section]) == 1, where
        for name in entry.blank:
            length = getattr(table.c[name].type, "length", None)
            assert length is None or len(entry.replacement) <= length, where
        if entry.names is Names.ID:
            registry.owned_by(table, entry, someone)  # the owner leads to an account


def _snapshot(model, *where) -> list[tuple]:
    table = model.__table__
    query = sa.select(table).where(*where).order_by(*table.primary_key.columns)
    return [tuple(row) for row in db.session.execute(query)]


def test_row_28_erasing_a_learner_never_edits_anyone_elses_records(client, auth, make_user, course):
    learner = _verified(make_user(Role.LEARNER, email="r@example.org"), "ok")
    tutor = _verified(make_user(Role.TUTOR, email="tutor@example.org"))
    educator = make_user(Role.PATIENT_EDUCATOR)
    other = make_user(Role.LEARNER)

    document = _draft(educator)
    members.invite(educator, document, "tutor@example.org", MemberRole.STAFF, "nursing tutor")
    members.invite(educator, document, "r@example.org", MemberRole.PEER_STUDENT, "student")
    publishing.review(tutor, document, 1, Decision.APPROVE, "ok")
    publishing.review(educator, document, 1, Decision.APPROVE, "ok, looks good")
    members.remove_member(educator, document, studio_queries.membership_of(document, learner))
    cohort = cohorts.create_cohort(tutor, "Book club")
    for member in (learner, other):
        cohorts.join(member, cohort)
    reflections.open_peer_review(tutor, _play(other, "Worth a look.").reflections[0], cohort.id)

    audit_before = _snapshot(AuditEvent)
    others_notifications = _snapshot(Notification, Notification.user_id != learner.id)
    others_sign_offs = _snapshot(SignOff, SignOff.user_id != learner.id)
    assert [row.note for row in db.session.scalars(sa.select(SignOff))] == ["ok", "ok, looks good"]
    assert any("Book club" in row[2] for row in others_notifications)
    # The peer review, the studio invitation and the two sign-offs on the draft she was on.
    assert db.session.query(Notification).filter_by(user_id=learner.id).count() == 4

    admin = make_user(Role.ADMIN)
    services.erase_learner(learner, admin)
    db.session.expire_all()

    audit_after = _snapshot(AuditEvent)
    assert audit_after[: len(audit_before)] == audit_before
    [erased] = audit_after[len(audit_before) :]
    event = db.session.get(AuditEvent, erased[0])
    assert (event.action, event.actor_id, event.subject_id) == ("erased", admin.id, learner.id)
    assert _snapshot(Notification, Notification.user_id != learner.id) == others_notifications
    assert _snapshot(SignOff, SignOff.user_id != learner.id) == others_sign_offs
    assert db.session.query(Notification).filter_by(user_id=learner.id).count() == 0

    # The log names people as their accounts read now: the erased learner as erased.
    auth.login(admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"{tutor.display_name} as Staff" in page
    assert "Erased learner as Peer student" in page
    assert "r@example.org" not in page and "tutor@example.org" not in page


def _throwaway_database(database_url: str, tmp_path):
    """A URL for an empty database of the same backend, and a function that drops it."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'migration.db'}", lambda: None
    name = f"eduapp_migration_{secrets.token_hex(4)}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def test_row_28_the_migration_moves_addresses_in_the_audit_log_to_ids(database_url, tmp_path):
    url, drop = _throwaway_database(database_url, tmp_path)
    app = create_app(config_for(url))
    now = utcnow()
    users = sa.table(
        "users", *(sa.column(c) for c in ("id", "email", "display_name", "password_hash")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    documents = sa.table(
        "documents", sa.column("id"), sa.column("kind"), sa.column("slug"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    audit = sa.table(
        "audit_events", *(sa.column(c) for c in ("id", "action", "document_id", "detail")),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )  # fmt: skip
    old_details = [
        (1, "invited", "r@example.org as Peer student"),
        (2, "invited", "tutor@example.org as Staff"),
        (3, "removed", "r@example.org"),
        (4, "invited", "gone@example.org as Staff"),
        (5, "edited", "Kestrel rewrite of the opening"),
        (6, "signed_off", "ok"),
        (7, "published", "version 1"),
    ]
    try:
        with app.app_context():
            flask_migrate.upgrade(directory=str(MIGRATIONS), revision=BEFORE_HARDENING)
            with db.engine.begin() as connection:
                connection.execute(
                    sa.insert(users),
                    [
                        {"id": 1, "email": "r@example.org", "display_name": "ok",
                         "password_hash": "x", "created_at": now},
                        {"id": 2, "email": "tutor@example.org", "display_name": "Tutor",
                         "password_hash": "x", "created_at": now},
                    ],
                )  # fmt: skip
                connection.execute(
                    sa.insert(documents),
                    {"id": 1, "kind": "scenario", "slug": "night-handover", "created_at": now},
                )
                connection.execute(
                    sa.insert(audit),
                    [
                        {"id": i, "action": a, "document_id": 1, "detail": d, "created_at": now}
                        for i, a, d in old_details
                    ],
                )
            flask_migrate.upgrade(directory=str(MIGRATIONS))
            rows = db.session.execute(
                sa.select(AuditEvent.id, AuditEvent.subject_id, AuditEvent.detail).order_by(
                    AuditEvent.id
                )
            ).all()
            assert [tuple(row) for row in rows] == [
                (1, 1, "as Peer student"),
                (2, 2, "as Staff"),
                (3, 1, ""),
                (4, None, "gone@example.org as Staff"),  # no account: nothing to point at
                (5, None, ""),  # the words stay in the revision, which erasure blanks
                (6, None, ""),  # and in the sign-off
                (7, None, "version 1"),
            ]
            db.session.remove()
            flask_migrate.downgrade(directory=str(MIGRATIONS), revision=BEFORE_HARDENING)
            with db.engine.connect() as connection:
                back = connection.execute(sa.select(audit.c.detail).order_by(audit.c.id))
                assert list(back.scalars())[:4] == [d for _, _, d in old_details[:4]]
            db.engine.dispose()
    finally:
        drop()
