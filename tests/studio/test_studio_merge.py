"""The three-way merge (eduapp/studio/merge.py): by node and header line, and by line when a
text cannot be split into nodes."""

import time

from eduapp.engine import parse_scenario
from eduapp.studio.merge import Clash, merge, node_parts, replace_node

BASE = """id: night-handover
title: The night handover
summary: A handover.
professions: medicine, nursing
author: staff | Nursing tutor
licence: CC BY-SA 4.0
var voice = 0 | Whose words reach the team
start: opening

:: opening | Where it begins
speaker: patient

What the learner sees first.

[[Listen first -> heard]]
  set: voice += 1
[[Carry on -> unheard]]

:: heard | Heard
ending: Heard

What happened.

debrief:
Why it mattered.

:: unheard | Not heard
ending: Not heard

What happened instead.

debrief:
Why it mattered.
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_different_nodes_merge_and_keep_both_changes():
    theirs = edit(BASE, "What the learner sees first.", "Night. The ward is quiet.")
    mine = edit(BASE, "What happened instead.", "The plan goes ahead without him.")
    result = merge(BASE, theirs, mine, their_name="Ana")
    assert result.is_clean and result.mode == "by_node"
    text = result.text()
    assert "Night. The ward is quiet." in text and "The plan goes ahead without him." in text
    assert text == edit(theirs, "What happened instead.", "The plan goes ahead without him.")
    assert result.from_theirs == ("Node 'opening' (Where it begins)",)
    assert result.from_mine == ("Node 'unheard' (Not heard)",)
    parse_scenario(text)


def test_the_same_node_changed_by_both_is_a_clash_with_all_three_texts():
    theirs = edit(BASE, "What the learner sees first.", "Their sentence.")
    mine = edit(BASE, "[[Carry on -> unheard]]", "[[Carry on regardless -> unheard]]")
    result = merge(BASE, theirs, mine, their_name="Ana")
    (clash,) = result.clashes
    assert clash.key == "node opening" and clash.reason == "Ana and you both changed it."
    assert "What the learner sees first." in clash.base
    assert "Their sentence." in clash.theirs and "Carry on regardless" in clash.mine
    # The edit box starts with both changes: they touched different lines of the node.
    assert "Their sentence." in clash.suggestion and "Carry on regardless" in clash.suggestion
    assert "Ana's changes (1 new or changed line) are dropped" in clash.keep_mine_drops
    assert "your changes (1 new or changed line) are dropped" in clash.keep_theirs_drops
    assert "Their sentence." in result.text({clash.key: clash.theirs})
    assert "Carry on regardless" in result.text({clash.key: clash.mine})


def test_one_change_or_the_same_change_needs_no_merge():
    changed = edit(BASE, "Heard", "Listened to")
    assert merge(BASE, changed, BASE).text() == changed
    assert merge(BASE, BASE, changed).text() == changed
    assert merge(BASE, changed, changed).text() == changed


def test_different_header_lines_merge_and_the_same_line_clashes():
    theirs = edit(BASE, "title: The night handover", "title: The long night")
    mine = edit(BASE, "var voice = 0", "var voice = 1")
    result = merge(BASE, theirs, mine)
    assert result.is_clean
    assert "title: The long night" in result.text() and "var voice = 1 |" in result.text()
    mine = edit(BASE, "title: The night handover", "title: The handover at night")
    (clash,) = merge(BASE, theirs, mine, their_name="Ana").clashes
    assert clash.label == "The header line 'title:'"
    assert clash.theirs == "title: The long night"
    assert clash.mine == "title: The handover at night"


def test_a_header_line_added_on_each_side_keeps_both():
    theirs = edit(BASE, "start: opening", "var trust = 2\nstart: opening")
    mine = edit(
        BASE,
        "author: staff | Nursing tutor",
        "author: staff | Nursing tutor\nauthor: patient educator | Patient educator",
    )
    text = merge(BASE, theirs, mine).text()
    assert "var trust = 2" in text and "author: patient educator | Patient educator" in text
    parse_scenario(text)


NEW_NODE = """:: pharmacist | The pharmacist
speaker: pharmacist
ending: Checked

The pharmacist checks the chart.

