"""What the studio's writes refuse, for the views to show to the person who asked."""

from dataclasses import dataclass

from eduapp.content.models import Revision


class StudioError(ValueError):
    """A request the studio refuses, with a message for the person who made it."""


@dataclass
class Conflict(Exception):
    """Someone saved a newer revision since ``base``; nothing was written."""

    latest: Revision
    submitted: str
    message: str
