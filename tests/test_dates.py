"""Every page shows a moment through one of the date filters (eduapp/dates.py)."""

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from eduapp import dates

TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "eduapp").glob("**/templates/**/*.html"))
MOMENT = datetime(2026, 3, 7, 14, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        (dates.day, "7 Mar 2026"),
        (dates.when, "7 Mar 2026, 14:05 UTC"),
        (dates.to_the_second, "7 Mar 2026, 14:05:09 UTC"),
    ],
)
def test_each_format_is_a_time_element_in_utc(show, expected):
    shown = f'<time datetime="2026-03-07T14:05:09+00:00">{expected}</time>'
    assert show(MOMENT) == shown
    # The same moment elsewhere, or naive (stored UTC), is shown the same way.
    assert show(MOMENT.astimezone(timezone(timedelta(hours=-5)))) == shown
    assert show(MOMENT.replace(tzinfo=None)) == shown


def test_the_filters_are_registered(app):
    template = app.jinja_env.from_string("{{ x|day }} · {{ x|when }} · {{ x|to_the_second }}")
    assert template.render(x=MOMENT) == " · ".join(
        [dates.day(MOMENT), dates.when(MOMENT), dates.to_the_second(MOMENT)]
    )


def test_no_template_formats_a_date_itself():
    assert len(TEMPLATES) > 50
    inline = {
        str(path): re.findall(r"strftime|isoformat", path.read_text(encoding="utf-8"))
        for path in TEMPLATES
    }
    assert {path: found for path, found in inline.items() if found} == {}
