"""Pages of a queue whose length is counted only as far as anyone pages.

Counting a whole queue costs as much as reading it: at 10,000 learners that is most of a page's
time, and grows with the cohort. A queue page instead counts at most ``COUNT_AHEAD`` rows past
itself, and says "1,000+" when there are more (docs/performance.md).
"""

import sqlalchemy as sa
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import lazyload

from eduapp.extensions import db

COUNT_AHEAD = 1000


class CountAheadPagination(SelectPagination):
    """A Flask-SQLAlchemy pagination whose ``total`` stops ``COUNT_AHEAD`` rows past the page.

    ``is_capped`` is True when more rows exist than ``total`` says.
    """

    is_capped = False

    def _query_count(self) -> int:
        limit = self._query_offset + COUNT_AHEAD + 1
        # Which rows come first does not change how many there are: no ORDER BY, so the
        # database may stop at the limit whatever plan it picks.
        rows = (
            self._query_args["select"].options(lazyload("*")).order_by(None).limit(limit).subquery()
        )
        counted = self._query_args["session"].scalar(sa.select(sa.func.count()).select_from(rows))
        self.is_capped = counted == limit
        return min(counted, limit - 1)


def paginate_counting_ahead(select: sa.Select, page: int, per_page: int) -> CountAheadPagination:
    """``db.paginate`` for queues: a page past the end is empty, never an error."""
    return CountAheadPagination(
        select=select, session=db.session(), page=page, per_page=per_page, error_out=False
    )