debrief:
A second look.
"""


def test_nodes_added_on_each_side_are_both_kept_in_place():
    theirs = edit(BASE, ":: heard | Heard", NEW_NODE + "\n:: heard | Heard")
    other = NEW_NODE.replace("pharmacist |", "registrar |").replace("The pharmacist", "Registrar")
    mine = BASE + "\n" + other
    result = merge(BASE, theirs, mine)
    assert result.is_clean
    ids = list(node_parts(result.text()))
    assert ids == ["opening", "pharmacist", "heard", "unheard", "registrar"]


def test_both_adding_the_same_id_differently_clashes_and_identically_merges():
    theirs = BASE + "\n" + NEW_NODE
    mine = BASE + "\n" + NEW_NODE.replace("checks the chart", "reads the chart")
    (clash,) = merge(BASE, theirs, mine, their_name="Ana").clashes
    assert clash.base is None and clash.reason == "Ana and you both added it, differently."
    assert merge(BASE, theirs, theirs).text() == theirs


def test_a_node_removed_on_one_side_and_unchanged_on_the_other_goes():
    removed = edit(BASE, ":: unheard | Not heard", ":: placeholder | P").split(":: placeholder")[0]
    mine = edit(BASE, "What the learner sees first.", "Mine.")
    text = merge(BASE, removed, mine).text()
    assert "Not heard" not in text and "Mine." in text
    text = merge(BASE, mine, removed).text()
    assert "Not heard" not in text and "Mine." in text


def test_a_node_removed_on_one_side_and_changed_on_the_other_clashes():
    removed = BASE.split(":: unheard")[0]
    mine = edit(BASE, "What happened instead.", "My new ending.")
    (clash,) = merge(BASE, removed, mine, their_name="Ana").clashes
    assert clash.theirs is None and clash.reason == "Ana removed it; you changed it."
    assert "it comes back" in clash.keep_mine_drops
    assert "Leaves it removed" in clash.keep_theirs_drops
    assert clash.suggestion == clash.mine
    assert "My new ending." not in merge(BASE, removed, mine).text({clash.key: None})
    (clash,) = merge(BASE, mine, removed, their_name="Ana").clashes
    assert clash.mine is None and clash.reason == "You removed it; Ana changed it."


def test_a_node_renamed_by_one_side_and_edited_by_the_other_clashes():
    renamed = edit(BASE, ":: unheard | Not heard", ":: ignored | Not heard")
    renamed = edit(renamed, "[[Carry on -> unheard]]", "[[Carry on -> ignored]]")
    mine = edit(BASE, "What happened instead.", "My new ending.")
    result = merge(BASE, renamed, mine, their_name="Ana")
    (clash,) = result.clashes
    assert clash.key == "node unheard"
    assert clash.reason == "Ana removed it (perhaps renamed as 'ignored'); you changed it."


def test_a_node_moved_by_one_side_and_edited_by_the_other_clashes():
    blocks = BASE.split("\n:: ")
    moved = "\n:: ".join([blocks[0], blocks[2], blocks[1], blocks[3]])
    assert moved != BASE
    mine = edit(BASE, "What the learner sees first.", "Mine.")
    result = merge(BASE, moved, mine, their_name="Ana")
    assert [clash.reason for clash in result.clashes] == ["Ana moved it; you changed it."]
    # Moved by one side, a node the other did not touch simply moves.
    mine = edit(BASE, "What happened instead.", "Mine.")
    result = merge(BASE, moved, mine)
    assert result.is_clean and list(node_parts(result.text())) == ["heard", "opening", "unheard"]


def test_unparseable_texts_fall_back_to_a_line_merge():
    broken = BASE + "\n:: opening | A second opening\n"  # two nodes share an id
    theirs = edit(broken, "summary: A handover.", "summary: Theirs.")
    mine = edit(broken, "What happened instead.", "Mine.")
    result = merge(broken, theirs, mine)
    assert result.mode == "by_line" and result.is_clean
    assert result.text() == edit(theirs, "What happened instead.", "Mine.")
    mine = edit(broken, "summary: A handover.", "summary: Mine.")
    result = merge(broken, theirs, mine, their_name="Ana")
    (clash,) = result.clashes
    assert isinstance(clash, Clash) and clash.label == "Line 3 of the revision you started from"
    assert (clash.base, clash.theirs, clash.mine) == (
        "summary: A handover.",
        "summary: Theirs.",
        "summary: Mine.",
    )
    assert result.text({clash.key: clash.mine}) == mine


def test_line_merge_keeps_insertions_apart_and_clashes_at_the_same_place():
    head = ":: n | One\n:: n | Two\n"  # a repeated id: merged line by line
    base = head + "a\nb\nc\nd\n"
    theirs, mine = head + "a\nx\nb\nc\nd\n", head + "a\nb\nc\ny\nd\n"
    assert merge(base, theirs, mine).text() == head + "a\nx\nb\nc\ny\nd\n"
    result = merge(base, theirs, head + "a\ny\nb\nc\nd\n")
    assert result.mode == "by_line"
    (clash,) = result.clashes
    assert clash.base == "" and clash.suggestion == "x\ny"


def test_restoring_a_node_replaces_it_or_adds_it_after_the_one_it_followed():
    old = node_parts(BASE)
    newer = edit(BASE, "What happened.", "Changed since.")
    restored = replace_node(newer, "heard", old["heard"].lines, list(old))
    assert restored == BASE
    gone = newer.split(":: heard")[0] + ":: unheard" + newer.split(":: unheard")[1]
    back = replace_node(gone, "heard", old["heard"].lines, list(old))
    assert list(node_parts(back)) == ["opening", "heard", "unheard"]
    parse_scenario(back)


def test_a_merge_of_thousands_of_nodes_stays_quick():
    nodes = "".join(
        f"\n:: n{i} | Node {i}\n\nText {i}.\n\n[[On -> n{i + 1}]]\n" for i in range(5000)
    )
    base = BASE + nodes
    theirs = edit(base, "Text 10.", "Theirs.")
    mine = edit(base, "Text 4000.", "Mine.")
    began = time.perf_counter()
    result = merge(base, theirs, mine)
    text = result.text()
    assert time.perf_counter() - began < 1.5
    assert "Theirs." in text and "Mine." in text
