"""Saving when someone saved first: merged by node, conflicts decided part by part, forms
re-applied to the newest revision, one node restored from an old revision."""

import re

import sqlalchemy as sa

from eduapp.accounts.models import Role
from eduapp.audit.models import AuditEvent
from eduapp.content.models import Revision
from eduapp.extensions import db
from eduapp.studio import queries, revisions
from tests.studio import test_studio_flow as flow
from tests.studio.test_studio_flow import EDITOR, create, latest, sign_in

team = flow.team  # the fixture: a draft with a student and a tutor invited

OPENING = "What the learner sees first."


def save(auth, base, source, message=""):
    return auth.post(
        f"{EDITOR}/save", {"base": base, "source": source, "message": message}, page=EDITOR
    )


def node_text(source: str, node_id: str) -> str:
    return source.split(f":: {node_id} |")[1].split("\n::")[0]


def revision_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Revision))


def test_saves_of_different_nodes_merge_into_one_revision_with_a_note(app, team):
    educator, pe_auth = team["educator"]
    _, student_auth = team["student"]
    base = latest().source
    assert save(pe_auth, 1, base.replace(OPENING, "Night. The ward is quiet.")).status_code == 302
    heard = node_text(base, "heard")
    mine = base.replace(heard, heard.replace("What happened.", "He is heard at last."))
    response = save(student_auth, 1, mine, "Wrote the ending")
    assert response.status_code == 302
    revision = latest()
    assert revision.number == 3 and revision_count() == 3
    assert "Night. The ward is quiet." in revision.source
    assert "He is heard at last." in revision.source
    assert revision.message == (
        f"Wrote the ending (merged with {educator.display_name}'s revision 2: both changes kept)"
    )
    page = student_auth.client.get(EDITOR).get_data(as_text=True)
    assert "both changes are kept in revision 3" in page
    detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.revision_number == 3))
    assert detail == "merged with revision 2"


def test_a_save_that_loses_the_race_for_its_number_merges_with_the_winner(app, team, monkeypatch):
    educator, _ = team["educator"]
    student, _ = team["student"]
    document = latest().document
    stale = queries.latest_revision(document)
    revisions.save_source(educator, document, 1, stale.source.replace(OPENING, "Theirs."), "a")
    reads = iter([stale])
    real = queries.latest_revision
    # The second save read the newest revision before the first was committed.
    monkeypatch.setattr(queries, "latest_revision", lambda d: next(reads, None) or real(d))
    mine = stale.source.replace("What happened.", "Mine.", 1)
    saved = revisions.save_merging(student, document, 1, mine, "b")
    monkeypatch.undo()
    assert saved.revision.number == 3 and saved.merged_with.number == 2
    assert "Theirs." in saved.revision.source and "Mine." in saved.revision.source


def conflict(team):
    """The educator and the student both change the opening node from revision 1."""
    _, pe_auth = team["educator"]
    _, student_auth = team["student"]
    base = latest().source
    theirs = base.replace(OPENING, "Their opening.")
    assert save(pe_auth, 1, theirs).status_code == 302
    mine = base.replace(OPENING, "My opening.").replace("What happened.", "Mine elsewhere.", 1)
    return student_auth, mine, save(student_auth, 1, mine, "Mine")


def test_the_same_node_changed_by_both_shows_the_conflict_and_writes_nothing(app, team):
    educator, _ = team["educator"]
    _, _, response = conflict(team)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "nothing you typed is lost" in page
    assert "Conflict 1 of 1: Node &#39;opening&#39; (Where it begins)" in page
    assert "Their opening." in page and "My opening." in page and OPENING in page
    # What merged is listed, and every choice says what it drops; none is chosen for you.
    assert "From your text: Node &#39;heard&#39; (Heard)." in page
    assert f"Uses your version; {educator.display_name}&#39;s changes (1 new" in page
    assert "Uses " + educator.display_name in page and " checked" not in page
    assert re.search(r'name="key-0" value="node opening"', page)
    assert latest().number == 2 and revision_count() == 2


def resolve(auth, mine, **choices):
    return auth.post(
        f"{EDITOR}/merge",
        {"base": 1, "theirs": 2, "source": mine, "message": "Mine", "key-0": "node opening"}
        | choices,
        page=EDITOR,
    )


