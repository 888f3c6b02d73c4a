"""Hypothesis profiles: "ci" runs every example the tests ask for, "dev" a fifth of them.

``HYPOTHESIS_PROFILE`` chooses; without it, "ci" where the ``CI`` variable is set (CI services
set it, and .ci/run sets ``HYPOTHESIS_PROFILE=ci``), otherwise "dev". A test that asks for its
own number of examples asks through ``examples(n)``: n under "ci", a share of n under "dev".
"""

import math
import os

import pytest
from hypothesis import settings

#: The share of each test's examples a profile runs. "ci" is Hypothesis's own profile of that
#: name (derandomized, no example database, deadlines off); "dev" is its default with fewer
#: examples, and keeps the failures it finds in .hypothesis/ to try first next time.
SHARES = {"ci": 1.0, "dev": 0.2}
#: Fewest examples a test runs under any profile.
MINIMUM_EXAMPLES = 5


def active_profile() -> str:
    return os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def examples(full: int) -> int:
    """How many examples a test that runs ``full`` of them in CI runs under the active profile."""
    return max(MINIMUM_EXAMPLES, math.ceil(full * SHARES[active_profile()]))


def pytest_configure(config):
    name = active_profile()
    if name not in SHARES:
        raise pytest.UsageError(f"HYPOTHESIS_PROFILE={name}: choose one of {sorted(SHARES)}")
    default_examples = settings.get_profile("default").max_examples
    settings.register_profile("dev", max_examples=math.ceil(default_examples * SHARES["dev"]))
    settings.load_profile(name)


def pytest_report_header(config):
    return f"hypothesis profile: {active_profile()} (HYPOTHESIS_PROFILE; docs/testing.md)"
