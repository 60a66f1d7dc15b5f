"""The village's weekly bulletin as villagers read it: the page (any week), the kiosk, the API;
public names of the team, the tasks and the problems heard, never who raised a problem."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from tests.duty.conftest import Serving, this_monday
from tests.helpers import page_text
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.bulletin import weekly_bulletin
from tongxin.duty.models import MeetingProblem, MorningMeeting, RotaWeek, WeeklyTask
from tongxin.feedback.actions import answer_case, set_published, submit_case
from tongxin.feedback.models import Case, Category, Channel, Privacy

EN = {"accept-language": "en"}
DAY = datetime.timedelta(days=1)

# Who raised the problems: none of it may reach a public screen.
NAMED, NAMED_PHONE = "王大爷", "13800001111"
HIDDEN, HIDDEN_PHONE = "李四婶", "13900002222"
SECRET = "邻里因宅基地争吵，涉及个人隐私"
PRIVATE = [NAMED, NAMED_PHONE, HIDDEN, HIDDEN_PHONE, SECRET]


@dataclass
class Scene:
    serving: Serving
    team: list[str]  # this week's 东村 team, by name
    troubleshooter: str
    next_team: list[str]

    @property
    def village(self):
        return self.serving.town.village("东村")

    @property
    def url(self) -> str:
        return f"/villages/{self.village.pk}/duty/bulletin/"


def meeting(week: RotaWeek, village, held_on: datetime.date, villagers: int, place: str = "村委会") -> MorningMeeting:
    return MorningMeeting.objects.create(week=week, village=village, held_on=held_on, villagers_present=villagers, place=place)


def problem(at: MorningMeeting, number: int, description: str, *, actor, category: str, **reporter) -> Case:
    """A villager's problem, typed in by a member of the team on the duty channel."""
    reporter.setdefault("privacy", Privacy.ANONYMOUS)
    case = submit_case(
        actor=actor, channel=Channel.DUTY, category=Category.objects.get(code=category), description=description,
        organisation=at.village, **reporter,
    )
    MeetingProblem.objects.create(meeting=at, case=case, number=number)
    return case


def names(turns) -> list[str]:
    return [turn.volunteer.person.display_name for turn in turns]


@pytest.fixture
def scene(serving: Serving) -> Scene:
    """东村 this week: two morning meetings, three problems (a named reporter's, answered; an
    anonymous one; a hidden reporter's kept off the public board), two tasks; and last week's
    team's open problem, carried over."""
    town, week = serving.town, serving.week
    village = town.village("东村")
    member = serving.team("东村")[0].volunteer.person.user
    monday = meeting(week, village, week.start, 12)
    tuesday = meeting(week, village, week.start + DAY, 8, place="文化礼堂")
    lights = problem(
        monday, 1, "村口路灯坏了三盏，晚上看不见路", actor=member, category="street_lights",
        privacy=Privacy.PUBLIC, reporter_name=NAMED, reporter_phone=NAMED_PHONE,
    )
    answer_case(case=lights, actor=town.admin, text="已于周二换好三盏路灯。")
    problem(monday, 2, "水渠堵塞，农田灌不上水", actor=member, category="water")
    secret = problem(
        tuesday, 1, SECRET, actor=member, category="neighbour_disputes",
        privacy=Privacy.HIDDEN, reporter_name=HIDDEN, reporter_phone=HIDDEN_PHONE,
    )
    set_published(case=secret, actor=town.admin, published=False, text="涉及隐私")
    WeeklyTask.objects.create(week=week, village=village, title="修好村口路灯", progress="三盏已全部换好", done=True)
    WeeklyTask.objects.create(week=week, village=village, title="走访独居老人", progress="已走访5户，还有3户")
    # Last week's team (another published rota) heard a problem that is still open.
    last_week = plan_rota(actor=town.admin, organisation=town.town, start=week.start - 7 * DAY, weeks=1, team_size=3, troubleshooters=1)
    publish_rota(actor=town.admin, rota=last_week)
    earlier = meeting(last_week.rota_weeks.get(), village, week.start - 5 * DAY, 5)
    problem(earlier, 1, "垃圾站三天没人清理", actor=town.admin, category="sanitation")
    return Scene(
        serving=serving, team=names(serving.team("东村")), troubleshooter=serving.troubleshooter.volunteer.person.display_name,
        next_team=names(serving.week_number(2).turns.filter(village=village).select_related("volunteer__person").order_by("pk")),
    )


def long_date(day: datetime.date) -> str:
    """Django's English DATE_FORMAT, "Jan. 4, 2027" (May, June, July and March… written out)."""
    months = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
    return f"{months[day.month - 1]} {day.day}, {day.year}"


# The content ---------------------------------------------------------------------------------


