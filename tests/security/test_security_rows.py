"""Rows of shared/SECURITY.md that the foundation touches, one test (or more) per row."""

import logging
import re
import shutil

import pytest
import sqlalchemy as sa

from config import ProductionConfig
from eduapp import create_app
from eduapp.accounts import throttle
from eduapp.accounts.models import LoginSession, Role, User
from eduapp.content.models import Document, Revision, Version
from eduapp.content.services import load_course
from eduapp.engine import ContentError
from eduapp.extensions import db
from eduapp.markdown import render_markdown
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.reflections.models import Reflection
from eduapp.tallies.models import LearnerScenario
from eduapp.transaction import unit_of_work
from tests.support.accounts import PASSWORD, Auth
from tests.support.app import config_for
from tests.support.player import choose, start

# Row 1 -------------------------------------------------------------------------------------
HOSTILE_MARKDOWN = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src='https://example.org'></iframe>",
    "<svg><foreignObject><body onload=alert(1)></foreignObject></svg>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<a href="  jav&#x09;ascript:alert(1)">tab</a>',
]


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN)
def test_row_01_markdown_never_carries_script(source):
    html = str(render_markdown(source)).lower()
    # Only the tags and their attributes: a refused link may stay on the page as escaped text.
    markup = "".join(re.findall(r"<[^>]*>", html))
    for banned in (
        "<script",
        "onerror",
        "onload",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
        "foreignobject",
        "style=",
    ):
        assert banned not in markup, html


def test_row_01_links_keep_only_safe_schemes():
    html = str(render_markdown("[a](https://x.org) [b](mailto:a@b.org) [c](/modules) [d](ftp://x)"))
    assert 'href="https://x.org"' in html and 'href="mailto:a@b.org"' in html
    assert 'href="/modules"' in html and "ftp://" not in html


# Row 2 -------------------------------------------------------------------------------------
def test_row_02_reflections_are_shown_as_literal_text(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    hostile = "<b onmouseover=alert(1)>hi</b> {{7*7}}"
    choose(auth, attempt_id, 1, reflection=hostile)
    choose(auth, attempt_id, 2)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "&lt;b onmouseover=alert(1)&gt;hi&lt;/b&gt; {{7*7}}" in page
    assert "<b onmouseover" not in page and "49" not in page


# Row 3 -------------------------------------------------------------------------------------
def test_row_03_another_learners_attempt_is_a_logged_404(
    client, auth, login_as, make_user, course, caplog
):
    from eduapp.content.models import DocumentKind
    from eduapp.content.queries import newest_version
    from eduapp.player import services

    owner = make_user(Role.LEARNER)
    theirs = services.start_attempt(owner, newest_version(DocumentKind.SCENARIO, "ward-round"))
    login_as(Role.LEARNER)
    with caplog.at_level(logging.WARNING, logger="eduapp.access"):
        assert client.get(f"/attempts/{theirs.id}").status_code == 404
        response = auth.post(
            f"/attempts/{theirs.id}", {"step": 0, "choice": 1}, page="/modules/test-module"
        )
    assert response.status_code == 404
    assert "belongs to another user" in caplog.text
    db.session.expire_all()
    assert db.session.get(Attempt, theirs.id).step == 0
    assert client.get("/attempts/999999").status_code == 404


# Row 4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.LEARNER, Role.PATIENT_EDUCATOR, Role.TUTOR])
def test_row_04_non_admins_get_403_on_admin_routes(client, auth, login_as, make_user, role):
    login_as(role)
    target = make_user(Role.LEARNER)
    assert client.get("/admin/users").status_code == 403
    response = auth.post(
        f"/admin/users/{target.id}/roles", {f"u{target.id}-roles": "admin"}, page="/profile"
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, target.id).role_set == {Role.LEARNER}


# Row 5 -------------------------------------------------------------------------------------
def test_row_05_extra_fields_on_register_and_profile_are_ignored(client, auth, mailbox):
    response = auth.post(
        "/register",
        {
            "display_name": "Mallory",
            "email": "mallory@example.org",
            "profession": "pharmacy",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": "admin",
            "roles": "admin",
            "is_admin": "1",
            "user_id": "1",
            "cohort_id": "3",
        },
    )
    assert response.status_code == 302
    assert auth.post(mailbox.link("mallory@example.org")).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "mallory@example.org"))
    assert user.role_set == {Role.LEARNER}
    auth.post(
        "/profile",
        {
            "display_name": "M",
            "profession": "nursing",
            "role": "admin",
            "email": "other@example.org",
            "id": "99",
        },
    )
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role_set == {Role.LEARNER} and user.email == "mallory@example.org"
    assert user.display_name == "M"


