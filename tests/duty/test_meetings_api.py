"""The team's week in the API: the ledger, logging a meeting with its problems, adding a problem,
recording a follow-up; the documented shapes, the errors, and nothing changed on denial."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.duty.test_meetings import committee_of, log, member, past_rota, roads, rows
from tests.helpers import sign_in
from tongxin.duty.actions.meetings import add_problem, record_follow_up
from tongxin.duty.models import FollowUp, MeetingProblem, MorningMeeting
from tongxin.feedback.actions import answer_case
from tongxin.feedback.models import Case, Channel, Privacy

EN = {"accept-language": "en"}
JSON = "application/json"


def ledger_url(serving, village: str = "东村", week=None) -> str:
    return f"/api/v1/duty/weeks/{(week or serving.week).pk}/villages/{serving.town.village(village).pk}/ledger"


def meetings_url(serving, village: str = "东村") -> str:
    return f"/api/v1/duty/weeks/{serving.week.pk}/villages/{serving.town.village(village).pk}/meetings"


def test_a_team_member_logs_a_meeting_and_reads_the_ledger(client, serving, django_assert_max_num_queries):
    town = serving.town
    committee_of(town)
    secretary = member(serving)
    sign_in(client, secretary)
    today = timezone.localdate()
    body = {
        "held_on": today.isoformat(), "place": "祠堂", "villagers_present": 9, "officials_present": "李书记", "notes": "",
        "problems": [
            {"description": "桥栏杆松了", "category": "roads", "reporter_name": "刘阿姨", "reporter_phone": "13700000000", "urgent": True},
            {"description": "有人深夜施工", "category": "noise", "privacy": "anonymous", "reporter_name": "王秘密"},
        ],
    }
    response = client.post(meetings_url(serving), body, content_type=JSON)
    assert response.status_code == 201, response.content
    meeting = MorningMeeting.objects.get()
    first, second = meeting.problems.select_related("case").order_by("number")
    assert response.json() == {
        "id": meeting.pk, "week": serving.week.pk, "village": town.village("东村").pk, "held_on": today.isoformat(),
        "place": "祠堂", "villagers_present": 9, "officials_present": "李书记", "notes": "",
        "problems": [
            {"id": first.pk, "meeting": meeting.pk, "number": 1, "case": first.case.code, "status": "submitted"},
            {"id": second.pk, "meeting": meeting.pk, "number": 2, "case": second.case.code, "status": "submitted"},
        ],
    }
    assert (first.case.channel, first.case.tier, second.case.privacy, second.case.reporter_name) == (
        Channel.DUTY, "emergency", Privacy.ANONYMOUS, ""
    )

    with django_assert_max_num_queries(14):
        ledger = client.get(ledger_url(serving)).json()
    team = sorted(serving.team("东村"), key=lambda turn: turn.volunteer.person.name)
    assert ledger["team"] == [
        {"volunteer": turn.volunteer_id, "name": turn.volunteer.person.name, "troubleshooter": False} for turn in team
    ] + [{"volunteer": serving.troubleshooter.volunteer_id, "name": serving.troubleshooter.volunteer.person.name, "troubleshooter": True}]
    assert ledger["meetings"] == [
        {"id": meeting.pk, "held_on": today.isoformat(), "place": "祠堂", "villagers_present": 9, "officials_present": "李书记", "problems": 2}
    ]
    assert ledger["lines"] == [
        {
            "id": first.pk, "meeting": meeting.pk, "raised_on": today.isoformat(), "number": 1, "case": first.case.code,
            "title": "桥栏杆松了", "category": "roads", "status": "submitted", "assigned_to": "East Village Committee",
            "reporter_name": "刘阿姨", "carried_over": False, "same_day": False, "answer": None, "follow_ups": [],
        },
        {
            "id": second.pk, "meeting": meeting.pk, "raised_on": today.isoformat(), "number": 2, "case": second.case.code,
            "title": "有人深夜施工", "category": "noise", "status": "submitted", "assigned_to": "East Village Committee",
            "reporter_name": None, "carried_over": False, "same_day": False, "answer": None, "follow_ups": [],
        },
    ]
    assert ledger["counts"] == {"heard": 2, "carried_over": 0, "answered": 0, "still_open": 2}
    assert (ledger["week"], ledger["week_start"], ledger["village"], ledger["village_name"]) == (
        serving.week.pk, serving.week.start.isoformat(), town.village("东村").pk, "East Village"
    )
    assert "王秘密" not in str(ledger)
    for number in range(5):
        added = add_problem(actor=secretary, meeting=meeting, problem=roads(f"问题{number}"))
        record_follow_up(actor=secretary, problem=added, held_on=today, officials="李书记", outcome="记下了")
    with django_assert_max_num_queries(14):
        assert len(client.get(ledger_url(serving)).json()["lines"]) == 7


def test_a_problem_added_and_followed_up_then_answered_shows_in_the_ledger(client, serving):
    _office, handler = committee_of(serving.town)
    meeting = log(serving, problems=[roads()])
    sign_in(client, member(serving, index=1))
    response = client.post(f"/api/v1/duty/meetings/{meeting.pk}/problems", {"description": "水渠堵了", "category": "water", "privacy": "anonymous"}, content_type=JSON)
    assert response.status_code == 201
    added = MeetingProblem.objects.get(number=2)
    assert response.json() == {"id": added.pk, "meeting": meeting.pk, "number": 2, "case": added.case.code, "status": "submitted"}

    body = {"held_on": meeting.held_on.isoformat(), "officials": "李书记", "outcome": "明天清理"}
    response = client.post(f"/api/v1/duty/problems/{added.pk}/follow-ups", body, content_type=JSON)
    assert response.status_code == 201
    follow_up = FollowUp.objects.get()
    assert response.json() == {"id": follow_up.pk, "problem": added.pk, "same_day": True} | body

    answer_case(case=added.case, actor=handler, text="已清理干净。")
    line = client.get(ledger_url(serving)).json()["lines"][1]
    assert (line["status"], line["answer"], line["same_day"]) == ("answered", "已清理干净。", True)
    assert line["follow_ups"] == [{"id": follow_up.pk} | body]
    assert client.get(ledger_url(serving)).json()["counts"] == {"heard": 2, "carried_over": 0, "answered": 1, "still_open": 1}


def test_next_weeks_ledger_carries_what_is_still_open(client, serving):
    meeting = log(serving, problems=[roads()])
    sign_in(client, serving.town.admin)
    lines = client.get(ledger_url(serving, week=serving.week_number(2))).json()["lines"]
    assert [(line["case"], line["carried_over"], line["raised_on"]) for line in lines] == [
        (meeting.problems.get().case.code, True, meeting.held_on.isoformat())
    ]


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"problems": [{"description": "", "category": "roads", "reporter_name": "刘阿姨"}]}, 400, "Problem 1: describe what the villager raised."),
        ({"problems": [{"description": "路坏了", "category": "roads"}]}, 400, "Problem 1: give the villager's name, or mark the problem anonymous if they ask."),
        ({"problems": [{"description": "路坏了", "category": "potholes", "privacy": "anonymous"}]}, 400, "Problem 1: there is no category “potholes”."),
        ({"villagers_present": -3}, 400, "The number of villagers who came cannot be negative."),
        ({"held_on": "2020-01-06"}, 400, None),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_kept(client, serving, change, status, detail):
    sign_in(client, member(serving))
    before = rows()
    body = {"held_on": timezone.localdate().isoformat()} | change
    response = client.post(meetings_url(serving), body, content_type=JSON, headers=EN)
    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}
    else:
        assert response.json()["detail"].startswith("The meeting must be held in the team's week, from ")
    assert rows() == before


def test_a_second_meeting_the_same_day_is_a_409(client, serving):
    log(serving)
    sign_in(client, member(serving, index=1))
    before = rows()
    response = client.post(meetings_url(serving), {"held_on": timezone.localdate().isoformat()}, content_type=JSON, headers=EN)
    assert response.status_code == 409
    assert response.json()["detail"].endswith("is logged already: add the problems to it.")
    assert rows() == before


@pytest.mark.parametrize("who", ["resident", "west_team", "other_admin"])
def test_outsiders_find_nothing_and_nothing_changes(client, serving, who):
    town = serving.town
    meeting = log(serving, problems=[roads()])
    sign_in(client, {"resident": town.resident.user, "west_team": serving.stranger("东村"), "other_admin": town.other_admin}[who])
    before = rows()
    today = timezone.localdate().isoformat()
    assert client.get(ledger_url(serving)).status_code == 404
    assert client.post(meetings_url(serving), {"held_on": today}, content_type=JSON).status_code == 404
    problem = {"description": "x", "category": "roads", "privacy": "anonymous"}
    assert client.post(f"/api/v1/duty/meetings/{meeting.pk}/problems", problem, content_type=JSON).status_code == 404
    follow_up = {"held_on": today, "officials": "x", "outcome": "x"}
    assert client.post(f"/api/v1/duty/problems/{meeting.problems.get().pk}/follow-ups", follow_up, content_type=JSON).status_code == 404
    assert rows() == before


def test_next_weeks_team_reads_but_may_not_write_this_weeks_record(client, serving):
    meeting = log(serving, problems=[roads()])
    sign_in(client, serving.week_number(2).turns.filter(village=serving.town.village("东村")).first().volunteer.person.user)
    before = rows()
    line = client.get(ledger_url(serving)).json()["lines"][0]
    assert line["reporter_name"] is None  # their duty-officer role starts with their week
    today = timezone.localdate().isoformat()
    assert client.post(meetings_url(serving), {"held_on": today}, content_type=JSON).status_code == 403
    problem = {"description": "x", "category": "roads", "privacy": "anonymous"}
    assert client.post(f"/api/v1/duty/meetings/{meeting.pk}/problems", problem, content_type=JSON).status_code == 403
    follow_up = {"held_on": today, "officials": "x", "outcome": "x"}
    assert client.post(f"/api/v1/duty/problems/{line['id']}/follow-ups", follow_up, content_type=JSON).status_code == 403
    assert rows() == before


def test_after_the_week_filing_a_problem_is_refused_with_a_reason(client, town):
    week = past_rota(town, weeks_ago=1)
    village = town.village("东村")
    sign_in(client, week.turns.filter(village=village).first().volunteer.person.user)
    body = {"held_on": week.start.isoformat(), "problems": [{"description": "路坏了", "category": "roads", "privacy": "anonymous"}]}
    response = client.post(f"/api/v1/duty/weeks/{week.pk}/villages/{village.pk}/meetings", body, content_type=JSON, headers=EN)
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your duty week is over, so problems can no longer be filed as cases in your name. "
        "Ask the organisation's administrator to add them."
    }
    assert (MorningMeeting.objects.count(), Case.objects.count()) == (0, 0)


def test_signing_in_is_needed(client, serving):
    assert client.get(ledger_url(serving)).status_code == 401
    assert client.post(meetings_url(serving), {"held_on": datetime.date.today().isoformat()}, content_type=JSON).status_code == 401
    assert MorningMeeting.objects.count() == 0
