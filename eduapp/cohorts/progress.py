"""The one rule for a learner's status on an assigned module, shared by the tutor's dashboard
and the learner's own page."""

import enum
from datetime import datetime


class ModuleStatus(enum.StrEnum):
    COMPLETED = "completed"
    IN_PROGRESS = "in progress"
    NOT_STARTED = "not started"
    OVERDUE = "overdue"


def status_of(completed: bool, started: bool, due_at: datetime | None, now: datetime) -> str:
    """Completed wins; otherwise overdue once the due date has passed; else by whether begun.

    A module is completed when every one of its scenarios was finished at least once.
    """
    if completed:
        return ModuleStatus.COMPLETED.value
    if due_at is not None and due_at < now:
        return ModuleStatus.OVERDUE.value
    return (ModuleStatus.IN_PROGRESS if started else ModuleStatus.NOT_STARTED).value
