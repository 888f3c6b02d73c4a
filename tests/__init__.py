"""The test suite: a package, so that tests import what they share by its full name
(``tests.support...``) and pytest never has to put a test folder on ``sys.path``."""
