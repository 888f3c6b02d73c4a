"""Grades on their way to the LMS: Assignment and Grade Services through an outbox
(docs/lti.md, "Grades").

**What is reported.** A link placed in an LMS course opens a scenario or an assessment; the
learner's result goes to the link's gradebook column (its line item):

- A scenario played to an ending (any ending): 1 out of 1, ``Completed``, ``FullyGraded``.
  Finishing it again reports the same again; the platform keeps the newest.
- An assessment: the best fully marked attempt counts, as a percentage (``scoreMaximum`` 100:
  the versions of an assessment may have different totals, and "best" is by percentage, as on
  the learner's own pages). While an attempt waits for a tutor's mark the score is
  ``Submitted``/``PendingManual``, carrying the best marked percentage so far if there is one,
  and no score at all before the first attempt is marked: the gradebook never shows the zero
  that unmarked answers count as for a grade. Once nothing waits: ``Completed``/``FullyGraded``.
- A module link reports nothing: a module is not graded.

**Whose.** A learner's result goes to every link of that scenario or assessment in an LMS
course whose cohort they are a member of, on a platform where their account has an identity
(the score's ``userId`` is that identity's subject).

**Queueing** happens in the transaction that records the result (``receivers.py``), on the play
step's path only when the choice ended the attempt: one statement finds the links and any older
score still waiting for them, and only when there are links, one deletes the older waiting
scores (a newer score replaces them: the platform keeps the newest anyway) and one adds a row
per link.

**Sending** (``send_due``, from ``flask lti send-scores`` or after the request that queued them
where ``LTI_SEND_AFTER_REQUEST`` is set) works as the mail sender does (eduapp/mail/sender.py):
each due row is taken with a guarded UPDATE that moves its next try into the future (a lease),
so two senders never send one row; every step is a unit of work of its own. A score is POSTed
to ``{lineitem}/scores``. A link that has no line item yet gets one first, found by its
resource link id or made, where the course's AGS claim allows it (the link's row is locked
meanwhile, so two senders make one). The answer decides:

- 2xx: sent.
- a 4xx other than 401, 408 and 429: the request itself is wrong (a learner no longer in the
  course, a column deleted, a score older than one the platform has): recorded in
  ``last_error``, never tried again (``tries`` set to ``LTI_SCORE_MAX_TRIES``).
- 401 (after one more try with a fresh token), 408, 429, a 5xx, a timeout or no connection:
  tried again later, waiting twice as long each time up to six hours, ``LTI_SCORE_MAX_TRIES``
  times in all. Once one of a platform's scores fails this way, that platform's other scores
  in the same run wait too.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from flask import current_app, g

from eduapp.assessments.models import AssessmentAttempt
from eduapp.cohorts.models import CohortMember
from eduapp.content.models import Version
from eduapp.content.queries import newest_version
from eduapp.extensions import db, utcnow
from eduapp.lti.models import Context, Identity, ResourceLink, ScoreOutbox
from eduapp.lti.provisioning import item_of
from eduapp.lti.service_client import (
    LINEITEM_SCOPE,
    SCORE_SCOPE,
    ServiceClient,
    ServiceError,
    failure,
    same_origin,
)
from eduapp.transaction import roll_back, unit_of_work

log = logging.getLogger("eduapp.lti")

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
COMPLETED, SUBMITTED = "Completed", "Submitted"
FULLY_GRADED, PENDING_MANUAL = "FullyGraded", "PendingManual"
#: An assessment is reported as a percentage.
PERCENT = 100.0

#: How long a sender holds a score it took before another may try it.
LEASE = timedelta(minutes=5)
#: The first retry waits this long; each further one twice as long, up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Grade:
    """What a score row reports."""

    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str


SCENARIO_FINISHED = Grade(1.0, 1.0, COMPLETED, FULLY_GRADED)


# Queueing -------------------------------------------------------------------------------------
def _links_and_waiting(user_id: int, document_id: int) -> list[tuple[int, int | None]]:
    """(link, score still waiting for it or None) for each link of the document in an LMS
    course of a cohort the learner belongs to, on a platform that knows the learner."""
    return list(
        db.session.execute(
            sa.select(ResourceLink.id, ScoreOutbox.id)
            .join(Context, Context.id == ResourceLink.context_pk)
            .join(
                CohortMember,
                sa.and_(
                    CohortMember.cohort_id == Context.cohort_id, CohortMember.user_id == user_id
                ),
            )
            .join(
                Identity,
                sa.and_(Identity.platform_id == Context.platform_id, Identity.user_id == user_id),
            )
            .outerjoin(
                ScoreOutbox,
                sa.and_(
                    ScoreOutbox.link_pk == ResourceLink.id,
                    ScoreOutbox.user_id == user_id,
                    ScoreOutbox.sent_at.is_(None),
                ),
            )
            .where(ResourceLink.document_id == document_id)
        )
    )


def queue(user_id: int, document_id: int, grade: Callable[[], Grade | None]) -> int:
    """Queue the learner's score for every link of the document that reports to them; the
    number of rows queued. ``grade`` is asked only when there is a link."""
    found = _links_and_waiting(user_id, document_id)
    if not found:
        return 0
    result = grade()
    if result is None:
        return 0
    older = sorted({score_id for _, score_id in found if score_id is not None})
    if older:
        db.session.execute(
            sa.delete(ScoreOutbox)
            .where(ScoreOutbox.id.in_(older))
            .execution_options(synchronize_session=False)
        )
    now = utcnow()
    links = sorted({link_id for link_id, _ in found})
    db.session.execute(
        sa.insert(ScoreOutbox.__table__),
        [
            {
                "link_pk": link_id,
                "user_id": user_id,
                "score_given": result.score_given,
                "score_maximum": result.score_maximum,
                "activity_progress": result.activity_progress,
                "grading_progress": result.grading_progress,
                "scored_at": now,
                "tries": 0,
                "next_try_at": now,
            }
            for link_id in links
        ],
    )
    g.lti_scores_queued = True
    return len(links)


def scenario_finished(user_id: int, document_id: int) -> int:
    """A learner played the scenario to an ending."""
    return queue(user_id, document_id, lambda: SCENARIO_FINISHED)


def assessment_scored(user_id: int, document_id: int) -> int:
    """A learner's attempt at the assessment was submitted or marked."""
    return queue(user_id, document_id, lambda: assessment_grade(user_id, document_id))


