"""My data: the page, the JSON download with everything, and the CSV downloads (row 19)."""

import csv
import io
import json

from eduapp.accounts.models import Role
from eduapp.csv_export import neutralise
from tests.mydata.mydata_records import (
    EMAIL,
    FIRST_REFLECTION,
    NAME,
    TEXT_ANSWER,
    learner_with_everything,
)


def test_the_download_holds_all_of_the_learners_records_and_nothing_secret(
    client, auth, make_user, course
):
    records = learner_with_everything(make_user)
    auth.login(records.learner)
    response = client.get("/my/data/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="eduapp-my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))

    assert data["account"] == {
        "email": EMAIL,
        "name": NAME,
        "profession": "nursing",
        "roles": ["learner"],
        "created_at": records.learner.created_at.isoformat(),
    }
    [attempt] = data["attempts"]
    assert attempt["scenario"] == {"slug": "ward-round", "title": "A ward round"}
    assert (attempt["version"], attempt["status"], attempt["playtest"]) == (1, "completed", False)
    first = attempt["choices"][0]
    assert first["from_node"] == "bedside" and first["to_node"] == "asks"
    assert first["choice"] == "Ask her what matters most"
    assert first["variables_after"] == {"voice": 1, "trust": 1}
    assert isinstance(first["seconds_on_node"], int)
    assert [c["to_node"] for c in attempt["choices"]] == ["asks", "tells", "heard_end"]

    reflection = data["reflections"][0]
    assert reflection["text"] == FIRST_REFLECTION
    assert reflection["prompt"] == "What did you notice first?"
    assert reflection["visibility"] == "tutors"
    assert reflection["replies"][0]["text"] == f"Well noticed, {NAME}."
    assert reflection["themes"] == ["teamwork"]
    assert reflection["peer_reviews"] == [
        {
            "opened_at": reflection["peer_reviews"][0]["opened_at"],
            "scores": {"honesty": 4},
            "comment": "Brave and clear.",
            "submitted_at": reflection["peer_reviews"][0]["submitted_at"],
        }
    ]
    assert len(data["reflections"]) == 2

    [assessment] = data["assessment_attempts"]
    assert (assessment["points"], assessment["max_points"], assessment["passed"]) == (4, 5, True)
    handover = next(a for a in assessment["answers"] if a["question"] == "handover")
    assert handover["answer"] == TEXT_ANSWER and handover["feedback"] == f"Good, {NAME}."
    assert data["cohorts"][0]["cohort"] == "Spring week"
    assert data["cohort_invitations"][0]["cohort"] == "Spring week"

    text = response.get_data(as_text=True)
    assert "argon2" not in text and records.learner.password_hash not in text
    assert "token" not in text and "Mine, for review." not in text
    assert records.peer.display_name not in text and records.peer.email not in text


def test_a_user_downloads_only_their_own_data(client, auth, login_as, make_user, course):
    learner_with_everything(make_user)
    me = login_as(Role.LEARNER)
    data = client.get("/my/data/export").get_json()
    assert data["account"]["email"] == me.email
    assert data["attempts"] == [] and data["reflections"] == []
    assert data["assessment_attempts"] == [] and data["cohorts"] == []


def test_staff_download_their_own_data_too(client, login_as, course):
    tutor = login_as(Role.TUTOR)
    assert client.get("/my/data").status_code == 200
    data = client.get("/my/data/export").get_json()
    assert data["account"]["roles"] == ["tutor"] and data["account"]["email"] == tutor.email
    page = client.get("/my/data").get_data(as_text=True)
    assert "arranged with an administrator" in page and 'name="confirm"' not in page


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_row_19_reflection_and_choice_csv_cells_are_neutralised(client, auth, make_user, course):
    records = learner_with_everything(make_user)
    auth.login(records.learner)
    header, *rows = _csv(client, "/my/data/reflections.csv")
    assert header[5] == "reflection"
    assert rows[0][5] == "'" + FIRST_REFLECTION
    choices = _csv(client, "/my/data/choices.csv")
    assert choices[1][7] == "Ask her what matters most" and len(choices) == 4
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous
    assert neutralise("plain") == "plain" and neutralise(3) == "3"


def test_the_my_data_page_offers_the_downloads_and_erasure(client, login_as, course):
    login_as(Role.LEARNER)
    page = client.get("/my/data").get_data(as_text=True)
    assert 'href="/my/data/export"' in page
    assert 'href="/my/data/choices.csv"' in page and 'href="/my/data/reflections.csv"' in page
    assert 'name="confirm"' in page and "Ask for my data to be erased" in page