# Row 6 -------------------------------------------------------------------------------------
def test_row_06_posts_without_a_valid_csrf_token_are_refused(app, client, login_as, course):
    login_as(Role.LEARNER)
    assert client.post("/scenarios/ward-round/start", data={}).status_code == 400
    assert (
        client.post("/scenarios/ward-round/start", data={"csrf_token": "forged"}).status_code == 400
    )
    other_client = app.test_client()
    other_token = Auth(other_client).token()
    response = client.post("/scenarios/ward-round/start", data={"csrf_token": other_token})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/profile").status_code == 200  # still signed in


def test_row_06_login_and_register_need_the_token_too(client, make_user):
    user = make_user(Role.LEARNER)
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    )
    response = client.post(
        "/register",
        data={
            "display_name": "X",
            "email": "x@example.org",
            "profession": "other",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None


# Row 7 -------------------------------------------------------------------------------------
def test_row_07_state_changes_refuse_get(client, login_as, make_user, course):
    login_as(Role.ADMIN, Role.LEARNER)
    target = make_user(Role.LEARNER)
    for url in (
        "/logout",
        "/scenarios/ward-round/start",
        f"/admin/users/{target.id}/roles",
        "/profile/password",
    ):
        assert client.get(url).status_code == 405, url


# Row 8 -------------------------------------------------------------------------------------
def test_row_08_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user(Role.LEARNER)
    response = Auth(client).login(user)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("eduapp_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_row_08_production_cookies_are_secure_and_need_a_real_secret(monkeypatch):
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "development-only-secret-key-change-me")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


# Rows 9, 10, 11 ----------------------------------------------------------------------------
def _session_cookie(client) -> str:
    cookie = client.get_cookie("eduapp_session")
    return cookie.value if cookie else ""


def test_row_09_the_session_changes_at_login(app, client, make_user):
    user = make_user(Role.LEARNER)
    auth = Auth(client)
    auth.token()
    before = _session_cookie(client)
    auth.login(user)
    after = _session_cookie(client)
    assert before and after and before != after
    planted = app.test_client()
    planted.set_cookie("eduapp_session", before)
    assert planted.get("/profile").status_code == 302  # the pre-login cookie is not signed in


def test_row_10_a_cookie_replayed_after_logout_is_not_signed_in(app, client, make_user):
    user = make_user(Role.LEARNER)
    auth = Auth(client)
    auth.login(user)
    stolen = _session_cookie(client)
    assert client.get("/profile").status_code == 200
    auth.logout()
    replay = app.test_client()
    replay.set_cookie("eduapp_session", stolen)
    assert replay.get("/profile").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0


def test_row_11_changing_the_password_ends_every_other_session(app, make_user):
    user = make_user(Role.LEARNER)
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(user)
    Auth(phone).login(user)
    new = "a completely different passphrase 2026"
    response = Auth(laptop).post(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": new,
            "confirm": new,
        },
        page="/profile",
    )
    assert response.status_code == 302
    assert laptop.get("/profile").status_code == 200
    assert phone.get("/profile").status_code == 302
    assert Auth(app.test_client()).login(user.email, new).status_code == 302


# Row 13 ------------------------------------------------------------------------------------
def test_row_13_unknown_email_and_wrong_password_look_the_same(client, make_user):
    user = make_user(Role.LEARNER)
    auth = Auth(client)
    unknown = auth.login("nobody@example.org", PASSWORD)
    wrong = auth.login(user.email, "not the right password at all")
    assert unknown.status_code == wrong.status_code == 401
    message = "That e-mail and password do not match an account."
    assert message in unknown.get_data(as_text=True) and message in wrong.get_data(as_text=True)


# Row 14 ------------------------------------------------------------------------------------
def test_row_14_long_unicode_passphrase_accepted_common_password_refused(app, client, mailbox):
    auth = Auth(client)
    passphrase = "ŝtupo-naĝas ĉe la ĝardeno, kaj fiŝoj rigardas la lunon ĉiunokte 🌙"[:64]
    assert len(passphrase) == 64
    common = auth.post(
        "/register",
        {
            "display_name": "C",
            "email": "c@example.org",
            "profession": "other",
            "password": "password123",
            "confirm": "password123",
        },
    )
    assert common.status_code == 200 and "too common" in common.get_data(as_text=True)
    ok = auth.post(
        "/register",
        {
            "display_name": "U",
            "email": "u@example.org",
            "profession": "other",
            "password": passphrase,
            "confirm": passphrase,
        },
    )
    assert ok.status_code == 302
    assert auth.post(mailbox.link("u@example.org")).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "u@example.org"))
    assert user.password_hash.startswith("$argon2id$")
    assert Auth(app.test_client()).login("u@example.org", passphrase).status_code == 302


