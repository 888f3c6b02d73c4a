"""Reads of the player: attempts, paths, progress and how other learners chose."""

import functools
from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Bundle, joinedload, lazyload, with_expression

from eduapp.accounts.models import User
from eduapp.cache import MIB, ByteBoundedCache
from eduapp.content.models import Document, Revision, Version
from eduapp.content.queries import parse_scenario_source
from eduapp.engine import Scenario, State
from eduapp.extensions import db, prepared
from eduapp.markdown import render_markdown
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.reflections.models import Reflection
from eduapp.tallies.models import SharedChoiceFigure
from eduapp.tallies.queries import scenario_progress


@dataclass(frozen=True)
class Arrival:
    """The choice that brought an attempt where it stands."""

    from_node: str
    choice_number: int
    choice_label: str


@dataclass(frozen=True)
class ReflectionHere:
    """The reflection written where an attempt stands: what the page's box shows."""

    body: str
    visibility: str


@dataclass
class StepAttempt:
    """An attempt as its page reads it: a plain row, not an ORM object (the identity map and
    the loading of four joined objects cost every click more than the query itself). Its
    history, its reflections and a playtest's draft are read only when asked for (the ending
    page, a playtest's banner)."""

    id: int
    user_id: int
    version_id: int | None
    revision_id: int | None
    status: str
    node_id: str
    variables: dict
    step: int
    is_playtest: bool
    #: Of the published version played: its text and its document's slug (None for a playtest).
    version_source: str | None
    version_slug: str | None
    arrival: Arrival | None
    reflection_here: ReflectionHere | None

    @property
    def is_completed(self) -> bool:
        return self.status == AttemptStatus.COMPLETED.value

    @property
    def state(self) -> State:
        return State(node_id=self.node_id, variables=self.variables, step=self.step)

    @property
    def source(self) -> str:
        return self.version_source if self.version_id else self.revision.source

    @property
    def slug(self) -> str:
        return self.version_slug if self.version_id else self.revision.document.slug

    @functools.cached_property
    def revision(self) -> Revision | None:
        return db.session.get(Revision, self.revision_id) if self.revision_id else None

    @functools.cached_property
    def events(self) -> list[ChoiceEvent]:
        return list(
            db.session.scalars(
                sa.select(ChoiceEvent)
                .where(ChoiceEvent.attempt_id == self.id)
                .order_by(ChoiceEvent.step)
            )
        )

    @functools.cached_property
    def reflections(self) -> list[Reflection]:
        return list(
            db.session.scalars(
                sa.select(Reflection)
                .where(Reflection.attempt_id == self.id)
                .order_by(Reflection.step)
            )
        )


class _StepRow(Bundle):
    """Selects the columns of ``StepAttempt``, in its order, and makes one of each row."""

    single_entity = True

    def create_row_processor(self, query, procs, labels):
        def make(row) -> StepAttempt:
            (*attempt, source, slug, from_node, number, label, body, visibility) = (
                proc(row) for proc in procs
            )
            return StepAttempt(
                *attempt,
                source,
                slug,
                Arrival(from_node, number, label) if number is not None else None,
                ReflectionHere(body, visibility) if visibility is not None else None,
            )

        return make


#: The attempt page's attempt (a ``StepAttempt``), with of its version only what playing it
#: reads, the choice that brought it where it stands and the reflection written there, in one
#: query. Built once (``prepared``): the page is what every click reads.
@prepared
def step_page(_insert) -> sa.Select:
    attempts, versions = Attempt.__table__, Version.__table__
    documents, events = Document.__table__, ChoiceEvent.__table__
    reflections = Reflection.__table__
    here = {
        table: sa.and_(table.c.attempt_id == attempts.c.id, table.c.step == attempts.c.step)
        for table in (events, reflections)
    }
    row = _StepRow(
        "attempt",
        *(attempts.c[name] for name in ("id", "user_id", "version_id", "revision_id", "status")),
        *(attempts.c[name] for name in ("node_id", "variables", "step", "is_playtest")),
        versions.c.source,
        documents.c.slug,
        events.c.from_node,
        events.c.choice_number,
        events.c.choice_label,
        reflections.c.body,
        reflections.c.visibility,
    )
    return (
        sa.select(row)
        .select_from(attempts)
        .outerjoin(versions, versions.c.id == attempts.c.version_id)
        .outerjoin(documents, documents.c.id == versions.c.document_id)
        .outerjoin(events, here[events])
        .outerjoin(reflections, here[reflections])
        .where(attempts.c.id == sa.bindparam("ident"))
    )


#: Recording a choice: the attempt with its version and the reflection written where it stands
#: (the box posted with the choice updates it), and the learner's row locked until commit with
#: their profession read (``accounts.services.lock_learner``: the lock every write about their
#: play takes first); not its history, which the counts ask the database about.
@prepared
def recording(_insert) -> sa.Select:
    users = User.__table__
    return (
        _attempt_by_id(_REFLECTION_HERE)
        .join(users, users.c.id == Attempt.user_id)
        .options(
            with_expression(
                Attempt.learner_profession,
                sa.func.coalesce(sa.type_coerce(users.c.profession, sa.String), ""),
            )
        )
        .with_for_update(of=users, key_share=True)
        .execution_options(populate_existing=True)
    )


_REFLECTION_HERE = joinedload(Attempt.reflection_here).load_only(
    Reflection.body, Reflection.visibility
)


def _attempt_by_id(*joined) -> sa.Select:
    """The attempt, and of its version only what playing it reads (the scenario's text and
    document): a column the page never reads still costs every click its decoding."""
    return (
        sa.select(Attempt)
        .where(Attempt.id == sa.bindparam("ident"))
        .options(
            joinedload(Attempt.version)
            .load_only(Version.document_id, Version.source)
            .joinedload(Version.document)
            .load_only(Document.slug),
            *joined,
            lazyload(Attempt.events),
            lazyload(Attempt.reflections),
        )
    )


