"""Swaps and statistics through the API: the documented shapes, the refusals worded, who may,
and nothing changed when they may not."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.duty.conftest import violations
from tests.duty.test_swaps import Cast, account, day, find_cast, name, serving, state  # noqa: F401  (serving: fixture)
from tests.helpers import admin_of, sign_in
from tongxin.community.models import StaffRole
from tongxin.duty.actions.rota import set_unavailable
from tongxin.duty.actions.swaps import answer_swap, ask_swap
from tongxin.duty.models import DutyTurn, SwapRequest, SwapStatus

EN = {"accept-language": "en"}
JSON = "application/json"


@pytest.fixture
def cast(serving) -> Cast:
    return find_cast(serving.rota)


def ask(client, turn, other, **body):
    return client.post(f"/api/v1/duty/turns/{turn.pk}/swaps", {"other_turn": other.pk, **body}, content_type=JSON, headers=EN)


def turn_out(turn) -> dict:
    return {"id": turn.pk, "week_start": turn.week.start.isoformat(), "village": turn.village_id, "volunteer": turn.volunteer_id, "name": name(turn)}


def test_the_whole_path_through_the_api(client, serving, cast):
    mine, theirs = cast.asker, cast.other
    sign_in(client, account(mine))
    response = ask(client, mine, theirs, reason="出差")
    assert response.status_code == 201, response.content
    data = response.json()
    swap = SwapRequest.objects.get()
    assert data == {
        "id": swap.pk, "status": "requested", "reason": "出差", "turn": turn_out(mine), "other_turn": turn_out(theirs),
        "requested_at": data["requested_at"], "answered_at": None, "decided_at": None, "decision_note": "",
    }
    assert client.get(f"/api/v1/duty/swaps/{swap.pk}").json() == data

    sign_in(client, account(theirs))
    answered = client.post(f"/api/v1/duty/swaps/{swap.pk}/answer", {"agree": True}, content_type=JSON)
    assert (answered.status_code, answered.json()["status"]) == (200, "accepted")
    assert answered.json()["answered_at"] is not None

    sign_in(client, serving.town.admin)
    decided = client.post(f"/api/v1/duty/swaps/{swap.pk}/decide", {"approve": True, "note": "好"}, content_type=JSON)
    assert decided.status_code == 200
    body = decided.json()
    assert (body["status"], body["decision_note"]) == ("approved", "好")
    # Who serves each turn now.
    assert (body["turn"]["name"], body["other_turn"]["name"]) == (name(theirs), name(mine))
    assert violations(serving.rota) == []


def test_refusals_are_worded_and_change_nothing(client, serving, cast):
    mine = cast.asker
    sign_in(client, account(mine))
    before = state(serving)
    refused = ask(client, mine, cast.neighbour)
    assert (refused.status_code, refused.json()) == (
        409, {"detail": f"{name(cast.neighbour)} serves in the week before or after: nobody serves two weeks running."}
    )
    started = ask(client, mine, cast.started)
    assert (started.status_code, started.json()) == (
        409, {"detail": f"The week of {day(serving.week.start)} has started: its turns can no longer be swapped."}
    )
    unknown = client.post(f"/api/v1/duty/turns/{mine.pk}/swaps", {"other_turn": 999999}, content_type=JSON, headers=EN)
    assert (unknown.status_code, unknown.json()) == (400, {"detail": "There is no such turn."})
    assert state(serving) == before

    swap = ask_swap(actor=account(mine), turn=mine, other_turn=cast.other)
    twice = ask(client, mine, cast.same_week)
    assert (twice.status_code, twice.json()) == (409, {"detail": "You have already asked to swap this turn: withdraw that request first."})
    answer_swap(actor=account(cast.other), swap=swap, agree=True)
    away = mine.week.start + datetime.timedelta(days=3)
    set_unavailable(actor=serving.town.admin, volunteer=cast.other.volunteer, date=away)
    sign_in(client, serving.town.admin)
    before = state(serving)
    late = client.post(f"/api/v1/duty/swaps/{swap.pk}/decide", {"approve": True}, content_type=JSON, headers=EN)
    assert (late.status_code, late.json()) == (409, {"detail": f"{name(cast.other)} is unavailable on {day(away)}, in that week."})
    assert state(serving) == before
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.ACCEPTED


@pytest.mark.parametrize("who", ["teammate", "resident", "other_admin"])
def test_outsiders_are_refused_and_nothing_changes(client, serving, cast, who):
    town = serving.town
    sign_in(client, {"teammate": account(cast.teammate), "resident": town.resident.user, "other_admin": town.other_admin}[who])
    swap = ask_swap(actor=account(cast.asker), turn=cast.asker, other_turn=cast.other)
    before = state(serving)
    assert client.get(f"/api/v1/duty/swaps/{swap.pk}").status_code == 404
    assert client.post(f"/api/v1/duty/swaps/{swap.pk}/answer", {"agree": True}, content_type=JSON).status_code == 404
    assert client.post(f"/api/v1/duty/swaps/{swap.pk}/decide", {"approve": True}, content_type=JSON).status_code == 404
    assert client.post(f"/api/v1/duty/swaps/{swap.pk}/withdraw").status_code == 404
    offered = ask(client, cast.asker, cast.same_week)
    assert (offered.status_code, offered.json()) == (403, {"detail": "You are not allowed to do this."})
    assert client.get(f"/api/v1/organisations/{town.town.pk}/duty/statistics").status_code == 403
    assert state(serving) == before


def test_the_two_volunteers_may_not_do_each_other_s_part(client, serving, cast):
    swap = ask_swap(actor=account(cast.asker), turn=cast.asker, other_turn=cast.other)
    url = f"/api/v1/duty/swaps/{swap.pk}"
    before = state(serving)
    sign_in(client, account(cast.asker))
    assert client.post(f"{url}/answer", {"agree": True}, content_type=JSON).status_code == 403
    assert client.post(f"{url}/decide", {"approve": True}, content_type=JSON).status_code == 403
    sign_in(client, account(cast.other))
    assert client.post(f"{url}/withdraw").status_code == 403
    sign_in(client, serving.town.admin)
    early = client.post(f"{url}/decide", {"approve": True}, content_type=JSON, headers=EN)
    assert (early.status_code, early.json()) == (409, {"detail": "Only a swap both volunteers agreed to can be decided."})
    assert state(serving) == before
    sign_in(client, account(cast.asker))
    withdrawn = client.post(f"{url}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")


def test_signing_in_is_needed(client, serving, cast):
    before = state(serving)
    assert ask(client, cast.asker, cast.other).status_code == 401
    assert client.get(f"/api/v1/organisations/{serving.town.town.pk}/duty/statistics").status_code == 401
    assert state(serving) == before


def test_the_statistics(client, serving, django_assert_max_num_queries):
    town = serving.town
    sign_in(client, admin_of(town.town, "office", StaffRole.OFFICE))
    url = f"/api/v1/organisations/{town.town.pk}/duty/statistics"
    with django_assert_max_num_queries(12):
        data = client.get(url).json()
    assert (data["organisation"], data["start"], data["end"]) == (town.town.pk, None, timezone.localdate().isoformat())
    assert len(data["volunteers"]) == 24
    floating = serving.troubleshooter
    to_come = DutyTurn.objects.filter(volunteer=floating.volunteer, week__start__gt=serving.week.start).count()
    assert next(row for row in data["volunteers"] if row["volunteer"] == floating.volunteer_id) == {
        "volunteer": floating.volunteer_id, "name": name(floating), "served": 1, "troubleshooter": 1, "to_come": to_come,
        "problems_heard": 0, "solved": 0, "still_open": 0, "diary_days": 0,
    }
    team = sorted(serving.team("东村"), key=lambda turn: (name(turn), turn.volunteer_id))
    assert data["teams"][0] == {
        "week_start": serving.week.start.isoformat(), "village": town.village("东村").pk, "village_name": "East Village",
        "members": [{"volunteer": turn.volunteer_id, "name": name(turn)} for turn in team],
        "meetings": 0, "villagers": 0, "problems_heard": 0, "solved": 0, "still_open": 0, "followed_up_same_day": 0,
        "diary_days": 0,
    }
    later = client.get(url, {"start": serving.week_number(2).start.isoformat()}).json()
    assert later["teams"] == []
    bad = client.get(url, {"start": "2027-02-01", "end": "2027-01-01"}, headers=EN)
    assert (bad.status_code, bad.json()) == (400, {"detail": "The range ends before it starts."})
