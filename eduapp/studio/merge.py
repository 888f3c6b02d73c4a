"""Three-way merge of two saves that started from the same revision: keep everyone's work.

``base`` is the revision a save started from, ``theirs`` the newest revision (saved by someone
else meanwhile) and ``mine`` the text being saved. A draft is merged by its structure, as the
engine reads it: the header line by line (``title:`` by its key, ``var trust`` by its name, a
repeatable line such as ``author:`` or ``outcome:`` by its text) and each ``::`` node (a
module's section, an assessment's question) as a whole, by its id. A part changed on one side
only takes that side's text; a part both changed in the same way is kept once; a part both
changed differently, removed on one side and changed on the other, moved on one side and
changed on the other, or added by both with different texts is a :class:`Clash` for a person
to decide. When a text cannot be split that way (two nodes or two ``title:`` lines with the same
key, as a draft being written may have) the texts are merged line by line instead (diff3:
stretches between lines that neither side changed), and a stretch both changed is a Clash.

Pure Python: no Flask, no database. Matching lines and nodes costs bounded work
(``diff.matching``); anything left unmatched counts as changed, so at worst a merge asks a
person rather than guessing.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from eduapp.studio.diff import matching, split_lines

#: Header keys that may appear more than once: each such line is known by its whole text.
REPEATABLE_KEYS = frozenset({"author", "outcome", "scenario"})

Lines = tuple[str, ...]


@dataclass(frozen=True)
class Part:
    """A header line or a whole node, known across the three texts by ``key``."""

    key: str
    label: str
    lines: Lines


@dataclass(frozen=True)
class Clash:
    """A part that both sides changed in different ways; a person chooses what to keep."""

    key: str
    label: str
    #: Why it clashes, in words: "Ana and you both changed it."
    reason: str
    base: str | None
    theirs: str | None
    mine: str | None
    #: The "edit" box's first text: both versions merged line by line; where both changed the
    #: same lines, theirs come first and then mine, so nothing is dropped until someone deletes it.
    suggestion: str
    their_name: str = "they"

    @property
    def keep_mine_drops(self) -> str:
        """What choosing "keep mine" loses, in words."""
        if self.theirs is None:
            return f"Keeps your version; {self.their_name} had removed it, and it comes back."
        lost = _lines_lost(self.theirs, self.mine, self.base)
        if self.mine is None:
            return f"Removes it, as you did; {self.their_name}'s version ({lost}) is dropped."
        return f"Uses your version; {self.their_name}'s changes ({lost}) are dropped."

    @property
    def keep_theirs_drops(self) -> str:
        """What choosing "keep theirs" loses, in words."""
        if self.mine is None:
            return f"Keeps {self.their_name}'s version; your removal of it is undone."
        lost = _lines_lost(self.mine, self.theirs, self.base)
        if self.theirs is None:
            return f"Leaves it removed, as {self.their_name} did; your version ({lost}) is dropped."
        return f"Uses {self.their_name}'s version; your changes ({lost}) are dropped."


Item = Lines | Clash


@dataclass(frozen=True)
class Merge:
    """The merged text, part by part, with the clashes still to decide."""

    mode: Literal["same", "by_node", "by_line"]
    header: tuple[Item, ...] = ()
    nodes: tuple[Item, ...] = ()
    #: Labels of the parts taken from each side without a clash, for the page and the note.
    from_theirs: tuple[str, ...] = ()
    from_mine: tuple[str, ...] = ()
    whole: str = ""
    clashes: tuple[Clash, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        found = tuple(item for item in (*self.header, *self.nodes) if isinstance(item, Clash))
        object.__setattr__(self, "clashes", found)

    @property
    def is_clean(self) -> bool:
        return not self.clashes

    def text(self, resolved: Mapping[str, str | None] | None = None) -> str:
        """The merged text, each clash replaced by ``resolved[clash.key]`` (None or "" removes
        the part). KeyError if a clash has no resolution."""
        if self.mode == "same":
            return self.whole
        resolved = resolved or {}

        def lines_of(item: Item) -> Lines:
            if isinstance(item, Clash):
                chosen = resolved[item.key]
                return tuple(split_lines(chosen)) if chosen else ()
            return item

        header = [line for item in self.header for line in lines_of(item)]
        if self.mode == "by_line":
            return "\n".join(header) + "\n" if header else ""
        out = _trim(header)
        for item in self.nodes:
            block = _trim(lines_of(item))
            if block:
                out += ["", *block] if out else block
        return "\n".join(out) + "\n" if out else ""

    def suggested_text(self) -> str:
        """The text with every clash taken as its suggestion: both sides' lines kept."""
        return self.text({clash.key: clash.suggestion for clash in self.clashes})


