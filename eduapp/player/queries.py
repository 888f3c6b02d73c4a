"""Reads of the player: attempts, paths, progress and how other learners chose."""

from dataclasses import dataclass
from typing import ClassVar

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import joinedload, lazyload, with_expression

from eduapp.accounts.models import User
from eduapp.cache import MIB, ByteBoundedCache
from eduapp.content.models import Document, Version
from eduapp.content.queries import parse_scenario_source
from eduapp.engine import Scenario
from eduapp.extensions import db, prepared
from eduapp.markdown import render_markdown
from eduapp.player.models import Attempt, AttemptStatus, ChoiceEvent
from eduapp.reflections.models import Reflection
from eduapp.tallies.models import SharedChoiceFigure
from eduapp.tallies.queries import scenario_progress


#: The step page's attempt: with its version (always joined), the choice that brought it where
#: it stands and the reflection written there, in one query; its history only if read (the
#: ending page reads it). Built once (``prepared``): the page is what every click reads.
@prepared
def step_page(_insert) -> sa.Select:
    return _attempt_by_id(_ARRIVAL, _REFLECTION_HERE)


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


_ARRIVAL = joinedload(Attempt.arrival).load_only(
    ChoiceEvent.from_node, ChoiceEvent.choice_number, ChoiceEvent.choice_label
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


def scenario_of_attempt(attempt: Attempt) -> Scenario:
    """The scenario an attempt plays: its published version, or the draft an author playtests."""
    document = attempt.version.document if attempt.version else attempt.revision.document
    return parse_scenario_source(attempt.source, document.slug)


#: Published nodes' texts rendered as HTML, per worker process. A published version never
#: changes, so each of its texts is rendered once (a learner's every step rendered it again).
#: Each entry is charged for its HTML, at most ~10 characters per character of text (a table's
#: empty cells) at up to 4 bytes each, and for the text it is kept by (measured in
#: tests/player/test_play_step.py). The course's node texts are about 0.2 MB.
RENDERED = ByteBoundedCache(32 * MIB, bytes_per_char=48, bytes_per_entry=1024)


def node_html(attempt: Attempt, text: str, base_level: int = 2) -> Markup:
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


def how_others_chose(attempt: Attempt, minimum: int) -> dict[str, OthersChoices]:
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