def assessment_grade(user_id: int, document_id: int) -> Grade | None:
    """The learner's standing with an assessment, as the module docstring says it is
    reported; None before any attempt is submitted."""
    percent = sa.case(
        (
            AssessmentAttempt.max_points > 0,
            100.0 * AssessmentAttempt.points / AssessmentAttempt.max_points,
        ),
        else_=100.0,  # nothing to score counts as full marks, as the engine says
    )
    best, waiting = db.session.execute(
        sa.select(
            sa.func.max(percent).filter(AssessmentAttempt.is_passed.is_not(None)),
            sa.func.count(AssessmentAttempt.id).filter(AssessmentAttempt.is_passed.is_(None)),
        )
        .join(Version, Version.id == AssessmentAttempt.version_id)
        .where(
            AssessmentAttempt.user_id == user_id,
            Version.document_id == document_id,
            AssessmentAttempt.submitted_at.is_not(None),
        )
    ).one()
    best = None if best is None else round(float(best), 2)
    if waiting:
        return Grade(best, PERCENT, SUBMITTED, PENDING_MANUAL)
    if best is None:
        return None
    return Grade(best, PERCENT, COMPLETED, FULLY_GRADED)


# Sending --------------------------------------------------------------------------------------
@dataclass
class Sending:
    """What one run of the sender did."""

    sent: int = 0
    #: Failed this time; tried again later.
    waiting: int = 0
    given_up: int = 0


@dataclass(frozen=True)
class _Taken:
    """A score row as the sender took it: plain values, so that a newer score deleting the row
    meanwhile costs nothing but its own 0-row updates."""

    id: int
    link_pk: int
    user_id: int
    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str
    scored_at: datetime
    tries: int


