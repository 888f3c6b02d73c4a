"""The scenario map: where each node of a scenario sits in a top-to-bottom drawing of its choices.

Pure functions over the engine's ``Scenario``, so drafts that do not validate yet can be drawn.
Graphviz's ``dot`` places the boxes when it is installed (:func:`draw_map`: a layout engine
built for graphs of thousands of nodes, run as a subprocess on DOT text made here, with a
timeout); grandalf's Sugiyama layout (:func:`layout_scenario`) is the fallback, for maps of up to
MAX_MAP_NODES boxes. This module sizes the boxes, chooses the start as the top of the drawing,
puts separate pieces side by side and trims edges to the box borders.
"""

import logging
import shutil
import subprocess
import textwrap
from collections import deque
from dataclasses import dataclass, replace

from grandalf.graphs import Edge, Vertex, graph_core
from grandalf.layouts import SugiyamaLayout, VertexViewer

from eduapp.engine import Choice, Scenario, graph_facts

log = logging.getLogger(__name__)

#: Beyond this many boxes grandalf is slow to lay out a map; the page shows the outline.
MAX_MAP_NODES = 300
#: Distinct links between boxes, for the same reasons (a node may list hundreds of choices).
MAX_MAP_LINKS = 1200
#: Bends in links that skip rows: thousands of them mean a drawing tens of thousands of pixels
#: wide (a tangle of links back to far earlier nodes), which no one can read.
MAX_MAP_BENDS = 3000

#: The Graphviz layout program, found on PATH (Debian package ``graphviz``).
DOT = "dot"
#: Seconds ``dot`` may take; past them the map falls back to grandalf (or the outline).
DOT_TIMEOUT = 10.0
#: Boxes and links ``dot`` is given at most: a scenario of the engine's MAX_NODES (5,000), each
#: with a few choices and some missing targets. Past them, the outline.
MAX_DOT_BOXES = 6000
MAX_DOT_LINKS = 24_000
#: ``dot``'s settings for large maps: the newer ranking (seconds faster on thousands of nodes),
#: straight links, and crossing reduction and placement cut short (each a bounded number of
#: passes); nodesep and ranksep are SIBLING_GAP and LAYER_GAP in inches.
DOT_GRAPH = (
    "newrank=true splines=line mclimit=0.02 nslimit=0.02 nslimit1=0.2 "
    "nodesep=0.39 ranksep=0.78 outputorder=nodesfirst"
)
POINTS_PER_INCH = 72.0  # dot measures in inches; the map in SVG units of 1/72 inch

#: A choice's label on its arrow is cut to this many characters (its title holds the rest).
ARROW_LABEL_CHARS = 24
LINE_CHARS = 22
MAX_LINES = 3
CHAR_WIDTH = 7.2  # an average glyph of the 13px map font
LINE_HEIGHT = 16
PAD_X, PAD_Y = 12, 10
MIN_WIDTH = 110
MARGIN = 28  # room for the START tag above the top row and the trap mark at a corner
COMPONENT_GAP = 48
LAYER_GAP = 56
SIBLING_GAP = 28
LOOP_REACH = 26  # how far a choice that leads back to its own node sticks out to the right
PARALLEL_GAP = 8  # between two edges joining the same pair of boxes


class MapTooLarge(ValueError):
    """The scenario has too many nodes or links to draw; show the outline instead."""


