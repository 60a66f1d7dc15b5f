"""A villager reads the duty team's weekly bulletin on a phone and at a desk, and the village hall's
screen shows it full screen: the team, the tasks, the problems heard and carried over, nobody's
name who raised one; nothing sticks out sideways."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.duty.conftest import serving, town  # noqa: F401  (fixtures)
from tests.duty.test_bulletin import DAY, PRIVATE, Scene, long_date
from tests.duty.test_bulletin import scene as bulletin_scene  # noqa: F401  (fixture)
from tests.feedback.conftest import seeded_categories  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def scene(seeded_categories, bulletin_scene) -> Scene:  # noqa: F811
    """The bulletin's week (tests/duty/test_bulletin.py), with the categories a live server's
    emptied database needs seeded first."""
    return bulletin_scene


def fits_the_screen(page: Page) -> bool:
    """Nothing sticks out sideways: a villager never has to scroll left and right."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_villager_reads_the_weeks_bulletin(page: Page, scene: Scene, screenshot: Callable[[str], Path]) -> None:
    week = scene.serving.week
    page.goto(reverse("duty:bulletin", args=[scene.village.pk]))
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text("Weekly bulletin of East Village")
    expect(main).to_contain_text(f"Week of {long_date(week.start)} to {long_date(week.end)}")
    expect(main).to_contain_text(", ".join(scene.team))
    expect(page.locator(".bulletin-task")).to_have_count(2)
    expect(page.locator(".bulletin-task.done")).to_contain_text("修好村口路灯")
    expect(page.locator(".bulletin-problem")).to_have_count(4)
    expect(page.locator(".bulletin-problem.off-board")).to_have_text("A problem kept off the public board Submitted")
    expect(main).to_contain_text("Answer: 已于周二换好三盏路灯。")
    expect(page.locator(".bulletin-counts")).to_have_text("Heard this week 3 Carried over 1 Answered 1 Still open 3", use_inner_text=True)
    body = page.content()
    assert [word for word in PRIVATE if word in body] == []
    screenshot("this-week")
    assert fits_the_screen(page)

    # The poster for the notice board is one link away.
    poster = page.request.get(page.get_by_role("link", name="Poster for the notice board (PDF)").get_attribute("href"))
    assert (poster.status, poster.headers["content-type"]) == (200, "application/pdf")

    page.get_by_role("link", name="Next week →").click()
    expect(main).to_contain_text(f"Week of {long_date(week.start + 7 * DAY)}")
    expect(main).to_contain_text(", ".join(scene.next_team))
    expect(main).to_contain_text("No tasks set for this week yet.")
    screenshot("next-week")
    assert fits_the_screen(page)

    page.goto(reverse("duty:bulletin", args=[scene.village.pk]) + "?week=2027-02-30")
    expect(page.locator(".message.error")).to_have_text("“2027-02-30” is not a date: write the week as a day in it, YYYY-MM-DD.")
    screenshot("bad-week")
    assert fits_the_screen(page)


def show_slide(page: Page, number: int) -> None:
    """Stop the slides' turns on slide `number` (1, 2, 3), to look at it and measure it."""
    page.evaluate(
        """number => {
            const style = document.getElementById("one-slide") || document.head.appendChild(document.createElement("style"));
            style.id = "one-slide";
            style.textContent = `.kiosk-slide { animation: none !important; opacity: 0 !important; visibility: hidden !important; }
                .kiosk-slides .kiosk-slide:nth-child(${number}) { opacity: 1 !important; visibility: visible !important; }`;
        }""",
        number,
    )


def fits_the_height(page: Page, number: int) -> bool:
    """The hall's screen runs unattended: nobody scrolls it, so slide `number` fits its height."""
    return page.evaluate(
        f"(slide => slide.scrollHeight <= slide.clientHeight)(document.querySelector('.kiosk-slide:nth-child({number})'))"
        " && document.documentElement.scrollHeight <= window.innerHeight"
    )


def look_at_each_slide(page: Page, screen: str, screenshot: Callable[[str], Path]) -> None:
    """On the hall's screen, each slide in turn fits it; a phone shows the lists one after another."""
    if screen == "phone":
        expect(page.locator(".kiosk-slide").nth(2)).to_be_visible()
        screenshot("kiosk")
        assert fits_the_screen(page)
        return
    for number, name in ((1, "tasks"), (2, "problems"), (3, "carried-over")):
        show_slide(page, number)
        screenshot(f"kiosk-{name}")
        assert fits_the_screen(page)
        assert fits_the_height(page, number), name


def crowd(scene: Scene) -> None:
    """A busy week: twelve more problems with long answers, eight more tasks with long progress,
    six more carried over."""
    from tests.duty.test_bulletin import problem
    from tongxin.duty.models import MorningMeeting, WeeklyTask
    from tongxin.feedback.actions import answer_case

    week, village = scene.serving.week, scene.village
    member = scene.serving.team("东村")[0].volunteer.person.user
    monday = MorningMeeting.objects.get(village=village, held_on=week.start)
    for number in range(3, 15):
        case = problem(monday, number, f"第{number}个问题：" + "村里的道路坑洼不平，下雨天积水严重" * 2, actor=member, category="roads")
        answer_case(case=case, actor=scene.serving.town.admin, text="已安排施工队修补路面，预计下周完工。" * 5)
    earlier = MorningMeeting.objects.get(village=village, held_on=week.start - 5 * DAY)
    for number in range(2, 8):
        problem(earlier, number, f"上周第{number}个问题：" + "自来水管道老化漏水" * 4, actor=scene.serving.town.admin, category="water")
    for number in range(8):
        WeeklyTask.objects.create(
            week=week, village=village, title=f"任务{number}：" + "组织村民清理河道垃圾" * 6,
            progress="已完成一半，正在联系镇里的环卫所派车支援" * 4,
        )


def test_the_village_hall_screen_shows_the_week_full_screen(page: Page, scene: Scene, screen: str, screenshot: Callable[[str], Path]) -> None:
    page.goto(reverse("duty:bulletin_kiosk", args=[scene.village.pk]))
    expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "300")
    expect(page.locator("form, nav, .site-nav, input, button")).to_have_count(0)
    expect(page.locator("h1")).to_have_text("Weekly bulletin of East Village")
    expect(page.locator(".kiosk-team")).to_have_text(
        f"On duty this week: {', '.join(scene.team)} · Troubleshooters: {scene.troubleshooter}"
    )
    expect(page.locator(".kiosk-slide").first).to_be_visible()
    expect(page.locator(".bulletin-task")).to_have_count(2)
    expect(page.locator(".kiosk-tally")).to_have_text("Heard this week: 3 Carried over: 1 Answered: 1 Still open: 3", use_inner_text=False)
    expect(page.locator(".bulletin-problem")).to_have_count(4)
    body = page.content()
    assert [word for word in PRIVATE if word in body] == []
    look_at_each_slide(page, screen, screenshot)


def test_a_busy_week_still_fits_the_hall_screen(page: Page, scene: Scene, screen: str, screenshot: Callable[[str], Path]) -> None:
    crowd(scene)
    page.goto(reverse("duty:bulletin_kiosk", args=[scene.village.pk]))
    expect(page.locator(".bulletin-more")).to_have_text(["and 5 more", "and 11 more", "and 3 more"])
    look_at_each_slide(page, screen, screenshot)
