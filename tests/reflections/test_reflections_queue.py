"""The tutor's reflection queue: who sees what, filters, order and pages."""

import logging

from eduapp.accounts.models import Role
from eduapp.reflections import queries, services
from eduapp.reflections.models import Visibility
from tests.support.reflections import cohort_with, page_of, playtest_reflection, reflect


def test_a_tutor_sees_shared_reflections_of_their_learners_only(
    client, auth, login_as, make_user, course
):
    tutor = login_as(Role.TUTOR)
    mine = make_user(Role.LEARNER, profession="pharmacy")
    theirs = make_user(Role.LEARNER)
    cohort_with(tutor, mine)
    cohort_with(make_user(Role.TUTOR), theirs, name="Cohort B")
    reflect(mine, "Shared with my tutor")
    reflect(mine, "Kept to myself", Visibility.PRIVATE)
    reflect(theirs, "Shared in another cohort")
    playtest_reflection(mine, "Written in a playtest")

    page = page_of(client, "/reflections/queue")
    assert "Shared with my tutor" in page
    assert mine.display_name in page and "Pharmacy" in page
    assert "A ward round" in page and "At the bedside" in page
    assert "What did you notice first?" in page
    for hidden in ("Kept to myself", "Shared in another cohort", "Written in a playtest"):
        assert hidden not in page


def test_a_tutor_of_another_cohort_sees_nothing(client, login_as, make_user, course):
    learner = make_user(Role.LEARNER)
    cohort_with(make_user(Role.TUTOR), learner)
    reflect(learner, "Only for my own tutor")
    login_as(Role.TUTOR)
    page = page_of(client, "/reflections/queue")
    assert "Only for my own tutor" not in page
    assert "0 reflections waiting" in page


def test_the_queue_is_oldest_first_and_waiting_by_default(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    first = reflect(learner, "First words")
    reflect(learner, "Second words")
    page = page_of(client, "/reflections/queue")
    assert page.index("First words") < page.index("Second words")

    services.reply(tutor, first, "Thank you")
    page = page_of(client, "/reflections/queue")
    assert "First words" not in page and "Second words" in page
    page = page_of(client, "/reflections/queue?status=all")
    assert "First words" in page and "Thank you" in page


def test_filters_narrow_the_queue(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    nurse = make_user(Role.LEARNER, profession="nursing")
    doctor = make_user(Role.LEARNER, profession="medicine")
    cohort_a = cohort_with(tutor, nurse)
    cohort_b = cohort_with(tutor, doctor, name="Cohort B")
    reflect(nurse, "Nurse words")
    reflect(doctor, "Doctor words")

    page = page_of(client, f"/reflections/queue?cohort={cohort_a.id}")
    assert "Nurse words" in page and "Doctor words" not in page
    page = page_of(client, f"/reflections/queue?cohort={cohort_b.id}")
    assert "Doctor words" in page and "Nurse words" not in page
    page = page_of(client, "/reflections/queue?profession=medicine")
    assert "Doctor words" in page and "Nurse words" not in page
    both = page_of(client, "/reflections/queue?module=test-module&scenario=ward-round&node=bedside")
    assert "Doctor words" in both and "Nurse words" in both
    page = page_of(client, "/reflections/queue?node=tells")
    assert "Doctor words" not in page and "Nurse words" not in page


def test_invalid_filters_show_an_error_and_no_reflection(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    reflect(learner, "Some words")
    other_cohort = cohort_with(make_user(Role.TUTOR), make_user(Role.LEARNER), name="Not mine")
    for query in (f"cohort={other_cohort.id}", "profession=wizard", "node=x'--", "status=x"):
        page = page_of(client, f"/reflections/queue?{query}")
        assert "Some filters were not valid" in page and "Some words" not in page
    # Only the tutor's own cohorts are offered.
    assert "Not mine" not in page_of(client, "/reflections/queue")


def test_the_queue_is_paginated_keeping_its_filters(client, login_as, make_user, course):
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    for number in range(queries.QUEUE_PAGE_SIZE + 1):
        reflect(learner, f"Reflection number {number:02d}")
    page = page_of(client, "/reflections/queue?profession=nursing")
    assert "Reflection number 00" in page and "Reflection number 20" not in page
    assert "Page 1 of 2" in page and "page=2" in page and "profession=nursing" in page
    page = page_of(client, "/reflections/queue?profession=nursing&page=2")
    assert "Reflection number 20" in page and "Reflection number 00" not in page


def test_the_reflection_page_refuses_what_the_tutor_may_not_read(
    client, login_as, make_user, course, caplog
):
    tutor = login_as(Role.TUTOR)
    learner = make_user(Role.LEARNER)
    stranger = make_user(Role.LEARNER)
    cohort_with(tutor, learner)
    cohort_with(make_user(Role.TUTOR), stranger, name="Cohort B")
    shared = reflect(learner, "Shared words")
    private = reflect(learner, "Private words", Visibility.PRIVATE)
    elsewhere = reflect(stranger, "Another cohort's words")
    playtest = playtest_reflection(learner)

    assert "Shared words" in page_of(client, f"/reflections/{shared.id}")
    for reflection in (private, elsewhere, playtest):
        with caplog.at_level(logging.WARNING, logger="eduapp.access"):
            response = client.get(f"/reflections/{reflection.id}")
        assert response.status_code == 404
        assert reflection.body not in response.get_data(as_text=True)
        assert f"refused: reflection {reflection.id}" in caplog.text
    assert client.get("/reflections/999999").status_code == 404


def test_waiting_reflection_counts_per_learner(app, make_user, course):
    tutor = make_user(Role.TUTOR)
    busy, quiet, replied = (make_user(Role.LEARNER) for _ in range(3))
    cohort = cohort_with(tutor, busy, quiet, replied)
    outsider = make_user(Role.LEARNER)
    cohort_with(make_user(Role.TUTOR), outsider, name="Other")
    reflect(busy, "one")
    reflect(busy, "two")
    reflect(quiet, "mine alone", Visibility.PRIVATE)
    services.reply(tutor, reflect(replied, "answered"), "Thanks")
    reflect(outsider, "not in this cohort")
    playtest_reflection(busy)
    page = [busy.id, quiet.id, replied.id, outsider.id]
    assert queries.waiting_reflection_counts(cohort, page) == {busy.id: 2}
    assert queries.waiting_reflection_counts(cohort, [quiet.id]) == {}


def test_a_full_page_costs_no_more_queries(client, login_as, make_user, course, count_queries):
    def statements_for(url: str) -> int:
        with count_queries() as statements:
            page_of(client, url)
        return len(statements)

    tutor = login_as(Role.TUTOR)
    learners = [make_user(Role.LEARNER) for _ in range(6)]
    cohort_with(tutor, *learners)
    reflect(learners[0], "Alone")
    services.reply(tutor, reflect(learners[1], "Answered"), "Thank you")
    urls = ("/reflections/queue", "/reflections/queue?status=all")
    few = [statements_for(url) for url in urls]
    for number in range(queries.QUEUE_PAGE_SIZE + 8):
        reflection = reflect(learners[number % len(learners)], f"One more {number}")
        if number % 4 == 0:
            services.reply(tutor, reflection, "Thank you")
    for url in urls:  # a full page of those waiting, and of all with their replies
        assert "Page 1 of 2" in page_of(client, url)
    assert [statements_for(url) for url in urls] == few
