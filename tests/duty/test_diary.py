"""A volunteer's daily diary of their week: written and replaced by them, day by day, on the page
and through the API; read by their team, later teams of the village and the managers; the days
left unwritten; nothing changed when someone else tries."""

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
from tongxin.duty.actions.diary import missing_diary_days, write_diary
from tongxin.duty.actions.rota import plan_rota
from tongxin.duty.models import DiaryEntry, DutyTurn

EN = {"accept-language": "en"}
JSON = "application/json"


def _day(day: datetime.date) -> str:
    with translation.override("en"):
        return f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"


def as_json(moment: datetime.datetime) -> str:
    return DjangoJSONEncoder().default(moment)


def _rows():
    return DiaryEntry.objects.count(), AuditEvent.objects.count(), list(DiaryEntry.objects.values_list("text", flat=True))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


# Writing ---------------------------------------------------------------------------------------


def test_the_volunteer_writes_and_rewrites_a_day_on_the_page(client, serving):
    turn = serving.team("东村")[0]
    monday = serving.week.start
    sign_in(client, turn.volunteer.person.user)
    url = f"/duty/turns/{turn.pk}/diary/"
    page = page_text(client.get(url, headers=EN))
    name = turn.volunteer.person.name
    assert f"Diary of {name}" in page
    with translation.override("en"):
        week = f"{date_format(monday, 'DATE_FORMAT')} to {date_format(serving.week.end, 'DATE_FORMAT')}"
    assert f"{week} · the team of East Village" in page
    assert f"{_day(monday)} not written Write it" in page
    assert f"{_day(serving.week.end)} to come" in page or timezone.localdate() == serving.week.end
    assert "Write a day's diary" in page

    response = client.post(url, {"day": monday.isoformat(), "text": "早上在村委会见了十二位村民。"}, headers=EN)
    assert response.status_code == 302 and response["Location"] == url
    page = page_text(client.get(url, headers=EN))
    assert f"Your diary of {_day(monday)} is saved." in page
    assert f"{_day(monday)} 早上在村委会见了十二位村民。 Rewrite" in page

    client.post(url, {"day": monday.isoformat(), "text": "  下午跟进了修路的事。  "})
    entry = DiaryEntry.objects.get()
    assert (entry.turn, entry.day, entry.text) == (turn, monday, "下午跟进了修路的事。")
    events = list(AuditEvent.objects.filter(verb="duty.diary.write").order_by("seq").values_list("data", flat=True))
    assert events == [
        {"turn": turn.pk, "day": monday.isoformat(), "replaced": False, "characters": 14},
        {"turn": turn.pk, "day": monday.isoformat(), "replaced": True, "characters": 10},
    ]


def test_the_form_offers_the_days_gone_by_and_today_and_opens_on_the_day_asked(client, serving):
    turn = serving.team("西村")[1]
    monday = serving.week.start
    write_diary(actor=turn.volunteer.person.user, turn=turn, day=monday, text="周一的日记")
    sign_in(client, turn.volunteer.person.user)
    response = client.get(f"/duty/turns/{turn.pk}/diary/?day={monday.isoformat()}")
    form = response.context["form"]
    days_so_far = (timezone.localdate() - monday).days + 1
    assert [value for value, _label in form.fields["day"].widget.choices] == [
        (monday + datetime.timedelta(days=n)).isoformat() for n in range(days_so_far)
    ]
    assert form.initial == {"day": monday, "text": "周一的日记"}
    assert client.get(f"/duty/turns/{turn.pk}/diary/").context["form"].initial == {"day": timezone.localdate(), "text": ""}


