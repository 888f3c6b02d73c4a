"""The play step's cost in SQL statements, and the rendered Markdown kept per published node.

bench/playstep.py times the step; these count what it costs the database, which a test can hold
steady: every statement is a round trip in every learner's every click (docs/performance.md).
"""

import gc
import re
import tracemalloc

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.extensions import db
from eduapp.markdown import render_markdown
from eduapp.player import services
from eduapp.player.models import Attempt, ChoiceEvent
from eduapp.player.queries import RENDERED, node_html
from eduapp.tallies.models import CohortTally, LearnerChoice, VersionChoiceCount
from tests.support.player import choose, start

ATTEMPTS = re.compile(r"\bFROM attempts\b")
CLAIM = re.compile(r"(WITH claimed AS\s*\(\s*)?UPDATE attempts\b")
PROSE = re.compile(r'<div class="prose">.*?</div>', re.DOTALL)


@pytest.fixture
def empty_rendered():
    RENDERED.clear()
    yield
    RENDERED.clear()


def test_the_step_page_costs_two_statements(client, auth, login_as, course, count_queries):
    """The user with their roles and unread count, the attempt with where it stands."""
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    choose(auth, attempt_id, 1, reflection="She looked tired.")
    with count_queries() as statements:
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "You chose: Ask her what matters most" in page
    assert len(statements) == 2, "\n".join(statements)
    assert sum(1 for s in statements if ATTEMPTS.search(s)) == 1
    assert "FROM notifications" in statements[0]


def test_recording_a_choice_costs_five_statements(client, auth, login_as, course, count_queries):
    """Before the step is claimed: the user with their roles, the attempt with the reflection
    written where it stands and the learner's row locked; never its history. Then the claim
    with the event, the cohorts' tallies (one statement for every cohort), and the learner's
    first choice there with the version's count of learners. SQLite, which cannot put an
    UPDATE or an INSERT in a WITH, writes the claim and the event, and the first choice and
    the count, one after the other: seven statements."""
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    page = f"/attempts/{attempt_id}"
    token = auth.token(page)
    with count_queries() as statements:
        response = client.post(
            page, data={"csrf_token": token, "step": 0, "choice": 1, "visibility": "private"}
        )
    assert response.status_code == 302
    listing = "\n".join(statements)
    claim = next((i for i, s in enumerate(statements) if CLAIM.match(s)), None)
    assert claim == 2, listing
    assert not any("FROM choice_events" in s for s in statements[:claim]), listing
    assert sum(1 for s in statements if s.startswith("INSERT INTO cohort_tallies")) == 1, listing
    assert sum(1 for s in statements if "INSERT INTO choice_events" in s) == 1, listing
    assert sum(1 for s in statements if "INSERT INTO learner_choices" in s) == 1, listing
    if db.engine.dialect.name == "postgresql":
        assert "INSERT INTO choice_events" in statements[claim], listing
        assert "INSERT INTO version_choice_counts" in statements[-1], listing
        assert "INSERT INTO learner_choices" in statements[-1], listing
        assert len(statements) == 5, listing
    else:
        assert len(statements) == 7, listing


def test_a_step_claimed_meanwhile_records_nothing(client, auth, login_as, course):
    """Of two requests posting the same step, the second finds the step claimed: on PostgreSQL
    the claim and the event are one statement, and it writes neither, nor any count."""
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.step == 0
    # The other request claimed step 0 after this one read the attempt.
    attempts = Attempt.__table__
    db.session.execute(sa.update(attempts).where(attempts.c.id == attempt_id).values(step=1))
    assert services.choose(attempt, 0, 1) is services.Outcome.STALE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChoiceEvent)) == 0
    for model in (CohortTally, LearnerChoice, VersionChoiceCount):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
    # And a step that is still the attempt's is recorded, with its counts.
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert services.choose(attempt, 1, 1) is services.Outcome.RECORDED
    events = db.session.scalars(sa.select(ChoiceEvent.step)).all()
    assert events == [2]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearnerChoice)) == 2


def test_a_published_node_is_rendered_once_per_process(
    client, auth, login_as, course, empty_rendered
):
    login_as(Role.LEARNER)
    attempt_id = start(auth)
    first = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert (RENDERED.misses, RENDERED.hits, len(RENDERED)) == (1, 0, 1)
    again = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert (RENDERED.misses, RENDERED.hits) == (1, 1)
    assert PROSE.search(again).group(0) == PROSE.search(first).group(0)
    assert "Mrs Okafor asks when she can go home." in first


def test_a_playtested_draft_is_rendered_each_time(empty_rendered):
    class Draft:
        version_id = None

    assert "<p>Some <em>text</em></p>" in node_html(Draft(), "Some *text*")
    assert len(RENDERED) == 0


#: Texts whose HTML holds the most memory per character of text, each within the limits that
#: Markdown renders (eduapp/markdown.py): entities, table cells, emphasis, links, and text that is
#: not ASCII (every character of its HTML then takes 4 bytes).
SHAPES = {
    "entities": (lambda: ("&<>\"' " * 150 + "\n\n") * 4, "&amp;&lt;&gt;\"'"),
    "table": (lambda: ("|a|b|c|d|\n|-|-|-|-|\n" + "|x|y|z|w|\n" * 60 + "\n") * 4, "<td>w</td>"),
    "emphasis": (lambda: ("*a* " * 200 + "\n\n") * 10, "<em>a</em>"),
    "links": (lambda: ("[a](http://x.y) " * 150 + "\n\n") * 5, '<a href="http://x.y"'),
    "not ASCII": (lambda: ("\U0001f600 *é* & " * 100 + "\n\n") * 8, "<em>é</em>"),
    "table not ASCII": (
        lambda: ("|é|b|\n|-|-|\n" + "|\U0001f600|&|\n" * 100 + "\n") * 4,
        "<td>\U0001f600</td>",
    ),
    "empty cells": (
        lambda: "a" + "| b" * 60 + "\n" + "-|" * 60 + "-\n" + ("é" + "|" * 60 + "\n") * 40,
        "<td></td>",
    ),
}


def _held_after(block) -> int:
    """Bytes allocated by ``block`` and still alive after it."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    block()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_a_rendered_node_is_charged_at_least_the_memory_it_holds(shape, empty_rendered):
    class Published:
        version_id = 1

    make, rendered = SHAPES[shape]

    def render_one():
        assert rendered in node_html(Published(), make())  # rendered, not shown as plain text
        render_markdown("resets the *converter*")  # which holds its last text until then

    render_markdown(make()[:500])  # the converter's and the regexes' first use
    held = _held_after(render_one)
    assert len(RENDERED) == 1
    assert held <= RENDERED.bytes, f"{shape}: holds {held:,} bytes"
