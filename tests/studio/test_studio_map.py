"""The scenario map: layout geometry on the real course, draft flags, limits and the templates."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from eduapp.engine import Choice, Node, Scenario, graph_facts, parse_condition, read_scenario
from eduapp.studio.scenario_map import (
    LINE_CHARS,
    MAX_LINES,
    MAX_MAP_NODES,
    MapTooLarge,
    ScenarioMap,
    layout_scenario,
    wrap_title,
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_FILES = [
    ROOT / "tests" / "fixtures" / "course" / "scenarios" / "ward-round.md",
    *sorted((ROOT / "scenarios").glob("*.md")),
]
TOLERANCE = 0.51  # coordinates are rounded to 0.1

DRAFT = """\
id: messy-draft
title: A messy draft
summary: Every kind of problem a map must show.
professions: medicine
author: staff | Tutor
licence: CC BY-SA 4.0
var trust = 0
start: begin

:: begin | The beginning <script>alert(1)</script>

Text.

[[Go on -> middle]]
[[Go on carefully -> middle]]
  if: trust >= 1
[[Wander off -> nowhere]]
[[Stay a while -> begin]]

:: middle | In the middle of a long corridor with many doors and a very long title indeed

[[Back to the start -> begin]]
[[Finish -> done]]
[[Into the pit -> pit]]

:: pit | A pit

[[Round again -> pit]]

:: done | Done
ending: Done

Fin.

debrief:
Well done.

:: island | An island

[[Leave -> done]]
[[Sail away -> atlantis]]

:: lonely | Alone

Nothing here.

:: other_a | A separate piece

[[To b -> other_b]]

:: other_b | Its other half
ending: b

debrief:
y

:: done | Done again, a duplicate
ending: x