def test_a_bad_entry_is_refused_with_a_clear_message_and_nothing_changes(client, serving):
    turn = serving.team("东村")[0]
    user = turn.volunteer.person.user
    monday = serving.week.start
    before = _rows()
    with translation.override("en"):
        with pytest.raises(ActionError, match="Write what you did that day."):
            write_diary(actor=user, turn=turn, day=monday, text="   ")
        with pytest.raises(ActionError, match="A day's diary has at most 5000 characters."):
            write_diary(actor=user, turn=turn, day=monday, text="字" * 5001)
        with pytest.raises(ActionError, match="A day that has not come yet has no diary."):
            write_diary(actor=user, turn=turn, day=timezone.localdate() + datetime.timedelta(days=1), text="明天")
        week = f"{date_format(monday, 'DATE_FORMAT')} to {date_format(serving.week.end, 'DATE_FORMAT')}"
        with pytest.raises(ActionError) as error:
            write_diary(actor=user, turn=turn, day=monday - datetime.timedelta(days=1), text="上周日")
        assert error.value.message == f"Write the diary of a day of your week, from {week}."
    sign_in(client, user)
    response = client.post(f"/duty/turns/{turn.pk}/diary/", {"day": monday.isoformat(), "text": ""}, headers=EN)
    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    response = client.post(f"/duty/turns/{turn.pk}/diary/", {"day": (monday - datetime.timedelta(days=1)).isoformat(), "text": "x"}, headers=EN)
    assert f"Write the diary of a day of your week, from {week}." in page_text(response)
    assert _rows() == before


def test_the_days_without_an_entry(serving):
    turn = serving.team("南村")[0]
    monday = serving.week.start
    write_diary(actor=turn.volunteer.person.user, turn=turn, day=monday, text="周一")
    wednesday = monday + datetime.timedelta(days=2)
    tuesday = monday + datetime.timedelta(days=1)
    assert missing_diary_days(turn, _at(wednesday, 10)) == [tuesday]
    assert missing_diary_days(turn, _at(wednesday, 19, 59)) == [tuesday]
    assert missing_diary_days(turn, _at(wednesday, 20)) == [tuesday, wednesday]  # after the evening reminder
    assert missing_diary_days(turn, _at(monday, 9)) == []
    later = _at(monday + datetime.timedelta(days=12), 9)  # the week is over: its seven days at most
    assert missing_diary_days(turn, later) == [monday + datetime.timedelta(days=n) for n in range(1, 7)]


# Who reads, who writes -------------------------------------------------------------------------


def test_the_team_and_the_managers_read_a_village_diary_but_only_its_volunteer_writes(client, serving):
    turn, mate, _third = serving.team("东村")
    write_diary(actor=turn.volunteer.person.user, turn=turn, day=serving.week.start, text="见了村民")
    url = f"/duty/turns/{turn.pk}/diary/"
    for reader in (mate.volunteer.person.user, serving.troubleshooter.volunteer.person.user, serving.town.admin):
        sign_in(client, reader)
        page = page_text(client.get(url, headers=EN))
        assert "见了村民" in page
        assert "Write a day's diary" not in page
    before = _rows()
    sign_in(client, mate.volunteer.person.user)
    assert client.post(url, {"day": serving.week.start.isoformat(), "text": "改写"}).status_code == 403
    assert _rows() == before


@pytest.mark.parametrize("who", ["anonymous", "resident", "other_village", "other_admin"])
def test_outsiders_neither_read_nor_write_a_diary_and_nothing_changes(client, serving, who):
    turn = serving.team("东村")[0]
    write_diary(actor=turn.volunteer.person.user, turn=turn, day=serving.week.start, text="见了村民")
    if who == "resident":
        sign_in(client, serving.town.resident.user)
    elif who == "other_village":
        sign_in(client, serving.stranger("东村"))
    elif who == "other_admin":
        sign_in(client, serving.town.other_admin)
    before = _rows()
    url = f"/duty/turns/{turn.pk}/diary/"
    denied = (302, 403) if who == "anonymous" else (403,)
    assert client.get(url).status_code in denied
    assert client.post(url, {"day": serving.week.start.isoformat(), "text": "改写"}).status_code in denied
    api = f"/api/v1/duty/turns/{turn.pk}/diary"
    denied_api = 401 if who == "anonymous" else 403
    assert client.get(api).status_code == denied_api
    put = client.put(api, {"day": serving.week.start.isoformat(), "text": "改写"}, content_type=JSON, headers=EN)
    assert put.status_code == denied_api
    assert _rows() == before