def merge(
    base: str, theirs: str, mine: str, *, their_name: str = "they", noun: str = "node"
) -> Merge:
    """Merge ``mine`` and ``theirs``, both made from ``base``; see the module's docstring."""
    if theirs == mine or mine == base:
        return Merge("same", whole=theirs)
    if theirs == base:
        return Merge("same", whole=mine)
    parts = [_structure(text, noun) for text in (base, theirs, mine)]
    if all(part is not None for part in parts):
        (base_header, base_nodes), (their_header, their_nodes), (my_header, my_nodes) = parts
        header, header_theirs, header_mine = _merge_parts(
            base_header, their_header, my_header, their_name
        )
        nodes, nodes_theirs, nodes_mine = _merge_parts(
            base_nodes, their_nodes, my_nodes, their_name
        )
        return Merge(
            "by_node",
            header=header,
            nodes=nodes,
            from_theirs=header_theirs + nodes_theirs,
            from_mine=header_mine + nodes_mine,
        )
    return Merge(
        "by_line",
        header=tuple(
            _merge_lines(split_lines(base), split_lines(theirs), split_lines(mine), their_name)
        ),
    )


def node_parts(text: str, noun: str = "node") -> dict[str, Part] | None:
    """The text's nodes (sections, questions) by id; None when two share an id."""
    structure = _structure(text, noun)
    if structure is None:
        return None
    return {part.key.removeprefix("node "): part for part in structure[1]}


def replace_node(text: str, node_id: str, block: Lines, old_order: Sequence[str]) -> str:
    """``text`` with node ``node_id`` written as ``block``: in its place if it is there, else
    after the nearest node that came before it in ``old_order`` (first if none does)."""
    lines = split_lines(text)
    starts = [index for index, line in enumerate(lines) if line.startswith("::")]
    ends = [*starts[1:], len(lines)] if starts else []
    bounds = {_node_id(lines[s]): (s, e) for s, e in zip(starts, ends, strict=True)}
    if node_id in bounds:
        begin, end = bounds[node_id]
        kept = _trim(lines[begin:end])
        lines[begin : begin + len(kept)] = block
        return "\n".join(lines) + "\n"
    before = old_order[: old_order.index(node_id)] if node_id in old_order else ()
    anchor = next((bounds[other] for other in reversed(before) if other in bounds), None)
    if anchor is not None:
        at = anchor[0] + len(_trim(lines[anchor[0] : anchor[1]]))
        lines[at:at] = ["", *block]
    else:
        at = starts[0] if starts else len(lines)
        lines[at:at] = [*block, ""] if starts else ["", *block]
    return "\n".join(lines) + "\n"


# -- by structure --------------------------------------------------------------------------


def _structure(text: str, noun: str) -> tuple[tuple[Part, ...], tuple[Part, ...]] | None:
    """The text's header lines and nodes as keyed parts; None if a key repeats."""
    lines = split_lines(text)
    starts = [index for index, line in enumerate(lines) if line.startswith("::")]
    header_end = starts[0] if starts else len(lines)
    header = _header_parts(_trim(lines[:header_end]))
    nodes = []
    ends = [*starts[1:], len(lines)] if starts else []
    for begin, end in zip(starts, ends, strict=True):
        node_id = _node_id(lines[begin])
        title = lines[begin][2:].partition("|")[2].strip()
        label = f"{noun.capitalize()} '{node_id}'" + (f" ({title})" if title else "")
        nodes.append(Part(f"node {node_id}", label, tuple(_trim(lines[begin:end]))))
    parts = (*header, *nodes)
    if len({part.key for part in parts}) != len(parts):
        return None
    return tuple(header), tuple(nodes)


