"""Issue 13, "Big scenarios": 5,000 nodes and 2 MB are within the limits, parse, validate, save
and draw (with Graphviz's dot, and with grandalf's layout when dot is missing); more is refused
with a message; no author text reaches the DOT text. Timing is measured by bench/big.py."""

import shutil

import pytest

from bench.big_scenario import big_scenario
from eduapp.accounts.models import Role
from eduapp.engine import (
    MAX_FILE_BYTES,
    MAX_NODES,
    Choice,
    ContentError,
    Node,
    Scenario,
    parse_scenario,
    read_scenario,
)
from eduapp.studio import scenario_map
from eduapp.studio.scenario_map import (
    MapTooLarge,
    _Graph,
    dot_text,
    draw_map,
    layout_with_dot,
)
from tests.studio.test_studio_way_to_learners import newest, sign_in, start

EDITOR = "/studio/scenario/big-one"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


@pytest.fixture(scope="module")
def big_source() -> str:
    return big_scenario(5000)


@pytest.fixture(scope="module")
def draft(big_source) -> str:
    """The big scenario under the slug of the studio's draft."""
    return big_source.replace("id: big-5000\n", "id: big-one\n", 1)


@pytest.fixture
def author(app, make_user):
    auth = sign_in(app, make_user(Role.PATIENT_EDUCATOR))
    start(auth, "big-one", "scenario", "Big one")
    return auth


def test_the_limits_are_at_least_five_thousand_nodes_and_two_megabytes(big_source):
    assert MAX_NODES >= 5000 and MAX_FILE_BYTES >= 2 * 1024 * 1024
    assert len(big_source.encode()) <= MAX_FILE_BYTES
    assert big_scenario(5000) == big_source  # the generator is deterministic


def test_five_thousand_nodes_parse_and_validate(big_source):
    scenario = parse_scenario(big_source, "big.md")
    assert len(scenario.nodes) == 5000
    assert sum(node.is_ending for node in scenario.nodes) > 100


def test_more_is_refused_with_a_message():
    with pytest.raises(ContentError) as caught:
        read_scenario(big_scenario(MAX_NODES + 1))
    [problem] = caught.value.problems
    assert f"the limit is {MAX_NODES:,}" in problem.message
    with pytest.raises(ContentError) as caught:
        read_scenario("id: x\n" + "x" * MAX_FILE_BYTES)
    assert caught.value.problems[0].message == (
        "This file is larger than 2 MB; split it into smaller files."
    )


def test_a_five_thousand_node_draft_is_checked_saved_and_previewed(author, draft):
    check = author.post(f"{EDITOR}/check", {"source": draft}, page=EDITOR)
    assert check.status_code == 200 and check.get_json()["problems"] == []
    preview = author.post(f"{EDITOR}/preview", {"source": draft, "node": "n4999"}, page=EDITOR)
    assert preview.status_code == 200
    base = newest("big-one").number
    data = {"source": draft, "base": base, "message": "Big"}
    assert author.post(f"{EDITOR}/save", data, page=EDITOR).status_code == 302
    assert newest("big-one").source.strip() == draft.strip()


def test_a_draft_over_two_megabytes_is_refused_by_the_check_with_a_message(author):
    source = "id: x\n" + "x" * MAX_FILE_BYTES
    check = author.post(f"{EDITOR}/check", {"source": source}, page=EDITOR)
    assert check.status_code == 200
    assert "larger than 2 MB" in check.get_json()["problems"][0]["message"]


@needs_dot
def test_dot_draws_five_thousand_nodes_with_the_start_on_top(big_source):
    scenario, _ = read_scenario(big_source)
    drawn = layout_with_dot(scenario)
    assert len(drawn.nodes) == 5000
    assert len(drawn.edges) == sum(len(node.choices) for node in scenario.nodes)
    assert drawn.start.id == "n0"
    assert drawn.start.y == min(node.y for node in drawn.nodes)
    for node in drawn.nodes:
        assert node.x >= 0 and node.x + node.width <= drawn.width
        assert node.y >= 0 and node.y + node.height <= drawn.height


@needs_dot
def test_the_map_page_draws_a_big_scenario_with_dot(author, draft):
    data = {"source": draft, "base": newest("big-one").number, "message": "Big"}
    author.post(f"{EDITOR}/save", data, page=EDITOR)
    page = author.client.get(f"{EDITOR}/map").get_data(as_text=True)
    assert page.count('class="map-node') >= 5000
    assert 'data-start-x="' in page and "studio-map.js" in page
    assert 'data-map="fit"' in page and "map-edge-label" in page


def test_without_dot_the_map_falls_back_to_grandalf(author, big_source, draft, monkeypatch):
    monkeypatch.setattr(scenario_map, "DOT", "no-such-graphviz-program")
    small, _ = read_scenario(big_scenario(40))
    assert len(draw_map(small).nodes) == 40  # grandalf's layout
    with pytest.raises(MapTooLarge):
        draw_map(read_scenario(big_source)[0])
    data = {"source": draft, "base": newest("big-one").number, "message": "Big"}
    author.post(f"{EDITOR}/save", data, page=EDITOR)
    page = author.client.get(f"{EDITOR}/map").get_data(as_text=True)
    assert "too large to draw" in page and page.count('class="outline-node"') == 5000


def test_a_dot_that_takes_too_long_falls_back(monkeypatch):
    monkeypatch.setattr(scenario_map, "DOT_TIMEOUT", 0.000001)
    small, _ = read_scenario(big_scenario(40))
    assert len(draw_map(small).nodes) == 40


HOSTILE = [
    'a"]; b [label="x"]; } digraph { evil',
    "<script>alert(1)</script>",
    "line\nbreak \\ back\\slash",
    "-- -> ->",
]


def hostile_scenario() -> Scenario:
    nodes = [
        Node(
            f"n-{index}",
            title,
            choices=(Choice(title, f"n-{index + 1}"), Choice(title, 'missing"];}')),
        )
        for index, title in enumerate(HOSTILE)
    ]
    nodes.append(Node(f"n-{len(HOSTILE)}", HOSTILE[0], ending="End", debrief="D"))
    return Scenario("hostile", "Hostile", "s", (), (), "", (), "n-0", tuple(nodes))


def test_the_dot_text_holds_no_author_text():
    scenario = hostile_scenario()
    text = dot_text(_Graph.of(scenario))
    for title in [*HOSTILE, "missing", "n-0", "script"]:
        assert title not in text
    assert text.count("->") == len(_Graph.of(scenario).links)


@needs_dot
def test_hostile_titles_and_labels_are_drawn_escaped(app):
    from flask import render_template_string

    drawn = layout_with_dot(hostile_scenario())
    assert {node.title for node in drawn.nodes if not node.is_missing} == set(HOSTILE)
    with app.test_request_context():
        html = render_template_string(
            '{% from "studio/_map.html" import scenario_map %}{{ scenario_map(m, u) }}',
            m=drawn,
            u=lambda node_id: "/n/" + node_id,
        )
    assert "<script>" not in html and "&lt;script&gt;" in html
