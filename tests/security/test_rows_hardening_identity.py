"""SECURITY.md rows 29 (caches bounded in bytes), 30 (invitations only for a confirmed owner of the
address), 31 (two different people to publish) and 33, studio half (an invitation never says
whether an address has an account)."""

import gc
import re
import threading
import tracemalloc

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.admin import services as admin_services
from eduapp.audit.models import AuditEvent
from eduapp.cache import ByteBoundedCache
from eduapp.cohorts import services as cohorts
from eduapp.cohorts.models import Cohort, CohortInvite, CohortMember
from eduapp.content.models import DocumentKind, Version
from eduapp.content.queries import (
    PUBLISHED,
    parse_assessment_source,
    parse_module_source,
    parse_scenario_source,
)
from eduapp.extensions import db
from eduapp.mydata.export import export_of
from eduapp.studio import queries as studio_queries
from eduapp.studio.drafts import DRAFTS, MAX_PROBLEMS, read_draft
from eduapp.studio.members import invite
from eduapp.studio.models import Decision, MemberRole, Membership
from eduapp.studio.publishing import review
from eduapp.studio.revisions import create_document
from tests.support.accounts import Auth

HEAD = (
    "id: big\ntitle: Big\nsummary: s\nprofessions: medicine\nauthor: staff | x\n"
    "licence: CC BY-SA 4.0\nvar x = 0 | x\nstart: n0\n"
)
ENDING = "ending: E\n\nx\n\ndebrief:\nd\n"


def _flood(copy: int) -> str:
    """~480 KB whose every two characters are a problem: the draft that held 140 bytes a
    character before problems were capped. ``copy`` makes each one a different text."""
    return HEAD.replace("professions: medicine", "professions: " + ",".join(["a"] * 240_000)) + (
        f"summary: copy {copy}\n"
    )


def _chain(nodes: int, under_each_choice: str) -> str:
    body = "".join(
        f":: n{i} | N\n\nx\n\n[[c -> n{i + 1}]]\n{under_each_choice}" for i in range(nodes - 1)
    )
    return HEAD + body + f":: n{nodes - 1} | E\n{ENDING}"


#: Sources that hold the most memory per character once parsed, found by trying shapes: problem
#: floods, near-empty nodes, long conditions, many choices, and text that is not ASCII.
DRAFT_SHAPES = {
    "problem flood": lambda: _flood(0)[:100_000],
    "a problem per line": lambda: HEAD + "a\n" * 50_000,
    "empty targets": lambda: HEAD + ":: n0 | N\n\nx\n\n" + "[[a->]]\n" * 10_000,
    "2,000 empty nodes": lambda: HEAD + "::\n" * 2000,
    "2,000 tiny nodes": lambda: HEAD + "".join(f":: n{i}\n[[a->n0]]\n" for i in range(2000)),
    "long conditions": lambda: _chain(300, "  if: " + " or ".join(["x < 1"] * 40) + "\n"),
    "many conditions": lambda: HEAD + ":: n0 | N\n\nx\n\n" + "[[c -> n0]]\n  if: x>1\n" * 4000,
    "nested nots": lambda: _chain(300, "  if: " + "not " * 30 + "x > 1\n"),
    "not ASCII": lambda: HEAD + ":: n0 | N\n\n" + "\U0001f600é" * 20_000 + "\n\n[[a -> n0]]\n",
}
PUBLISHED_SHAPES = {
    "long conditions": lambda: _chain(300, "  if: " + " or ".join(["x < 1"] * 40) + "\n"),
    "many effects": lambda: _chain(300, "  set: " + ", ".join(["x += 1"] * 30) + "\n"),
    "nested nots": lambda: _chain(300, "  if: " + "not " * 30 + "x > 1\n"),
    "many choices": lambda: (
        HEAD
        + "".join(
            f":: n{i} | N\n\nx\n\n" + "".join(f"[[c{j} -> n{i + 1}]]\n" for j in range(20))
            for i in range(299)
        )
        + f":: n299 | E\n{ENDING}"
    ),
    "2,000 endings": lambda: (
        HEAD
        + ":: n0 | N\n\nx\n\n"
        + "".join(f"[[c{i} -> e{i}]]\n" for i in range(1999))
        + "".join(f":: e{i} | E\n{ENDING}" for i in range(1999))
    ),
}


