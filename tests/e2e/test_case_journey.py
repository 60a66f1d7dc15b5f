"""The resident's case from the community screen to the answer, as issue 3 says it is done:
a resident reports anonymously at the kiosk; a handler of the right workgroup answers before the
deadline; the resident reads the answer by tracking code and rates it; the board shows the case
with no personal data."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.feedback.conftest import FeedbackTown, feedback_town, seeded_categories  # noqa: F401  (fixtures)
from tests.helpers import sign_in
from tongxin.core.audit import verify_chain
from tongxin.feedback.models import Case, CaseStep, Privacy, Status

pytestmark = pytest.mark.e2e

PIN = "2468"
DESCRIPTION = "村口垃圾桶满了三天没人清理，气味很大"
ANSWER = "环境卫生组已于今天上午清运，并把清运改为每天一次。"


@pytest.fixture
def town(seeded_categories, feedback_town: FeedbackTown) -> FeedbackTown:
    return feedback_town


def fits_the_screen(page: Page) -> bool:
    """Nothing sticks out sideways: a resident never has to scroll left and right."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def signed_in_context(browser: Browser, live_server, user, screen_options: dict) -> Page:
    """A browser already signed in as `user` (password and second factor, as tests/helpers.sign_in)."""
    client = Client()
    sign_in(client, user)
    context = browser.new_context(locale="en-GB", base_url=live_server.url, **screen_options)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )
    return context.new_page()


def screenshot_path(screen: str, step: str) -> Path:
    """Where the resident's screenshots go, for a page of another browser context (the handler's)."""
    from tests.e2e.conftest import SCREENSHOTS

    return SCREENSHOTS / f"an_anonymous_kiosk_report_is_answered_tracked_rated_and_shown_on_the_board-{screen}-{step}.png"


def test_an_anonymous_kiosk_report_is_answered_tracked_rated_and_shown_on_the_board(
    page: Page, browser: Browser, live_server, town, screen: str, screenshot: Callable[[str], Path]
) -> None:
    from tests.e2e.conftest import SCREENS

    # 1. At the community screen: no sign-in, anonymous by default, a PIN to keep the answer private.
    page.goto(reverse("feedback:kiosk_report", args=[town.xiaozhai.pk]))
    expect(page.locator(".site-nav")).to_have_count(0)
    page.locator("select[name=category]").select_option(label="Litter and rubbish")
    page.locator("textarea[name=description]").fill(DESCRIPTION)
    page.locator("input[name=pin]").fill(PIN)
    screenshot("kiosk-form")
    page.get_by_role("button", name="Send the report").click()
    code = page.locator(".tracking-code").inner_text().strip()
    screenshot("kiosk-code")
    assert fits_the_screen(page)

    case = Case.objects.get(code=code)
    assert (case.privacy, case.reporter_name, case.reporter_phone, case.reporter_email, case.reporter_id) == (
        Privacy.ANONYMOUS, "", "", "", None
    )
    assert (case.channel, case.assigned_to, case.status) == ("kiosk", town.sanitation, Status.SUBMITTED)
    page.get_by_role("link", name="Done").click()
    expect(page.locator(".tracking-code")).to_have_count(0)

    # 2. The sanitation workgroup's handler finds it on the workbench and answers.
    handler_page = signed_in_context(browser, live_server, town.handler, SCREENS[screen])
    handler_page.goto(reverse("feedback:cases"))
    handler_page.get_by_role("link", name=code).click()
    expect(handler_page.locator("main")).to_contain_text(DESCRIPTION)
    expect(handler_page.locator("main")).to_contain_text("Anonymous")
    handler_page.locator("details#answer summary").click()
    handler_page.locator("textarea[name='answer-text']").fill(ANSWER)
    handler_page.locator("details#answer").get_by_role("button").last.click()
    expect(handler_page.locator(".messages")).to_be_visible()
    handler_page.screenshot(path=str(screenshot_path(screen, "handler-answered")), full_page=True)
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    assert case.answered_at < case.answer_due
    handler_page.context.close()

    # 3. The resident comes back with the code and the PIN, reads the answer and rates it.
    page.goto(reverse("feedback:track_lookup"))
    page.locator("input[name=code]").fill(code.lower().replace("-", " "))
    page.locator("input[name=pin]").fill(PIN)
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator("main")).to_contain_text(ANSWER)
    page.locator("input[name=solved][value=yes]").check()
    page.locator("input[name=satisfied][value=yes]").check()
    screenshot("tracking-answer")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Send my verdict").click()
    case.refresh_from_db()
    assert (case.status, case.solved, case.satisfied) == (Status.CLOSED, True, True)
    feedback = CaseStep.objects.get(case=case, kind="feedback")
    assert (feedback.actor_id, feedback.actor_label) == (None, "system:reporter")

    # 4. The public board lists it with public fields only: no code, nothing about the reporter.
    page.goto(reverse("feedback:board", args=[town.xiaozhai.pk]))
    board = page.locator("main")
    expect(board).to_contain_text(DESCRIPTION[:20])
    expect(board).to_contain_text(ANSWER)
    assert code not in board.inner_text()
    screenshot("board")
    assert verify_chain().intact
    assert timezone.now() < case.answer_due