_TAKEN_COLUMNS = (
    ScoreOutbox.id,
    ScoreOutbox.link_pk,
    ScoreOutbox.user_id,
    ScoreOutbox.score_given,
    ScoreOutbox.score_maximum,
    ScoreOutbox.activity_progress,
    ScoreOutbox.grading_progress,
    ScoreOutbox.scored_at,
    ScoreOutbox.tries,
)


def _max_tries() -> int:
    return current_app.config["LTI_SCORE_MAX_TRIES"]


def _backoff(tries: int) -> timedelta:
    return min(FIRST_BACKOFF * 2 ** max(tries - 1, 0), MAX_BACKOFF)


def _due_ids(limit: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ScoreOutbox.id)
            .where(
                ScoreOutbox.sent_at.is_(None),
                ScoreOutbox.next_try_at <= utcnow(),
                ScoreOutbox.tries < _max_tries(),
            )
            .order_by(ScoreOutbox.next_try_at, ScoreOutbox.id)
            .limit(limit)
        )
    )


def _take(score_id: int) -> _Taken | None:
    """Lease one score to this sender, or None if another sender took it first."""
    now = utcnow()
    with unit_of_work():
        row = db.session.execute(
            sa.update(ScoreOutbox)
            .where(
                ScoreOutbox.id == score_id,
                ScoreOutbox.sent_at.is_(None),
                ScoreOutbox.next_try_at <= now,
                ScoreOutbox.tries < _max_tries(),
            )
            .values(next_try_at=now + LEASE, tries=ScoreOutbox.tries + 1)
            .returning(*_TAKEN_COLUMNS)
            .execution_options(synchronize_session=False)
        ).one_or_none()
    return None if row is None else _Taken(*row)


def send_due(limit: int = 50) -> Sending:
    """Send up to ``limit`` due scores."""
    sending = Sending()
    taken = [score for score in map(_take, _due_ids(limit)) if score is not None]
    if not taken:
        return sending
    failing: dict[int, str] = {}  # platform id -> why its scores wait, for the rest of the run
    with ServiceClient() as client:
        for score in taken:
            _send_one(client, score, failing, sending)
    return sending


def _send_one(client: ServiceClient, score: _Taken, failing: dict, sending: Sending) -> None:
    target = _target(score)
    if target is None:
        _give_up(score, "the link or the learner's LMS account is gone", sending)
        return
    link, subject = target
    platform = link.context.platform
    if platform.id in failing:
        _retry_later(score, failing[platform.id], sending)
        return
    try:
        lineitem_url = link.lineitem_url or _line_item_for(client, link.id, score.score_maximum)
        response = client.call(
            platform,
            [SCORE_SCOPE],
            "POST",
            scores_url(lineitem_url),
            body=score_json(score, subject),
            content_type=SCORE_TYPE,
        )
        if not response.is_success:
            raise failure(response, "score")
    except ServiceError as error:
        if error.is_permanent:
            _give_up(score, error.reason, sending)
        else:
            failing[platform.id] = error.reason
            _retry_later(score, error.reason, sending)
        return
    with unit_of_work():
        _update(score.id, sent_at=utcnow(), last_error=None)
    sending.sent += 1