debrief:
z
"""


def scenario_of(text: str) -> Scenario:
    scenario, _problems = read_scenario(text, "draft.md")
    return scenario


def make_scenario(nodes, start="n0") -> Scenario:
    return Scenario(
        id="built",
        title="Built",
        summary="",
        professions=(),
        authors=(),
        licence="",
        variables=(),
        start=start,
        nodes=tuple(nodes),
    )


def chain(count: int) -> Scenario:
    nodes = [
        Node(id=f"n{i}", title=f"Step {i}", choices=(Choice("Next", f"n{i + 1}"),))
        for i in range(count - 1)
    ]
    nodes.append(Node(id=f"n{count - 1}", title="The end", ending="End", debrief="d"))
    return make_scenario(nodes)


def on_border(point, node) -> bool:
    x, y = point
    inside_x = node.x - TOLERANCE <= x <= node.x + node.width + TOLERANCE
    inside_y = node.y - TOLERANCE <= y <= node.y + node.height + TOLERANCE
    on_side = min(abs(x - node.x), abs(x - node.x - node.width)) <= TOLERANCE
    on_top_or_bottom = min(abs(y - node.y), abs(y - node.y - node.height)) <= TOLERANCE
    return inside_x and inside_y and (on_side or on_top_or_bottom)


def overlap(a, b) -> bool:
    apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
    apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
    return not (apart_x or apart_y)


def assert_sound(scenario: Scenario, drawn: ScenarioMap) -> None:
    """Every node placed once, no boxes overlapping, edges on their boxes, the start on top."""
    ids = list(dict.fromkeys(node.id for node in scenario.nodes))
    real = [node for node in drawn.nodes if not node.is_missing]
    assert [node.id for node in real] == ids
    assert len({node.id for node in drawn.nodes}) == len(drawn.nodes)
    for a, b in combinations(drawn.nodes, 2):
        assert not overlap(a, b), (a.id, b.id)
    for node in drawn.nodes:
        assert node.x >= 0 and node.y >= 0
        assert node.x + node.width <= drawn.width and node.y + node.height <= drawn.height
    by_id = {node.id: node for node in drawn.nodes}
    choices = sum(len(node.choices) for node in scenario.nodes if scenario.node(node.id) is node)
    assert len(drawn.edges) == choices
    for edge in drawn.edges:
        source = by_id[edge.source]
        target = by_id[edge.target] if edge.target in by_id and not edge.is_dangling else None
        if target is None:
            [target] = [n for n in drawn.nodes if n.is_missing and n.title.endswith(edge.target)]
        assert on_border(edge.points[0], source), (edge, source)
        assert on_border(edge.points[-1], target), (edge, target)
        left, top, right, bottom = edge.bounds()
        assert left >= 0 and right <= drawn.width
        assert top >= 0 and bottom <= drawn.height
    if scenario.start in by_id:
        start = by_id[scenario.start]
        assert start.is_start
        assert start.centre[1] == min(node.centre[1] for node in drawn.nodes)
        assert sum(node.is_start for node in drawn.nodes) == 1


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda path: path.stem)
def test_every_course_scenario_is_laid_out_soundly(path):
    scenario, problems = read_scenario(path.read_text(encoding="utf-8"), path.name)
    assert problems == []
    drawn = layout_scenario(scenario)
    assert_sound(scenario, drawn)
    assert not any(n.is_unreachable or n.is_trap or n.is_missing for n in drawn.nodes)
    endings = {node.id for node in scenario.nodes if node.is_ending}
    assert {node.id for node in drawn.nodes if node.is_ending} == endings


@pytest.mark.parametrize("path", SCENARIO_FILES[:2], ids=lambda path: path.stem)
def test_layout_is_deterministic(path):
    text = path.read_text(encoding="utf-8")
    assert layout_scenario(scenario_of(text)) == layout_scenario(scenario_of(text))


def test_layout_does_not_depend_on_hash_seeds():
    program = (
        "import sys; from eduapp.engine import read_scenario;"
        "from eduapp.studio.scenario_map import layout_scenario;"
        "print(repr(layout_scenario(read_scenario(sys.stdin.read())[0])))"
    )
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", program],
            input=DRAFT,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_a_draft_gets_its_flags():
    scenario = scenario_of(DRAFT)
    drawn = layout_scenario(scenario)
    assert_sound(scenario, drawn)
    nodes = {node.id: node for node in drawn.nodes}
    assert nodes["begin"].is_start and not nodes["begin"].is_unreachable
    assert nodes["done"].is_ending and nodes["done"].title == "Done"  # the first of two
    assert nodes["pit"].is_trap and not nodes["pit"].is_unreachable
    assert nodes["island"].is_unreachable and not nodes["island"].is_trap
    assert nodes["lonely"].is_unreachable and nodes["lonely"].is_trap  # no choices, no ending
    assert nodes["other_b"].is_ending and nodes["other_b"].is_unreachable
    assert not nodes["middle"].is_trap and not nodes["done"].is_trap
    stubs = [node for node in drawn.nodes if node.is_missing]
    assert sorted(node.title for node in stubs) == ["missing: atlantis", "missing: nowhere"]
    assert not any(n.is_start or n.is_ending or n.is_trap or n.is_unreachable for n in stubs)
    [dangling] = [edge for edge in drawn.edges if edge.label == "Wander off"]
    assert dangling.is_dangling and dangling.target == "nowhere" and dangling.source == "begin"
    [careful] = [edge for edge in drawn.edges if edge.label == "Go on carefully"]
    assert careful.is_conditional and careful.condition == "trust >= 1"
    assert not any(edge.is_conditional for edge in drawn.edges if edge is not careful)


def test_pieces_sit_side_by_side_and_the_start_piece_comes_first():
    drawn = layout_scenario(scenario_of(DRAFT))
    nodes = {node.id: node for node in drawn.nodes}
    start_piece = [nodes[key] for key in ("begin", "middle", "pit", "done", "island")]
    assert nodes["lonely"].x > max(node.x + node.width for node in start_piece)
    assert nodes["other_a"].x > nodes["lonely"].x + nodes["lonely"].width
    assert nodes["other_a"].centre[1] < nodes["other_b"].centre[1]  # still top to bottom


def test_loops_and_cycles():
    drawn = layout_scenario(scenario_of(DRAFT))
    nodes = {node.id: node for node in drawn.nodes}
    [loop] = [edge for edge in drawn.edges if edge.label == "Stay a while"]
    begin = nodes["begin"]
    assert loop.source == loop.target == "begin"
    assert on_border(loop.points[0], begin) and on_border(loop.points[-1], begin)
    assert max(x for x, _ in loop.points) > begin.x + begin.width  # it shows outside the box
    assert loop.path.startswith("M ") and " C " in loop.path
    [back] = [edge for edge in drawn.edges if edge.label == "Back to the start"]
    assert back.points[0][1] < nodes["middle"].centre[1]  # leaves middle upwards
    assert back.points[-1][1] > begin.centre[1]  # and comes into the start from below
    # Two choices from begin to middle and one back are three separate lines.
    between = [e for e in drawn.edges if {e.source, e.target} == {"begin", "middle"}]
    assert len({e.points[0] for e in between}) == 3


def test_the_start_stays_on_top_when_unreachable_nodes_feed_its_targets():
    nodes = [
        Node(id="start", title="Start", choices=(Choice("On", "b"),)),
        Node(id="u", title="Unreached", choices=(Choice("On", "a"),)),
        Node(id="a", title="A", choices=(Choice("On", "b"),)),
        Node(id="b", title="B", ending="End", debrief="d"),
        Node(id="c", title="Points at the start", choices=(Choice("Back", "start"),)),
    ]
    scenario = make_scenario(nodes, start="start")
    assert_sound(scenario, layout_scenario(scenario))


def test_drafts_without_nodes_or_a_valid_start_still_draw():
    assert layout_scenario(make_scenario([])).nodes == ()
    scenario = make_scenario(chain(3).nodes, start="nowhere")
    drawn = layout_scenario(scenario)
    assert_sound(scenario, drawn)
    assert all(node.is_unreachable and not node.is_start for node in drawn.nodes)


def test_maps_stop_above_the_limit():
    assert len(layout_scenario(chain(MAX_MAP_NODES)).nodes) == MAX_MAP_NODES
    with pytest.raises(MapTooLarge):
        layout_scenario(chain(MAX_MAP_NODES + 1))


def test_a_missing_target_box_counts_towards_the_limit():
    scenario = chain(MAX_MAP_NODES)
    broken = Node(id="n0", title="Step 0", choices=(Choice("Next", "n1"), Choice("Lost", "gone")))
    with pytest.raises(MapTooLarge):
        layout_scenario(make_scenario([broken, *scenario.nodes[1:]]))


def test_a_tangle_is_refused_quickly():
    # Every node links to every tenth later node and back to the start: thousands of bends.
    count = 120
    nodes = [
        Node(
            id=f"n{i}",
            title=f"Node {i}",
            choices=(
                *(Choice("On", f"n{j}") for j in range(i + 1, count, 10)),
                Choice("Again", "n0"),
            ),
        )
        for i in range(count)
    ]
    with pytest.raises(MapTooLarge, match="tangled"):
        layout_scenario(make_scenario(nodes))


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("Short", ("Short",)),
        ("Home for the wedding", ("Home for the wedding",)),
        ("The social worker and the pharmacist", ("The social worker and", "the pharmacist")),
        ("", ("(untitled)",)),
    ],
)
def test_titles_wrap(title, lines):
    assert wrap_title(title) == lines


def test_long_titles_are_cut_with_an_ellipsis():
    lines = wrap_title("word " * 40 + "Supercalifragilisticexpialidocious" * 3)
    assert len(lines) == MAX_LINES
    assert all(len(line) <= LINE_CHARS for line in lines)
    assert lines[-1].endswith("…")
    assert len(wrap_title("x" * 200)) == MAX_LINES  # no spaces at all


def test_box_size_follows_the_title():
    nodes = [
        Node(id="a", title="A", choices=(Choice("On", "b"),)),
        Node(id="b", title="A much longer title that wraps onto lines", ending="E", debrief="d"),
    ]
    small, large = layout_scenario(make_scenario(nodes, start="a")).nodes
    assert small.width < large.width and small.height < large.height


# ---- templates ---------------------------------------------------------------------------


class Elements(HTMLParser):
    """Start tags with their attributes, in order, plus the text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def macros():
    env = Environment(
        loader=FileSystemLoader(
            [ROOT / "eduapp" / "studio" / "templates", ROOT / "eduapp" / "templates"]
        ),
        autoescape=select_autoescape(),
    )
    return env.get_template("studio/_map.html").module