def test_the_bulletin_holds_the_team_the_tasks_the_problems_and_the_counts(scene):
    week = scene.serving.week
    bulletin = weekly_bulletin(scene.village, week.start + 3 * DAY)
    assert bulletin.week == week
    assert (bulletin.team.names, bulletin.team.troubleshooters) == (scene.team, [scene.troubleshooter])
    assert [(task.title, task.progress, task.done) for task in bulletin.tasks] == [
        ("修好村口路灯", "三盏已全部换好", True), ("走访独居老人", "已走访5户，还有3户", False),
    ]
    assert [(p.title, p.category, p.status, p.answer, p.heard_on, p.is_open, p.on_the_board) for p in bulletin.heard] == [
        ("村口路灯坏了三盏，晚上看不见路", "Street lights", "Answered", "已于周二换好三盏路灯。", week.start, False, True),
        ("水渠堵塞，农田灌不上水", "Water supply and drains", "Submitted", "", week.start, True, True),
        ("A problem kept off the public board", "", "Submitted", "", week.start + DAY, True, False),
    ]
    assert [(p.title, p.heard_on) for p in bulletin.carried_over] == [("垃圾站三天没人清理", week.start - 5 * DAY)]
    counts = bulletin.counts
    assert (counts.heard, counts.carried_over, counts.answered, counts.still_open) == (3, 1, 1, 3)
    assert [(m.held_on, m.place, m.villagers) for m in bulletin.meetings] == [(week.start, "村委会", 12), (week.start + DAY, "文化礼堂", 8)]
    assert bulletin.village_url == f"/organisations/{scene.village.pk}/"
    assert (bulletin.next_team.week, bulletin.next_team.names) == (scene.serving.week_number(2), scene.next_team)
    assert (bulletin.previous_week, bulletin.next_week) == (week.start - 7 * DAY, week.start + 7 * DAY)


def test_no_bulletin_without_a_published_rota_covering_the_day(scene):
    town = scene.serving.town
    assert weekly_bulletin(scene.village, scene.serving.rota.end + DAY) is None
    assert weekly_bulletin(scene.village, datetime.date(2020, 1, 1)) is None
    # Another town's village: 同心镇's rota does not reach it.
    assert weekly_bulletin(town.other_town.children.get(), this_monday()) is None


def test_a_draft_rota_never_shows(scene):
    town, rota = scene.serving.town, scene.serving.rota
    draft = plan_rota(actor=town.admin, organisation=town.town, start=rota.end + DAY, weeks=2, team_size=3, troubleshooters=1)
    assert weekly_bulletin(scene.village, draft.start) is None
    last = weekly_bulletin(scene.village, rota.end)
    assert (last.next_week, last.next_team) == (None, None)


# The page ------------------------------------------------------------------------------------


def test_the_page_shows_the_week_as_villagers_read_it(client, scene):
    week = scene.serving.week
    response = client.get(scene.url, headers=EN)
    assert response.status_code == 200
    text = page_text(response)
    start, end = long_date(week.start), long_date(week.end)
    assert f"Weekly bulletin of East Village Week of {start} to {end}" in text
    assert "← Previous week Next week →" in text
    assert (
        f"On duty this week The village's team {', '.join(scene.team)} Troubleshooters {scene.troubleshooter}"
    ) in text
    assert "This week's tasks ✓ Done 修好村口路灯 三盏已全部换好 … Under way 走访独居老人 已走访5户，还有3户" in text
    assert (
        "Problems raised by villagers Heard this week 3 Carried over 1 Answered 1 Still open 3 "
        "Heard this week 村口路灯坏了三盏，晚上看不见路 Street lights · Answered Answer: 已于周二换好三盏路灯。 "
        "水渠堵塞，农田灌不上水 Water supply and drains · Submitted "
        "A problem kept off the public board Submitted "
        f"Carried over from earlier weeks 垃圾站三天没人清理 Litter and rubbish · Submitted · heard {long_date(week.start - 5 * DAY)}"
    ) in text
    assert (
        f"Morning meetings {week.start:%A}, {start} · 村委会 · 12 villagers came "
        f"{(week.start + DAY):%A}, {long_date(week.start + DAY)} · 文化礼堂 · 8 villagers came"
    ) in text
    assert f"Next week From {long_date(week.start + 7 * DAY)}: {', '.join(scene.next_team)}" in text
    assert "Where to go Bring a problem to the team's morning meeting" in text
    assert "Poster for the notice board (PDF) Full screen for the village hall" in text
    body = response.content.decode()
    assert f'href="/organisations/{scene.village.pk}/"' in body
    assert f'href="{scene.url}poster.pdf?week={week.start:%Y-%m-%d}"' in body
    assert f'href="{scene.url}?week={(week.start - 7 * DAY):%Y-%m-%d}" rel="prev"' in body


