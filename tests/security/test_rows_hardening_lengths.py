"""SECURITY.md row 35: a value longer than a column allows, or a database error that is not an
outage, is a form error with a message or a 4xx; never a 500, never a false "unavailable" 503.

Run on PostgreSQL, these tests prove the database never refuses what a form or the content
checker let through; SQLite, which does not enforce lengths, must answer the same way.
"""

import random
import re
import secrets
import shutil

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.cohorts import services as cohorts
from eduapp.content.models import Document, Revision, Version
from eduapp.content.services import load_course
from eduapp.engine import (
    MAX_CHOICE_LABEL_CHARS,
    MAX_TITLE_CHARS,
    ContentError,
    parse_module,
    parse_scenario,
)
from eduapp.extensions import db
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.reflections.models import BUILTIN_THEMES, ReflectionTheme, Theme
from eduapp.security.access import public
from eduapp.studio.models import Membership
from eduapp.tallies.models import CohortTally
from tests.support.accounts import Auth
from tests.support.app import FIXTURE_COURSE
from tests.support.reflections import cohort_with, reflect

REFUSED_PAGE = "That could not be saved: a value was too long or not allowed"
LABEL = "Ask her what matters most"


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _wide(length: int, seed: int = 35) -> str:
    """``length`` random four-byte characters: the most bytes a value of that length can take,
    and nothing the database could compress away."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x1F300, 0x1F600)) for _ in range(length))


def _course_with(tmp_path, **replacements):
    """A copy of the test course with text of its scenario file replaced."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    path = course / "scenarios" / "ward-round.md"
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return course / "curriculum", course / "scenarios"


# Themes -------------------------------------------------------------------------------------
@pytest.fixture
def tagging(client, auth, make_user, course):
    """A tutor signed in on a shared reflection of a learner of their cohort: its page URL."""
    tutor, learner = make_user(Role.TUTOR), make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    reflection = reflect(learner)
    auth.login(tutor)
    return f"/reflections/{reflection.id}"


def test_row_35_a_theme_longer_than_its_column_is_a_form_error(client, auth, tagging):
    for posted in (
        {"themes": ["x" * 61]},  # the checkbox list has no maxlength in the browser
        {"new_theme": "x" * 61},
        {"new_theme": "İ" * 40},  # 40 typed, 80 once lowercased: "i" and a combining dot
    ):
        response = auth.post(f"{tagging}/themes", posted, page=tagging)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, posted
        assert "at most 60 characters" in body
        assert 'name="new_theme"' in body  # back on the reflection's page, with its form
    assert _count(Theme) == 0 and _count(ReflectionTheme) == 0

    # Up to the column's size, in characters of any width, it is stored and tagged.
    longest = "é" * 60
    response = auth.post(f"{tagging}/themes", {"new_theme": longest}, page=tagging)
    assert response.status_code == 302
    assert longest in db.session.scalars(sa.select(Theme.name)).all()
    assert _count(ReflectionTheme) == 1


def test_row_35_one_request_cannot_flood_the_global_themes(client, auth, tagging):
    flood = [f"theme {number}" for number in range(1000)]
    response = auth.post(f"{tagging}/themes", {"themes": flood}, page=tagging)
    assert response.status_code == 400
    assert "Add at most 10 new themes at a time." in response.get_data(as_text=True)
    assert _count(Theme) == 0 and _count(ReflectionTheme) == 0

    ten = [f"theme {number}" for number in range(10)]
    response = auth.post(f"{tagging}/themes", {"themes": [*BUILTIN_THEMES, *ten]}, page=tagging)
    assert response.status_code == 302
    assert _count(Theme) == len(BUILTIN_THEMES) + 10
    # Themes that exist already are not new: tagging with all of them again is fine.
    everything = db.session.scalars(sa.select(Theme.name)).all()
    response = auth.post(
        f"{tagging}/themes", {"themes": everything, "new_theme": "one more"}, page=tagging
    )
    assert response.status_code == 302
    assert _count(ReflectionTheme) == len(everything) + 1


