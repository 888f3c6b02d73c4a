"""The source editor's problem list (issue 13): each "line 61" is a link to the source box and
says which node the line is in, in the list the server renders and in the live check's answer.
The browser side (line numbers, the caret moved to a line, hints) is in
tests/browser/test_studio_source_editor_journey.py."""

import re

import pytest

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio.revisions import create_document
from eduapp.studio.source_lines import parts_at_lines
from eduapp.transaction import unit_of_work
from tests.studio.test_studio_way_to_learners import invite, sign_in
from tests.support.accounts import Auth

EDITOR = "/studio/scenario/night-handover"

SOURCE = """\
id: night-handover
title: The night handover
summary: One or two sentences for learners.
professions: medicine, nursing
author: patient educator | Patient educator
licence: CC BY-SA 4.0
var voice = 0 | How far the patient's own words reach the team
start: opening

:: opening | Where it begins
speaker: patient

What the learner sees first.

[[Listen first -> heard]]
  set: voice += 1
  feedback: Say what this choice gains and what it costs.
[[Ask the porter -> porter]]
  feedback: Say what this choice gains and what it costs.

:: heard | Heard
ending: Heard

What happened.

debrief:
What happened to the patient, the team and the learner.
"""
#: The line of "[[Ask the porter -> porter]]", a choice to a node that does not exist.
PORTER_LINE = SOURCE.splitlines().index("[[Ask the porter -> porter]]") + 1


def test_a_line_is_in_the_part_whose_header_is_nearest_above_it():
    source = "id: x\ntitle: X\n\n:: one | One\ntext\n\\:: not a header\n:: two | Two\nmore\n"
    assert parts_at_lines(source, [1, 3, 4, 5, 6, 7, 8, 9, 99]) == {
        4: "one",  # the header line itself
        5: "one",
        6: "one",  # an escaped "::" stays in the text
        7: "two",
        8: "two",
        9: "two",  # the empty last line
    }
    assert parts_at_lines(":: reading\nText.\n", [2]) == {2: "reading"}
    assert parts_at_lines("no parts at all", [1]) == {}


@pytest.fixture
def auth(app, client, login_as):
    educator = login_as(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        create_document(educator, DocumentKind.SCENARIO, "night-handover", "Night handover", "")
    auth = Auth(client)
    saved = auth.post(
        f"{EDITOR}/save", {"source": SOURCE, "base": 1, "message": "A porter"}, page=EDITOR
    )
    assert saved.status_code == 302
    return auth


def test_each_problem_in_the_editor_links_to_the_source_box_and_names_its_node(auth):
    page = auth.client.get(EDITOR).get_data(as_text=True)
    assert re.search(
        rf'<a href="#source" class="line-ref" data-line="{PORTER_LINE}">line {PORTER_LINE}</a>'
        r", in node 'opening': [^<]*porter",
        page,
    )
    assert '<textarea id="source"' in page  # the link's target, without JavaScript


def test_the_live_check_names_the_node_of_each_problem(auth):
    source = SOURCE.replace("id: night-handover", "id: renamed")
    checked = auth.post(f"{EDITOR}/check", {"source": source}, page=EDITOR).get_json()
    by_line = {problem["line"]: problem for problem in checked["problems"]}
    assert by_line[PORTER_LINE]["node"] == "opening"
    assert "porter" in by_line[PORTER_LINE]["message"]
    assert by_line[1]["node"] is None  # the header has no node


def test_the_live_check_counts_lines_the_same_way_for_windows_line_ends(auth):
    checked = auth.post(
        f"{EDITOR}/check", {"source": SOURCE.replace("\n", "\r\n")}, page=EDITOR
    ).get_json()
    assert {"line": PORTER_LINE, "node": "opening"}.items() <= next(
        problem for problem in checked["problems"] if "porter" in problem["message"]
    ).items()


def test_the_cheat_sheet_is_beside_the_box_for_those_who_edit(auth):
    page = auth.client.get(EDITOR).get_data(as_text=True)
    assert '<details class="source-cheats"' in page
    assert "<code>[[label -&gt; target]]</code>" in page


def test_a_reviewers_links_lead_to_the_source_they_read(app, auth, make_user):
    reviewer = make_user(Role.TUTOR)
    invite(auth, EDITOR, reviewer, role="reviewer")
    page = sign_in(app, reviewer).client.get(EDITOR).get_data(as_text=True)
    assert '<pre class="source readonly" id="source">' in page
    assert f'<a href="#source" class="line-ref" data-line="{PORTER_LINE}">' in page
    assert "source-cheats" not in page  # nothing to write with