def scenario_of_attempt(attempt: Attempt | StepAttempt) -> Scenario:
    """The scenario an attempt plays: its published version, or the draft an author playtests."""
    return parse_scenario_source(attempt.source, attempt.slug)


#: Published nodes' texts rendered as HTML, per worker process. A published version never
#: changes, so each of its texts is rendered once (a learner's every step rendered it again).
#: Each entry is charged for its HTML, at most ~10 characters per character of text (a table's
#: empty cells) at up to 4 bytes each, and for the text it is kept by (measured in
#: tests/player/test_play_step.py). The course's node texts are about 0.2 MB.
RENDERED = ByteBoundedCache(32 * MIB, bytes_per_char=48, bytes_per_entry=1024)


def node_html(attempt: Attempt | StepAttempt, text: str, base_level: int = 2) -> Markup:
    """A node's Markdown as HTML: rendered once per process for a published version, each time
    for a playtested draft."""
    if attempt.version_id is None:
        return render_markdown(text, base_level)
    return _published_html(text, base_level)


@RENDERED.memoize
def _published_html(text: str, base_level: int) -> Markup:
    return render_markdown(text, base_level)


def unfinished_attempt(user_id: int, document_id: int) -> Attempt | None:
    """The learner's newest unfinished attempt at a scenario, whatever version it is on."""
    return db.session.scalar(
        sa.select(Attempt)
        .join(Version, Version.id == Attempt.version_id)
        .where(
            Attempt.user_id == user_id,
            Version.document_id == document_id,
            Attempt.status == AttemptStatus.IN_PROGRESS.value,
            Attempt.is_playtest.is_(False),
        )
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def attempts_of(user_id: int) -> list[Attempt]:
    """Every attempt of a learner, newest first."""
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.is_playtest.is_(False))
            .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


@dataclass(frozen=True)
class ScenarioProgress:
    document_id: int
    #: Finished at least once, on any version (the one rule: ``tallies.queries``).
    is_finished: bool
    #: The newest unfinished attempt, to continue.
    unfinished_attempt_id: int | None


def progress_by_scenario(user_id: int) -> dict[int, ScenarioProgress]:
    """Per scenario document the learner began: whether they finished it, as every page counts
    it (``tallies.queries.scenario_progress``), and their unfinished attempt, if any."""
    finished = scenario_progress(user_id)
    unfinished = dict(
        db.session.execute(
            sa.select(Version.document_id, sa.func.max(Attempt.id))
            .join(Version, Version.id == Attempt.version_id)
            .where(
                Attempt.user_id == user_id,
                Attempt.is_playtest.is_(False),
                Attempt.status == AttemptStatus.IN_PROGRESS.value,
            )
            .group_by(Version.document_id)
        ).all()
    )
    return {
        document_id: ScenarioProgress(
            document_id, finished.get(document_id, False), unfinished.get(document_id)
        )
        for document_id in sorted(finished.keys() | unfinished.keys())
    }


#: Shares are shown to the nearest this many percent, and the number of learners rounded down
#: to a multiple of this many: a snapshot's exact counts are never shown (docs/privacy.md).
SHARE_ROUNDING = 5
LEARNERS_ROUNDING = 5


@dataclass(frozen=True)
class OthersChoices:
    """How learners chose at one node, as its shared snapshot holds it (the viewer may be in it)."""

    learners: int
    by_choice: dict[int, int]
    #: What the page says shares are rounded to.
    rounding: ClassVar[int] = SHARE_ROUNDING

    @property
    def about(self) -> int:
        """The learners in the snapshot, rounded down to a multiple of ``LEARNERS_ROUNDING``."""
        return self.learners - self.learners % LEARNERS_ROUNDING

    def share(self, number: int) -> int:
        """Percentage of the snapshot's learners who took this choice, to the nearest
        ``SHARE_ROUNDING`` (halves up)."""
        if not self.learners:
            return 0
        # In units of SHARE_ROUNDING percent: units / learners, rounded half up.
        units = 100 // SHARE_ROUNDING * self.by_choice.get(number, 0)
        return SHARE_ROUNDING * ((2 * units + self.learners) // (2 * self.learners))


def how_others_chose(attempt: Attempt | StepAttempt, minimum: int) -> dict[str, OthersChoices]:
    """For each node where this attempt made a choice: how learners on the same version chose.

    Read from the node's shared snapshot (``eduapp.tallies``): taken again only after several
    more learners decided, counting only accounts a day old or more, so that no one person's
    play shows in it. Each learner counts once per choice they ever took there; nodes whose
    snapshot holds fewer than ``minimum`` learners are left out (small-cell suppression).
    """
    nodes = {event.from_node for event in attempt.events}
    if not nodes or attempt.version_id is None:
        return {}
    figures: dict[str, dict[int, int]] = {}
    for node, number, learners in db.session.execute(
        sa.select(
            SharedChoiceFigure.node_id,
            SharedChoiceFigure.choice_number,
            SharedChoiceFigure.learners,
        ).where(
            SharedChoiceFigure.version_id == attempt.version_id,
            SharedChoiceFigure.node_id.in_(nodes),
        )
    ):
        figures.setdefault(node, {})[number] = learners
    result: dict[str, OthersChoices] = {}
    for node, by_choice in sorted(figures.items()):
        learners = by_choice.pop(0, 0)
        if learners >= minimum:
            result[node] = OthersChoices(learners, by_choice)
    return result