def test_a_conflict_without_a_choice_is_refused_and_keeps_what_was_typed(app, team):
    auth, mine, _ = conflict(team)
    response = resolve(auth, mine, **{"edit-0": "my half-finished edit"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose what to keep here" in page and "my half-finished edit" in page
    assert latest().number == 2


def test_keep_mine_keeps_my_node_and_what_merged(app, team):
    educator, _ = team["educator"]
    auth, mine, _ = conflict(team)
    assert resolve(auth, mine, **{"choice-0": "mine"}).status_code == 302
    source = latest().source
    assert latest().number == 3
    assert "My opening." in source and "Their opening." not in source
    assert "Mine elsewhere." in source
    assert latest().message == (
        f"Mine (merged with {educator.display_name}'s revision 2: 1 conflict decided)"
    )


def test_keep_theirs_and_edit_apply_to_the_newest_revision(app, team):
    auth, mine, _ = conflict(team)
    assert resolve(auth, mine, **{"choice-0": "theirs"}).status_code == 302
    source = latest().source
    assert "Their opening." in source and "My opening." not in source
    assert "Mine elsewhere." in source


def test_choices_saved_after_yet_another_save_merge_again(app, team):
    _, pe_auth = team["educator"]
    auth, mine, response = conflict(team)
    edited = re.search(
        r'id="edit-0"[^>]*>\n(.*?)</textarea>', response.get_data(as_text=True), re.S
    )[1]
    assert "Their opening." in edited and "My opening." in edited  # the edit box: both kept
    third = latest().source.replace("Not heard", "Unheard")
    assert save(pe_auth, 2, third).status_code == 302
    response = resolve(auth, mine, **{"choice-0": "edit", "edit-0": ":: opening | Both\n\nBoth."})
    assert response.status_code == 302
    source = latest().source
    assert latest().number == 4
    assert ":: opening | Both" in source and "Unheard" in source and "Mine elsewhere." in source


def test_a_form_from_an_old_revision_is_applied_to_the_newest(app, team):
    _, pe_auth = team["educator"]
    _, student_auth = team["student"]
    assert save(pe_auth, 1, latest().source.replace(OPENING, "Theirs.")).status_code == 302
    response = student_auth.post(
        f"{EDITOR}/nodes",
        {
            "base": 1,
            "node_id": "pharmacist",
            "title": "The pharmacist",
            "body": "Doses.",
            "ending": "Checked",
            "debrief": "Two people looked.",
        },
        page=EDITOR,
    )
    assert response.status_code == 302
    assert latest().number == 3
    assert "Theirs." in latest().source and ":: pharmacist | The pharmacist" in latest().source


def test_a_form_whose_node_was_removed_meanwhile_says_so_with_what_was_typed(app, team):
    educator, pe_auth = team["educator"]
    _, student_auth = team["student"]
    source = latest().source
    without = source.replace(":: heard |" + node_text(source, "heard"), "")
    without = without.replace("[[Listen first -> heard]]", "[[Listen first -> unheard]]")
    assert ":: heard" not in without
    assert save(pe_auth, 1, without).status_code == 302
    choice = {"base": 1, "from_node": "heard", "label": "Ask again", "target": "unheard"}
    response = student_auth.post(f"{EDITOR}/choices", choice, page=EDITOR)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is no node &#39;heard&#39; any more" in page
    assert f"saved by {educator.display_name} after you opened the form" in page
    assert 'value="Ask again"' in page and 'id="from_node-error"' in page
    assert latest().number == 2


def test_the_module_form_keeps_a_field_someone_else_changed_meanwhile(app, make_user):
    educator = make_user(Role.PATIENT_EDUCATOR)
    _, auth = sign_in(app, educator)
    create(auth, slug="team-module", kind="module", title="Working as a team")
    page = "/studio/module/team-module"
    form = {
        "base": 1,
        "title": "Working as a team",
        "order": 99,
        "summary": "One or two sentences for learners.",
        "outcomes": "Describe ...",
        "scenarios": "",
        "reading": "The reading, in Markdown.",
        "references": "- Author A. Title. *Journal*. Year;Volume(Issue):pages.",
    }
    first = latest("team-module").source
    assert "summary: One or two sentences for learners." in first
    newer = first.replace("title: Working as a team", "title: Teams").replace(
        "The reading, in Markdown.", "Their reading."
    )
    assert auth.post(page + "/save", {"base": 1, "source": newer}, page=page).status_code == 302
    # A field the other save did not change is applied; theirs stay.
    response = auth.post(f"{page}/module", form | {"order": 4}, page=page)
    assert response.status_code == 302
    source = latest("team-module").source
    assert "order: 4" in source and "title: Teams" in source and "Their reading." in source
    # A field both changed is refused, with the newest revision as the form's new base.
    response = auth.post(f"{page}/module", form | {"reading": "My reading."}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The reading changed after you opened the form" in html and "My reading." in html
    assert re.search(r'name="base"[^>]*value="3"|value="3"[^>]*name="base"', html)


def test_one_node_is_restored_from_an_old_revision(app, team):
    _, pe_auth = team["educator"]
    first = latest().source
    changed = first.replace(OPENING, "Changed.").replace("What happened.", "Also changed.", 1)
    changed = changed.replace(":: unheard |" + node_text(first, "unheard"), "")
    assert save(pe_auth, 1, changed).status_code == 302
    listing = pe_auth.client.get(f"{EDITOR}/revisions/1/nodes")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert html.count("Restore this node</button>") == 3
    assert "No longer in the draft" in html
    assert "Restore one node" in pe_auth.client.get(f"{EDITOR}/history").get_data(as_text=True)
    page = f"{EDITOR}/revisions/1/nodes"
    response = pe_auth.post(f"{EDITOR}/restore-node", {"revision": 1, "node": "opening"}, page=page)
    assert response.status_code == 302
    source = latest().source
    assert latest().number == 3 and OPENING in source and "Also changed." in source
    assert latest().message == "Restored node 'opening' from revision 1"
    response = pe_auth.post(f"{EDITOR}/restore-node", {"revision": 1, "node": "unheard"}, page=page)
    assert response.status_code == 302
    assert node_text(latest().source, "unheard").strip() == node_text(first, "unheard").strip()
    response = pe_auth.post(f"{EDITOR}/restore-node", {"revision": 1, "node": "opening"}, page=page)
    assert response.status_code == 302 and latest().number == 4  # already as it was
    response = pe_auth.post(f"{EDITOR}/restore-node", {"revision": 1, "node": "nope"}, page=page)
    assert response.status_code == 302 and latest().number == 4
