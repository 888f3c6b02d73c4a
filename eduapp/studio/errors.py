"""What the studio's writes refuse, for the views to show to the person who asked."""

from dataclasses import dataclass

from eduapp.content.models import Revision
from eduapp.studio.merge import Merge


class StudioError(ValueError):
    """A request the studio refuses, with a message for the person who made it."""


class FieldError(StudioError):
    """A form edit refused because of one field (``field``, the form's field name); ``base``,
    when set, is the newest revision the form should be shown with again."""

    def __init__(self, message: str, field: str, base: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.base = base


@dataclass
class Conflict(Exception):
    """Someone saved a newer revision since ``base`` and both changed the same part; nothing
    was written. ``merge`` holds everything that merged and the clashes left to decide."""

    latest: Revision
    submitted: str
    message: str
    base: int | None = None
    merge: Merge | None = None