def _node_id(line: str) -> str:
    return line[2:].partition("|")[0].strip()


def _header_parts(lines: list[str]) -> list[Part]:
    parts = []
    seen: Counter[str] = Counter()
    for line in lines:
        text = line.strip()
        key, colon, _ = text.partition(":")
        if text.startswith("var "):
            name = text[4:].partition("=")[0].strip()
            parts.append(Part(f"var {name}", f"Variable '{name}'", (line,)))
        elif colon and key and " " not in key and key not in REPEATABLE_KEYS:
            parts.append(Part(f"key {key}", f"The header line '{key}:'", (line,)))
        else:
            seen[text] += 1
            label = f"The header line '{text}'" if text else "A blank header line"
            parts.append(Part(f"line {seen[text]} {text}", label, (line,)))
    return parts


def _merge_parts(
    base: Sequence[Part], theirs: Sequence[Part], mine: Sequence[Part], their_name: str
) -> tuple[tuple[Item, ...], tuple[str, ...], tuple[str, ...]]:
    by_key = [{part.key: part for part in side} for side in (base, theirs, mine)]
    moved_by_them = _moved(base, theirs)
    moved_by_me = _moved(base, mine)
    items: list[Item] = []
    taken_theirs: list[str] = []
    taken_mine: list[str] = []
    for key in _order(base, theirs, mine):
        b, t, m = (side.get(key) for side in by_key)
        b_lines, t_lines, m_lines = (p.lines if p else None for p in (b, t, m))
        label = (t or m or b).label
        reason = None
        if t_lines == m_lines:
            chosen = t_lines
        elif t_lines == b_lines:
            chosen = m_lines
            taken_mine.append(label)
            if key in moved_by_them:
                reason = f"{their_name} moved it; you changed it."
        elif m_lines == b_lines:
            chosen = t_lines
            taken_theirs.append(label)
            if key in moved_by_me:
                reason = f"You moved it; {their_name} changed it."
        elif b_lines is None:
            reason = f"{their_name} and you both added it, differently."
        elif t_lines is None:
            renamed = _renamed_as(b, theirs, by_key[0])
            reason = f"{their_name} removed it{renamed}; you changed it."
        elif m_lines is None:
            renamed = _renamed_as(b, mine, by_key[0])
            reason = f"You removed it{renamed}; {their_name} changed it."
        else:
            reason = f"{their_name} and you both changed it."
        if reason is not None:
            items.append(_clash(key, label, reason, b_lines, t_lines, m_lines, their_name))
        elif chosen:
            items.append(chosen)
    return tuple(items), tuple(taken_theirs), tuple(taken_mine)


def _clash(key, label, reason, b_lines, t_lines, m_lines, their_name) -> Clash:
    def text(lines: Lines | None) -> str | None:
        return None if lines is None else "\n".join(lines)

    if t_lines is None or m_lines is None:
        suggestion = text(t_lines if m_lines is None else m_lines)
    else:
        chunks = _merge_lines(list(b_lines or ()), list(t_lines), list(m_lines), their_name)
        suggestion = "\n".join(
            line
            for chunk in chunks
            for line in (
                (*split_lines(chunk.theirs or ""), *split_lines(chunk.mine or ""))
                if isinstance(chunk, Clash)
                else chunk
            )
        )
    return Clash(
        key,
        label,
        _sentence(reason),
        text(b_lines),
        text(t_lines),
        text(m_lines),
        suggestion or "",
        their_name,
    )


def _renamed_as(old: Part, side: Sequence[Part], base: Mapping[str, Part]) -> str:
    """ ", perhaps as 'new-id'" when the side added a node with the removed node's title."""
    title = old.label.partition(" (")[2]
    if not old.key.startswith("node ") or not title:
        return ""
    for part in side:
        if part.key not in base and part.label.partition(" (")[2] == title:
            return f" (perhaps renamed as '{part.key.removeprefix('node ')}')"
    return ""