# Titles -------------------------------------------------------------------------------------
def test_row_35_a_title_longer_than_its_column_is_a_problem_and_is_never_published(app, make_user):
    educator, tutor = make_user(Role.PATIENT_EDUCATOR), make_user(Role.TUTOR)
    clients = {}
    for user in (educator, tutor):
        clients[user.id] = Auth(app.test_client())
        assert clients[user.id].login(user).status_code == 302
    pe_auth, tutor_auth = clients[educator.id], clients[tutor.id]
    editor = "/studio/scenario/long-title"
    response = pe_auth.post(
        "/studio/new",
        {"kind": "scenario", "slug": "long-title", "title": "T" * 201, "credit": "educator"},
        page="/studio/",
    )
    assert response.status_code == 400  # the title field says so first
    assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)
    response = pe_auth.post(
        "/studio/new",
        {"kind": "scenario", "slug": "long-title", "title": "Short", "credit": "educator"},
        page="/studio/",
    )
    assert response.status_code == 302
    document = db.session.scalar(sa.select(Document).where(Document.slug == "long-title"))
    db.session.add(
        Membership(document_id=document.id, user_id=tutor.id, role="staff", credit="tutor")
    )
    db.session.commit()

    source = db.session.scalar(sa.select(Revision.source).where(Revision.number == 1))
    long_title = _wide(MAX_TITLE_CHARS + 1)
    edited = source.replace("title: Short", f"title: {long_title}")
    response = pe_auth.post(f"{editor}/save", {"base": 1, "source": edited}, page=editor)
    assert response.status_code == 302  # a draft may be wrong while people work on it
    page = pe_auth.client.get(editor).get_data(as_text=True)
    assert "line 2</a>: &#39;title:&#39; is 201 characters long; the limit is 200." in page

    for auth in (pe_auth, tutor_auth):
        auth.post(f"{editor}/review", {"revision": 2, "decision": "approve"}, page=editor)
    response = pe_auth.post(f"{editor}/publish", {"revision": 2}, page=editor)
    assert response.status_code == 302
    assert "must pass validation" in pe_auth.client.get(editor).get_data(as_text=True)
    assert _count(Version) == 0


def test_row_35_the_checker_refuses_titles_longer_than_stored_with_file_and_line():
    module = (
        f"id: long\ntitle: {'M' * 201}\norder: 1\nsummary: S\noutcome: O\n"
        "author: staff | Tutor\nlicence: CC BY-SA 4.0\n\n:: reading\n\nText.\n"
    )
    with pytest.raises(ContentError) as caught:
        parse_module(module, "curriculum/long.md")
    assert str(caught.value) == (
        "curriculum/long.md:2: 'title:' is 201 characters long; the limit is 200."
    )


# Choice labels ------------------------------------------------------------------------------
def test_row_35_a_choice_label_longer_than_stored_is_refused_with_file_and_line(app, tmp_path):
    huge = secrets.token_hex(1350)  # the 2.7 KB label that made every learner's step a 503
    curriculum, scenarios = _course_with(tmp_path, **{LABEL: huge})
    with pytest.raises(ContentError) as caught:
        load_course(curriculum, scenarios)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{scenarios / 'ward-round.md'}:18: This choice label is 2,700 characters long; the "
        f"limit is {MAX_CHOICE_LABEL_CHARS}. Keep the button short and put the rest in the "
        "node's text or the feedback."
    ]
    assert _count(Version) == 0

    text = (scenarios / "ward-round.md").read_text(encoding="utf-8")
    with pytest.raises(ContentError):
        parse_scenario(text.replace(huge, "x" * (MAX_CHOICE_LABEL_CHARS + 1)), "ward-round.md")
    parse_scenario(text.replace(huge, "x" * MAX_CHOICE_LABEL_CHARS), "ward-round.md")


def test_row_35_the_longest_values_the_checker_allows_are_stored_and_played(
    app, auth, make_user, tmp_path
):
    title, label = _wide(MAX_TITLE_CHARS), _wide(MAX_CHOICE_LABEL_CHARS, seed=36)
    node_id = "a" * 64
    curriculum, scenarios = _course_with(
        tmp_path,
        **{
            "title: A ward round": f"title: {title}",
            LABEL: label,
            "-> asks]]": f"-> {node_id}]]",
            ":: asks |": f":: {node_id} |",
        },
    )
    load_course(curriculum, scenarios)
    tutor, learner = make_user(Role.TUTOR), make_user(Role.LEARNER)
    cohorts.join(learner, cohorts.create_cohort(tutor, "C" * 120))
    auth.login(learner)
    response = auth.post("/scenarios/ward-round/start", page="/modules/test-module")
    attempt_id = int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))
    page = f"/attempts/{attempt_id}"
    response = auth.post(page, {"step": 0, "choice": 1, "visibility": "private"}, page=page)
    assert response.status_code == 302
    assert db.session.get(Attempt, attempt_id).node_id == node_id
    assert db.session.scalar(sa.select(ChoiceEvent.choice_label)) == label
    assert label in db.session.scalars(sa.select(CohortTally.choice_label)).all()
    assert db.session.scalar(sa.select(Version.title)) == title


