"""The play step's cost in SQL statements, and the rendered Markdown kept per published node.

bench/playstep.py times the step; these count what it costs the database, which a test can hold
steady: every statement is a round trip in every learner's every click (docs/performance.md).
"""

import gc
import re
import tracemalloc

import pytest

from eduapp.accounts.models import Role
from eduapp.markdown import render_markdown
from eduapp.player.queries import RENDERED, node_html
from tests.support.player import choose, start

ATTEMPTS = re.compile(r"\bFROM attempts\b")
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


def test_recording_a_choice_costs_seven_statements(client, auth, login_as, course, count_queries):
    """Before the step is claimed: the user with their roles, the attempt with the reflection
    written where it stands and the learner's row locked; never its history. Then the claim,
    the event, the cohorts' tallies (one statement for every cohort), the learner's first
    choice there and the version's count of learners."""
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
    claim = next(i for i, s in enumerate(statements) if s.startswith("UPDATE attempts"))
    assert claim == 2, listing
    assert not any("FROM choice_events" in s for s in statements[:claim]), listing
    assert sum(1 for s in statements if s.startswith("INSERT INTO cohort_tallies")) == 1, listing
    assert len(statements) == 7, listing


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