def _target(score: _Taken) -> tuple[ResourceLink, str] | None:
    """The score's link (with its course and platform) and the learner's subject there."""
    row = db.session.execute(
        sa.select(ResourceLink, Identity.subject)
        .join(Context, Context.id == ResourceLink.context_pk)
        .join(
            Identity,
            sa.and_(Identity.platform_id == Context.platform_id, Identity.user_id == score.user_id),
        )
        .where(ResourceLink.id == score.link_pk)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def scores_url(lineitem_url: str) -> str:
    """The line item's score endpoint: its path with ``/scores`` added, before any query."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_json(score: _Taken, subject: str) -> dict:
    body = {
        "userId": subject,
        "scoreMaximum": score.score_maximum,
        "activityProgress": score.activity_progress,
        "gradingProgress": score.grading_progress,
        "timestamp": score.scored_at.isoformat(),
    }
    if score.score_given is not None:
        body["scoreGiven"] = score.score_given
    return body


def _line_item_for(client: ServiceClient, link_id: int, score_maximum: float) -> str:
    """The link's line item, found on the platform or made there, and kept on the link. The
    link's row stays locked meanwhile, so that two senders make one column."""
    with unit_of_work():
        link = db.session.scalar(
            sa.select(ResourceLink)
            .where(ResourceLink.id == link_id)
            .with_for_update(of=ResourceLink)
            .execution_options(populate_existing=True)
        )
        if link is None:
            raise ServiceError("the link is gone", is_permanent=True)
        if link.lineitem_url:
            return link.lineitem_url
        context = link.context
        if not context.lineitems_url or LINEITEM_SCOPE not in context.ags_scopes.split():
            raise ServiceError(
                "no gradebook column for this link, and the course lets eduapp make none",
                is_permanent=True,
            )
        url = _find_line_item(client, link) or _create_line_item(client, link, score_maximum)
        link.lineitem_url = url
    return url


def _find_line_item(client: ServiceClient, link: ResourceLink) -> str | None:
    context = link.context
    response = client.call(
        context.platform,
        [LINEITEM_SCOPE],
        "GET",
        context.lineitems_url,
        accept=LINEITEM_CONTAINER_TYPE,
        params={"resource_link_id": link.resource_link_id},
    )
    if not response.is_success:
        raise failure(response, "line items")
    try:
        items = response.json()
    except ValueError:
        raise ServiceError("line items: the answer is not JSON") from None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("resourceLinkId") == link.resource_link_id:
            return _line_item_url(item, context.lineitems_url)
    return None


def _create_line_item(client: ServiceClient, link: ResourceLink, score_maximum: float) -> str:
    context, document = link.context, link.document
    version = newest_version(document.kind, document.slug)
    label = link.title or (version.title if version else document.slug)
    response = client.call(
        context.platform,
        [LINEITEM_SCOPE],
        "POST",
        context.lineitems_url,
        accept=LINEITEM_TYPE,
        body={
            "label": label,
            "scoreMaximum": score_maximum,
            "resourceLinkId": link.resource_link_id,
            "resourceId": item_of(document),
        },
        content_type=LINEITEM_TYPE,
    )
    if not response.is_success:
        raise failure(response, "new line item")
    try:
        item = response.json()
    except ValueError:
        raise ServiceError("new line item: the answer is not JSON") from None
    url = _line_item_url(item, context.lineitems_url)
    if url is None:
        raise ServiceError("new line item: the answer has no id on the platform")
    return url


def _line_item_url(item, lineitems_url: str) -> str | None:
    url = item.get("id") if isinstance(item, dict) else None
    if isinstance(url, str) and len(url) <= 500 and same_origin(url, lineitems_url):
        return url
    return None


def _update(score_id: int, **values) -> None:
    """Change a score row by id; a row a newer score replaced meanwhile is simply not there."""
    db.session.execute(
        sa.update(ScoreOutbox)
        .where(ScoreOutbox.id == score_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _retry_later(score: _Taken, reason: str, sending: Sending) -> None:
    with unit_of_work():
        _update(score.id, next_try_at=utcnow() + _backoff(score.tries), last_error=reason)
    sending.waiting += 1
    log.warning("lti score %s not sent (try %s): %s", score.id, score.tries, reason)


def _give_up(score: _Taken, reason: str, sending: Sending) -> None:
    with unit_of_work():
        _update(score.id, tries=max(score.tries, _max_tries()), last_error=reason)
    sending.given_up += 1
    log.warning("lti score %s given up: %s", score.id, reason)


def send_scores_after_request(error: BaseException | None) -> None:
    """Where LTI_SEND_AFTER_REQUEST is set (development, tests): once a request that queued
    scores is done (and committed: eduapp/transaction.py), send them. A failure here only
    leaves them waiting in the outbox; it never reaches the person's page."""
    if error is not None or not g.pop("lti_scores_queued", False):
        return
    if not current_app.config["LTI_SEND_AFTER_REQUEST"]:
        return
    try:
        send_due(limit=10)
    except sa.exc.SQLAlchemyError:
        roll_back()
        log.warning("lti scores left in the outbox: the database refused the sender")