def test_a_troubleshooters_diary_is_theirs_and_the_managers(client, serving):
    turn = serving.troubleshooter
    url = f"/duty/turns/{turn.pk}/diary/"
    sign_in(client, serving.team("东村")[0].volunteer.person.user)
    assert client.get(url).status_code == 403
    sign_in(client, serving.town.admin)
    page = page_text(client.get(url, headers=EN))
    assert f"Diary of {turn.volunteer.person.name}" in page and "· troubleshooter" in page
    sign_in(client, turn.volunteer.person.user)
    assert client.post(url, {"day": serving.week.start.isoformat(), "text": "去了南村"}).status_code == 302
    assert DiaryEntry.objects.get().turn == turn


def test_a_turn_of_a_draft_is_not_found(client, serving):
    draft = plan_rota(
        actor=serving.town.admin, organisation=serving.town.town, start=this_monday() + datetime.timedelta(weeks=3), weeks=1
    )
    turn = DutyTurn.objects.filter(week__rota=draft, village__isnull=False).select_related("volunteer__person__user").first()
    sign_in(client, turn.volunteer.person.user)
    assert client.get(f"/duty/turns/{turn.pk}/diary/").status_code == 404
    assert client.get(f"/api/v1/duty/turns/{turn.pk}/diary").status_code == 404


# The API -------------------------------------------------------------------------------------


def test_the_api_lists_the_diary_and_writes_a_day(client, serving):
    turn = serving.team("东村")[0]
    monday = serving.week.start
    sign_in(client, turn.volunteer.person.user)
    url = f"/api/v1/duty/turns/{turn.pk}/diary"
    response = client.put(url, {"day": monday.isoformat(), "text": "周一见了村民"}, content_type=JSON)
    assert response.status_code == 200
    entry = DiaryEntry.objects.get()
    assert response.json() == {
        "day": monday.isoformat(), "text": "周一见了村民",
        "written_at": as_json(entry.written_at), "updated_at": as_json(entry.updated_at),
    }
    data = client.get(url).json()
    assert data | {"entries": None} == {
        "turn": turn.pk, "volunteer": turn.volunteer.person.name, "village": turn.village_id,
        "start": monday.isoformat(), "end": serving.week.end.isoformat(), "entries": None,
        "missing": [day.isoformat() for day in missing_diary_days(turn)],
    }
    assert [(e["day"], e["text"]) for e in data["entries"]] == [(monday.isoformat(), "周一见了村民")]
    assert monday.isoformat() not in data["missing"]
    refused = client.put(url, {"day": (monday - datetime.timedelta(days=1)).isoformat(), "text": "x"}, content_type=JSON, headers=EN)
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Write the diary of a day of your week, from ")
    assert DiaryEntry.objects.count() == 1


def test_a_team_mate_cannot_write_anothers_diary_through_the_api(client, serving):
    turn, mate, _third = serving.team("东村")
    sign_in(client, mate.volunteer.person.user)
    url = f"/api/v1/duty/turns/{turn.pk}/diary"
    assert client.get(url).status_code == 200
    before = _rows()
    response = client.put(url, {"day": serving.week.start.isoformat(), "text": "替他写"}, content_type=JSON, headers=EN)
    assert (response.status_code, response.json()) == (403, {"detail": "You are not allowed to do this."})
    assert _rows() == before


def test_the_diary_page_costs_the_same_with_more_entries(client, serving, django_assert_max_num_queries):
    turn = serving.team("东村")[0]
    sign_in(client, turn.volunteer.person.user)
    url = f"/duty/turns/{turn.pk}/diary/"
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    for n in range((timezone.localdate() - serving.week.start).days + 1):
        write_diary(actor=turn.volunteer.person.user, turn=turn, day=serving.week.start + datetime.timedelta(days=n), text=f"第{n}天")
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
