"""Browser tests. A package, so that this folder's conftest is imported as browser.conftest and
never takes the module name "conftest" that tests import their shared helpers from."""
