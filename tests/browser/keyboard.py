"""Moving through a page with the keyboard alone, as a keyboard user does."""

import re

import pytest
from playwright.sync_api import Locator, Page

#: More than any page here has controls before the one a test wants.
MAX_TABS = 40
#: The roles a keyboard user reaches with Tab, plus labelled fields (a password input has none).
FOCUSABLE_ROLES = ("link", "button", "textbox", "combobox", "checkbox", "radio")


def _named(page: Page, name: str | re.Pattern) -> Locator:
    target = page.get_by_label(name, exact=True)
    for role in FOCUSABLE_ROLES:
        target = target.or_(page.get_by_role(role, name=name, exact=True))
    return target


def tab_to(page: Page, name: str | re.Pattern, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the control with this accessible name (the whole name, or a
    pattern) has the focus."""
    target = _named(page, name)
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if target.evaluate_all("elements => elements.includes(document.activeElement)"):
            return
    pytest.fail(f"{MAX_TABS} presses of {key} never reached {name!r} on {page.url}")
