"""What the whole suite shares, as a pytest plugin package.

``tests/conftest.py`` registers the fixture modules with ``pytest_plugins``; tests import the
helpers they need by name (``from tests.support.accounts import PASSWORD, Auth``). A helper used
by one folder's tests only lives in that folder (``tests/engine/strategies.py``).
"""
