"""The handover from one village team to the next: the notes a team leaves, found by the next
team of the village (in the same rota, or across to the next published rota), and the problems
still open carried over to it on their own; on the page and through the API; who may write."""

from __future__ import annotations

import datetime

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.duty.conftest import this_monday
from tests.helpers import page_text, sign_in
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.duty.actions.handover import carried_over, handover_for, previous_week, write_handover
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.models import Handover, MeetingProblem, MorningMeeting, RotaWeek
from tongxin.feedback.actions import submit_case
from tongxin.feedback.models import Category, Channel, Privacy

EN = {"accept-language": "en"}
JSON = "application/json"


def fresh(week: RotaWeek) -> RotaWeek:
    """The week with its rota as stored (the fixture's rota object predates its publication)."""
    return RotaWeek.objects.select_related("rota__organisation").get(pk=week.pk)


def _rows():
    return Handover.objects.count(), AuditEvent.objects.count(), list(Handover.objects.values_list("notes", flat=True))


def _url(week, village, api: bool = False) -> str:
    return f"/api/v1/duty/weeks/{week.pk}/villages/{village.pk}/handover" if api else f"/duty/weeks/{week.pk}/villages/{village.pk}/handover/"


def _member(serving, number: int, village: str = "东村"):
    week = serving.week_number(number)
    turn = week.turns.filter(village=serving.town.village(village)).select_related("volunteer__person__user").order_by("pk").first()
    return turn.volunteer.person.user


def heard(serving, village: str = "东村", *, description: str = "村口垃圾三天没人清运", day_offset: int = 0) -> MeetingProblem:
    """A problem raised at this week's morning meeting, entered as a case by the team (the
    meeting actions are another engineer's: the rows are made directly)."""
    place = serving.town.village(village)
    member = serving.team(village)[0].volunteer.person.user
    case = submit_case(
        actor=member, channel=Channel.DUTY, category=Category.objects.get(code="sanitation"), description=description,
        organisation=place, privacy=Privacy.HIDDEN, reporter_name="王大妈", reporter_phone="13800000000",
    )
    day = serving.week.start + datetime.timedelta(days=day_offset)
    meeting, _created = MorningMeeting.objects.get_or_create(
        week=serving.week, village=place, held_on=day, defaults={"recorded_by": member, "villagers_present": 12}
    )
    return MeetingProblem.objects.create(meeting=meeting, case=case, number=meeting.problems.count() + 1)


def test_the_team_writes_its_handover_and_the_next_team_reads_it_with_the_open_problems(client, serving):
    village = serving.town.village("东村")
    problem = heard(serving)
    this_week, next_week = serving.week, serving.week_number(2)
    sign_in(client, _member(serving, 1))
    page = page_text(client.get(_url(this_week, village), headers=EN))
    assert "Handover The team of East Village" in page
    assert "From the previous team The previous team left no notes." in page
    assert "Problems carried over" in page and "Nothing carried over." in page  # heard this week: theirs already
    response = client.post(_url(this_week, village), {"notes": "张书记答应周五前清运垃圾，请跟进。"})
    assert response.status_code == 302 and response["Location"] == _url(this_week, village)
    page = page_text(client.get(_url(this_week, village), headers=EN))
    assert "Your handover notes are saved for the next team." in page
    assert "张书记答应周五前清运垃圾，请跟进。" in page

    sign_in(client, _member(serving, 2))
    page = page_text(client.get(_url(next_week, village), headers=EN))
    with translation.override("en"):
        start, heard_on = date_format(this_week.start, "DATE_FORMAT"), date_format(problem.meeting.held_on, "DATE_FORMAT")
        written = date_format(timezone.localtime(Handover.objects.get().written_at), "DATE_FORMAT")
    assert (
        f"From the previous team 张书记答应周五前清运垃圾，请跟进。 The team of the week of {start}, written on {written}"
    ) in page
    assert f"{problem.case.code} Litter and rubbish · Submitted · heard on {heard_on}" in page
    assert "王大妈" not in page and "13800000000" not in page  # who raised it stays on the case
    assert "This team has left no notes yet." in page  # their week has not begun: nothing to write yet
    assert "Save the handover" not in page


def test_rewriting_the_handover_keeps_one_per_team_and_is_audited(serving):
    village = serving.town.village("西村")
    member = serving.team("西村")[0].volunteer.person.user
    week = fresh(serving.week)
    write_handover(actor=member, week=week, village=village, notes="第一稿")
    mate = serving.team("西村")[1].volunteer.person.user
    handover = write_handover(actor=mate, week=week, village=village, notes="  第二稿  ")
    assert (Handover.objects.count(), handover.notes, handover.written_by) == (1, "第二稿", mate)
    events = list(AuditEvent.objects.filter(verb="duty.handover.write").order_by("seq").values_list("data", flat=True))
    assert events == [
        {"week": serving.week.pk, "village": village.pk, "rewritten": False, "notes": "第一稿"},
        {"week": serving.week.pk, "village": village.pk, "rewritten": True, "notes": "第二稿"},
    ]


