"""The scenario parser and checker: every message, with its file and line."""

from pathlib import Path

import pytest

from eduapp.engine import ContentError, Problem, parse_scenario

FIXTURE = (Path(__file__).parent / "fixtures" / "minimal.md").read_text(encoding="utf-8")


def line_of(text: str, start: str) -> int:
    """1-based number of the first line starting with ``start``."""
    return next(i for i, line in enumerate(text.split("\n"), 1) if line.startswith(start))


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        parse_scenario(text, "scenarios/minimal.md")
    assert all(p.file == "scenarios/minimal.md" for p in caught.value.problems)
    return caught.value.problems


def assert_problem(text: str, line_start: str, message: str) -> None:
    """The text is refused with ``message`` on the line beginning with ``line_start``."""
    line = line_of(text, line_start)
    found = [(p.line, p.message) for p in problems_of(text)]
    assert any(n == line and message in m for n, m in found), found


def test_fixture_parses():
    scenario = parse_scenario(FIXTURE, "minimal.md")
    assert scenario.id == "minimal"
    assert scenario.professions == ("medicine", "pharmacy")
    assert scenario.initial_variables() == {"trust": 1, "asked": False}
    assert [n.id for n in scenario.nodes if n.is_ending] == ["partner", "unheard"]
    assert scenario.node("partner").debrief.endswith("- What made coming back possible?")
    assert "\n\n" in scenario.node("partner").debrief
    assert scenario.node("explain").choices[0].line == line_of(FIXTURE, "[[Invite her")
    assert scenario.node("ward-round").line == line_of(FIXTURE, ":: ward-round")
    with pytest.raises(KeyError):
        scenario.node("nowhere")


def test_windows_line_endings_and_bom_parse_the_same():
    text = "\ufeff" + FIXTURE.replace("\n", "\r\n")
    assert parse_scenario(text) == parse_scenario(FIXTURE)


def test_problem_and_error_format():
    problem = Problem("a.md", 3, "Something.")
    assert str(problem) == "a.md:3: Something."
    error = ContentError([problem, Problem("a.md", 5, "Else.")])
    assert str(error) == "a.md:3: Something.\na.md:5: Else."


def test_dangling_choice_target():
    text = FIXTURE.replace("-> explain]]", "-> explian]]")
    assert_problem(
        text,
        "[[Go back and explain",
        "Choice 'Go back and explain' goes to 'explian', which is not a node in this scenario.",
    )


def test_bad_start():
    text = FIXTURE.replace("start: ward-round", "start: ward")
    assert_problem(text, "start:", "The start 'ward' is not a node in this scenario.")


def test_missing_start():
    text = FIXTURE.replace("start: ward-round\n", "")
    assert_problem(text, "#", "The header has no 'start:' line")


@pytest.mark.parametrize(
    ("old", "new", "line_start", "message"),
    [
        ("title: The medication question\n", "", "#", "The header has no 'title:' line."),
        ("licence:", "license:", "license:", "Unknown header key 'license'"),
        ("summary: A", "summary:\nsummary: A", "summary: A", "'summary:' appears twice"),
        ("summary: A", "summary:\nsummary: A", "summary:", "'summary:' is empty."),
        ("id: minimal", "id: Minimal Case", "id:", "The id 'Minimal Case' may use only"),
        ("medicine,", "surgery,", "professions:", "Unknown profession 'surgery'"),
        ("author: student |", "author: learner |", "author: learner", "Unknown author kind"),
        ("author: student |", "author: student", "author: student", "'author: kind | credit"),
        ("var trust = 1", "var Trust = 1", "var Trust", "'Trust' cannot be a variable name"),
        ("var trust = 1", "var trust = high", "var trust", "must be a whole number, true or false"),
        ("var trust = 1", "var trust", "var trust", "Declare a variable as"),
        ("var asked = false", "var trust = 2", "var trust = 2", "declared twice (first on line"),
        ("licence: CC", "this is not a header\nlicence: CC", "this is", "'key: value'"),
    ],
)
def test_header_problems(old, new, line_start, message):
    assert_problem(FIXTURE.replace(old, new, 1), line_start, message)


def test_header_comments_and_blank_lines_are_ignored():
    text = FIXTURE.replace("licence:", "\n# a comment\n\nlicence:")
    assert parse_scenario(text) == parse_scenario(FIXTURE)


@pytest.mark.parametrize(
    ("old", "new", "line_start", "message"),
    [
        (":: answer | Answering at the bedside", ":: Answer | A", ":: Answer", "node id 'Answer'"),
        (":: answer | Answering at the bedside", ":: answer", ":: answer", "needs a title"),
        ("speaker: student", "mood: tense", "mood:", "Unknown node attribute 'mood:'"),
        ("speaker: student", "speaker: student\nspeaker: nurse", "speaker: nurse", "twice"),
        ("reflect: What stopped the question being answered?", "reflect:", "reflect:", "empty"),
        (
            "[[Check with",
            "[[Check with the pharmacist]]\n[[Check with",
            "[[Check with the pharmacist]]",
            "should look like '[[label -> target-node]]'",
        ),
        ("[[Check with", "[[ -> pharmacist]]\n[[Check with", "[[ ->", "has no label"),
        (
            "  set: asked = true",
            "  set: asked = true\nAn afterthought.",
            "An after",
            "Text after the choices",
        ),
        ("  set: asked = true", "  set: asked = true\n  note: x", "  note", "indented lines start"),
        (
            "  set: trust += 1\n  feedback: She",
            "  set: trust += 1\n  set: trust += 2\n  feedback: She",
            "  set: trust += 2",
            "'set:' appears twice under this choice",
        ),
        ("if: trust >= 3", "if: trust >=", "  if:", "This condition does not read correctly"),
        ("set: asked = true", "set: asked := true", "  set: asked :=", "'set:' line does not"),
    ],
)
def test_node_syntax_problems(old, new, line_start, message):
    assert_problem(FIXTURE.replace(old, new, 1), line_start, message)