class Retained:
    """Bytes allocated inside the block and still alive after it (tracemalloc)."""

    def __enter__(self):
        gc.collect()
        tracemalloc.start()
        self.before = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(self, *exc):
        gc.collect()
        self.bytes = tracemalloc.get_traced_memory()[0] - self.before
        tracemalloc.stop()


@pytest.fixture
def empty_caches():
    DRAFTS.clear()
    PUBLISHED.clear()
    yield
    DRAFTS.clear()
    PUBLISHED.clear()


# Row 29 ---------------------------------------------------------------------------------------
def test_row_29_many_large_distinct_checks_stay_within_the_draft_budget(
    app, make_user, empty_caches
):
    """Before: 128 parsed drafts were kept whatever their size, ~67 MB for each of these; the
    charges are upper bounds of the memory really held (the tests below measure it)."""
    author = make_user(Role.TUTOR)
    create_document(author, DocumentKind.SCENARIO, "big", "Big", "staff")
    auth = Auth(app.test_client())
    auth.login(author)
    token = auth.token("/studio/scenario/big")
    for copy in range(6):
        response = auth.client.post(
            "/studio/scenario/big/check", data={"csrf_token": token, "source": _flood(copy)}
        )
        problems = response.get_json()["problems"]
        assert len(problems) == MAX_PROBLEMS + 1
        last = problems[-1]["message"]
        assert re.fullmatch(r"\.\.\. and [\d,]+ more problems from here on\.", last)
        assert DRAFTS.bytes <= DRAFTS.max_bytes
    assert 1 <= len(DRAFTS) <= DRAFTS.max_bytes // DRAFTS.charge(len(_flood(0)))


@pytest.mark.parametrize("shape", DRAFT_SHAPES, ids=str)
def test_row_29_a_draft_is_charged_at_least_the_memory_it_holds(shape, empty_caches):
    with Retained() as retained:
        source = DRAFT_SHAPES[shape]()
        read_draft(DocumentKind.SCENARIO, "big", source)
        characters = len(source) + len("big") + len(DocumentKind.SCENARIO)
        del source
    assert len(DRAFTS) == 1
    assert DRAFTS.bytes == DRAFTS.charge(characters)
    assert retained.bytes <= DRAFTS.bytes, f"{shape}: holds {retained.bytes:,} bytes"


@pytest.mark.parametrize("shape", PUBLISHED_SHAPES, ids=str)
def test_row_29_published_content_is_charged_at_least_the_memory_it_holds(shape, empty_caches):
    with Retained() as retained:
        source = PUBLISHED_SHAPES[shape]()
        parse_scenario_source(source, "big")
        del source
    assert len(PUBLISHED) == 1
    assert retained.bytes <= PUBLISHED.bytes, f"{shape}: holds {retained.bytes:,} bytes"


def test_row_29_the_published_cache_stays_within_its_budget_and_hits(course, empty_caches):
    text = "A long reading of the ward at night, quick to parse. " * 7000
    sources = [
        f"{HEAD}:: n0 | N\n\n{n} {text}\n\n[[c -> n1]]\n:: n1 | E\n{ENDING}" for n in range(5)
    ]
    # Larger than the budget together, each within it:
    assert PUBLISHED.charge(sum(map(len, sources))) > PUBLISHED.max_bytes
    for source in sources:
        parse_scenario_source(source, "big")
        assert PUBLISHED.bytes <= PUBLISHED.max_bytes
    assert 0 < len(PUBLISHED) < len(sources)
    # The real course is kept whole, and read again from the cache.
    versions = list(db.session.scalars(sa.select(Version)))
    parsers = {
        "scenario": parse_scenario_source,
        "module": parse_module_source,
        "assessment": parse_assessment_source,
    }
    first = [parsers[v.document.kind](v.source, v.document.slug) for v in versions]
    hits = PUBLISHED.hits
    again = [parsers[v.document.kind](v.source, v.document.slug) for v in versions]
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert PUBLISHED.hits == hits + len(versions)


