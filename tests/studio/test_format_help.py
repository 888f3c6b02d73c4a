"""The format help is a page in the studio, linked from the editor, showing the repository's own
format documents."""

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio.revisions import create_document
from eduapp.transaction import unit_of_work


def test_the_scenario_format_is_a_page_of_the_studio(app, client, login_as):
    login_as(Role.PATIENT_EDUCATOR)
    page = client.get("/studio/formats/scenario").get_data(as_text=True)
    assert "<h1>The scenario and module formats</h1>" in page
    assert "<table" in page and "<pre>" in page  # the document's tables and examples
    assert "night-shift-handover" in page


def test_the_assessment_format_too_and_nothing_else(app, client, login_as):
    login_as(Role.TUTOR)
    assert "<h1>The assessment format</h1>" in client.get("/studio/formats/assessment").get_data(
        as_text=True
    )
    assert client.get("/studio/formats/secrets").status_code == 404
    assert client.get("/studio/formats/..%2Fconfig").status_code == 404


def test_the_editor_links_to_its_format(app, client, login_as):
    educator = login_as(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        create_document(educator, DocumentKind.SCENARIO, "help-draft", "Help draft", "")
    page = client.get("/studio/scenario/help-draft").get_data(as_text=True)
    assert 'href="/studio/formats/scenario"' in page
