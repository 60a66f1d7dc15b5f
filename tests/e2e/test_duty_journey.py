"""A one-week secretary's morning, as issue 6 says it is done: a duty officer on this week's team
logs a morning meeting whose problems become cases on the duty-officer channel; the village's
officials answer one, the team follows it to its answer in its ledger, and the village's weekly
bulletin shows it on the web, on the kiosk and on the A4 poster, with nobody's name."""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.duty.conftest import Serving, serving, town  # noqa: F401  (fixtures)
from tests.e2e.conftest import SCREENS
from tests.e2e.test_case_journey import fits_the_screen, signed_in_context
from tests.feedback.conftest import seeded_categories  # noqa: F401  (fixtures)
from tests.helpers import admin_of
from tongxin.duty.actions.tasks import set_task, update_task
from tongxin.duty.models import MeetingProblem
from tongxin.feedback.actions import answer_case
from tongxin.feedback.models import Privacy, Status

pytestmark = pytest.mark.e2e

BRIDGE = "村东石板桥栏杆松动，老人小孩过桥很危险"
LAMPS = "村委会门口到小学的路灯坏了三盏"
REPORTER = "王秀英"
ANSWER = "村委会已请施工队加固栏杆，本周五前完工。"
TASK = "走访独居老人"


def test_a_morning_meeting_s_problems_are_followed_to_their_answer_and_posted_on_the_bulletin(
    page: Page, browser: Browser, live_server, serving: Serving, seeded_categories, screen: str,  # noqa: F811
    screenshot: Callable[[str], Path],
) -> None:
    village = serving.town.village("东村")
    secretary = serving.team("东村")[0].volunteer.person.user
    officials = admin_of(village, "dongcun-admin")
    set_task(actor=serving.town.admin, week=serving.week, village=village, title=TASK)

    # 1. The secretary on duty goes from "my duty weeks" to the team's week and logs the meeting.
    duty = signed_in_context(browser, live_server, secretary, SCREENS[screen])
    duty.goto(reverse("duty:mine"))
    duty.get_by_role("link", name="You are on duty this week: your team's week").click()
    expect(duty.locator("h1")).to_have_text("Duty team of East Village")
    duty.get_by_role("link", name="Log a morning meeting").click()
    duty.get_by_label("Place").fill("村委会议室")
    duty.get_by_label("Villagers who came").fill("12")
    duty.get_by_label("Village officials present").fill("村主任李建国")
    first, second = duty.locator("fieldset.problem").nth(0), duty.locator("fieldset.problem").nth(1)
    first.get_by_label("What was raised").fill(BRIDGE)
    first.get_by_label("Category").select_option(index=1)
    first.get_by_label("Urgent: danger to life or property").check()
    first.locator(f"input[value={Privacy.HIDDEN}]").check()
    first.get_by_label("Villager's name").fill(REPORTER)
    second.get_by_label("What was raised").fill(LAMPS)
    second.get_by_label("Category").select_option(index=1)
    second.locator(f"input[value={Privacy.ANONYMOUS}]").check()
    screenshot_of(duty, screen, "meeting-form")
    duty.get_by_role("button", name="Log the meeting").click()

    problems = list(MeetingProblem.objects.select_related("case").order_by("number"))
    assert [(problem.case.description, problem.case.channel) for problem in problems] == [(BRIDGE, "duty"), (LAMPS, "duty")]
    bridge, lamps = problems[0].case, problems[1].case
    assert (bridge.reporter_name, lamps.reporter_name, lamps.reporter_phone) == (REPORTER, "", "")
    ledger = duty.locator("ol.ledger")
    expect(ledger).to_contain_text(bridge.code)
    expect(ledger).to_contain_text(lamps.code)
    expect(ledger).to_contain_text("Not yet followed up")

    # 2. The same day the team takes the bridge to the village's officials.
    duty.get_by_role("link", name=f"Record a follow-up of case {bridge.code}").click()
    duty.get_by_label("Officials met").fill("村主任李建国")
    duty.get_by_label("What was agreed").fill("村委会今天联系施工队")
    duty.get_by_role("button").last.click()
    expect(duty.locator("ol.ledger li").first).to_contain_text("Followed up the same day")

    # 3. The village answers the case; the ledger follows it to its answer.
    answer_case(case=bridge, actor=officials, text=ANSWER)
    duty.reload()
    first_line = duty.locator("ol.ledger li").first
    expect(first_line).to_contain_text("Answered")
    expect(first_line).to_contain_text(ANSWER)
    screenshot_of(duty, screen, "ledger")
    assert fits_the_screen(duty)
    duty.context.close()
    bridge.refresh_from_db()
    assert bridge.status == Status.ANSWERED
    update_task(actor=serving.town.admin, task=serving.week.tasks.get(), progress="已走访5户", done=False)

    # 4. Anyone reads the village's bulletin: the task, both problems, the answer, no names.
    page.goto(reverse("duty:bulletin", args=[village.pk]))
    bulletin = page.locator("main")
    for text in (TASK, "已走访5户", bridge.title, lamps.title, ANSWER):
        expect(bulletin).to_contain_text(text)
    assert REPORTER not in page.content()
    screenshot("bulletin")
    assert fits_the_screen(page)

    page.goto(reverse("duty:bulletin_kiosk", args=[village.pk]))
    expect(page.locator("body")).to_contain_text(bridge.title)
    expect(page.locator("body")).to_contain_text(TASK)
    assert REPORTER not in page.content()
    screenshot("kiosk")

    poster = page.request.get(reverse("duty:bulletin_pdf", args=[village.pk]))
    assert poster.status == 200
    assert poster.headers["content-type"] == "application/pdf"
    reader = PdfReader(BytesIO(poster.body()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert TASK in text and "East Village" in text and REPORTER not in text
    assert timezone.localdate() >= serving.week.start


def screenshot_of(page: Page, screen: str, step: str) -> None:
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"duty_journey-{screen}-{step}.png"), full_page=True)
