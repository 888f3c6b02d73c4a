"""The one way a page shows a moment: a ``<time>`` element in one of three named formats.

Templates use the filters, never ``strftime``: ``{{ x|day }}`` (7 Mar 2026), ``{{ x|when }}``
(7 Mar 2026, 14:05 UTC) and ``{{ x|to_the_second }}`` (7 Mar 2026, 14:05:09 UTC, for the
audit log). The machine-readable ``datetime`` attribute always carries the full moment.
"""

from datetime import UTC, datetime

from markupsafe import Markup

#: Each format by the name of its filter. ``{day}`` is the day of the month without a leading
#: zero (strftime's ``%-d`` is not portable).
FORMATS = {
    "day": "{day} %b %Y",
    "when": "{day} %b %Y, %H:%M UTC",
    "to_the_second": "{day} %b %Y, %H:%M:%S UTC",
}


def time_element(moment: datetime, format_name: str) -> Markup:
    """``moment`` as ``<time datetime="...">`` showing it in UTC in the named format.

    Every stored moment is UTC, so a naive one is read as UTC, never as the server's local time.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    shown = moment.strftime(FORMATS[format_name].replace("{day}", str(moment.day)))
    return Markup('<time datetime="{}">{}</time>').format(moment.isoformat(), shown)


def day(moment: datetime) -> Markup:
    """A date: 7 Mar 2026."""
    return time_element(moment, "day")


def when(moment: datetime) -> Markup:
    """A date and time to the minute: 7 Mar 2026, 14:05 UTC."""
    return time_element(moment, "when")


def to_the_second(moment: datetime) -> Markup:
    """A date and time to the second, where order within a minute matters: the audit log."""
    return time_element(moment, "to_the_second")