# Database errors ----------------------------------------------------------------------------
def _theme_too_long():
    db.session.add(Theme(name="x" * 61))


def _index_entry_too_large():
    document_id = db.session.scalar(sa.select(Document.id).limit(1))
    cohort_id = db.session.scalar(sa.text("SELECT id FROM cohorts LIMIT 1"))
    db.session.add(
        CohortTally(
            cohort_id=cohort_id,
            document_id=document_id,
            node_id="bedside",
            choice_label=_wide(3000),
            profession="nursing",
        )
    )


def _missing_value():
    db.session.execute(sa.text("INSERT INTO themes (name) VALUES (NULL)"))


def _same_key_twice():
    db.session.add(Theme(name="teamwork"))
    db.session.flush()
    db.session.add(Theme(name="teamwork"))


def _wrong_query():
    db.session.execute(sa.text("SELECT * FROM no_such_table"))


#: What each test-only write answers: (on PostgreSQL, on SQLite). SQLite stores any length.
DATABASE_ERRORS = {
    "too-long": (_theme_too_long, 400, 200),
    "index-entry-too-large": (_index_entry_too_large, 400, 200),
    "missing-value": (_missing_value, 400, 400),
    "same-key-twice": (_same_key_twice, 409, 409),
    "wrong-query": (_wrong_query, 500, 500),
}


@pytest.fixture
def writes(app, make_user, course):
    """Test-only routes that write what a missing check would let reach the database."""
    tutor = make_user(Role.TUTOR)
    cohorts.create_cohort(tutor, "Cohort")
    for name, (write, *_) in DATABASE_ERRORS.items():

        def view(write=write):
            write()
            db.session.commit()
            return "saved"

        app.add_url_rule(f"/test-only/{name}", f"test_only_{name}", public(view))
    return app.test_client()


@pytest.mark.parametrize("case", DATABASE_ERRORS)
def test_row_35_a_database_error_that_is_no_outage_is_never_unavailable(writes, case, caplog):
    _, on_postgresql, on_sqlite = DATABASE_ERRORS[case]
    expected = on_postgresql if db.engine.dialect.name == "postgresql" else on_sqlite
    response = writes.get(f"/test-only/{case}")
    body = response.get_data(as_text=True)
    assert response.status_code == expected
    assert "unavailable" not in body and "Retry-After" not in response.headers
    assert "Traceback" not in body and "SELECT" not in body
    if expected == 400:
        assert REFUSED_PAGE in body
    # The database answers the next request as usual: the failed transaction was rolled back.
    assert writes.get("/healthz").status_code == 200


def test_row_35_numbers_larger_than_a_column_are_404_or_400_never_500(client, login_as, course):
    login_as(Role.LEARNER)
    huge = "9" * 25
    for url in (f"/attempts/{huge}", f"/my/reflections/{huge}", "/attempts/2147483648"):
        assert client.get(url).status_code == 404, url
    response = client.get(f"/notifications?page={huge}")
    assert response.status_code == 400
    assert REFUSED_PAGE in response.get_data(as_text=True)


def test_row_35_a_character_postgresql_cannot_store_is_a_400_never_a_500(
    client, auth, login_as, course
):
    # No browser sends a NUL character, but a forged request can; SQLite keeps it.
    login_as(Role.LEARNER)
    response = auth.post("/scenarios/ward-round/start", page="/modules/test-module")
    page = response.headers["Location"]
    response = auth.post(
        page,
        {"step": 0, "choice": 1, "visibility": "private", "reflection": "a\x00b"},
        page=page,
    )
    if db.engine.dialect.name == "postgresql":
        assert response.status_code == 400
        assert REFUSED_PAGE in response.get_data(as_text=True)
        assert _count(ChoiceEvent) == 0  # the choice and its reflection are one transaction
    else:
        assert response.status_code == 302