def test_row_29_the_cache_drops_the_least_recently_used_and_never_exceeds_its_budget():
    cache = ByteBoundedCache(1000, bytes_per_char=10, bytes_per_entry=50)
    square = cache.memoize(lambda text: text * 2)
    assert square("a" * 30) == "a" * 60 and cache.bytes == 350
    square("b" * 30)
    square("a" * 30)  # a hit: "a" is now the most recently used
    assert (cache.hits, cache.misses) == (1, 2)
    square("c" * 30)  # 1,050 bytes would not fit: "b" goes
    assert cache.bytes == 700 and len(cache) == 2
    square("a" * 30)
    assert cache.hits == 2
    square("d" * 100)  # charged 1,050: more than the whole budget, so computed but not kept
    assert cache.bytes == 700 and len(cache) == 2


def test_row_29_the_cache_keeps_its_count_under_threads():
    cache = ByteBoundedCache(5000, bytes_per_char=1)
    keys = [f"{n}-" + "x" * (n % 400) for n in range(1200)]

    def work(offset):
        for key in keys[offset::4]:
            cache.put(key, key, len(key))
            cache.get(keys[(len(key) * 7) % len(keys)])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = [key for key in keys if cache.get(key) is not None]
    assert cache.bytes == sum(map(len, kept)) <= cache.max_bytes
    assert len(kept) == len(cache)


# Row 30 ---------------------------------------------------------------------------------------
def _learning(client) -> str:
    return client.get("/my/learning").get_data(as_text=True)


def test_row_30_a_cohort_invitation_waits_for_the_owner_of_the_address(
    app, client, auth, make_user, course, caplog
):
    tutor = make_user(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "Secret cohort name")
    cohorts.invite_emails(cohort, "ana@example.org")
    invite = db.session.scalar(sa.select(CohortInvite))
    # Someone signed up with Ana's address before she did, and never confirmed it.
    squatter = make_user(Role.LEARNER, email="ana@example.org", verified=False)
    auth.login(squatter)
    page = _learning(client)
    assert "Secret cohort name" not in page
    assert f"/my/invitations/{invite.id}/join" not in page
    assert "once you have confirmed that the address is yours" in page
    response = auth.post(f"/my/invitations/{invite.id}/join", page="/my/learning")
    assert response.status_code == 404 and "refused: cohort invitation" in caplog.text
    assert db.session.get(CohortMember, (cohort.id, squatter.id)) is None
    assert export_of(squatter)["cohort_invitations"] == []

    # Once the address is confirmed as theirs (here by an admin), the invitation applies.
    admin_services.confirm_address(make_user(Role.ADMIN), db.session.get(User, squatter.id))
    page = _learning(client)
    assert "Secret cohort name" in page and "once you have confirmed" not in page
    assert auth.post(f"/my/invitations/{invite.id}/join", page="/my/learning").status_code == 302
    assert db.session.get(CohortMember, (cohort.id, squatter.id)) is not None


def test_row_30_a_learner_without_invitations_is_told_nothing_about_them(
    client, auth, make_user, course
):
    auth.login(make_user(Role.LEARNER, verified=False))
    assert "Invitations" not in _learning(client)


