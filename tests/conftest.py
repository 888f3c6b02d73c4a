"""Registers the suite's shared fixtures, which live in the tests.support plugin package."""

import pytest

# Plain asserts in the helpers report their values as the tests' own do.
pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.app",
    "tests.support.accounts",
    "tests.support.mail",
    "tests.support.live",
    "tests.support.lti",
    "tests.support.lti_platform",
    "tests.support.profiles",
]
