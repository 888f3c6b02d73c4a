"""Access rows for the studio's format help: anyone signed in reads how scenarios, modules and
assessments are written; an unknown format is 404."""

from tests.security.access_world import Row, expect

ROWS = {
    ("studio_help.format_help", "GET"): Row("/studio/formats/scenario", expect(200)),
}
