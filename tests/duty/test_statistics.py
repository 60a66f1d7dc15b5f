"""The duty statistics: per volunteer and per team, exact figures from meetings, problems (cases
on the duty channel), follow-ups and diaries; a fixed number of queries; the page, its CSV and
who may read them.

Week 1 of `serving` is under way; who serves where depends on the database's ids, so the
volunteers are read from its teams (`serving.team`, `serving.troubleshooter`).
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from tests.duty.conftest import fill_pool
from tests.helpers import admin_of, page_text, sign_in
from tongxin.community.models import StaffRole
from tongxin.duty.models import DiaryEntry, DutyTurn, FollowUp, MeetingProblem, MorningMeeting
from tongxin.duty.statistics import duty_statistics
from tongxin.feedback.actions import answer_case, submit_case
from tongxin.feedback.models import Category, Channel, Privacy

EN = {"accept-language": "en"}


def name(turn: DutyTurn) -> str:
    return turn.volunteer.person.name


def to_come(turn: DutyTurn) -> int:
    return DutyTurn.objects.filter(volunteer=turn.volunteer, week__start__gt=timezone.localdate()).count()


def meeting(serving, village: str, day: int, villagers: int) -> MorningMeeting:
    return MorningMeeting.objects.create(
        week=serving.week, village=serving.town.village(village), held_on=serving.week.start + datetime.timedelta(days=day),
        villagers_present=villagers,
    )


def problem(serving, at: MorningMeeting, by: DutyTurn, number: int, *, answered: bool = False, followed_after: int | None = None) -> MeetingProblem:
    """A problem raised at the meeting, entered as a case by a member of the team."""
    case = submit_case(
        actor=by.volunteer.person.user, channel=Channel.DUTY, category=Category.objects.get(code="sanitation"),
        description=f"问题{number}：垃圾没人清理", organisation=at.village, privacy=Privacy.ANONYMOUS,
    )
    if answered:
        answer_case(case=case, actor=serving.handler, text="已清理")
    heard = MeetingProblem.objects.create(meeting=at, case=case, number=number)
    if followed_after is not None:
        FollowUp.objects.create(problem=heard, held_on=at.held_on + datetime.timedelta(days=followed_after), officials="村主任", outcome="今天处理")
    return heard


@pytest.fixture
def worked(serving):
    """东村: two meetings, three problems (one answered and followed up the same day, one followed
    up the next day, one left); 西村: one meeting, one answered problem followed up the same day;
    南村: nothing. Diaries: 东村's first volunteer two days, the troubleshooter one."""
    serving.handler = admin_of(serving.town.town, "handler", StaffRole.HANDLER)
    east, west = serving.team("东村"), serving.team("西村")
    monday, tuesday = meeting(serving, "东村", 0, 12), meeting(serving, "东村", 1, 8)
    problem(serving, monday, east[0], 1, answered=True, followed_after=0)
    problem(serving, monday, east[1], 2, followed_after=1)
    problem(serving, tuesday, east[0], 1)
    problem(serving, meeting(serving, "西村", 0, 5), west[0], 1, answered=True, followed_after=0)
    for day in (0, 1):
        DiaryEntry.objects.create(turn=east[0], day=serving.week.start + datetime.timedelta(days=day), text="走访")
    DiaryEntry.objects.create(turn=serving.troubleshooter, day=serving.week.start, text="巡查")
    return serving


def figures_of(figures, turn: DutyTurn) -> tuple:
    row = next(row for row in figures.volunteers if row.volunteer.pk == turn.volunteer_id)
    problems = row.problems
    return (row.served, row.troubleshooter, row.to_come, problems.heard, problems.solved, problems.open, row.diary_days)


def test_each_volunteer_s_figures(worked):
    east, west, south, floating = worked.team("东村"), worked.team("西村"), worked.team("南村"), worked.troubleshooter
    figures = duty_statistics(worked.town.town)
    assert (figures.start, figures.end) == (None, timezone.localdate())
    assert len(figures.volunteers) == 24
    #                                     served, troubleshooter, to come, heard, solved, open, diary days
    assert figures_of(figures, east[0]) == (1, 0, to_come(east[0]), 3, 1, 2, 2)
    assert figures_of(figures, east[1]) == (1, 0, to_come(east[1]), 3, 1, 2, 0)
    assert figures_of(figures, west[0]) == (1, 0, to_come(west[0]), 1, 1, 0, 0)
    assert figures_of(figures, floating) == (1, 1, to_come(floating), 4, 2, 2, 1)  # the troubleshooter hears every village
    assert figures_of(figures, south[0]) == (1, 0, to_come(south[0]), 0, 0, 0, 0)
    later = DutyTurn.objects.filter(week=worked.week_number(2)).exclude(volunteer__turns__week=worked.week).first()
    assert figures_of(figures, later) == (0, 0, to_come(later), 0, 0, 0, 0)
    assert sum(row.to_come for row in figures.volunteers) == 20


def members(team: list[DutyTurn]) -> list[str]:
    return sorted(name(turn) for turn in team)


