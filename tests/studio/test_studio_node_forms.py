"""Editing a scenario without its source: the node panel and the header page.

Every action is an operation on the newest revision; what does not check is refused by its
field, with what was typed, and nothing is written.
"""

import pytest
import sqlalchemy as sa

from config import Config
from eduapp.accounts.models import Role
from eduapp.content.models import Document, DocumentKind, Revision
from eduapp.engine import read_scenario
from eduapp.extensions import db
from eduapp.studio import members, publishing
from eduapp.studio.errors import StudioError
from eduapp.studio.models import Decision, MemberRole
from eduapp.studio.revisions import create_document, save_source
from tests.support.accounts import Auth

SLUG = "forms-draft"
DRAFT = f"/studio/scenario/{SLUG}"


def latest() -> Revision:
    db.session.expire_all()
    document = db.session.scalar(sa.select(Document).where(Document.slug == SLUG))
    return db.session.scalar(
        sa.select(Revision)
        .where(Revision.document_id == document.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )


def scenario():
    return read_scenario(latest().source, "x.md")[0]


@pytest.fixture
def author(app, make_user):
    """A patient educator signed in, with a new scenario draft (the starter)."""
    user = make_user(Role.PATIENT_EDUCATOR)
    create_document(user, DocumentKind.SCENARIO, SLUG, "Forms", "patient educator")
    db.session.commit()
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    auth.user = user
    return auth


def node_url(node_id: str, rest: str = "") -> str:
    return f"{DRAFT}/nodes/{node_id}{rest}"


def post(auth, url, data, page=None):
    return auth.post(url, {"base": latest().number, **data}, page=page or node_url("opening"))


def choice(label="Ask her", target="heard", **extra):
    return {"label": label, "target": target, **extra}


def test_the_editor_lists_the_nodes_with_links_to_their_panels(author):
    page = author.client.get(DRAFT).get_data(as_text=True)
    assert "Edit without writing source" in page
    assert f'href="{node_url("opening")}"' in page and "(the start)" in page
    assert f'href="{DRAFT}/header"' in page


def test_a_node_is_edited_in_its_panel(author):
    page = author.client.get(node_url("opening")).get_data(as_text=True)
    assert "Where it begins" in page and "Listen first" in page
    # Targets are shown by title.
    assert '<option value="heard">Heard</option>' in page
    response = post(
        author,
        node_url("opening"),
        {"title": "The ward round", "speaker": "nurse", "body": "Mr A. waits.", "reflect": "Why?"},
    )
    assert response.status_code == 302
    node = scenario().node("opening")
    assert (node.title, node.speaker, node.body, node.reflect) == (
        "The ward round",
        "nurse",
        "Mr A. waits.",
        "Why?",
    )
    assert len(node.choices) == 2 and latest().message == "Edited node 'opening'"


def test_an_ending_needs_a_debrief_and_a_node_with_choices_cannot_become_one(author):
    number = latest().number
    response = post(
        author, node_url("heard"), {"title": "Heard", "body": "Home.", "ending": "Home"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "An ending needs a debrief" in page
    assert 'value="Home"' in page  # what was typed stays
    response = post(
        author,
        node_url("opening"),
        {"title": "x", "body": "y", "ending": "Over", "debrief": "z"},
    )
    assert response.status_code == 400
    assert "An ending has no choices" in response.get_data(as_text=True)
    assert latest().number == number


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("condition", "respect > 1", "not a variable of this scenario yet"),
        ("condition", "voice == true", "compares a number with true/false"),
        ("effects", "voice = true", "cannot be set to true/false"),
        ("condition", "voice >", "Expected a variable"),
    ],
)
def test_conditions_and_effects_that_do_not_check_are_refused_by_their_field(
    author, field, typed, message
):
    number = latest().number
    response = post(author, node_url("opening", "/choices"), choice(**{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert f'value="{typed.replace(">", "&gt;")}"' in page and "Ask her" in page
    assert latest().number == number


def test_a_true_false_variable_is_not_compared_with_a_number(author):
    post(
        author,
        f"{DRAFT}/header/variables",
        {"name": "asked", "initial": "false"},
        DRAFT + "/header",
    )
    response = post(author, node_url("opening", "/choices"), choice(condition="asked >= 1"))
    assert response.status_code == 400
    assert "compares true/false with a number" in response.get_data(as_text=True)


def test_declare_it_declares_the_variable_and_keeps_what_was_typed(author):
    typed = choice(condition="respect > 1 and not asked", effects="respect += 1")
    page = post(author, node_url("opening", "/choices"), typed).get_data(as_text=True)
    assert 'name="declare" value="respect"' in page and 'name="declare" value="asked"' in page
    response = post(author, node_url("opening", "/choices"), {**typed, "declare": "respect"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Declared the variable &#39;respect&#39;" in page
    assert 'value="respect &gt; 1 and not asked"' in page
    assert 'name="declare" value="asked"' in page  # still to declare
    post(author, node_url("opening", "/choices"), {**typed, "declare": "asked"})
    variables = {v.name: v.initial for v in scenario().variables}
    assert variables["respect"] == 0 and variables["asked"] is False
    assert len(scenario().node("opening").choices) == 2  # not saved until asked
    assert post(author, node_url("opening", "/choices"), typed).status_code == 302
    added = scenario().node("opening").choices[-1]
    assert str(added.condition) == "respect > 1 and not asked"


def test_the_editor_choice_form_refuses_undeclared_variables_too(author):
    response = author.post(
        f"{DRAFT}/choices",
        {"base": latest().number, "from_node": "opening", **choice(condition="respect > 1")},
        page=DRAFT,
    )
    assert response.status_code == 400
    assert "not a variable of this scenario yet" in response.get_data(as_text=True)


def test_a_choice_to_a_new_node_makes_the_node(author):
    response = post(
        author,
        node_url("opening", "/choices"),
        choice(label="Call the daughter", target="+new", new_title="The daughter's call"),
    )
    assert response.status_code == 302
    made = scenario().node("the-daughter-s-call")
    assert made.title == "The daughter's call"
    assert scenario().node("opening").choices[-1].target == "the-daughter-s-call"
    response = post(author, node_url("opening", "/choices"), choice(target="+new"))
    assert response.status_code == 400 and "Give the new node a title" in response.get_data(
        as_text=True
    )


def test_choices_are_edited_moved_and_deleted(author):
    page = author.client.get(node_url("opening", "/choices/1")).get_data(as_text=True)
    assert 'value="Listen first"' in page and 'value="voice += 1"' in page
    response = post(
        author,
        node_url("opening", "/choices/1"),
        choice(label="Listen", target="unheard", effects="voice += 2", was="Listen first"),
        node_url("opening", "/choices/1"),
    )
    assert response.status_code == 302
    first = scenario().node("opening").choices[0]
    assert (first.label, first.target, str(first.effects[0])) == ("Listen", "unheard", "voice += 2")
    move = {"was": "Listen", "direction": "down"}
    assert post(author, node_url("opening", "/choices/1/move"), move).status_code == 302
    labels = [c.label for c in scenario().node("opening").choices]
    assert labels == ["Carry on with the plan", "Listen"]
    delete = {"was": "Listen"}
    assert post(author, node_url("opening", "/choices/2/delete"), delete).status_code == 302
    assert [c.label for c in scenario().node("opening").choices] == ["Carry on with the plan"]
    # A choice that is gone is refused on the panel, not with a bare 400.
    response = post(author, node_url("opening", "/choices/1/delete"), {"was": "Listen"})
    assert response.status_code == 400 and "is not in this node" in response.get_data(as_text=True)


def test_an_action_from_an_older_page_applies_to_the_newest_revision(author):
    shown = latest().number
    post(
        author,
        node_url("heard"),
        {"title": "Heard at last", "body": "b", "ending": "H", "debrief": "d"},
    )
    response = author.post(
        node_url("opening", "/choices/2/move"),
        {"base": shown, "was": "Carry on with the plan", "direction": "up"},
        page=node_url("opening"),
    )
    assert response.status_code == 302
    assert scenario().node("heard").title == "Heard at last"
    assert scenario().node("opening").choices[0].label == "Carry on with the plan"


def test_renaming_a_node_moves_every_reference(author):
    response = post(author, node_url("opening", "/rename"), {"new_id": "ward-round"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        node_url("ward-round")
    )
    renamed = scenario()
    assert renamed.start == "ward-round" and renamed.node("ward-round").title == "Where it begins"
    response = post(author, node_url("ward-round", "/rename"), {"new_id": "heard"}, DRAFT)
    assert response.status_code == 400 and "Another node has the id" in response.get_data(
        as_text=True
    )
    response = post(author, node_url("heard", "/rename"), {"new_id": "listened"}, DRAFT)
    assert [c.target for c in scenario().node("ward-round").choices] == ["listened", "unheard"]


def test_deleting_a_node_asks_about_the_choices_that_go_to_it(author):
    page = author.client.get(node_url("heard", "/delete")).get_data(as_text=True)
    assert "“Listen first”, from Where it begins" in page
    response = post(author, node_url("heard", "/delete"), {}, node_url("heard", "/delete"))
    assert response.status_code == 400
    assert "Say what happens to the choices" in response.get_data(as_text=True)
    response = post(
        author,
        node_url("heard", "/delete"),
        {"incoming": "retarget", "send_to": "unheard"},
        node_url("heard", "/delete"),
    )
    assert response.status_code == 302
    assert [c.target for c in scenario().node("opening").choices] == ["unheard", "unheard"]
    assert "heard" not in {n.id for n in scenario().nodes}


def test_deleting_a_node_can_delete_the_choices_that_go_to_it(author):
    response = post(
        author, node_url("heard", "/delete"), {"incoming": "delete"}, node_url("heard", "/delete")
    )
    assert response.status_code == 302
    assert [c.label for c in scenario().node("opening").choices] == ["Carry on with the plan"]


def test_the_start_is_deleted_only_with_a_new_start(author):
    page = node_url("opening", "/delete")
    response = post(author, page, {}, page)
    assert response.status_code == 400 and "This is the start" in response.get_data(as_text=True)
    assert post(author, page, {"new_start": "heard"}, page).status_code == 302
    assert scenario().start == "heard"


def test_the_header_and_variables_are_edited(author):
    header = f"{DRAFT}/header"
    response = author.post(
        header,
        {
            "base": latest().number,
            "title": "Going home",
            "summary": "Jenny and Mr A.",
            "professions": ["nursing", "pharmacy"],
        },
    )
    assert response.status_code == 302
    edited = scenario()
    assert (edited.title, edited.professions) == ("Going home", ("nursing", "pharmacy"))
    # voice is used by "Listen first": it cannot be deleted, nor made true/false.
    response = post(author, f"{header}/variables/voice/delete", {}, header)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 400 and "it is used by “Listen first” in “Where it begins”" in page
    )
    response = author.post(
        f"{header}/variables/voice",
        {"var-voice-base": latest().number, "var-voice-name": "voice", "var-voice-initial": "true"},
        page=header,
    )
    assert response.status_code == 400 and "Change those first" in response.get_data(as_text=True)
    # Renaming it renames its uses.
    response = author.post(
        f"{header}/variables/voice",
        {
            "var-voice-base": latest().number,
            "var-voice-name": "heard_out",
            "var-voice-initial": "1",
        },
        page=header,
    )
    assert response.status_code == 302
    renamed = scenario()
    assert [(v.name, v.initial) for v in renamed.variables] == [("heard_out", 1)]
    assert str(renamed.node("opening").choices[0].effects[0]) == "heard_out += 1"
    post(author, f"{header}/variables", {"name": "unused", "initial": "0"}, header)
    assert post(author, f"{header}/variables/unused/delete", {}, header).status_code == 302
    assert [v.name for v in scenario().variables] == ["heard_out"]


def test_a_form_post_without_a_csrf_token_is_refused(author):
    number = latest().number
    response = author.client.post(
        node_url("opening", "/rename"), data={"base": number, "new_id": "x"}
    )
    assert response.status_code == 400 and latest().number == number


def test_reviewers_and_non_members_cannot_open_the_panel(app, author, make_user):
    outsider = Auth(app.test_client())
    outsider.login(make_user(Role.TUTOR))
    assert outsider.client.get(node_url("opening")).status_code == 404
    assert outsider.client.get(f"{DRAFT}/header").status_code == 404
    assert author.client.get(node_url("nowhere")).status_code == 404
    assert author.client.get("/studio/module/forms-draft/header").status_code == 404


def test_the_starter_text_is_flagged_and_refused_a_sign_off(app, author):
    app.config["STARTER_TEXT_BLOCKS_SIGN_OFF"] = True
    page = author.client.get(DRAFT).get_data(as_text=True)
    assert "Node “Where it begins” still holds the starter&#39;s sample text." in page
    panel = author.client.get(node_url("opening")).get_data(as_text=True)
    assert "still holds the starter&#39;s sample text" in panel
    response = author.post(
        f"{DRAFT}/review", {"revision": latest().number, "decision": "approve"}, page=DRAFT
    )
    assert response.status_code == 400 and "cannot be signed off yet" in response.get_data(
        as_text=True
    )
    document = latest().document
    source = latest().source
    for sample in (
        "What the learner sees first.",
        "Say what this choice gains and what it costs.",
        "What happened to the patient, the team and the learner.",
        "What happened.",
        "One or two sentences for learners.",
    ):
        source = source.replace(sample, "Our own words.")
    save_source(author.user, document, latest().number, source, "Rewritten")
    assert publishing.starter_leftovers(scenario()) == []
    publishing.review(author.user, document, latest().number, Decision.APPROVE, "")
    with pytest.raises(StudioError):
        publishing.review(author.user, document, 1, Decision.APPROVE, "")


def test_publishing_is_refused_while_starter_text_remains(app, author, make_user):
    assert Config.STARTER_TEXT_BLOCKS_SIGN_OFF is True
    document = latest().document
    tutor = make_user(Role.TUTOR)
    members.invite(author.user, document, tutor.email, MemberRole.STAFF, "nursing tutor")
    for person in (author.user, tutor):  # signed off before the rule was switched on
        publishing.review(person, document, 1, Decision.APPROVE, "")
    app.config["STARTER_TEXT_BLOCKS_SIGN_OFF"] = True
    with pytest.raises(StudioError, match="still holds the starter's sample text"):
        publishing.publish(author.user, document, 1)


def test_declaring_twice_and_editing_a_vanished_variable_answer_on_their_pages(author):
    typed = choice(condition="respect > 1", declare="respect")
    assert post(author, node_url("opening", "/choices"), typed).status_code == 200
    stale = {**typed, "base": 1}
    response = author.post(node_url("opening", "/choices"), stale, page=node_url("opening"))
    assert response.status_code == 200 and "needs no declaring" in response.get_data(as_text=True)
    assert [v.name for v in scenario().variables] == ["voice", "respect"]
    header = f"{DRAFT}/header"
    response = author.post(
        f"{header}/variables/gone",
        {"var-gone-base": latest().number, "var-gone-name": "gone", "var-gone-initial": "1"},
        page=header,
    )
    assert response.status_code == 400
    assert "There is no variable &#39;gone&#39; any more" in response.get_data(as_text=True)