def test_empty_notes_are_refused_and_nothing_changes(client, serving):
    village = serving.town.village("东村")
    member = serving.team("东村")[0].volunteer.person.user
    before = _rows()
    with translation.override("en"), pytest.raises(ActionError, match="Write what the next team should know."):
        write_handover(actor=member, week=fresh(serving.week), village=village, notes="  \n ")
    sign_in(client, member)
    response = client.put(_url(serving.week, village, api=True), {"notes": " "}, content_type=JSON, headers=EN)
    assert (response.status_code, response.json()) == (400, {"detail": "Write what the next team should know."})
    response = client.post(_url(serving.week, village), {"notes": ""}, headers=EN)
    assert "This field is required." in page_text(response)
    assert _rows() == before


def test_the_first_week_of_a_rota_gets_the_handover_of_the_previous_rotas_last_week(serving):
    village = serving.town.village("南村")
    last = serving.week_number(3)
    write_handover(actor=serving.town.admin, week=last, village=village, notes="季度末的交接")
    following = plan_rota(
        actor=serving.town.admin, organisation=serving.town.town, start=this_monday() + datetime.timedelta(weeks=3), weeks=2
    )
    first = following.rota_weeks.get(number=1)
    publish_rota(actor=serving.town.admin, rota=following)
    assert previous_week(first) == last
    assert handover_for(first, village).notes == "季度末的交接"
    assert handover_for(first, serving.town.village("东村")) is None
    assert previous_week(following.rota_weeks.get(number=2)) == first
    assert previous_week(serving.week) is None
    assert handover_for(serving.week, village) is None


def test_open_problems_are_carried_over_and_answered_ones_are_not(serving):
    village = serving.town.village("东村")
    first = heard(serving, description="路灯坏了")
    second = heard(serving, description="井盖松动", day_offset=0)
    second.case.status = "closed"
    second.case.save(update_fields=["status"])
    lines = carried_over(serving.week_number(2), village)
    assert [(line.problem, line.carried_over, line.is_open) for line in lines] == [(first, True, True)]
    assert carried_over(serving.week, village) == []
    assert carried_over(serving.week_number(2), serving.town.village("西村")) == []


def test_the_api_gives_the_previous_handover_the_teams_own_and_the_carried_over(client, serving):
    village = serving.town.village("东村")
    problem = heard(serving)
    sign_in(client, _member(serving, 1))
    put = client.put(_url(serving.week, village, api=True), {"notes": "请跟进垃圾清运"}, content_type=JSON)
    assert put.status_code == 200
    handover = Handover.objects.get()
    mine = {
        "week": serving.week.pk, "week_start": serving.week.start.isoformat(), "village": village.pk,
        "notes": "请跟进垃圾清运", "written_at": DjangoJSONEncoder().default(handover.written_at),
    }
    assert put.json() == mine
    assert client.get(_url(serving.week, village, api=True)).json() == {"previous": None, "own": mine, "carried_over": []}
    sign_in(client, _member(serving, 2))
    assert client.get(_url(serving.week_number(2), village, api=True)).json() == {
        "previous": mine,
        "own": None,
        "carried_over": [
            {
                "case": problem.case.code, "category": "Litter and rubbish", "status": "submitted",
                "heard_on": serving.week.start.isoformat(), "follow_ups": 0,
            }
        ],
    }


def test_the_next_team_reads_but_may_not_write_before_its_week_or_for_another_week(client, serving):
    village = serving.town.village("东村")
    write_handover(actor=serving.town.admin, week=serving.week, village=village, notes="原稿")
    sign_in(client, _member(serving, 2))
    before = _rows()
    for week in (serving.week, serving.week_number(2)):
        assert client.get(_url(week, village)).status_code == 200
        assert client.post(_url(week, village), {"notes": "改写"}).status_code == 403
        assert client.put(_url(week, village, api=True), {"notes": "改写"}, content_type=JSON).status_code == 403
    assert _rows() == before


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_village", "other_admin"])
def test_outsiders_neither_read_nor_write_the_handover(client, serving, who):
    village = serving.town.village("东村")
    write_handover(actor=serving.town.admin, week=serving.week, village=village, notes="原稿")
    if who == "resident":
        sign_in(client, serving.town.resident.user)
    elif who == "other_village":
        sign_in(client, serving.stranger("东村"))
    elif who == "other_admin":
        sign_in(client, serving.town.other_admin)
    before = _rows()
    denied = (302, 404) if who == "anonymous" else (404,)  # a team's record is not known to outsiders
    assert client.get(_url(serving.week, village)).status_code in denied
    assert client.post(_url(serving.week, village), {"notes": "改写"}).status_code in denied
    denied_api = 401 if who == "anonymous" else 404
    assert client.get(_url(serving.week, village, api=True)).status_code == denied_api
    assert client.put(_url(serving.week, village, api=True), {"notes": "改写"}, content_type=JSON).status_code == denied_api
    assert _rows() == before


def test_the_handover_page_costs_the_same_with_more_problems(client, serving, django_assert_max_num_queries):
    village = serving.town.village("东村")
    heard(serving)
    sign_in(client, _member(serving, 2))
    url = _url(serving.week_number(2), village)
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    for n in range(1, 6):
        heard(serving, description=f"问题{n}", day_offset=n % 2)
    with django_assert_max_num_queries(20):
        page = page_text(client.get(url, headers=EN))
    assert page.count("Litter and rubbish") == 6
