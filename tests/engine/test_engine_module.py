"""Module files: the documented example parses; each problem has its line."""

import pytest

from eduapp.engine import Author, ContentError, parse_module

EXAMPLE = """\
id: hidden-curriculum
title: The hidden curriculum
order: 3
summary: What the ward teaches when the classroom is not looking.
outcome: Describe how the hidden curriculum can cancel out formal teaching on co-creation.
outcome: Recognise moments of pressure to unlearn partnership habits on placement.
scenario: night-shift-handover
author: patient educator | Patient educator
author: staff | Medical education lecturer
licence: CC BY-SA 4.0

:: reading

Markdown text of the reading...

:: references

- Cribb A, Owens J, Singh G. Co-creating an expansive health care learning system.
"""


def test_example_parses():
    module = parse_module(EXAMPLE, "curriculum/hidden-curriculum.md")
    assert module.order == 3
    assert len(module.outcomes) == 2
    assert module.scenarios == ("night-shift-handover",)
    assert module.authors[1] == Author("staff", "Medical education lecturer")
    assert module.reading == "Markdown text of the reading..."
    assert module.references.startswith("- Cribb A")


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ContentError) as caught:
        parse_module(text, "m.md")
    return [(p.line, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("order: 3", "order: third", 3, "'order:' must be a whole number, not 'third'."),
        ("order: 3\n", "", 1, "The header has no 'order:' line."),
        (":: references", ":: further reading", 16, "Unknown section ':: further reading'"),
        (":: references", ":: reading", 16, "The section ':: reading' appears twice."),
        ("\nMarkdown text of the reading...\n", "", 12, "The ':: reading' section is empty."),
        ("scenario:", "scenarios:", 7, "Unknown header key 'scenarios'"),
        ("author: staff |", "author: tutor |", 9, "Unknown author kind 'tutor'"),
    ],
)
def test_module_problems(old, new, line, message):
    found = problems(EXAMPLE.replace(old, new, 1))
    assert any(n == line and message in m for n, m in found), found


def test_missing_outcome_and_reading():
    found = problems(EXAMPLE.replace("outcome:", "# outcome:").split("::")[0])
    messages = [m for _, m in found]
    assert "The header has no 'outcome:' line." in messages
    assert "The module has no ':: reading' section." in messages