def test_row_30_studio_invitations_and_co_tutors_need_a_confirmed_address(app, make_user, course):
    owner = make_user(Role.TUTOR)
    document = create_document(owner, DocumentKind.SCENARIO, "night", "Night", "staff")
    unconfirmed = make_user(Role.TUTOR, verified=False)
    confirmed = make_user(Role.TUTOR)
    for person in (unconfirmed, confirmed):
        invite(owner, document, person.email.upper(), MemberRole.STAFF, "tutor")
    members = {m.user_id for m in studio_queries.members_of(document)}
    assert members == {owner.id, confirmed.id}

    cohort = cohorts.create_cohort(owner, "C")
    with pytest.raises(cohorts.CohortError):
        cohorts.add_co_tutor(cohort, unconfirmed.email)
    cohorts.add_co_tutor(cohort, confirmed.email)
    db.session.expire_all()
    tutors = {t.user_id for t in db.session.get(Cohort, cohort.id).tutors}
    assert tutors == {owner.id, confirmed.id}


def test_row_30_an_admin_confirms_an_address_audited_never_their_own(app, client, auth, make_user):
    admin = make_user(Role.ADMIN)
    learner = make_user(Role.LEARNER, verified=False)
    auth.login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{learner.id}/confirm-address" in page
    assert f"/admin/users/{admin.id}/confirm-address" not in page
    response = auth.post(f"/admin/users/{learner.id}/confirm-address", page="/admin/users")
    assert response.status_code == 302
    assert "is confirmed" in client.get("/admin/users").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, learner.id).email_verified_at is not None
    event = db.session.scalar(sa.select(AuditEvent))
    assert (event.action, event.actor_id, event.subject_id) == (
        "confirmed_address",
        admin.id,
        learner.id,
    )
    assert "confirmed address" in client.get("/admin/audit").get_data(as_text=True)
    # Confirming again records nothing more; one's own address is refused.
    auth.post(f"/admin/users/{learner.id}/confirm-address", page="/admin/users")
    admin_row = db.session.get(User, admin.id)
    admin_row.email_verified_at = None
    db.session.commit()
    own = auth.post(f"/admin/users/{admin.id}/confirm-address", page="/admin/users")
    assert own.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1
    db.session.expire_all()
    assert db.session.get(User, admin.id).email_verified_at is None


def test_row_30_only_admins_confirm_addresses_and_only_with_the_token(app, client, auth, make_user):
    learner = make_user(Role.LEARNER, verified=False)
    url = f"/admin/users/{learner.id}/confirm-address"
    auth.login(make_user(Role.TUTOR))
    assert auth.post(url, page="/profile").status_code == 403
    auth.logout()
    auth.login(make_user(Role.ADMIN))
    assert client.post(url).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(User, learner.id).email_verified_at is None


def test_row_30_demo_accounts_have_confirmed_addresses(app, runner):
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    users = db.session.scalars(sa.select(User)).all()
    assert users and all(user.email_verified_at is not None for user in users)


# Row 31 ---------------------------------------------------------------------------------------
def _approve(auth, url: str, revision: int = 1):
    return auth.post(f"{url}/review", {"revision": revision, "decision": "approve"}, page=url)


def test_row_31_one_person_with_both_sign_off_roles_cannot_publish_alone(app, make_user, course):
    url = "/studio/scenario/night"
    both = make_user(Role.PATIENT_EDUCATOR, Role.TUTOR)
    document = create_document(both, DocumentKind.SCENARIO, "night", "Night", "educator")
    auth = Auth(app.test_client())
    auth.login(both)
    assert _approve(auth, url).status_code == 302
    page = auth.client.get(url).get_data(as_text=True)
    assert "Sign-off by a tutor or staff member: <strong>still needed</strong>" in page
    assert "already counts for another line: one person counts once" in page
    response = auth.post(f"{url}/publish", {"revision": 1}, page=url)
    assert response.status_code == 302
    page = auth.client.get(url).get_data(as_text=True)
    assert "Each sign-off must come from a different person" in page
    published = sa.select(sa.func.count(Version.id)).where(Version.document_id == document.id)
    assert db.session.scalar(published) == 0

    # A second person signs off: now it publishes.
    tutor = make_user(Role.TUTOR)
    invite(both, document, tutor.email, MemberRole.STAFF, "tutor")
    second = Auth(app.test_client())
    second.login(tutor)
    _approve(second, url)
    response = auth.post(f"{url}/publish", {"revision": 1}, page=url)
    assert "/versions/1" in response.headers["Location"]