def test_no_reporter_and_no_hidden_case_reaches_the_page_the_kiosk_or_the_api(client, scene):
    for url in (scene.url, f"{scene.url}kiosk/", f"/api/v1/villages/{scene.village.pk}/duty/bulletin"):
        body = client.get(url, headers=EN).content.decode()
        assert [word for word in PRIVATE if word in body] == [], url


def test_any_day_of_a_week_picks_that_week(client, scene):
    week = scene.serving.week_number(2)
    text = page_text(client.get(f"{scene.url}?week={week.start + 4 * DAY:%Y-%m-%d}", headers=EN))
    assert f"Week of {long_date(week.start)} to {long_date(week.end)}" in text
    assert f"The village's team {', '.join(scene.next_team)}" in text
    assert "No tasks set for this week yet." in text
    assert "Heard this week 0 Carried over 3 Answered 0 Still open 3" in text  # the rubbish, the water, the hidden one
    assert "No morning meeting held yet this week." in text


def test_last_weeks_bulletin_has_no_previous_week_and_its_own_team(client, scene):
    text = page_text(client.get(f"{scene.url}?week={scene.serving.week.start - 7 * DAY:%Y-%m-%d}", headers=EN))
    assert "Previous week" not in text and "Next week →" in text
    assert "Heard this week 1 Carried over 0 Answered 0 Still open 1" in text
    assert "垃圾站三天没人清理 Litter and rubbish · Submitted" in text


@pytest.mark.parametrize("week", ["2027-13-01", "next", "2027-02-30", "0001-01-01"])
def test_a_bad_week_is_a_clear_message(client, scene, week):
    response = client.get(f"{scene.url}?week={week}", headers=EN)
    assert response.status_code == 400
    text = page_text(response)
    assert f"“{week}” is not a date: write the week as a day in it, YYYY-MM-DD. Show this week's bulletin" in text
    assert client.get(f"{scene.url}poster.pdf?week={week}", headers=EN).status_code == 400
    api = client.get(f"/api/v1/villages/{scene.village.pk}/duty/bulletin?week={week}", headers=EN)
    assert (api.status_code, api.json()) == (400, {"detail": f"“{week}” is not a date: write the week as a day in it, YYYY-MM-DD."})


def test_a_week_without_a_published_rota_is_a_clear_page(client, scene):
    town = scene.serving.town
    plan_rota(actor=town.admin, organisation=town.town, start=scene.serving.rota.end + DAY, weeks=2, team_size=3, troubleshooters=1)
    draft_week = scene.serving.rota.end + 3 * DAY
    for village, day in ((scene.village, draft_week), (town.other_town.children.get(), this_monday())):
        response = client.get(f"/villages/{village.pk}/duty/bulletin/?week={day:%Y-%m-%d}", headers=EN)
        assert response.status_code == 200
        assert (
            f"No published duty rota covers the week of {long_date(day)}: there is no bulletin for it." in page_text(response)
        )
        assert "The village's team" not in page_text(response)
        kiosk = client.get(f"/villages/{village.pk}/duty/bulletin/kiosk/", headers=EN)
        pdf = client.get(f"/villages/{village.pk}/duty/bulletin/poster.pdf?week={day:%Y-%m-%d}", headers=EN)
        assert pdf.status_code == 404 and "No published duty rota covers the week" in page_text(pdf)
        api = client.get(f"/api/v1/villages/{village.pk}/duty/bulletin?week={day:%Y-%m-%d}", headers=EN)
        assert (api.status_code, api.json()) == (404, {"detail": "No published duty rota covers this week."})
    assert "No published duty rota covers this week." in page_text(kiosk)  # 远山村, this week


@pytest.mark.parametrize("suffix", ["", "kiosk/", "poster.pdf"])
def test_an_unknown_village_or_a_place_that_is_no_village_is_not_found(client, scene, suffix):
    town = scene.serving.town
    for organisation_id in (999_999, town.town.pk, town.committee.pk):
        assert client.get(f"/villages/{organisation_id}/duty/bulletin/{suffix}").status_code == 404
        assert client.get(f"/api/v1/villages/{organisation_id}/duty/bulletin").status_code == 404


