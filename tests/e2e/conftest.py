"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's
live_server.

Screenshots land in tests/e2e/screenshots/ (not committed), named after the test and screen.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API keeps an event loop running in the test thread; Django would take the
# test's own database calls for calls from async code and refuse them.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Without the background-networking flag Chromium keeps calling home, which a closed network
# refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

SCREENS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: "
            "run ./test.sh, which installs it."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest) -> str:
    """Each journey runs once on a phone-sized screen and once on a desktop one."""
    return request.param


@pytest.fixture
def page(browser: Browser, screen: str, live_server) -> Iterator[Page]:
    """A fresh browser profile reading English; a broken page times out fast."""
    context = browser.new_context(locale="en-GB", base_url=live_server.url, **SCREENS[screen])
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Page, screen: str, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """`screenshot("my-page")` saves the whole page as <test>-<screen>-my-page.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    test_name = request.node.originalname.removeprefix("test_")

    def save(step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{screen}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