# Row 16 ------------------------------------------------------------------------------------
def test_row_16_a_failure_midway_through_a_choice_rolls_everything_back(
    auth, login_as, course, monkeypatch
):
    from eduapp.player import services

    login_as(Role.LEARNER)
    attempt_id = start(auth)
    monkeypatch.setattr(services, "_record_event", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError), unit_of_work():
        services.choose(
            db.session.get(Attempt, attempt_id),
            0,
            1,
            services.ReflectionInput("half?", services.Visibility.PRIVATE),
        )
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).step == 0
    assert db.session.scalar(sa.select(sa.func.count(ChoiceEvent.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Reflection.id))) == 0
    # The counts its events had written went with it: the scenario is begun, not finished.
    assert db.session.scalar(sa.select(LearnerScenario.finished)) is False


def test_row_16_a_failing_course_load_writes_nothing(app, tmp_path, monkeypatch):
    from eduapp.content import services as content_services

    copy = tmp_path / "course"
    shutil.copytree(app.config["CURRICULUM_DIR"].parent, copy)
    real = content_services._publish_if_changed
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(content_services, "_publish_if_changed", fail_on_second)
    with pytest.raises(RuntimeError), unit_of_work():
        load_course(copy / "curriculum", copy / "scenarios")
    for model in (Document, Revision, Version):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


# Row 17 ------------------------------------------------------------------------------------
def test_row_17_a_choice_submitted_twice_is_recorded_once(client, auth, login_as, course):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    first = choose(auth, attempt_id, 1, step=0)
    again = choose(auth, attempt_id, 1, step=0)  # double click / replay
    back = choose(auth, attempt_id, 2, step=0)  # back button, other choice
    assert first.status_code == again.status_code == back.status_code == 302
    assert again.headers["Location"].endswith(f"/attempts/{attempt_id}")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.step == 1 and attempt.node_id == "asks"
    assert db.session.scalar(sa.select(sa.func.count(ChoiceEvent.id))) == 1
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "already recorded" in page and "granddaughter" in page