def test_duplicate_node_id():
    text = FIXTURE + "\n:: answer | Again\n\nText.\n\n[[On -> unheard]]\n"
    line = len(FIXTURE.split("\n"))
    first = line_of(FIXTURE, ":: answer")
    found = [(p.line, p.message) for p in problems_of(text)]
    assert (line + 1, f"Node 'answer' is defined twice (first on line {first}).") in found


def test_unreachable_node():
    text = FIXTURE + "\n:: aside | Aside\n\nText.\n\n[[On -> unheard]]\n"
    assert_problem(
        text, ":: aside", "Node 'aside' cannot be reached from the start: no choice goes to it."
    )


def test_node_reached_only_from_unreachable_nodes():
    text = FIXTURE + (
        "\n:: aside | Aside\n\n[[On -> aside2]]\n\n:: aside2 | Aside 2\n\n[[On -> unheard]]\n"
    )
    assert_problem(text, ":: aside2", "only from nodes that cannot be reached either")


def test_node_without_choices_that_is_not_an_ending():
    text = FIXTURE.replace("[[Check with the pharmacist afterwards -> pharmacist]]\n", "")
    text = text.replace("  set: asked = true\n", "")
    assert_problem(text, ":: answer", "Node 'answer' has no choices and is not an ending")


def test_ending_with_choices():
    text = FIXTURE.replace("Mrs Okafor takes the tablet", "[[Again -> ward-round]]\n\nMrs O")
    assert_problem(text, "[[Again", "Node 'unheard' is an ending, so it cannot have choices.")


def test_choice_after_debrief():
    text = FIXTURE + "[[Again -> ward-round]]\n"
    assert_problem(text, "[[Again", "A choice cannot come after 'debrief:'")


def test_ending_without_debrief():
    text = FIXTURE.replace(
        "debrief:\nNobody did anything wrong, yet the question was lost. Where could it have "
        "been picked up?\n",
        "",
    )
    assert_problem(text, ":: unheard", "Ending 'unheard' has no debrief")


def test_debrief_on_a_node_that_is_not_an_ending():
    text = FIXTURE.replace("  set: asked = true\n", "  set: asked = true\ndebrief: Why?\n")
    assert_problem(text, ":: answer", "has a debrief but is not an ending")


def test_trap_from_which_no_ending_is_reachable():
    text = FIXTURE.replace("[[Leave it to the doctors -> unheard]]", "[[Wait -> loop]]") + (
        "\n:: loop | Waiting\n\n[[Wait more -> loop]]\n[[Ask -> pharmacist]]\n"
    )
    text = text.replace("[[Go back and explain -> explain]]", "[[Back -> loop]]")
    found = [(p.line, p.message) for p in problems_of(text)]
    assert (
        line_of(text, ":: loop"),
        "No ending can be reached from node 'loop': a learner who gets here is stuck.",
    ) in found
    assert any("from node 'pharmacist'" in m for _, m in found)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("if: trust >= 3", "if: trusst >= 3", "'trusst' is not declared"),
        ("if: trust >= 3", "if: asked == 1", "compares true/false with a number"),
        ("set: asked = true", "set: asked += 1", "only applies to numbers"),
    ],
)
def test_expression_type_problems_point_at_the_choice(old, new, message):
    text = FIXTURE.replace(old, new)
    choice_line = line_of(text, "  " + new) - 1 if "if:" in new else line_of(text, "[[Check")
    found = [(p.line, p.message) for p in problems_of(text)]
    assert any(n == choice_line and message in m for n, m in found), found


def test_every_problem_is_collected_and_sorted_by_line():
    text = (
        FIXTURE.replace("licence:", "license:")
        .replace("-> explain]]", "-> explian]]")
        .replace("if: trust >= 3", "if: trusst >= 3")
    )
    problems = problems_of(text)
    assert len(problems) >= 4  # includes the missing licence and the now unreachable nodes
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_no_nodes():
    header = FIXTURE.split("\n::")[0]
    assert any("has no nodes" in p.message for p in problems_of(header))


def test_attributes_may_be_followed_directly_by_the_body():
    text = FIXTURE.replace("speaker: student\n\nYou explain", "speaker: student\nYou explain")
    assert parse_scenario(text) == parse_scenario(FIXTURE)


def test_escapes_and_markdown_in_bodies():
    body = (
        "\\[[not a choice]]\n\\debrief: not one\n\\::\n\\\\[[ kept one\n\\*as written\\*\n  [[x]]"
    )
    text = FIXTURE.replace("You explain what you know and admit what you do not.", body)
    node = parse_scenario(text).node("answer")
    assert (
        node.body
        == "[[not a choice]]\ndebrief: not one\n::\n\\[[ kept one\n\\*as written\\*\n  [[x]]"
    )


def test_debrief_may_start_on_its_own_line_and_multiline_feedback():
    text = FIXTURE.replace("debrief:\nNobody", "debrief: Nobody").replace(
        "  feedback: The ward is busy; the question stays with Mrs Okafor.",
        "  feedback: The ward is busy;\n\n      the question stays.   \n    \\if: escaped",
    )
    scenario = parse_scenario(text)
    assert scenario.node("unheard").debrief.startswith("Nobody did anything wrong")
    feedback = scenario.node("pharmacist").choices[1].feedback
    assert feedback == "The ward is busy;\n\nthe question stays.\nif: escaped"