def node_url(node_id: str) -> str:
    return f"/studio/nodes/{node_id}"


def assert_clean(html: str) -> None:
    assert not re.search(r"\sstyle\s*=", html)
    assert "<style" not in html
    assert "<script" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers


def test_the_map_draws_every_node_as_a_link(macros):
    scenario = scenario_of(DRAFT)
    drawn = layout_scenario(scenario)
    html = str(macros.scenario_map(drawn, node_url))
    assert_clean(html)
    page = Elements(html)
    [svg] = page.all("svg")[:1]
    assert svg["role"] == "group"
    assert any(attrs.get("id") == svg["aria-labelledby"] for attrs in page.all("title"))
    links = page.all("a")
    real = [node for node in drawn.nodes if not node.is_missing]
    assert [link["href"] for link in links] == [node_url(node.id) for node in real]
    labels = {link["href"]: link["aria-label"] for link in links}
    assert labels[node_url("done")] == "Done, ending"
    assert labels[node_url("begin")] == "The beginning <script>alert(1)</script>, start"
    assert labels[node_url("lonely")] == "Alone, cannot be reached, no way on to an ending"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "missing: nowhere" in "".join(page.text)
    assert len([p for p in page.all("path") if "marker-end" in p]) == len(drawn.edges)
    assert "only if trust &gt;= 1" in html  # edge labels as tooltips


