"""Queue pages count only as far as anyone pages (eduapp/paging.py)."""

import sqlalchemy as sa

from eduapp import paging
from eduapp.accounts.models import Role, User
from eduapp.reflections import queries
from tests.support.reflections import cohort_with, page_of, reflect


def test_the_total_stops_counting_ahead_of_the_page(make_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_AHEAD", 3)
    for _ in range(7):
        make_user(Role.LEARNER)
    users = sa.select(User).order_by(User.id)
    first = paging.paginate_counting_ahead(users, 1, 2)
    assert (len(first.items), first.total, first.is_capped, first.pages) == (2, 3, True, 2)
    assert first.has_next
    third = paging.paginate_counting_ahead(users, 3, 2)
    assert (third.total, third.is_capped, third.pages, third.has_next) == (7, False, 4, True)
    last = paging.paginate_counting_ahead(users, 4, 2)
    assert (len(last.items), last.total, last.is_capped, last.has_next) == (1, 7, False, False)
    beyond = paging.paginate_counting_ahead(users, 9, 2)
    assert (beyond.items, beyond.total, beyond.is_capped) == ([], 7, False)


def test_a_long_queue_says_how_far_it_was_counted(client, login_as, make_user, course, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_AHEAD", 2)
    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", 1)
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    for number in range(5):
        reflect(learner, f"Reflection number {number}")
    first = page_of(client, "/reflections/queue")
    assert "2+ reflections waiting" in first and "Page 1 of 2+" in first
    assert "Reflection number 0" in first and "Reflection number 1" not in first
    last = page_of(client, "/reflections/queue?page=5")
    assert "5 reflections waiting" in last and "Page 5 of 5" in last
    assert "Reflection number 4" in last