# Row 20 ------------------------------------------------------------------------------------
def test_row_20_security_headers_on_every_page(client, auth, login_as, course):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    choose(auth, attempt_id, 1, reflection="private words")
    for url in (f"/attempts/{attempt_id}", "/attempts", "/modules"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_row_20_pages_carry_no_inline_script_or_style(client, login_as, course):
    login_as(Role.LEARNER)
    for url in ("/modules", "/modules/test-module", "/profile"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and "<style" not in html, url


# Row 21 ------------------------------------------------------------------------------------
def test_row_21_an_unhandled_error_is_a_plain_page_and_a_clean_log_line(
    app, client, auth, login_as, course, caplog, monkeypatch
):
    from eduapp.player import views

    user = login_as(Role.LEARNER)
    attempt_id = start(auth)

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.services, "choose", explode)
    with caplog.at_level(logging.INFO, logger="eduapp"):
        response = choose(auth, attempt_id, 1, reflection="my secret reflection", step=0)
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "RuntimeError" not in body and "boom" not in body
    assert not app.debug
    error_lines = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error_lines and error_lines[0].request_id != "-"
    assert str(error_lines[0].user_id) == str(user.id)
    assert "my secret reflection" not in caplog.text
    assert PASSWORD not in caplog.text


def test_row_21_an_unreachable_database_gives_a_plain_error_page(database_url, tmp_path):
    dead = (
        "postgresql+psycopg://nobody@127.0.0.1:1/none"
        if "postgresql" in database_url
        else f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    )
    app = create_app(config_for(dead, SQLALCHEMY_ENGINE_OPTIONS={"hide_parameters": True}))
    client = app.test_client()
    client.set_cookie("eduapp_session", "x")
    response = client.get("/healthz")
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "briefly unavailable" in body and "Traceback" not in body
    assert "OperationalError" not in body
    with app.app_context():
        db.engine.dispose()


# Row 23 ------------------------------------------------------------------------------------
BROKEN_FILES = {
    "syntax": ("::\n", "The node id ''"),
    "dangling": ("[[Go -> nowhere]]", "nowhere"),
    "duplicate": (":: asks | Duplicate\n\nAgain.\n\n[[Back -> heard_end]]\n", "asks"),
    "undeclared": ("  if: courage > 2", "courage"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_FILES))
def test_row_23_a_broken_scenario_is_refused_with_file_and_line_and_nothing_changes(
    app, tmp_path, course, kind
):
    copy = tmp_path / "course"
    shutil.copytree(app.config["CURRICULUM_DIR"].parent, copy)
    path = copy / "scenarios" / "ward-round.md"
    text = path.read_text()
    addition, needle = BROKEN_FILES[kind]
    if kind == "undeclared":
        text = text.replace("  if: trust >= 2", addition)
    elif kind == "dangling":
        text = text.replace(
            "[[Keep it to yourself -> quiet_end]]",
            addition + "\n[[Keep it to yourself -> quiet_end]]",
        )
    else:
        text = text + "\n" + addition
    path.write_text(text)
    versions_before = db.session.scalar(sa.select(sa.func.count(Version.id)))
    with pytest.raises(ContentError) as caught:
        load_course(copy / "curriculum", copy / "scenarios")
    problems = caught.value.problems
    assert problems and all(p.file.endswith("ward-round.md") and p.line > 0 for p in problems)
    assert any(needle in p.message for p in problems), [p.message for p in problems]
    assert db.session.scalar(sa.select(sa.func.count(Version.id))) == versions_before


# Row 15 ------------------------------------------------------------------------------------
def _two_co_authors(app, make_user):
    from eduapp.content.models import DocumentKind
    from eduapp.studio.members import invite
    from eduapp.studio.models import MemberRole
    from eduapp.studio.revisions import create_document

    educator = make_user(Role.PATIENT_EDUCATOR)
    tutor = make_user(Role.TUTOR)
    document = create_document(educator, DocumentKind.SCENARIO, "row-fifteen", "R", "")
    invite(educator, document, tutor.email, MemberRole.STAFF, "tutor")
    clients = []
    for user in (educator, tutor):
        client = app.test_client()
        Auth(client).login(user)
        clients.append(Auth(client))
    return document, educator, clients


def test_row_15_the_second_save_from_the_same_base_is_a_409_showing_both(app, make_user):
    from eduapp.studio.queries import latest_revision

    document, _, (first, second) = _two_co_authors(app, make_user)
    url = "/studio/scenario/row-fifteen"
    base = latest_revision(document).source
    mine = base.replace("Where it begins", "Mine: the night")
    theirs = base.replace("Where it begins", "Theirs: the morning")
    assert first.post(f"{url}/save", {"base": 1, "source": mine}, page=url).status_code == 302
    response = second.post(f"{url}/save", {"base": 1, "source": theirs}, page=url)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mine: the night" in page and "Theirs: the morning" in page
    db.session.expire_all()
    assert "Mine: the night" in latest_revision(document).source


def test_row_15_a_race_inside_the_save_is_a_conflict_not_a_500(app, make_user, monkeypatch):
    from eduapp.studio import queries, revisions
    from eduapp.studio.errors import Conflict

    document, editor, _ = _two_co_authors(app, make_user)
    stale = queries.latest_revision(document)
    revisions.save_source(editor, document, 1, stale.source + "\n", "first")
    # The second save read the newest revision before the first committed.
    monkeypatch.setattr(revisions.queries, "latest_revision", lambda d: stale)
    with pytest.raises(Conflict):
        revisions.save_source(editor, document, 1, stale.source + "\n\n", "second")
    monkeypatch.undo()
    db.session.expire_all()
    assert queries.latest_revision(document).number == 2


# Row 12 ------------------------------------------------------------------------------------
def test_row_12_twenty_wrong_passwords_lock_the_account_across_workers(
    app, make_user, database_url, monkeypatch
):
    frozen = throttle.utcnow()
    monkeypatch.setattr(throttle, "utcnow", lambda: frozen)  # no time passes
    user = make_user(Role.LEARNER)
    # Two app instances stand for two gunicorn workers: they share only the database.
    other_worker = create_app(config_for(database_url))
    clients = [Auth(app.test_client()), Auth(other_worker.test_client())]
    statuses = [
        clients[attempt % 2].login(user.email, "wrong password, try again").status_code
        for attempt in range(20)
    ]
    # Ten wrong passwords from one address, counted by both workers; then each try waits.
    assert statuses == [401] * 10 + [429] * 10
    assert clients[0].login(user).status_code == 429
    assert clients[1].login(user).status_code == 429
    with other_worker.app_context():
        db.engine.dispose()


def test_row_12_a_hundred_attempts_from_one_address_are_throttled(app, make_user, monkeypatch):
    frozen = throttle.utcnow()
    monkeypatch.setattr(throttle, "utcnow", lambda: frozen)  # no time passes
    auth = Auth(app.test_client())
    # A hundred failures, one for each of a hundred accounts (only failures count).
    for number in range(100):
        assert auth.login(f"nobody{number}@example.org", "whatever it is").status_code == 401
    someone = make_user(Role.LEARNER)
    assert auth.login(someone).status_code == 429
    elsewhere = app.test_client()
    token = Auth(elsewhere).token()
    response = elsewhere.post(
        "/login",
        data={"email": someone.email, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_row_12_a_success_clears_the_accounts_failures(app, make_user, monkeypatch):
    frozen = throttle.utcnow()
    monkeypatch.setattr(throttle, "utcnow", lambda: frozen)  # no time passes
    user = make_user(Role.LEARNER)
    auth = Auth(app.test_client())
    for _ in range(9):
        assert auth.login(user.email, "wrong password, try again").status_code == 401
    assert auth.login(user).status_code == 302
    auth.logout()
    for _ in range(9):  # 18 in all: over the ten allowed, had the success not cleared them
        assert auth.login(user.email, "wrong password, try again").status_code == 401
    assert auth.login(user).status_code == 302


# Row 18 ------------------------------------------------------------------------------------
def _upload(auth, name: str, content: bytes, base: int = 1):
    import io

    url = "/studio/scenario/row-fifteen"
    return auth.post(
        f"{url}/upload",
        {"base": base, "file": (io.BytesIO(content), name)},
        page=url,
        content_type="multipart/form-data",
    )


def test_row_18_uploads_too_large_scripted_or_oddly_named_are_refused(app, make_user):
    from eduapp.studio.queries import latest_revision

    document, _, (auth, _) = _two_co_authors(app, make_user)
    source = latest_revision(document).source
    big = auth.client.post(
        "/studio/scenario/row-fifteen/upload",
        data=b"x" * (3 * 1024 * 1024),
        content_type="multipart/form-data; boundary=x",
    )
    assert big.status_code == 413
    assert _upload(auth, "page.html", b"<script>alert(1)</script>").status_code == 400
    assert _upload(auth, "pic.svg", b"<svg onload=alert(1)></svg>").status_code == 400
    assert _upload(auth, "fake.md", b"<svg><script>alert(1)</script></svg>").status_code == 400
    assert _upload(auth, "bin.md", b"\x00\x01\x02").status_code == 400
    db.session.expire_all()
    assert latest_revision(document).number == 1
    edited = source.replace("Where it begins", "Uploaded start").encode()
    assert _upload(auth, "../../etc/passwd.md", edited).status_code == 302
    db.session.expire_all()
    revision = latest_revision(document)
    assert revision.number == 2 and "Uploaded start" in revision.source
    download = auth.client.get("/studio/scenario/row-fifteen/source.md")
    assert download.headers["Content-Disposition"] == 'attachment; filename="row-fifteen.md"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "Uploaded start" in download.get_data(as_text=True)


# Row 19 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_row_19_exported_cells_that_spreadsheets_would_evaluate_are_neutralised(start):
    import csv
    import io

    from eduapp.csv_export import csv_response

    text = csv_response("x.csv", ["h"], [[start + "1+1"]]).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["'" + start + "1+1"]


# Row 22 ------------------------------------------------------------------------------------
def test_row_22_a_request_over_the_size_limit_is_413(client, login_as, course):
    login_as(Role.LEARNER)
    response = client.post("/scenarios/ward-round/start", data={"x": "y" * (1024 * 1024 + 1)})
    assert response.status_code == 413


def test_row_22_pathological_markdown_renders_within_its_budget():
    import time

    started = time.process_time()  # CPU time: a busy machine must not fail it
    render_markdown("*" * 10_000)
    render_markdown("> " * 5_000 + "deep")
    render_markdown("[" * 20_000 + "x" + "]" * 20_000)
    render_markdown("<a " * 5_000)
    render_markdown("- " * 3_000 + "deep")
    render_markdown("> - [*" * 200_000)
    assert time.process_time() - started < 10


def test_row_22_a_scenario_of_fifty_thousand_nodes_is_refused_quickly():
    import time

    from eduapp.engine import parse_scenario

    text = "id: huge\n" + "".join(f":: n{i} | N\n\nx\n\n" for i in range(50_000))
    started = time.process_time()
    with pytest.raises(ContentError):
        parse_scenario(text[: 1024 * 1024 - 10], "scenarios/huge.md")
    assert time.process_time() - started < 5
