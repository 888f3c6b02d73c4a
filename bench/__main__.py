"""`make bench`: the dashboard benchmark at 100, 1,000 and 10,000 learners on both backends."""

import sys

from bench.dashboards import main

sys.exit(main([]))
