"""The team's week page as people read it: the team, the meetings, the ledger with each case's
status and answer, problems carried over; logging a meeting, adding a problem and following one
up on the pages; "my team today"; who may see and do what, and nothing changed on denial."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from tests.duty.test_meetings import committee_of, log, member, past_rota, roads, rows
from tests.helpers import page_text, sign_in
from tongxin.core.models import AuditEvent
from tongxin.duty.actions.meetings import add_problem, log_morning_meeting, record_follow_up
from tongxin.duty.models import FollowUp, MorningMeeting
from tongxin.feedback.actions import answer_case
from tongxin.feedback.models import Case, CaseStep, Category, Channel, Privacy

EN = {"accept-language": "en"}


def day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def team_url(serving, village: str = "东村", week=None) -> str:
    return f"/duty/weeks/{(week or serving.week).pk}/villages/{serving.town.village(village).pk}/"


def meeting_post(held_on: datetime.date, *rows_: dict, **fields) -> dict:
    """The meeting form as a browser sends it: three problem rows, the unused ones blank."""
    data = {
        "held_on": held_on.isoformat(), "place": "", "villagers_present": "0", "officials_present": "", "notes": "",
        "problems-TOTAL_FORMS": "3", "problems-INITIAL_FORMS": "0", "problems-MIN_NUM_FORMS": "0", "problems-MAX_NUM_FORMS": "30",
    } | fields
    for index in range(3):
        row = rows_[index] if index < len(rows_) else {}
        data |= {
            f"problems-{index}-description": row.get("description", ""),
            f"problems-{index}-category": str(row["category"]) if "category" in row else "",
            f"problems-{index}-privacy": row.get("privacy", Privacy.HIDDEN),
            f"problems-{index}-reporter_name": row.get("reporter_name", ""),
            f"problems-{index}-reporter_phone": row.get("reporter_phone", ""),
            f"problems-{index}-address": row.get("address", ""),
        }
        if row.get("urgent"):
            data[f"problems-{index}-urgent"] = "on"
    return data


def category_id(code: str = "roads") -> int:
    return Category.objects.get(code=code).pk


# The team's page ------------------------------------------------------------------------------


def test_the_team_page_shows_the_team_the_meetings_and_the_ledger(client, serving):
    town = serving.town
    office, _handler = committee_of(town)
    today = timezone.localdate()
    meeting = log(
        serving, held_on=today, place="村委会议室", villagers_present=12, officials_present="李书记",
        problems=[roads(), roads("垃圾没人收", privacy=Privacy.ANONYMOUS)],
    )
    first, second = (problem.case for problem in meeting.problems.order_by("number"))
    sign_in(client, member(serving))
    response = client.get(team_url(serving), headers=EN)
    assert response.status_code == 200
    text = page_text(response)
    names = sorted(turn.volunteer.person.name for turn in serving.team("东村"))
    troubleshooter = serving.troubleshooter.volunteer.person.name
    assert f"Duty team of East Village Week 1: {day(serving.week.start)} to {day(serving.week.end)}" in text
    assert f"The team {names[0]} Diary {names[1]} Diary {names[2]} Diary {troubleshooter} troubleshooter" in text
    assert "This week's tasks Handover The week's public bulletin Morning meetings" in text
    assert "Problems heard this week 2 Carried over 0 Answered 0 Still open 2" in text
    assert f"{day(today)} 村委会议室 12 villagers came Officials present: 李书记 2 problems raised" in text
    assert (
        f"{first.code} 村口的路灯坏了 Roads and bridges Submitted Assigned to East Village Committee Raised by 张大爷 Not yet followed up"
        in text
    )
    assert f"{second.code} 垃圾没人收 Roads and bridges Submitted Assigned to East Village Committee Not yet followed up" in text
    html = response.content.decode()
    assert f'href="{first.get_absolute_url()}"' in html
    assert f'href="/duty/weeks/{serving.week.pk}/villages/{town.village("东村").pk}/meetings/new/"' in html
    assert "Log a morning meeting" in text and "Record a follow-up" in text
    assert office.pk  # routed to the committee, as the line says


def test_an_answered_case_shows_answered_with_its_answer(client, serving):
    _office, handler = committee_of(serving.town)
    meeting = log(serving, problems=[roads()])
    case = meeting.problems.get().case
    answer_case(case=case, actor=handler, text="路灯已于今日修复。")
    sign_in(client, member(serving))
    text = page_text(client.get(team_url(serving), headers=EN))
    assert f"{case.code} 村口的路灯坏了 Roads and bridges Answered" in text
    assert "Answer: 路灯已于今日修复。" in text
    assert "Problems heard this week 1 Carried over 0 Answered 1 Still open 0" in text


def test_a_problem_still_open_is_carried_over_to_the_next_week(client, serving):
    town = serving.town
    meeting = log(serving, problems=[roads()])
    case = meeting.problems.get().case
    week2 = serving.week_number(2)
    sign_in(client, town.admin)
    text = page_text(client.get(team_url(serving, week=week2), headers=EN))
    assert f"Week 2: {day(week2.start)} to {day(week2.end)}" in text
    assert f"Carried over from {day(meeting.held_on)} {case.code} 村口的路灯坏了" in text
    assert "Problems heard this week 0 Carried over 1 Answered 0 Still open 1" in text
    assert "No morning meeting logged yet." in text
    # Another village's page carries nothing over.
    assert "No problems in the ledger." in page_text(client.get(team_url(serving, "西村", week=week2), headers=EN))


def test_next_weeks_team_reads_the_record_but_not_who_raised_what_yet(client, serving):
    log(serving, problems=[roads()])
    next_team = serving.week_number(2).turns.filter(village=serving.town.village("东村")).first().volunteer.person.user
    sign_in(client, next_team)
    response = client.get(team_url(serving), headers=EN)
    assert response.status_code == 200
    text = page_text(response)
    assert "村口的路灯坏了" in text and "张大爷" not in text
    assert "Log a morning meeting" not in text and "Record a follow-up" not in text


def test_an_anonymous_villager_is_nowhere_on_the_pages(client, serving):
    sign_in(client, member(serving))
    today = timezone.localdate()
    data = meeting_post(
        today,
        {"description": "有人深夜施工", "category": category_id("noise"), "privacy": Privacy.ANONYMOUS,
         "reporter_name": "王秘密", "reporter_phone": "13912345678"},
    )
    assert client.post(f"{team_url(serving)}meetings/new/", data).status_code == 302
    case = Case.objects.get()
    assert (case.privacy, case.reporter_name, case.reporter_phone) == (Privacy.ANONYMOUS, "", "")
    sign_in(client, serving.town.admin)
    for url in (team_url(serving), f"/duty/meetings/{MorningMeeting.objects.get().pk}/", f"/api/v1/duty/weeks/{serving.week.pk}/villages/{serving.town.village('东村').pk}/ledger"):
        response = client.get(url, headers=EN)
        content = str(response.json()) if url.startswith("/api/") else response.content.decode()
        assert "有人深夜施工" in content
        assert "王秘密" not in content and "13912345678" not in content
    stored = str(list(AuditEvent.objects.values_list("data", flat=True))) + str(list(CaseStep.objects.values_list("text", "data", "actor_label")))
    assert "王秘密" not in stored and "13912345678" not in stored


def test_the_page_costs_the_same_for_a_longer_ledger(client, serving, django_assert_max_num_queries):
    town = serving.town
    committee_of(town)
    sign_in(client, town.admin)
    meeting = log(serving, problems=[roads()])
    client.get(team_url(serving))
    with django_assert_max_num_queries(16):
        assert client.get(team_url(serving)).status_code == 200
    for number in range(6):
        added = add_problem(actor=town.admin, meeting=meeting, problem=roads(f"问题{number}"))
        record_follow_up(actor=town.admin, problem=added, held_on=meeting.held_on, officials="李书记", outcome="记下了")
    with django_assert_max_num_queries(16):
        assert client.get(team_url(serving)).status_code == 200


# Logging on the pages ---------------------------------------------------------------------------


def test_a_team_member_logs_a_meeting_on_the_page_and_blank_rows_are_ignored(client, serving):
    town = serving.town
    sign_in(client, member(serving))
    url = f"{team_url(serving)}meetings/new/"
    form = page_text(client.get(url, headers=EN))
    assert f"Log a morning meeting East Village, week of {day(serving.week.start)} to {day(serving.week.end)}." in form
    assert "Problem 1" in form and "Problem 3" in form and "Problem 4" not in form
    assert "Anonymous: keep no name or phone number" in form
    today = timezone.localdate()
    data = meeting_post(
        today,
        {"description": "桥栏杆松了", "category": category_id(), "reporter_name": "刘阿姨", "reporter_phone": "13700000000", "urgent": True},
        {"description": "路面坑洼", "category": category_id(), "privacy": Privacy.PUBLIC, "reporter_name": "陈师傅"},
        place="祠堂", villagers_present="9", officials_present="李书记",
    )
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == team_url(serving)
    meeting = MorningMeeting.objects.get()
    assert (meeting.place, meeting.villagers_present, meeting.officials_present) == ("祠堂", 9, "李书记")
    cases = [problem.case for problem in meeting.problems.select_related("case").order_by("number")]
    assert [(case.description, case.channel, case.reporter_name, case.tier) for case in cases] == [
        ("桥栏杆松了", Channel.DUTY, "刘阿姨", "emergency"), ("路面坑洼", Channel.DUTY, "陈师傅", "general"),
    ]
    text = page_text(client.get(team_url(serving), headers=EN))
    assert "The meeting is logged; every problem raised is now a case." in text
    assert f"{day(today)} 祠堂 9 villagers came Officials present: 李书记 2 problems raised" in text
    assert town.village("东村").pk == meeting.village_id


def test_a_bad_row_is_shown_on_the_form_and_nothing_is_kept(client, serving):
    sign_in(client, member(serving))
    url = f"{team_url(serving)}meetings/new/"
    before = rows()
    good = {"description": "桥栏杆松了", "category": category_id(), "reporter_name": "刘阿姨"}
    response = client.post(url, meeting_post(timezone.localdate(), good, {"description": "路面坑洼", "category": category_id()}), headers=EN)
    assert response.status_code == 200
    assert "Problem 2: give the villager's name, or mark the problem anonymous if they ask." in page_text(response)
    response = client.post(url, meeting_post(timezone.localdate(), good, {"reporter_name": "陈师傅"}), headers=EN)
    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    response = client.post(url, meeting_post(serving.week.start - datetime.timedelta(days=1), good), headers=EN)
    assert f"The meeting must be held in the team's week, from {day(serving.week.start)} to {day(serving.week.end)}." in page_text(response)
    assert rows() == before


def test_a_problem_is_added_to_a_meeting_and_followed_up_on_the_pages(client, serving):
    meeting = log(serving, problems=[roads()])
    sign_in(client, member(serving, index=1))
    text = page_text(client.get(f"/duty/meetings/{meeting.pk}/", headers=EN))
    assert f"Morning meeting in East Village, {day(meeting.held_on)}" in text
    assert "Add a problem" in text
    assert "Add a problem" in page_text(client.get(f"/duty/meetings/{meeting.pk}/problems/new/", headers=EN))
    response = client.post(
        f"/duty/meetings/{meeting.pk}/problems/new/",
        {"problem-description": "水渠堵了", "problem-category": category_id("water"), "problem-privacy": Privacy.ANONYMOUS},
        headers=EN,
    )
    assert response.status_code == 302 and response["Location"] == f"/duty/meetings/{meeting.pk}/"
    added = meeting.problems.get(number=2)
    assert (added.case.description, added.case.privacy) == ("水渠堵了", Privacy.ANONYMOUS)
    assert f"Problem 2 is filed as case {added.case.code}." in page_text(client.get(f"/duty/meetings/{meeting.pk}/", headers=EN))

    url = f"/duty/problems/{added.pk}/follow-up/?week={serving.week.pk}"
    form = page_text(client.get(url, headers=EN))
    assert f"Record a follow-up Case {added.case.code} 水渠堵了" in form
    response = client.post(url, {"held_on": meeting.held_on.isoformat(), "officials": "李书记", "outcome": "明天清理"})
    assert response.status_code == 302 and response["Location"] == team_url(serving)
    text = page_text(client.get(team_url(serving), headers=EN))
    assert "The follow-up is recorded." in text
    assert f"{added.case.code} 水渠堵了 Water supply and drains Submitted" in text
    assert f"Followed up the same day {day(meeting.held_on)}, with 李书记: 明天清理" in text
    response = client.post(url, {"held_on": (meeting.held_on - datetime.timedelta(days=1)).isoformat(), "officials": "李书记", "outcome": "x"}, headers=EN)
    assert response.status_code == 200
    assert f"A follow-up cannot come before the meeting where the problem was raised, on {day(meeting.held_on)}." in page_text(response)
    assert FollowUp.objects.count() == 1


def test_this_weeks_team_follows_up_a_problem_carried_over_from_last_week(client, serving):
    town = serving.town
    last_week = past_rota(town, weeks_ago=1, team_size=1, troubleshooters=0)
    village = town.village("东村")
    meeting = log_morning_meeting(actor=town.admin, week=last_week, village=village, held_on=last_week.start, problems=[roads()])
    problem = meeting.problems.get()
    secretary = next(
        turn.volunteer.person.user for turn in serving.team("东村") if not last_week.turns.filter(volunteer=turn.volunteer).exists()
    )
    sign_in(client, secretary)
    html = client.get(team_url(serving), headers=EN).content.decode()
    assert f'href="/duty/problems/{problem.pk}/follow-up/?week={serving.week.pk}"' in html
    url = f"/duty/problems/{problem.pk}/follow-up/?week={serving.week.pk}"
    response = client.post(url, {"held_on": timezone.localdate().isoformat(), "officials": "李书记", "outcome": "催办"})
    assert response.status_code == 302 and response["Location"] == team_url(serving)
    text = page_text(client.get(team_url(serving), headers=EN))
    assert f"Carried over from {day(last_week.start)} {problem.case.code} 村口的路灯坏了" in text
    assert f"Followed up later {day(timezone.localdate())}, with 李书记: 催办" in text


# Who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "resident", "west_team", "other_admin"])
def test_outsiders_find_no_team_record_and_nothing_changes(client, serving, who):
    town = serving.town
    meeting = log(serving, problems=[roads()])
    problem = meeting.problems.get()
    if who != "anonymous":
        sign_in(client, {"resident": town.resident.user, "west_team": serving.stranger("东村"), "other_admin": town.other_admin}[who])
    before = rows()
    assert client.get(team_url(serving)).status_code == 404
    assert client.get(f"{team_url(serving)}meetings/new/").status_code == 404
    assert client.post(f"{team_url(serving)}meetings/new/", meeting_post(timezone.localdate(), {"description": "x", "category": category_id(), "reporter_name": "x"})).status_code == 404
    assert client.get(f"/duty/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/duty/meetings/{meeting.pk}/problems/new/", {"problem-description": "x", "problem-category": category_id(), "problem-privacy": "anonymous"}).status_code == 404
    assert client.post(f"/duty/problems/{problem.pk}/follow-up/", {"held_on": meeting.held_on.isoformat(), "officials": "x", "outcome": "x"}).status_code == 404
    assert rows() == before


def test_next_weeks_team_may_read_but_not_write_this_weeks_record(client, serving):
    meeting = log(serving, problems=[roads()])
    next_team = serving.week_number(2).turns.filter(village=serving.town.village("东村")).first().volunteer.person.user
    sign_in(client, next_team)
    before = rows()
    assert client.get(f"/duty/meetings/{meeting.pk}/").status_code == 200
    assert client.get(f"{team_url(serving)}meetings/new/").status_code == 403
    assert client.post(f"/duty/meetings/{meeting.pk}/problems/new/", {"problem-description": "x", "problem-category": category_id(), "problem-privacy": "anonymous"}).status_code == 403
    assert client.post(f"/duty/problems/{meeting.problems.get().pk}/follow-up/", {"held_on": meeting.held_on.isoformat(), "officials": "x", "outcome": "x"}).status_code == 403
    assert rows() == before


def test_an_unknown_team_is_not_found(client, serving):
    sign_in(client, serving.town.admin)
    assert client.get(f"/duty/weeks/{serving.week.pk}/villages/{serving.town.committee.pk}/").status_code == 404
    assert client.get(f"/duty/weeks/999999/villages/{serving.town.village('东村').pk}/").status_code == 404


# My team today ----------------------------------------------------------------------------------


def test_today_takes_a_volunteer_on_duty_to_their_team(client, serving):
    sign_in(client, member(serving, "南村"))
    response = client.get("/duty/today/")
    assert response.status_code == 302 and response["Location"] == team_url(serving, "南村")


def test_today_lets_the_troubleshooter_choose_a_team(client, serving):
    sign_in(client, serving.troubleshooter.volunteer.person.user)
    response = client.get("/duty/today/", headers=EN)
    assert response.status_code == 200
    assert "Troubleshooter for Tongxin Town this week: choose a team East Village West Village South Village" in page_text(response)
    assert f'href="{team_url(serving, "西村")}"' in response.content.decode()


def test_today_tells_someone_off_duty_so(client, serving):
    sign_in(client, serving.town.resident.user)
    response = client.get("/duty/today/", headers=EN)
    assert "My team today You are not on duty this week. My duty weeks" in page_text(response)
    assert 'href="/duty/me/"' in response.content.decode()
    client.logout()
    assert client.get("/duty/today/").status_code == 302
