"""A large scenario written the way authors write them, for the "Big scenarios" bench and tests.

    big_scenario(5000)  # ~1.8 MB of source, 5,000 nodes; the same text every time

Each node has a title, a speaker, two short paragraphs and two or three choices, to the next
row of the story (branching and rejoining), some with a condition or an effect, a few back to
an earlier row; one node in nine of each row and the whole last row are endings, each with a
debrief. No two endings stand side by side, so every node is reached and reaches an ending.
"""

import random

WORDS = tuple(
    [
        "the",
        "nurse",
        "asks",
        "whether",
        "the",
        "family",
        "has",
        "been",
        "told",
        "what",
        "the",
        "plan",
        "means",
        "for",
        "the",
        "night",
        "shift",
        "and",
        "the",
        "pharmacist",
        "checks",
        "the",
        "chart",
        "again",
        "while",
        "the",
        "student",
        "waits",
        "by",
        "the",
        "door",
        "wondering",
        "who",
        "should",
        "speak",
        "first",
        "about",
        "the",
        "dose",
        "the",
        "patient",
        "missed",
        "yesterday",
        "morning",
    ]
)
SPEAKERS = ("nurse", "patient", "student", "pharmacist", "doctor", "carer")


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def big_scenario(nodes: int, *, seed: int = 5000) -> str:
    """The source of a valid scenario of ``nodes`` nodes (at least 2), deterministic by ``seed``."""
    rng = random.Random(seed)
    out = [
        f"id: big-{nodes}\n",
        f"title: A big scenario of {nodes:,} nodes\n",
        "summary: Generated for the bench: many nodes, branching and rejoining.\n",
        "professions: medicine, nursing, pharmacy\n",
        "author: staff | bench generator\n",
        "licence: CC BY-SA 4.0\n",
        "var trust = 0 | How far the team trusts you\n",
        "var asked = false | Whether you asked the family\n",
        "start: n0\n\n",
    ]
    # Rows of about sqrt(nodes) nodes: each leads to two nodes of the next row (its own
    # column and the next) and sometimes further on or back, as a story branches and rejoins.
    width = max(2, round(nodes**0.5 * 0.7))
    last_row = (nodes - 1) // width
    for n in range(nodes):
        row, column = divmod(n, width)
        is_ending = row == last_row or (row > 0 and column % 9 == 4)
        out.append(f":: n{n} | {_sentence(rng, 4)[:-1]} {n}\n")
        out.append(f"speaker: {rng.choice(SPEAKERS)}\n")
        if is_ending:
            out.append(f"ending: {_sentence(rng, 3)[:-1]}\n")
        out.append(f"\n{_sentence(rng, 14)} {_sentence(rng, 10)}\n\n{_sentence(rng, 12)}\n\n")
        if is_ending:
            out.append(f"debrief: {_sentence(rng, 16)}\n\n")
            continue
        below = (row + 1) * width
        targets = [below + column, below + (column + 1) % width]
        if row == 0:  # the first row is reached from the start, as a tree
            targets += [k for k in (2 * column + 1, 2 * column + 2) if k < width]
        roll = rng.random()
        if roll < 0.3:
            targets.append(below + rng.randrange(width))
        elif roll < 0.35 and row > 2:
            targets.append((row - rng.randint(1, 2)) * width + rng.randrange(width))
        for index, target in enumerate(dict.fromkeys(min(t, nodes - 1) for t in targets)):
            out.append(f"[[{_sentence(rng, 5)[:-1]} -> n{target}]]\n")
            roll = rng.random()
            if index and roll < 0.15:
                out.append("  if: trust > 0\n")
            elif roll < 0.3:
                out.append("  set: trust += 1\n")
            elif roll < 0.35:
                out.append("  set: asked = true\n")
        out.append("\n")
    return "".join(out)


def one_line_changed(source: str, node: int, text: str = "edited") -> str:
    """``source`` with the first body line of node ``node`` changed."""
    lines = source.split("\n")
    at = lines.index(next(line for line in lines if line.startswith(f":: n{node} |")))
    body = next(i for i in range(at + 1, len(lines)) if lines[i] and ":" not in lines[i][:12])
    lines[body] = f"{lines[body]} ({text})"
    return "\n".join(lines)
