"""The serializer: exact output, escapes, and round trips of awkward text."""

from pathlib import Path

from eduapp.engine import (
    Author,
    Choice,
    Module,
    Node,
    Scenario,
    Variable,
    dump_module,
    dump_scenario,
    parse_condition,
    parse_effects,
    parse_module,
    parse_scenario,
)

FIXTURE_TEXT = (Path(__file__).parent / "fixtures" / "minimal.md").read_text()


def small(body: str = "Body.", feedback: str = "", debrief: str = "Debrief.") -> Scenario:
    return Scenario(
        id="small",
        title="Small",
        summary="A summary.",
        professions=("nursing", "social work"),
        authors=(Author("staff", "Tutor | ward 3"),),
        licence="CC BY-SA 4.0",
        variables=(Variable("n", -2, "a | count"), Variable("done", False)),
        start="a",
        nodes=(
            Node(
                "a",
                "First | step",
                body=body,
                speaker="nurse",
                choices=(
                    Choice(
                        "Go -> on",
                        "z",
                        parse_condition("not done and n < 0"),
                        parse_effects("n += 1, done = true"),
                        feedback,
                    ),
                ),
            ),
            Node("z", "End", ending="Done", debrief=debrief),
        ),
    )


def test_exact_output():
    assert dump_scenario(small(feedback="One.\n\nTwo.")) == (
        "id: small\n"
        "title: Small\n"
        "summary: A summary.\n"
        "professions: nursing, social work\n"
        "author: staff | Tutor | ward 3\n"
        "licence: CC BY-SA 4.0\n"
        "var n = -2 | a | count\n"
        "var done = false\n"
        "start: a\n"
        "\n"
        ":: a | First | step\n"
        "speaker: nurse\n"
        "\n"
        "Body.\n"
        "\n"
        "[[Go -> on -> z]]\n"
        "  if: not done and n < 0\n"
        "  set: n += 1, done = true\n"
        "  feedback: One.\n"
        "\n"
        "    Two.\n"
        "\n"
        ":: z | End\n"
        "ending: Done\n"
        "\n"
        "debrief:\n"
        "Debrief.\n"
    )


def test_round_trip_of_lines_that_look_like_syntax():
    body = (
        "[[a -> b]]\ndebrief: x\n:: z | End\n\\[[\n\\\\debrief:\n\\*kept\\*\n\n"
        "    indented code\nspeaker: nurse"
    )
    feedback = "if: x\n\\set: y\nfeedback:\n[[a -> b]]\n::"
    scenario = small(body=body, feedback=feedback, debrief="[[x -> y]]\n\ndebrief:\n::")
    text = dump_scenario(scenario)
    assert "\n\\[[a -> b]]\n" in text
    assert "\n  feedback: if: x\n    \\\\set: y\n    \\feedback:\n" in text
    assert parse_scenario(text) == scenario


def test_fixture_round_trip():
    scenario = parse_scenario(FIXTURE_TEXT)
    assert parse_scenario(dump_scenario(scenario)) == scenario


def test_module_output_and_round_trip():
    module = Module(
        id="hidden-curriculum",
        title="The hidden curriculum",
        order=3,
        summary="What the ward teaches.",
        outcomes=("Describe it.", "Plan one way to act."),
        scenarios=("minimal",),
        authors=(Author("patient educator", "Patient educator"),),
        licence="CC BY-SA 4.0",
        reading="Text with\n:: a line like a section\n\n\\:: and an escaped one",
    )
    text = dump_module(module)
    assert ":: references" not in text
    assert "\n\\:: a line like a section\n" in text
    assert parse_module(text) == module
    with_references = Module(**{**module.__dict__, "references": "- Cribb A. 2017."})
    assert parse_module(dump_module(with_references)) == with_references
