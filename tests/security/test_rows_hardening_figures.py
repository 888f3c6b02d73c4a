"""SECURITY.md row 26: what learners see of how others chose never gives one person away, and
cannot be filled with accounts of one's own; what tutors see never makes a column of one
learner (docs/privacy.md)."""

import csv
import io
import re
import threading
from datetime import timedelta

import sqlalchemy as sa

from eduapp.accounts.models import Role, User
from eduapp.cohorts import services as cohorts
from eduapp.content.models import DocumentKind
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.player import services as player
from eduapp.player.models import Attempt
from eduapp.player.queries import OthersChoices
from eduapp.tallies import services as tallies
from eduapp.tallies.models import SharedChoiceFigure, SharedFigureMark
from eduapp.transaction import unit_of_work
from tests.support.accounts import Auth

#: Paths through the ward round that all decide at "bedside" and at "asks".
PATHS = [(1, 2), (2, 1, 2), (1, 1, 1)]
NOT_YET = "How others chose here is shown once enough learners have decided here"


def ward_round():
    return newest_version(DocumentKind.SCENARIO, "ward-round")


def day_old(*users) -> None:
    """Accounts signed up two days ago: old enough to count in shared figures."""
    db.session.execute(
        sa.update(User)
        .where(User.id.in_([user.id for user in users]))
        .values(created_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()


def play(user, *numbers) -> Attempt:
    """The learner starts afresh and chooses, as their requests would, each committed."""
    with unit_of_work():
        attempt = player.start_attempt(user, ward_round(), fresh=True)
    for number in numbers:
        with unit_of_work():
            assert player.choose(attempt, attempt.step, number) is player.Outcome.RECORDED
    return attempt


def signed_in(app, user) -> Auth:
    auth = Auth(app.test_client())
    assert auth.login(user).status_code == 302
    return auth


def path_section(auth: Auth, attempt: Attempt) -> str:
    """The "Your path" part of an ending page: the learner's choices and how others chose."""
    page = auth.client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    return re.search(r'<section aria-labelledby="path-heading">.*?</section>', page, re.S).group()


def test_row_26_one_learners_play_never_changes_what_another_sees(app, make_user, course):
    viewer, *others = (make_user(Role.LEARNER) for _ in range(15))
    day_old(viewer, *others)
    mine = play(viewer, 1, 2)
    auth = signed_in(app, viewer)
    seen = [path_section(auth, mine)]
    for index, other in enumerate(others):
        play(other, *PATHS[index % len(PATHS)])
        seen.append(path_section(auth, mine))
    changed_after = [n for n in range(1, len(seen)) if seen[n] != seen[n - 1]]
    # With the viewer, 5, 10 and 15 learners have decided after the 4th, 9th and 14th other:
    # the page changes then, and after no single learner's play in between.
    assert changed_after == [4, 9, 14]
    assert NOT_YET in seen[3] and "How learners chose here" not in seen[3]
    assert "(15 or more learners, perhaps including you)" in seen[-1]


def test_row_26_four_fresh_accounts_and_a_victim_show_no_figures(app, make_user, course):
    victim = make_user(Role.LEARNER)
    day_old(victim)
    theirs = play(victim, 2, 1, 2)
    sock_puppets = [make_user(Role.LEARNER) for _ in range(9)]  # signed up just now
    attempts = [play(puppet, 1, 2) for puppet in sock_puppets[:4]]
    for user, attempt in ((sock_puppets[0], attempts[0]), (victim, theirs)):
        seen = path_section(signed_in(app, user), attempt)
        assert NOT_YET in seen and 'class="data others"' not in seen
    # However many fresh accounts decide, they never make (or move) a snapshot.
    attempts += [play(puppet, 1, 2) for puppet in sock_puppets[4:]]
    seen = path_section(signed_in(app, sock_puppets[-1]), attempts[-1])
    assert NOT_YET in seen and 'class="data others"' not in seen
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharedChoiceFigure)) == 0
    mark = db.session.get(SharedFigureMark, (ward_round().id, "bedside"))
    assert (mark.checked_at_learners, mark.shown_learners) == (10, 0)


def test_row_26_five_day_old_accounts_make_a_snapshot(app, make_user, course):
    learners = [make_user(Role.LEARNER) for _ in range(5)]
    day_old(*learners)
    attempts = [play(learner, *PATHS[index % 3]) for index, learner in enumerate(learners[:4])]
    assert NOT_YET in path_section(signed_in(app, learners[0]), attempts[0])
    attempts.append(play(learners[4], *PATHS[1]))
    seen = path_section(signed_in(app, learners[0]), attempts[0])
    assert "How learners chose here" in seen and "(5 or more learners" in seen
    # bedside: 3 of 5 asked her (60 %), 2 of 5 followed the consultant (40 %).
    assert "60%" in seen and "40%" in seen
    figures = db.session.execute(
        sa.select(SharedChoiceFigure.choice_number, SharedChoiceFigure.learners).where(
            SharedChoiceFigure.node_id == "bedside"
        )
    )
    assert dict(figures.all()) == {0: 5, 1: 3, 2: 2}


