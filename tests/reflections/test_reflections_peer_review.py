"""Anonymous peer review: random allocation within a cohort, the rubric, submitting once."""

import logging

import pytest
import sqlalchemy as sa

from eduapp.accounts.models import Role, UserRole
from eduapp.cohorts import services as cohorts
from eduapp.extensions import db
from eduapp.notifications.models import Notification
from eduapp.reflections import services
from eduapp.reflections.models import PeerReview, PeerReviewAllocation, Visibility
from tests.support.accounts import Auth
from tests.support.reflections import cohort_with, page_of, reflect

FULL_REVIEW = {"connects": "3", "tension": "4", "perspective": "2", "comment": "Honest and kind."}


def _open(app, tutor, reflection, cohort):
    client = app.test_client()
    Auth(client).login(tutor)
    url = f"/reflections/{reflection.id}"
    response = Auth(client).post(f"{url}/peer-review", {"cohort": cohort.id}, page=url)
    assert response.status_code == 302
    return client


def test_reviewers_are_up_to_two_other_learners_of_the_cohort(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author = make_user(Role.LEARNER)
    peers = [make_user(Role.LEARNER) for _ in range(4)]
    outsider = make_user(Role.LEARNER)
    cohort = cohort_with(tutor, author, *peers)
    cohort_with(make_user(Role.TUTOR), outsider, name="Other")
    seen = set()
    for round_number in range(8):
        reflection = reflect(author, f"Round {round_number}")
        services.open_peer_review(tutor, reflection, cohort.id)
        chosen = set(
            db.session.scalars(
                sa.select(PeerReviewAllocation.reviewer_id)
                .join(PeerReviewAllocation.peer_review)
                .where(PeerReview.reflection_id == reflection.id)
            )
        )
        assert len(chosen) == 2
        assert chosen <= {p.id for p in peers}  # never the author, never an outsider
        seen |= chosen
    assert len(seen) > 2  # drawn at random, not always the same two
    notes = db.session.scalars(sa.select(Notification.user_id)).all()
    assert author.id in notes and outsider.id not in notes


def test_a_small_cohort_gets_fewer_reviewers_and_an_empty_one_none(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author, peer, former = (make_user(Role.LEARNER) for _ in range(3))
    cohort = cohort_with(tutor, author, peer, former)
    # A member who is no longer a learner (an admin changed their roles) is never drawn.
    db.session.execute(sa.delete(UserRole).where(UserRole.user_id == former.id))
    db.session.add(UserRole(user_id=former.id, role=Role.PATIENT_EDUCATOR.value))
    db.session.commit()
    reflection = reflect(author)
    review = services.open_peer_review(tutor, reflection, cohort.id)
    assert [a.reviewer_id for a in review.allocations] == [peer.id]
    with pytest.raises(services.ReflectionError, match="already"):
        services.open_peer_review(tutor, reflection, cohort.id)

    alone = cohort_with(tutor, name="Alone")
    cohorts.join(author, alone)
    with pytest.raises(services.ReflectionError, match="No other learner"):
        services.open_peer_review(tutor, reflection, alone.id)


def test_a_tutor_can_only_open_in_a_cohort_they_teach_with_the_author(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author = make_user(Role.LEARNER)
    cohort_with(tutor, author)
    foreign = cohort_with(make_user(Role.TUTOR), author, make_user(Role.LEARNER), name="Foreign")
    client = _open(app, tutor, reflect(author), foreign)
    assert "Choose a cohort you teach" in page_of(client, "/modules")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PeerReviewAllocation)) == 0


def test_review_is_anonymous_both_ways_and_submitted_once(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author = make_user(Role.LEARNER)
    reviewer = make_user(Role.LEARNER)
    cohort = cohort_with(tutor, author, reviewer)
    reflection = reflect(author, "The consultant did not look at her.")
    tutor_client = _open(app, tutor, reflection, cohort)
    assert "Open in Cohort A" in page_of(tutor_client, f"/reflections/{reflection.id}")
    allocation = db.session.scalar(sa.select(PeerReviewAllocation))

    client = app.test_client()
    auth = Auth(client)
    auth.login(reviewer)
    assert "waiting for your anonymous peer review" in page_of(client, "/notifications")
    assert "Reflection on A ward round" in page_of(client, "/peer-reviews")
    url = f"/peer-reviews/{allocation.id}"
    page = page_of(client, url)
    assert "The consultant did not look at her." in page and "What did you notice first?" in page
    assert author.display_name not in page and author.email not in page
    assert "/my/reflections" not in page and f"/attempts/{reflection.attempt_id}" not in page
    for label in ("Connects the experience to co-creation ideas", "Names the tension honestly"):
        assert label in page

    response = auth.post(url, {"connects": "3", "comment": "Half done"})
    assert response.status_code == 400
    assert "Choose a score from 1 to 4." in response.get_data(as_text=True)

    assert auth.post(url, FULL_REVIEW).status_code == 302
    again = Auth(client).post(url, {**FULL_REVIEW, "comment": "Changed my mind"}, page="/profile")
    assert again.status_code == 302  # refused without an error page
    assert "submitted this review already" in page_of(client, url)
    db.session.expire_all()
    stored = db.session.get(PeerReviewAllocation, allocation.id)
    assert stored.comment == "Honest and kind." and stored.scores["tension"] == 4

    author_client = app.test_client()
    Auth(author_client).login(author)
    mine = page_of(author_client, f"/my/reflections/{reflection.id}")
    assert "Honest and kind." in mine and "A peer from your cohort" in mine
    assert reviewer.display_name not in mine and reviewer.email not in mine
    assert "Honest and kind." in page_of(author_client, "/my/reflections")
    assert "A peer reviewed your reflection" in page_of(author_client, "/notifications")


def test_an_allocation_is_its_reviewers_alone(app, make_user, course, caplog):
    tutor = make_user(Role.TUTOR)
    author, reviewer, bystander = (make_user(Role.LEARNER) for _ in range(3))
    cohort = cohort_with(tutor, author, reviewer)
    services.open_peer_review(tutor, reflect(author, "Not for bystanders"), cohort.id)
    allocation = db.session.scalar(sa.select(PeerReviewAllocation))
    for someone in (bystander, author):
        client = app.test_client()
        Auth(client).login(someone)
        with caplog.at_level(logging.WARNING, logger="eduapp.access"):
            response = client.get(f"/peer-reviews/{allocation.id}")
        assert response.status_code == 404
        assert "Not for bystanders" not in response.get_data(as_text=True)
        assert (
            Auth(client)
            .post(f"/peer-reviews/{allocation.id}", FULL_REVIEW, page="/profile")
            .status_code
            == 404
        )
        assert "refused: PeerReviewAllocation" in caplog.text
    db.session.expire_all()
    assert db.session.get(PeerReviewAllocation, allocation.id).submitted_at is None


def test_making_it_private_withdraws_it_from_review(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    author, reviewer = make_user(Role.LEARNER), make_user(Role.LEARNER)
    cohort = cohort_with(tutor, author, reviewer)
    reflection = reflect(author, "Second thoughts")
    services.open_peer_review(tutor, reflection, cohort.id)
    allocation = db.session.scalar(sa.select(PeerReviewAllocation))
    services.change_visibility(reflection, Visibility.PRIVATE)
    client = app.test_client()
    Auth(client).login(reviewer)
    assert client.get(f"/peer-reviews/{allocation.id}").status_code == 404
    assert "A ward round" not in page_of(client, "/peer-reviews")
