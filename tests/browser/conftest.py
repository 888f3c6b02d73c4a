"""Browser fixtures: one headless Chromium per session, a fresh context and page per test.

The pages are served by the ``live_server`` fixture on the session's database, so every test
here runs once per backend like the rest of the suite.
"""

import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, sync_playwright

from tests.support.app import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Short enough that a missing element fails the test quickly; the app answers in milliseconds.
TIMEOUT_MS = 5_000
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 812}
BLOCKING_IMPACTS = {"serious", "critical"}


def _chromium_path() -> str | None:
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        skip_or_fail("Chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, app) -> Page:
    """A fresh context and page on the live server. Requests ``app`` so that the tables the
    live server wrote to are emptied after the test, once the page is closed."""
    context = browser.new_context(viewport=WIDE, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def axe_check(axe):
    """axe_check(page): fail the test on any serious or critical axe-core violation."""

    def check(page: Page) -> None:
        violations = axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            lines = [f"axe found {len(blocking)} serious or critical problem(s) on {page.url}:"]
            for violation in blocking:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                lines.append(
                    f"- {violation['id']} ({violation['impact']}): {violation['help']}; "
                    f"{len(violation['nodes'])} node(s), first: {targets}"
                )
            pytest.fail("\n".join(lines))

    return check


@pytest.fixture
def screenshot():
    """screenshot(page, name): save a full-page PNG to test-artifacts/screenshots/<name>.png."""

    def take(page: Page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def screenshot_widths(screenshot):
    """screenshot_widths(page, name): <name>-1280.png and <name>-375.png, and the page must not
    scroll sideways at 375 px (WCAG 1.4.10, reflow). The viewport is wide again afterwards."""

    def take(page: Page, name: str) -> None:
        screenshot(page, f"{name}-1280")
        page.set_viewport_size(NARROW)
        try:
            screenshot(page, f"{name}-375")
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        finally:
            page.set_viewport_size(WIDE)
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 375px wide"

    return take