def test_row_26_shares_and_learners_are_rounded(app, make_user, course):
    learners = [make_user(Role.LEARNER) for _ in range(15)]
    day_old(*learners)
    attempts = [play(learner, *PATHS[index % 2]) for index, learner in enumerate(learners)]
    seen = path_section(signed_in(app, learners[0]), attempts[0])
    # bedside: 8 of 15 asked her (53.3 %), 7 followed the consultant (46.7 %).
    assert "55%" in seen and "45%" in seen
    assert "53%" not in seen and "47%" not in seen
    assert OthersChoices(8, {1: 1}).share(1) == 15  # 12.5 %: halves go up
    assert OthersChoices(13, {1: 13}).share(1) == 100
    assert OthersChoices(13, {}).about == 10  # "10 or more learners"


def test_row_26_racing_choices_renew_the_snapshot_once_per_step(
    app, make_user, course, monkeypatch
):
    learners = [make_user(Role.LEARNER) for _ in range(12)]
    day_old(*learners)
    for learner in learners[:3]:
        play(learner, 1)
    waiting = [play(learner).id for learner in learners[3:]]
    renewals: list[dict] = []
    renew = tallies._renew_shared_figures

    def counted(shown, *where):
        renewals.append(shown)
        renew(shown, *where)

    monkeypatch.setattr(tallies, "_renew_shared_figures", counted)
    errors: list[BaseException] = []
    start = threading.Barrier(len(waiting))

    def choose(attempt_id: int, number: int) -> None:
        try:
            with app.app_context():
                attempt = db.session.get(Attempt, attempt_id)
                start.wait(timeout=30)
                with unit_of_work():
                    assert player.choose(attempt, 0, number) is player.Outcome.RECORDED
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [
        threading.Thread(target=choose, args=(attempt_id, 1 + index % 2))
        for index, attempt_id in enumerate(waiting)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    # 12 learners decided one after another: the snapshot was taken at the 5th and the 10th.
    assert len(renewals) == 2
    mark = db.session.get(SharedFigureMark, (ward_round().id, "bedside"))
    assert (mark.checked_at_learners, mark.shown_learners) == (10, 10)
    figures = dict(
        db.session.execute(
            sa.select(SharedChoiceFigure.choice_number, SharedChoiceFigure.learners).where(
                SharedChoiceFigure.node_id == "bedside"
            )
        ).all()
    )
    assert figures[0] == 10 and figures[1] + figures[2] == 10


# Tutors --------------------------------------------------------------------------------------
def taught_cohort(tutor, make_user, professions: dict[str, int]):
    """A cohort of this many learners of each profession, each of whom asked and kept quiet."""
    cohort = cohorts.create_cohort(tutor, "Interprofessional week")
    cohorts.assign_module(cohort, newest_version(DocumentKind.MODULE, "test-module").document, None)
    for profession, count in professions.items():
        for _ in range(count):
            learner = make_user(Role.LEARNER, profession=profession)
            cohorts.join(learner, cohort)
            play(learner, 1, 2)
    return cohort


def join_and_play(cohort, learner, *numbers) -> None:
    cohorts.join(learner, cohort)
    play(learner, *numbers)


def test_row_26_a_lone_pharmacist_is_never_a_column(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    cohort = taught_cohort(tutor, make_user, {"nursing": 5, "medicine": 3, "dietetics": 2})
    join_and_play(cohort, make_user(Role.LEARNER, profession="pharmacy"), 2, 1, 2)
    url = f"/cohorts/{cohort.id}/scenarios/ward-round"
    page = client.get(url).get_data(as_text=True)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert "Nursing" in headers and "Other professions" in headers
    assert "Pharmacy" not in headers and "Medicine" not in headers
    assert "Other professions: Dietetics, Medicine, Pharmacy, counted together" in page
    rows = list(csv.reader(io.StringIO(client.get(f"{url}/choices.csv").get_data(as_text=True))))
    merged = "other professions (dietetics, medicine, pharmacy)"
    assert {row[3] for row in rows[1:]} == {"nursing", merged}
    assert ["bedside", "At the bedside", "Follow the consultant", merged, "1"] in rows


def test_row_26_a_group_below_five_is_left_out_everywhere(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    cohort = taught_cohort(tutor, make_user, {"nursing": 5})
    # The only one to follow the consultant, to tell him, and to reach the "Heard" ending.
    join_and_play(cohort, make_user(Role.LEARNER, profession="pharmacy"), 2, 1, 1, 1)
    url = f"/cohorts/{cohort.id}/scenarios/ward-round"
    page = client.get(url).get_data(as_text=True)
    assert "Left out of every figure below: Pharmacy" in page
    assert "Follow the consultant" not in page and "Tell the consultant" not in page
    assert "Next bed" not in page  # nor in the time per node
    assert '<th scope="row">Heard</th><td>0</td>' in page
    for export in ("choices.csv", "endings.csv", "time.csv"):
        text = client.get(f"{url}/{export}").get_data(as_text=True)
        assert "pharmacy" not in text and "follows" not in text and "heard_end" not in text


def test_row_26_a_cohort_of_four_shows_no_figures(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    cohort = taught_cohort(tutor, make_user, {"nursing": 4})
    url = f"/cohorts/{cohort.id}/scenarios/ward-round"
    page = client.get(url).get_data(as_text=True)
    assert "This cohort has fewer than 5 learners, so how it chose is not shown" in page
    assert "Ask her what matters most" not in page
    for export in ("choices.csv", "endings.csv", "time.csv"):
        lines = client.get(f"{url}/{export}").get_data(as_text=True).splitlines()
        assert len(lines) == 1  # the header only