def test_each_team_s_figures(worked):
    teams = [
        (team.village.name, [member.person.name for member in team.members], team.meetings, team.villagers,
         team.problems.heard, team.problems.solved, team.problems.open, team.problems.same_day, team.diary_days)
        for team in duty_statistics(worked.town.town).teams
    ]
    assert teams == [
        ("东村", members(worked.team("东村")), 2, 20, 3, 1, 2, 1, 2),
        ("西村", members(worked.team("西村")), 1, 5, 1, 1, 0, 1, 0),
        ("南村", members(worked.team("南村")), 0, 0, 0, 0, 0, 0, 0),
    ]


def test_a_range_counts_only_its_weeks(worked):
    floating = worked.troubleshooter
    later = duty_statistics(worked.town.town, start=worked.week_number(2).start, end=worked.week_number(3).end)
    assert later.teams == []
    assert figures_of(later, floating) == (0, 0, to_come(floating), 0, 0, 0, 0)  # turns to come whatever the range
    earlier = duty_statistics(worked.town.town, end=worked.week.start - datetime.timedelta(days=1))
    assert earlier.teams == [] and figures_of(earlier, floating) == (0, 0, to_come(floating), 0, 0, 0, 0)


def test_the_figures_cost_the_same_for_a_bigger_pool(worked, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        duty_statistics(worked.town.town)
    fill_pool(worked.town.town, worked.town.villages, worked.town.admin, 30, prefix="more")
    with django_assert_max_num_queries(7):
        assert len(duty_statistics(worked.town.town).volunteers) == 54


# The page ------------------------------------------------------------------------------------


def test_the_admin_reads_both_tables(client, worked, django_assert_max_num_queries):
    sign_in(client, worked.town.admin)
    url = f"/organisations/{worked.town.town.pk}/duty/statistics/"
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url, headers=EN)
    text = page_text(response)
    assert "Duty statistics of Tongxin Town" in text
    assert 'href="?format=csv"' in response.content.decode()
    east, floating = worked.team("东村"), worked.troubleshooter
    assert "Volunteer Turns served Of which troubleshooter Turns to come Problems heard Solved Still open Diary days 志愿者001 " in text
    assert f"{name(east[0])} 1 0 {to_come(east[0])} 3 1 2 2" in text
    assert f"{name(floating)} 1 1 {to_come(floating)} 4 2 2 1" in text
    assert f"East Village · {worked.week.start:%b}" in text
    assert f"{', '.join(members(east))} 2 20 3 1 2 1 2" in text
    assert f"{', '.join(members(worked.team('西村')))} 1 5 1 1 0 1 0" in text


def test_a_range_on_the_page(client, worked):
    sign_in(client, worked.town.admin)
    url = f"/organisations/{worked.town.town.pk}/duty/statistics/"
    start = worked.week_number(2).start
    text = page_text(client.get(url, {"start": start.isoformat()}, headers=EN))
    assert "No team has served yet." in text
    bad = page_text(client.get(url, {"start": start.isoformat(), "end": worked.week.start.isoformat()}, headers=EN))
    assert "The range ends before it starts." in bad


def test_the_volunteers_table_downloads_as_csv_that_excel_reads(client, worked):
    sign_in(client, worked.town.admin)
    response = client.get(f"/organisations/{worked.town.town.pk}/duty/statistics/", {"format": "csv"}, headers=EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="duty-statistics-{worked.town.town.pk}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Volunteer", "Home village", "Turns served", "Of which troubleshooter", "Turns to come", "Problems heard",
        "Solved", "Still open", "Diary days",
    ]
    assert len(rows) == 25
    for turn, figures in [(worked.team("东村")[0], ["1", "0", "3", "1", "2", "2"]), (worked.troubleshooter, ["1", "1", "4", "2", "2", "1"])]:
        home = turn.volunteer.home_village.name_en
        assert [name(turn), home, *figures[:2], str(to_come(turn)), *figures[2:]] in rows


@pytest.mark.parametrize("role", [StaffRole.SUPERVISOR, StaffRole.OFFICE])
def test_the_town_s_supervisor_and_office_read_them(client, worked, role):
    sign_in(client, admin_of(worked.town.town, "reader", role))
    assert client.get(f"/organisations/{worked.town.town.pk}/duty/statistics/").status_code == 200
    assert client.get(f"/organisations/{worked.town.town.pk}/duty/statistics/?format=csv").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "volunteer", "resident", "other_admin", "village_supervisor"])
def test_nobody_else_reads_them(client, worked, who):
    if who == "other_admin":
        sign_in(client, worked.town.other_admin)
    elif who == "village_supervisor":
        sign_in(client, admin_of(worked.town.village("东村"), "village_supervisor", StaffRole.SUPERVISOR))
    elif who == "resident":
        sign_in(client, worked.town.resident.user)
    elif who == "volunteer":
        sign_in(client, worked.team("东村")[0].volunteer.person.user)
    url = f"/organisations/{worked.town.town.pk}/duty/statistics/"
    assert client.get(url).status_code in ((302, 403) if who == "anonymous" else (403,))
    assert client.get(url + "?format=csv").status_code in ((302, 403) if who == "anonymous" else (403,))
