"""Running counts of what learners chose, kept so dashboards never re-read every learner's rows.

Each count is written in the transaction that records what it counts (a choice, a learner
joining or leaving a cohort, a change of profession), so it is never behind; `flask tallies
rebuild` recomputes every count from the recorded choices (docs/performance.md).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.extensions import db
from eduapp.privacy import Erasure, NotPersonal, Personal

#: The choice label of a row counting attempts that *ended* at its node.
ENDED = ""
#: The profession counted for a learner who gave none.
NO_PROFESSION = "other"
#: A visit this long or longer counts as slow: a learner lingering, or away from the screen.
SLOW_VISIT_SECONDS = 120
#: Why a count's text columns name nobody (eduapp/privacy.py).
COUNTS_NAME_NOBODY = "Counts by the course's nodes and choices, and by profession: no person."


class CohortTally(db.Model):
    """How a cohort's learners of one profession went through one node of a scenario.

    Counted over every version of the scenario, by the label recorded with each choice, so
    attempts on older versions still count; playtests never do.
    """

    __tablename__ = "cohort_tallies"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    #: The scenario's document.
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: The choice taken at the node, or ``ENDED`` for attempts that finished there.
    choice_label: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    profession: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: Attempts that took this choice at least once (or ended here).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Times this choice was taken: an attempt that comes back to a node chooses again.
    visits: Mapped[int] = mapped_column(default=0)
    #: Seconds spent on the node before those choices, summed.
    seconds_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: Visits that lasted ``SLOW_VISIT_SECONDS`` or longer.
    slow_visits: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint(
            "attempts >= 0 AND visits >= 0 AND seconds_total >= 0 AND slow_visits >= 0",
            name="counts_not_negative",
        ),
    )

    personal_data = (NotPersonal(("node_id", "choice_label", "profession"), COUNTS_NAME_NOBODY),)


class LearnerChoice(db.Model):
    """That a learner took a choice at a node of a version, at least once.

    ``choice_number`` 0 records that they decided at the node at all. The key is what makes
    "each learner counts once" a single insert that either adds a row or does nothing.
    """

    __tablename__ = "learner_choices"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("versions.id"), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    choice_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

    __table_args__ = (
        # The shared figures of a node are counted again from its learners (services.py).
        sa.Index("ix_learner_choices_node", "version_id", "node_id", "choice_number", "user_id"),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            why="Derived from the learner's choices (in the download with their attempts) and "
            "counted in “how others chose”, which erasure must not change.",
        ),
        NotPersonal(("node_id",), COUNTS_NAME_NOBODY),
    )


class VersionChoiceCount(db.Model):
    """How many learners took a choice at a node of a version (0: decided there at all)."""

    __tablename__ = "version_choice_counts"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("versions.id"), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    choice_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learners: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("learners >= 0", name="learners_not_negative"),)

    personal_data = (NotPersonal(("node_id",), COUNTS_NAME_NOBODY),)


class SharedChoiceFigure(db.Model):
    """What learners are shown of how others chose at a node of a version: a snapshot of the
    eligible learners' choices (0: decided there at all), replaced only in steps of several
    learners, so that no one person's play shows in it (docs/privacy.md, SECURITY.md row 26)."""

    __tablename__ = "shared_choice_figures"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("versions.id"), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    choice_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    learners: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("learners >= 0", name="learners_not_negative"),)

    personal_data = (NotPersonal(("node_id",), COUNTS_NAME_NOBODY),)


class SharedFigureMark(db.Model):
    """When the shared figures of a node were last looked at again, and what they then held."""

    __tablename__ = "shared_figure_marks"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("versions.id"), primary_key=True)
    node_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    #: Learners who had decided at the node (any account) when the figures were last checked.
    checked_at_learners: Mapped[int] = mapped_column(default=0)
    #: Eligible learners in the snapshot shown now.
    shown_learners: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint(
            "checked_at_learners >= 0 AND shown_learners >= 0", name="counts_not_negative"
        ),
    )

    personal_data = (NotPersonal(("node_id",), COUNTS_NAME_NOBODY),)


class LearnerScenario(db.Model):
    """That a learner began a scenario (any version), and whether they ever finished it."""

    __tablename__ = "learner_scenarios"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    #: The scenario's document.
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    finished: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        # Module counts are recomputed per scenario, for every learner who began it.
        sa.Index("ix_learner_scenarios_document", "document_id", "user_id", "finished"),
    )

    personal_data = (
        Personal(
            owner="user_id",
            erasure=Erasure.KEEP,
            why="Derived from the learner's attempts (in the download) and counted in module "
            "progress, which erasure must not change.",
        ),
    )


class ModuleScenario(db.Model):
    """A scenario of a module, as the module counts below were computed for.

    The scenarios a module needs come from its newest version and from which of them are
    published; when they change, the module's counts are computed again (`progress.py`).
    """

    __tablename__ = "module_scenarios"

    module_document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    scenario_document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id"), primary_key=True, index=True
    )


class CohortModuleProgress(db.Model):
    """How many of a cohort's learners began a module, and how many finished all of it."""

    __tablename__ = "cohort_module_progress"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    module_document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    begun: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint("begun >= 0 AND completed >= 0", name="counts_not_negative"),
    )


class CohortProfession(db.Model):
    """How many of a cohort's learners have each profession: the columns of its insight."""

    __tablename__ = "cohort_professions"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    profession: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    members: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.CheckConstraint("members >= 0", name="members_not_negative"),)

    personal_data = (NotPersonal(("profession",), COUNTS_NAME_NOBODY),)