def _moved(base: Sequence[Part], side: Sequence[Part]) -> set[str]:
    """Keys of parts both have whose place among the others changed on ``side``."""
    in_side = {part.key for part in side}
    in_base = {part.key for part in base}
    old = [part.key for part in base if part.key in in_side]
    new = [part.key for part in side if part.key in in_base]
    if old == new:
        return set()
    kept = {old[i] for i, _ in matching(old, new)}
    return set(old) - kept


def _order(base: Sequence[Part], theirs: Sequence[Part], mine: Sequence[Part]) -> list[str]:
    """Every key once, in the order of the side that reordered the shared parts (theirs if
    both or neither did), each part only the other side has placed after the part it follows
    there."""
    keys = [[part.key for part in side] for side in (base, theirs, mine)]
    shared = set(keys[0]) & set(keys[1]) & set(keys[2])
    b, t, m = ([key for key in side if key in shared] for side in keys)
    skeleton, other = (keys[2], keys[1]) if t == b and m != b else (keys[1], keys[2])
    placed = set(skeleton)
    after: dict[str | None, list[str]] = {}
    anchor = None
    for key in other:
        if key in placed:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    order = list(after.get(None, ()))
    for key in skeleton:
        order.append(key)
        order += after.get(key, ())
    seen = set(order)
    order += [key for key in keys[0] if key not in seen]  # removed by both: nothing to place
    return order


# -- by line -------------------------------------------------------------------------------


def _merge_lines(
    base: list[str], theirs: list[str], mine: list[str], their_name: str
) -> list[Item]:
    """diff3: the lines both sides kept from ``base`` split the texts into stretches; each
    stretch takes the side that changed it, or is a Clash when both did."""
    to_theirs = dict(matching(base, theirs))
    to_mine = dict(matching(base, mine))
    stable = sorted(set(to_theirs) & set(to_mine))
    items: list[Item] = []
    b = t = m = 0
    for i, j, k in [
        *((i, to_theirs[i], to_mine[i]) for i in stable),
        (len(base), len(theirs), len(mine)),
    ]:
        b_lines, t_lines, m_lines = tuple(base[b:i]), tuple(theirs[t:j]), tuple(mine[m:k])
        if t_lines == m_lines or m_lines == b_lines:
            items.append(t_lines)
        elif t_lines == b_lines:
            items.append(m_lines)
        else:
            if i - b == 1:
                where = f"Line {i}"
            elif i > b:
                where = f"Lines {b + 1}-{i}"
            else:
                where = f"New lines after line {b}"
            items.append(
                Clash(
                    f"lines {b}",
                    f"{where} of the revision you started from",
                    _sentence(f"{their_name} and you both changed these lines."),
                    "\n".join(b_lines),
                    "\n".join(t_lines),
                    "\n".join(m_lines),
                    "\n".join((*t_lines, *m_lines)),
                    their_name,
                )
            )
        if i < len(base):
            items.append((base[i],))
        b, t, m = i + 1, j + 1, k + 1
    return [item for item in items if item]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _trim(lines: Sequence[str]) -> list[str]:
    """The lines without blank lines at the end."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    return list(lines[:end])


def _lines_lost(lost_from: str | None, kept: str | None, base: str | None) -> str:
    """What is lost of the changes ``lost_from`` made to ``base`` when ``kept`` is kept instead,
    in words: the lines it wrote that ``kept`` lacks, else the lines it removed that come back."""
    old, new, other = (Counter(split_lines(text or "")) for text in (base, lost_from, kept))
    written = sum(((new - old) - other).values())
    if written:
        return f"{written} new or changed line{'' if written == 1 else 's'}"
    removed = sum(((old - new) & other).values())
    if removed:
        return f"{removed} removed line{'' if removed == 1 else 's'} would come back"
    return "a change of order or spacing"