def test_the_page_costs_a_bounded_number_of_queries(client, scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert client.get(scene.url).status_code == 200
    for number in range(3, 13):
        member = scene.serving.team("东村")[0].volunteer.person.user
        at = MorningMeeting.objects.get(village=scene.village, held_on=scene.serving.week.start)
        problem(at, number, f"问题{number}", actor=member, category="roads")
    with django_assert_max_num_queries(16):
        assert client.get(scene.url).status_code == 200


# The kiosk -----------------------------------------------------------------------------------


def test_the_kiosk_is_a_full_screen_of_the_current_week_that_reloads_itself(client, scene):
    response = client.get(f"{scene.url}kiosk/", headers=EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<meta http-equiv="refresh" content="300">' in body
    assert "<form" not in body and "<nav" not in body and "site-nav" not in body
    text = page_text(response)
    week = scene.serving.week
    assert (
        f"Weekly bulletin of East Village Week of {long_date(week.start)} to {long_date(week.end)} "
        f"On duty this week: {', '.join(scene.team)} · Troubleshooters: {scene.troubleshooter} "
        "This week's tasks ✓ Done 修好村口路灯 三盏已全部换好 … Under way 走访独居老人 已走访5户，还有3户 "
        "Problems raised by villagers Heard this week: 3 Carried over: 1 Answered: 1 Still open: 3 "
        "村口路灯坏了三盏，晚上看不见路 Street lights · Answered Answer: 已于周二换好三盏路灯。 "
        "水渠堵塞，农田灌不上水 Water supply and drains · Submitted A problem kept off the public board Submitted "
        f"Carried over from earlier weeks 垃圾站三天没人清理 Litter and rubbish · Submitted · heard {long_date(week.start - 5 * DAY)} "
        f"2 morning meetings held so far. Next week, from {long_date(week.start + 7 * DAY)}: {', '.join(scene.next_team)}"
    ) in text


def test_the_kiosk_shows_so_many_lines_and_says_how_many_more(client, scene):
    member = scene.serving.team("东村")[0].volunteer.person.user
    at = MorningMeeting.objects.get(village=scene.village, held_on=scene.serving.week.start)
    for number in range(3, 9):
        problem(at, number, f"第{number}个问题", actor=member, category="roads")
    for number in range(6):
        WeeklyTask.objects.create(week=scene.serving.week, village=scene.village, title=f"任务{number}")
    text = page_text(client.get(f"{scene.url}kiosk/", headers=EN))
    assert "Heard this week: 9" in text
    assert "第4个问题 Roads and bridges · Submitted and 5 more" in text  # 4 of 9 shown, in the order heard
    assert "任务2 and 3 more" in text  # 5 of 8 shown


# The API -------------------------------------------------------------------------------------


def test_the_api_returns_the_same_bulletin(client, scene):
    week, village = scene.serving.week, scene.village
    response = client.get(f"/api/v1/villages/{village.pk}/duty/bulletin?week={week.start + 2 * DAY:%Y-%m-%d}", headers=EN)
    assert response.status_code == 200
    day = lambda offset: f"{week.start + offset * DAY:%Y-%m-%d}"  # noqa: E731
    assert response.json() == {
        "village": village.pk,
        "village_name": "East Village",
        "village_url": f"/organisations/{village.pk}/",
        "week_start": day(0),
        "week_end": day(6),
        "team": {"week_start": day(0), "week_end": day(6), "names": scene.team, "troubleshooters": [scene.troubleshooter]},
        "tasks": [
            {"title": "修好村口路灯", "progress": "三盏已全部换好", "done": True},
            {"title": "走访独居老人", "progress": "已走访5户，还有3户", "done": False},
        ],
        "heard": [
            {"title": "村口路灯坏了三盏，晚上看不见路", "category": "Street lights", "status": "Answered",
             "answer": "已于周二换好三盏路灯。", "heard_on": day(0), "open": False, "on_the_board": True},
            {"title": "水渠堵塞，农田灌不上水", "category": "Water supply and drains", "status": "Submitted",
             "answer": "", "heard_on": day(0), "open": True, "on_the_board": True},
            {"title": "A problem kept off the public board", "category": "", "status": "Submitted",
             "answer": "", "heard_on": day(1), "open": True, "on_the_board": False},
        ],
        "carried_over": [
            {"title": "垃圾站三天没人清理", "category": "Litter and rubbish", "status": "Submitted",
             "answer": "", "heard_on": day(-5), "open": True, "on_the_board": True},
        ],
        "counts": {"heard": 3, "carried_over": 1, "answered": 1, "still_open": 3},
        "meetings": [
            {"held_on": day(0), "place": "村委会", "villagers": 12},
            {"held_on": day(1), "place": "文化礼堂", "villagers": 8},
        ],
        "next_team": {"week_start": day(7), "week_end": day(13), "names": scene.next_team, "troubleshooters": [
            scene.serving.week_number(2).turns.get(village__isnull=True).volunteer.person.display_name
        ]},
        "previous_week": day(-7),
        "next_week": day(7),
    }


def test_the_api_is_public_and_defaults_to_this_week(client, scene):
    response = client.get(f"/api/v1/villages/{scene.village.pk}/duty/bulletin")
    assert response.status_code == 200
    assert response.json()["week_start"] == f"{scene.serving.week.start:%Y-%m-%d}"