def test_the_map_marks_states_by_more_than_colour(macros):
    html = str(macros.scenario_map(layout_scenario(scenario_of(DRAFT)), node_url))
    page = Elements(html)
    assert len(page.all("a")) == 8
    assert "START" in page.text
    assert "!" in page.text  # the trap mark
    assert len([r for r in page.all("rect") if r.get("class") == "map-box-inner"]) >= 2
    css = (ROOT / "eduapp" / "static" / "studio.css").read_text(encoding="utf-8")
    assert re.search(r"\.is-unreachable \.map-box \{[^}]*stroke-dasharray", css)
    assert re.search(r"\.is-conditional \.map-edge-line \{[^}]*stroke-dasharray", css)


def test_the_outline_lists_every_node_and_choice(macros):
    scenario = scenario_of(DRAFT)
    html = str(macros.scenario_outline(scenario, graph_facts(scenario), node_url))
    assert_clean(html)
    page = Elements(html)
    text = " ".join("".join(page.text).split())
    hrefs = [link["href"] for link in page.all("a")]
    for node_id in ("begin", "middle", "pit", "done", "island", "lonely", "other_a", "other_b"):
        assert node_url(node_id) in hrefs
    assert "Done again" not in text  # a repeated id is read as its first node
    assert len(page.all("li")) == 8 + 4 + 3 + 1 + 2 + 1
    assert "Go on carefully → middle only if trust >= 1" in text.replace("leads to", "")
    assert "nowhere (missing: not a node)" in text
    assert "A pit (pit) , no way on to an ending" in text
    assert "An island (island) , cannot be reached" in text
    assert "&lt;script&gt;" in html


def test_the_outline_of_a_course_scenario(macros):
    path = ROOT / "scenarios" / "who-is-in-the-room.md"
    scenario = scenario_of(path.read_text(encoding="utf-8"))
    html = str(macros.scenario_outline(scenario, graph_facts(scenario), node_url))
    page = Elements(html)
    choices = sum(len(node.choices) for node in scenario.nodes)
    assert len(page.all("li")) == len(scenario.nodes) + choices
    conditions = [c for node in scenario.nodes for c in node.choices if c.condition]
    assert html.count("only if") == len(conditions)
    assert str(parse_condition("voice >= 3")) in html.replace("&gt;", ">")
