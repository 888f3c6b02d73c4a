"""Hostile files are refused quickly and cleanly (SECURITY.md row 22)."""

import time

import pytest

from eduapp.engine import ContentError, parse_module, parse_scenario

HEADER = (
    "id: big\ntitle: Big\nsummary: S\nprofessions: other\nauthor: staff | Tutor\n"
    "licence: CC BY-SA 4.0\nstart: n0\n"
)


def refused(text: str, parse=parse_scenario) -> list[str]:
    started = time.process_time()
    with pytest.raises(ContentError) as caught:
        parse(text, "big.md")
    assert time.process_time() - started < 2
    return [p.message for p in caught.value.problems]


def test_fifty_thousand_nodes_are_refused_early():
    text = HEADER + "".join(f":: n{i} | N\n" for i in range(50_000))
    assert len(text.encode()) < 1024 * 1024  # so it is the node count that refuses it
    [message] = refused(text)
    assert message == (
        "This scenario has 50,000 nodes; the limit is 2,000. Split it into smaller scenarios."
    )


def test_more_than_a_megabyte_is_refused():
    assert refused(HEADER + "x" * (1024 * 1024)) == [
        "This file is larger than 1 MB; split it into smaller files."
    ]
    assert refused("é" * 600_000, parse_module) == [
        "This file is larger than 1 MB; split it into smaller files."
    ]


@pytest.mark.parametrize(
    "garbage",
    [
        "(" * 1_000_000,
        "  if: " + "(" * 999_000,
        "[[" + "->" * 499_000,
        "  set: " + "x += 1, " * 120_000,
        "*" * 1_000_000,
        "[[a -> b]]\n" + "  if: " + "not " * 200_000,
    ],
)
def test_a_megabyte_of_nested_garbage_is_a_content_error(garbage):
    text = (HEADER + ":: n0 | N\n\n" + garbage)[: 1024 * 1024]
    assert refused(text)


def test_many_nested_lines_stay_linear():
    node = ":: n{0} | N\n\n[[a -> n{1}]]\n  if: " + "(" * 30 + "true" + ")" * 30 + "\n\n"
    text = HEADER + "".join(node.format(i, i + 1) for i in range(1999))
    text += ":: n1999 | End\nending: E\n\ndebrief:\nD\n"
    started = time.process_time()
    assert len(parse_scenario(text).nodes) == 2000
    assert time.process_time() - started < 2