@dataclass(frozen=True)
class MapNode:
    """A box on the map; ``x``/``y`` is its top-left corner. ``is_missing`` marks the stub
    drawn for a choice whose target is not a node (its ``id`` is then made up and unique)."""

    id: str
    title: str
    x: float
    y: float
    width: float
    height: float
    is_start: bool
    is_ending: bool
    is_unreachable: bool
    is_trap: bool
    is_missing: bool = False
    lines: tuple[str, ...] = ()

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class MapEdge:
    """One choice, drawn from ``points[0]`` on the source box to ``points[-1]`` on the target
    box. A dangling edge ends on a missing-target stub; ``target`` is the choice's target."""

    source: str
    target: str
    label: str
    points: tuple[tuple[float, float], ...]
    is_conditional: bool
    is_dangling: bool
    condition: str = ""

    @property
    def short_label(self) -> str:
        """The label as written on the arrow; the whole label is in the arrow's title."""
        label = " ".join(self.label.split())
        return label if len(label) <= ARROW_LABEL_CHARS else label[: ARROW_LABEL_CHARS - 1] + "…"

    @property
    def label_point(self) -> tuple[float, float]:
        """Where the label sits: halfway along the line (at its middle bend, if any)."""
        if self.is_loop:
            return (max(x for x, _ in self.points) + 4, self.points[0][1])
        if len(self.points) % 2:
            return self.points[len(self.points) // 2]
        return _midpoint(self.points[len(self.points) // 2 - 1], self.points[len(self.points) // 2])

    @property
    def is_loop(self) -> bool:
        return self.source == self.target

    @property
    def path(self) -> str:
        """SVG path data: straight runs with the bends rounded off (a bend is the control point
        of its curve, so the line passes inside it), or a curve for a loop."""
        (x0, y0), rest = self.points[0], self.points[1:]
        if self.is_loop:  # its two middle points are the controls of one curve
            (x1, y1), (x2, y2), (x3, y3) = rest
            return f"M {x0:g},{y0:g} C {x1:g},{y1:g} {x2:g},{y2:g} {x3:g},{y3:g}"
        parts = [f"M {x0:g},{y0:g}"]
        for _start, control, (x, y) in _smoothed(self.points):
            if control is None:
                parts.append(f"L {x:g},{y:g}")
            else:
                parts.append(f"Q {control[0]:g},{control[1]:g} {x:g},{y:g}")
        return " ".join(parts)

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the line as drawn."""
        if self.is_loop:  # a curve stays inside the hull of its controls
            xs, ys = zip(*self.points, strict=True)
            return min(xs), min(ys), max(xs), max(ys)
        return _bounds(self.points)


def _smoothed(points):
    """The path through ``points`` as (start, control or None, end) pieces: a straight piece
    to the middle of each run, and a curve around each bend."""
    pieces = []
    current = points[0]
    for index, bend in enumerate(points[1:-1], start=1):
        before, after = points[index - 1], points[index + 1]
        start = _midpoint(before, bend) if index > 1 else before
        if start != current:
            pieces.append((current, None, start))
        end = _midpoint(bend, after) if index + 1 < len(points) - 1 else after
        pieces.append((start, bend, end))
        current = end
    if current != points[-1] or len(pieces) == 0:
        pieces.append((current, None, points[-1]))
    return pieces


def _bounds(points) -> tuple[float, float, float, float]:
    """Exact (left, top, right, bottom) of the smoothed path through ``points``."""
    xs, ys = [points[0][0]], [points[0][1]]
    for start, control, end in _smoothed(points):
        xs.append(end[0])
        ys.append(end[1])
        if control is not None:
            for axis, values in ((0, xs), (1, ys)):
                a, b, c = start[axis], control[axis], end[axis]
                if a - 2 * b + c:
                    t = (a - b) / (a - 2 * b + c)
                    if 0 < t < 1:
                        values.append((1 - t) ** 2 * a + 2 * (1 - t) * t * b + t * t * c)
    return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class ScenarioMap:
    """Everything the map template draws, in SVG user units."""

    width: float
    height: float
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]

    @property
    def start(self) -> MapNode | None:
        """The start's box, which the page first shows."""
        return next((node for node in self.nodes if node.is_start), None)


def wrap_title(title: str) -> tuple[str, ...]:
    """The title in lines of about LINE_CHARS characters, at most MAX_LINES, ending in '…'."""
    lines = textwrap.wrap(
        " ".join(title.split()), LINE_CHARS, max_lines=MAX_LINES, placeholder=" …"
    )
    return tuple(lines) or ("(untitled)",)


def layout_scenario(scenario: Scenario) -> ScenarioMap:
    """Lay out every node of ``scenario`` (the first of duplicate ids) from the start down.

    Deterministic: the same scenario always gives the same coordinates. Raises MapTooLarge
    beyond MAX_MAP_NODES boxes (missing-target stubs count), MAX_MAP_LINKS links or
    MAX_MAP_BENDS bends in one connected piece.
    """
    graph = _Graph.of(scenario)
    if len(graph.boxes) > MAX_MAP_NODES:
        raise MapTooLarge(
            f"This map would have {len(graph.boxes):,} boxes; maps stop at {MAX_MAP_NODES}."
        )
    if len(graph.links) > MAX_MAP_LINKS:
        raise MapTooLarge(
            f"This map would have {len(graph.links):,} links; maps stop at {MAX_MAP_LINKS:,}."
        )
    nodes: dict[str, MapNode] = {}
    edges: list[tuple[int, MapEdge]] = []
    pieces = [_draw_piece(component, graph, scenario.start) for component in graph.components()]
    # Pieces stand side by side with their top rows centred on one line.
    top_row = max((piece.top_row - piece.top for piece in pieces), default=0.0)
    left = MARGIN
    for piece in pieces:
        dx, dy = left - piece.left, MARGIN + top_row - piece.top_row
        nodes.update((node.id, _moved_node(node, dx, dy)) for node in piece.nodes)
        edges += [(index, _moved_edge(edge, dx, dy)) for index, edge in piece.edges]
        left += piece.right - piece.left + COMPONENT_GAP
    ordered_nodes = tuple(nodes[key] for key in graph.boxes)
    ordered_edges = tuple(edge for _, edge in sorted(edges, key=lambda pair: pair[0]))
    return _framed(ordered_nodes, ordered_edges)


def draw_map(scenario: Scenario) -> ScenarioMap:
    """The map as the studio shows it: laid out by ``dot`` when it is installed and answers in
    time, else by grandalf (:func:`layout_scenario`, which raises MapTooLarge past its limits)."""
    if shutil.which(DOT):
        try:
            return layout_with_dot(scenario)
        except DotFailed as failed:
            log.warning("The map falls back to grandalf's layout: %s", failed)
    return layout_scenario(scenario)


class DotFailed(RuntimeError):
    """``dot`` is missing, took longer than DOT_TIMEOUT, or answered something unreadable."""


def layout_with_dot(scenario: Scenario) -> ScenarioMap:
    """Lay out ``scenario`` with Graphviz's ``dot``. Raises MapTooLarge past MAX_DOT_BOXES boxes
    or MAX_DOT_LINKS links, DotFailed when ``dot`` cannot give a layout in time."""
    graph = _Graph.of(scenario)
    if len(graph.boxes) > MAX_DOT_BOXES:
        raise MapTooLarge(
            f"This map would have {len(graph.boxes):,} boxes; maps stop at {MAX_DOT_BOXES:,}."
        )
    if len(graph.links) > MAX_DOT_LINKS:
        raise MapTooLarge(
            f"This map would have {len(graph.links):,} links; maps stop at {MAX_DOT_LINKS:,}."
        )
    keys = list(graph.boxes)
    try:
        # A list of arguments, never a shell; the text holds no word of the author's (below).
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell, no author text)
            [DOT, "-Tplain"],
            input=dot_text(graph),
            capture_output=True,
            text=True,
            timeout=DOT_TIMEOUT,
            check=True,
        )
    except FileNotFoundError as error:
        raise DotFailed(f"{DOT} is not installed") from error
    except subprocess.TimeoutExpired as error:
        raise DotFailed(f"{DOT} took more than {DOT_TIMEOUT:g} s") from error
    except subprocess.CalledProcessError as error:
        raise DotFailed(f"{DOT} failed: {error.stderr[:200]}") from error
    height, centres = _read_plain(done.stdout, len(keys))
    by_key = {}
    for index, key in enumerate(keys):
        x, y = centres[index]
        centre = (x * POINTS_PER_INCH + MARGIN, (height - y) * POINTS_PER_INCH + MARGIN)
        by_key[key] = graph.map_node(key, centre)
    # Links are drawn straight from box to box; parallel choices are spread as in grandalf's.
    routes = {(a, b): [by_key[a].centre, by_key[b].centre] for a, b in graph.links.values()}
    edges = [edge for _, edge in graph.map_edges(by_key, routes)]
    return _framed(tuple(by_key.values()), tuple(edges))


def dot_text(graph: "_Graph") -> str:
    """The DOT text for ``graph``: boxes named ``b0``, ``b1`` ... in the order of
    ``graph.boxes``, sized in inches, with no label. No id, title or choice label of the
    author's is ever written into it, so none can be read by ``dot`` as syntax."""
    index = {key: number for number, key in enumerate(graph.boxes)}
    lines = [
        "digraph map {",
        f"graph [{DOT_GRAPH}];",
        'node [shape=box fixedsize=true label=""];',
        "edge [arrowhead=none];",
    ]
    for key, box in graph.boxes.items():
        width = box.width + (2 * LOOP_REACH if box.has_loop else 0)
        lines.append(
            f"b{index[key]} [width={width / POINTS_PER_INCH:.3f} "
            f"height={box.height / POINTS_PER_INCH:.3f}];"
        )
    start = graph.scenario.start
    for first, second in graph.links.values():
        # Choices into the start point upwards, so that the start heads the drawing.
        if second == start:
            lines.append(f"b{index[second]} -> b{index[first]} [dir=back];")
        else:
            lines.append(f"b{index[first]} -> b{index[second]};")
    if start in index:
        lines.append(f"{{rank=min; b{index[start]};}}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _read_plain(text: str, count: int) -> tuple[float, list[tuple[float, float]]]:
    """The drawing's height and each box's centre (inches, y upwards) from ``dot -Tplain``."""
    height, centres = None, [None] * count
    for line in text.splitlines():
        fields = line.split()
        if fields[:1] == ["graph"] and len(fields) >= 4:
            height = float(fields[3])
        elif fields[:1] == ["node"] and len(fields) >= 4 and fields[1][:1] == "b":
            number = int(fields[1][1:])
            if 0 <= number < count:
                centres[number] = (float(fields[2]), float(fields[3]))
    if height is None or any(centre is None for centre in centres):
        raise DotFailed(f"{DOT} gave no position for some boxes")
    return height, centres


def _framed(nodes: tuple[MapNode, ...], edges: tuple[MapEdge, ...]) -> ScenarioMap:
    """The map of ``nodes`` and ``edges`` with its size: everything drawn, and a margin."""
    xs = [node.x + node.width for node in nodes] + [edge.bounds()[2] for edge in edges]
    ys = [node.y + node.height for node in nodes] + [edge.bounds()[3] for edge in edges]
    return ScenarioMap(
        _round(max(xs, default=0) + MARGIN), _round(max(ys, default=0) + MARGIN), nodes, edges
    )


@dataclass
class _Box:
    title: str
    lines: tuple[str, ...]
    width: float
    height: float
    is_missing: bool
    has_loop: bool = False


class _Graph:
    """Boxes (nodes, then missing-target stubs) and choices, in the order they were written."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.facts = graph_facts(scenario)
        self.boxes: dict[str, _Box] = {}
        #: (source key, target key, choice), in the order written.
        self.choices: list[tuple[str, str, Choice]] = []
        #: One link per unordered pair of boxes, oriented as first written: grandalf draws it
        #: once and every choice between the two boxes follows it.
        self.links: dict[frozenset[str], tuple[str, str]] = {}

    @classmethod
    def of(cls, scenario: Scenario) -> "_Graph":
        graph = cls(scenario)
        nodes = {}
        for node in scenario.nodes:
            nodes.setdefault(node.id, node)
        for node in nodes.values():
            graph.boxes[node.id] = _box(node.title, is_missing=False)
        stubs: dict[tuple[str, str], str] = {}
        for node in nodes.values():
            for choice in node.choices:
                target = choice.target
                if target not in nodes:
                    if (node.id, target) not in stubs:
                        stubs[node.id, target] = graph._stub_key(node.id, target)
                        graph.boxes[stubs[node.id, target]] = _box(
                            f"missing: {target}", is_missing=True
                        )
                    target = stubs[node.id, target]
                graph.choices.append((node.id, target, choice))
                if target == node.id:
                    graph.boxes[node.id].has_loop = True
                else:
                    graph.links.setdefault(frozenset((node.id, target)), (node.id, target))
        return graph

    def _stub_key(self, source: str, target: str) -> str:
        # ':' never appears in a node id, so the stub's id cannot be mistaken for a node's.
        key, number = f"missing:{source}:{target}", 1
        while key in self.boxes:
            number += 1
            key = f"missing:{source}:{target}:{number}"
        return key

    def components(self) -> list[list[str]]:
        """Connected pieces, the start's first, each in the order its boxes were written."""
        neighbours: dict[str, list[str]] = {key: [] for key in self.boxes}
        for a, b in self.links.values():
            neighbours[a].append(b)
            neighbours[b].append(a)
        order = {key: index for index, key in enumerate(self.boxes)}
        seeds = list(self.boxes)
        if self.scenario.start in self.boxes:
            seeds.insert(0, self.scenario.start)
        seen: set[str] = set()
        pieces = []
        for seed in seeds:
            if seed in seen:
                continue
            seen.add(seed)
            piece, queue = [seed], deque([seed])
            while queue:
                for other in neighbours[queue.popleft()]:
                    if other not in seen:
                        seen.add(other)
                        piece.append(other)
                        queue.append(other)
            pieces.append(sorted(piece, key=order.__getitem__))
        return pieces

    def map_node(self, key: str, centre: tuple[float, float]) -> MapNode:
        box = self.boxes[key]
        is_ending = not box.is_missing and self.scenario.node(key).is_ending
        return MapNode(
            id=key,
            title=box.title,
            x=_round(centre[0] - box.width / 2),
            y=_round(centre[1] - box.height / 2),
            width=box.width,
            height=box.height,
            is_start=not box.is_missing and key == self.scenario.start,
            is_ending=is_ending,
            is_unreachable=not box.is_missing and key not in self.facts.reachable,
            is_trap=not box.is_missing and not is_ending and key not in self.facts.can_finish,
            is_missing=box.is_missing,
            lines=box.lines,
        )

    def map_edges(self, by_key: dict[str, MapNode], routes) -> list[tuple[int, MapEdge]]:
        """The choices leaving the boxes of ``by_key``, each with its place in the scenario."""
        # Choices sharing a pair of boxes are spread sideways so that each stays visible.
        sharing: dict[frozenset[str], int] = {}
        for source, target, _ in self.choices:
            sharing[frozenset((source, target))] = sharing.get(frozenset((source, target)), 0) + 1
        drawn: dict[frozenset[str], int] = {}
        loops: dict[str, int] = {}
        edges = []
        for index, (source, target, choice) in enumerate(self.choices):
            if source not in by_key:
                continue
            pair = frozenset((source, target))
            if source == target:
                loops[source] = loops.get(source, 0) + 1
                points = _loop(by_key[source], loops[source] - 1)
            else:
                first, second = self.links[pair]
                route = routes[(first, second)]
                if (source, target) != (first, second):
                    route = route[::-1]
                index = drawn.get(pair, 0)
                drawn[pair] = index + 1
                shift = (index - (sharing[pair] - 1) / 2) * PARALLEL_GAP
                points = _trim(route, by_key[source], by_key[target], shift)
            edge = MapEdge(
                source=source,
                target=choice.target,
                label=choice.label,
                points=tuple((_round(x), _round(y)) for x, y in points),
                is_conditional=choice.condition is not None,
                is_dangling=by_key[target].is_missing,
                condition="" if choice.condition is None else str(choice.condition),
            )
            edges.append((index, edge))
        return edges


def _box(title: str, *, is_missing: bool) -> _Box:
    lines = wrap_title(title)
    width = max(MIN_WIDTH, max(len(line) for line in lines) * CHAR_WIDTH + 2 * PAD_X)
    height = len(lines) * LINE_HEIGHT + 2 * PAD_Y
    return _Box(title, lines, _round(width), float(height), is_missing)


class _Layout(SugiyamaLayout):
    """grandalf's layout, with its alignment conflicts in a set rather than a list, that stops
    as soon as its links need more than MAX_MAP_BENDS bends.

    grandalf only ever asks whether a pair is among the conflicts; in a list that question
    cost 20 seconds on a tangled 300-node draft, in a set it is instant. Results are unchanged.
    grandalf makes a bend (a dummy point) for each row a link skips: 1,200 links across 300
    rows would make 360,000 of them before anyone could count them, so they are counted first.
    """

    bends = 0

    def setdummies(self, e):
        ranks = [self.grx[vertex].rank for vertex in e.v]
        self.bends += max(0, abs(ranks[0] - ranks[1]) - 1)
        if self.bends > MAX_MAP_BENDS:
            raise MapTooLarge(
                f"This map is too tangled to draw (more than {MAX_MAP_BENDS:,} bends in its "
                "links); use the outline instead."
            )
        super().setdummies(e)

    def _detect_alignment_conflicts(self):
        super()._detect_alignment_conflicts()
        self.conflicts = set(self.conflicts)


class _EdgeView:
    def setpath(self, points):
        self.points = points


@dataclass(frozen=True)
class _Piece:
    """One connected piece, drawn where grandalf put it, with its extent as drawn."""

    nodes: list[MapNode]
    edges: list[tuple[int, MapEdge]]
    left: float
    top: float
    right: float
    top_row: float  # the centre line of its top row


def _draw_piece(component: list[str], graph: _Graph, start: str) -> _Piece:
    centres, routes = _lay_out(component, graph, start)
    nodes = [graph.map_node(key, centres[key]) for key in component]
    edges = graph.map_edges(dict(zip(component, nodes, strict=True)), routes)
    lines = [edge.bounds() for _, edge in edges]
    return _Piece(
        nodes,
        edges,
        left=min([node.x for node in nodes] + [line[0] for line in lines]),
        top=min([node.y for node in nodes] + [line[1] for line in lines]),
        right=max([node.x + node.width for node in nodes] + [line[2] for line in lines]),
        top_row=min(node.centre[1] for node in nodes),
    )


def _lay_out(component: list[str], graph: _Graph, start: str):
    """grandalf's box centres and link routes (centre to centre) for one connected piece."""
    vertices = {}
    for key in component:
        box = graph.boxes[key]
        vertex = Vertex(key)
        # A box with a loop claims room on both sides so that its centre stays its centre.
        vertex.view = VertexViewer(box.width + (2 * LOOP_REACH if box.has_loop else 0), box.height)
        vertices[key] = vertex
    edges = []
    for first, second in graph.links.values():
        if first in vertices:
            edge = Edge(vertices[first], vertices[second])
            edge.view = _EdgeView()
            edges.append(edge)
    core = graph_core(list(vertices.values()), edges)
    layout = _Layout(core)
    layout.xspace, layout.yspace = SIBLING_GAP, LAYER_GAP
    roots = [vertices[start]] if start in vertices else []
    # Choices that loop back are drawn upwards; choices into the start are too, so that the
    # start heads the drawing even when nodes that cannot be reached point at it.
    core.get_scs_with_feedback(roots)
    inverted = [e for e in edges if e.feedback or (e.v[1] in roots and e.v[0] not in roots)]
    # optimize: a node that nothing leads to sits just above its targets, not at the very top.
    layout.init_all(roots=roots or None, inverted_edges=inverted, optimize=True)
    if roots and layout.grx[roots[0]].rank != 0:
        # Optimizing pulled the start down (nodes that cannot be reached fed its targets).
        layout = _Layout(core)
        layout.xspace, layout.yspace = SIBLING_GAP, LAYER_GAP
        layout.init_all(roots=roots, inverted_edges=inverted)
    layout.draw(3)
    centres = {key: v.view.xy for key, v in vertices.items()}
    return centres, {(e.v[0].data, e.v[1].data): e.view.points for e in edges}


def _trim(route, source: MapNode, target: MapNode, shift: float) -> list[tuple[float, float]]:
    """The route moved ``shift`` sideways, starting and ending on the borders of the boxes."""
    points = [(x + shift, y) for x, y in route]
    points[0] = _border(source, points[0], points[1])
    points[-1] = _border(target, points[-1], points[-2])
    return points


def _border(box: MapNode, inside: tuple[float, float], toward: tuple[float, float]):
    """Where the segment from ``inside`` (in ``box``) to ``toward`` leaves the box."""
    (x0, y0), (x1, y1) = inside, toward
    dx, dy = x1 - x0, y1 - y0
    exits = []
    if dx:
        exits += [(edge - x0) / dx for edge in (box.x, box.x + box.width)]
    if dy:
        exits += [(edge - y0) / dy for edge in (box.y, box.y + box.height)]
    t = min((t for t in exits if t > 0), default=0.0)
    x, y = x0 + t * dx, y0 + t * dy
    return (
        min(max(x, box.x), box.x + box.width),
        min(max(y, box.y), box.y + box.height),
    )


def _loop(box: MapNode, index: int) -> list[tuple[float, float]]:
    """A choice back to its own node: a curve out of the right side and back in (its two
    middle points are the curve's controls; the curve reaches 3/4 of the way to them)."""
    right, middle = box.x + box.width, box.y + box.height / 2
    reach = LOOP_REACH * 4 / 3 - 5 * (index % 3)
    spread = min(box.height / 2 - 3, 7 + 2 * (index % 3))
    return [
        (right, middle - spread),
        (right + reach, middle - spread - 10),
        (right + reach, middle + spread + 10),
        (right, middle + spread),
    ]


def _moved_node(node: MapNode, dx: float, dy: float) -> MapNode:
    return replace(node, x=_round(node.x + dx), y=_round(node.y + dy))


def _moved_edge(edge: MapEdge, dx: float, dy: float) -> MapEdge:
    return replace(edge, points=tuple((_round(x + dx), _round(y + dy)) for x, y in edge.points))


def _midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _round(value: float) -> float:
    return round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
