"""`make bench`: the dashboard benchmark at 100, 1,000 and 10,000 learners on both backends,
then the limits of what an author's text drives (bench.limits), then the play step beside a bare
stack on gunicorn and PostgreSQL (bench.playstep), then the studio at 500, 2,000 and 5,000 nodes
(bench.big)."""

import sys

from bench import big, dashboards, limits, playstep

sys.exit(dashboards.main([]) or limits.main([]) or playstep.main([]) or big.main([]))