def test_row_31_people_are_matched_to_the_groups_they_can_fill(app, make_user, course):
    both = make_user(Role.PATIENT_EDUCATOR, Role.TUTOR)
    educator = make_user(Role.PATIENT_EDUCATOR)
    document = create_document(both, DocumentKind.SCENARIO, "night", "Night", "educator")
    db.session.add(
        Membership(document_id=document.id, user_id=educator.id, role="patient_partner", credit="x")
    )
    db.session.commit()
    # The one who could fill either group signed off first: they must count as the tutor.
    for person in (both, educator):
        review(person, document, 1, Decision.APPROVE, "")
    status = studio_queries.publish_status(document, studio_queries.latest_revision(document))
    assert status.is_ready
    assert [g.approver for g in status.groups] == [educator.display_name, both.display_name]
    assert studio_queries.distinct_assignment([["a"], ["a"], ["a", "b"]]) == ["a", None, "b"]


# Row 33 (studio half) -----------------------------------------------------------------------
def _flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', html, re.S)


def _field_errors(html: str) -> list[str]:
    return [" ".join(e.split()) for e in re.findall(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)]


def test_row_33_a_studio_invitation_answers_the_same_whoever_has_the_address(
    app, make_user, course
):
    url = "/studio/scenario/night"
    owner = make_user(Role.PATIENT_EDUCATOR)
    create_document(owner, DocumentKind.SCENARIO, "night", "Night", "educator")
    confirmed = make_user(Role.LEARNER)
    unconfirmed = make_user(Role.LEARNER, verified=False)
    auth = Auth(app.test_client())
    auth.login(owner)
    answers = []
    for email in (
        "nobody@example.org",
        unconfirmed.email,
        confirmed.email,
        confirmed.email,  # a member by now
    ):
        form = {"email": email, "role": "peer_student", "credit": "student"}
        response = auth.post(f"{url}/members", form, page=url)
        answers.append(
            (response.status_code, _flashes(auth.client.get(url).get_data(as_text=True)))
        )
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][1] and all(
        name not in answers[0][1][0] for name in (confirmed.display_name, "Test User")
    )
    members = db.session.scalars(sa.select(Membership.user_id)).all()
    assert sorted(members) == sorted([owner.id, confirmed.id])
    assert confirmed.display_name in auth.client.get(url).get_data(as_text=True)


def test_row_33_adding_a_co_tutor_never_tells_a_learner_account_from_no_account(
    client, auth, login_as, make_user
):
    tutor = login_as(Role.TUTOR)
    cohort = cohorts.create_cohort(tutor, "C")
    url = f"/cohorts/{cohort.id}"
    answers = []
    for email in (
        "nobody@example.org",
        make_user(Role.LEARNER).email,
        make_user(Role.PATIENT_EDUCATOR).email,
        make_user(Role.TUTOR, verified=False).email,
    ):
        # The dashboard comes back with the answer beside the address typed.
        response = auth.post(f"{url}/tutors", {"email": email}, page=url)
        html = response.get_data(as_text=True)
        answers.append((response.status_code, _field_errors(html), _flashes(html)))
    assert all(answer == answers[0] for answer in answers), answers
    status, errors, _ = answers[0]
    assert status == 400 and len(errors) == 1 and "Test User" not in errors[0]
    db.session.expire_all()
    assert [t.user_id for t in db.session.get(Cohort, cohort.id).tutors] == [tutor.id]
