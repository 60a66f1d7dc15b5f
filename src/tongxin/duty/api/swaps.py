"""Swapping duty turns, and the duty statistics, as JSON."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from tongxin.community.models import Organisation
from tongxin.core.api import error_responses
from tongxin.core.errors import ActionError

from ..actions.swaps import answer_swap, ask_swap, decide_swap, withdraw_swap
from ..models import DutyTurn, SwapRequest
from ..permissions import can_view_duty_statistics, can_view_swap, visible_rota
from ..statistics import DutyStatistics, duty_statistics

router = Router()


class SwapIn(Schema):
    other_turn: int = Field(description="The turn of another volunteer of the same rota you would take.")
    reason: str = ""


class AnswerIn(Schema):
    agree: bool


class DecideIn(Schema):
    approve: bool
    note: str = ""


class SwapTurnOut(Schema):
    id: int
    week_start: datetime.date
    village: int | None = Field(description="Empty for a troubleshooter.")
    volunteer: int = Field(description="Who serves the turn now: after an approved swap, the other volunteer.")
    name: str


class SwapOut(Schema):
    id: int
    status: str
    reason: str
    turn: SwapTurnOut = Field(description="The turn given by the volunteer who asked.")
    other_turn: SwapTurnOut = Field(description="The turn asked for.")
    requested_at: datetime.datetime
    answered_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    decision_note: str


class StatisticsRange(Schema):
    start: datetime.date | None = Field(None, description="First week counted (by its Monday); empty: from the first.")
    end: datetime.date | None = Field(None, description="Last week counted; empty: today.")


class VolunteerFiguresOut(Schema):
    volunteer: int
    name: str
    served: int = Field(description="Turns whose week has started, within the range.")
    troubleshooter: int = Field(description="Of the turns served, as the week's troubleshooter.")
    to_come: int = Field(description="Turns whose week has not started, whatever the range.")
    problems_heard: int
    solved: int
    still_open: int
    diary_days: int


class MemberOut(Schema):
    volunteer: int
    name: str


class TeamFiguresOut(Schema):
    week_start: datetime.date
    village: int
    village_name: str
    members: list[MemberOut]
    meetings: int
    villagers: int
    problems_heard: int
    solved: int
    still_open: int
    followed_up_same_day: int
    diary_days: int


class StatisticsOut(Schema):
    organisation: int
    start: datetime.date | None
    end: datetime.date
    volunteers: list[VolunteerFiguresOut]
    teams: list[TeamFiguresOut]


def _turn_out(turn: DutyTurn) -> dict[str, Any]:
    return {
        "id": turn.pk, "week_start": turn.week.start, "village": turn.village_id,
        "volunteer": turn.volunteer_id, "name": turn.volunteer.person.display_name,
    }


def _swap_out(swap: SwapRequest) -> dict[str, Any]:
    swap = SwapRequest.objects.select_related(
        "turn__week", "turn__volunteer__person", "other_turn__week", "other_turn__volunteer__person"
    ).get(pk=swap.pk)
    return {
        "id": swap.pk, "status": swap.status, "reason": swap.reason,
        "turn": _turn_out(swap.turn), "other_turn": _turn_out(swap.other_turn),
        "requested_at": swap.requested_at, "answered_at": swap.answered_at, "decided_at": swap.decided_at,
        "decision_note": swap.decision_note,
    }


def _visible_swap(request: HttpRequest, pk: int) -> SwapRequest:
    swap = get_object_or_404(SwapRequest.objects.select_related("turn__week__rota__organisation", "other_turn__volunteer"), pk=pk)
    if not can_view_swap(request.auth, swap):
        raise Http404
    return swap


@router.post("/duty/turns/{pk}/swaps", response={201: SwapOut, **error_responses(400, 403, 404, 409)})
def post_swap(request: HttpRequest, pk: int, body: SwapIn) -> Any:
    """Ask the volunteer of another turn to exchange it for this one of yours; 409 naming the
    rule the exchange would break."""
    turn = get_object_or_404(DutyTurn.objects.select_related("week__rota"), pk=pk)
    visible_rota(request.auth, turn.week.rota_id)
    other_turn = DutyTurn.objects.filter(pk=body.other_turn).first()
    if other_turn is None:
        raise ActionError(_("There is no such turn."))
    swap = ask_swap(actor=request.auth, turn=turn, other_turn=other_turn, reason=body.reason)
    return Status(201, _swap_out(swap))


@router.get("/duty/swaps/{pk}", response={200: SwapOut, **error_responses(404)})
def get_swap(request: HttpRequest, pk: int) -> Any:
    """A swap, for its two volunteers and the organisation's admins."""
    return _swap_out(_visible_swap(request, pk))


@router.post("/duty/swaps/{pk}/answer", response={200: SwapOut, **error_responses(403, 404, 409)})
def post_answer(request: HttpRequest, pk: int, body: AnswerIn) -> Any:
    """The volunteer asked agrees (the organisation is then asked to approve) or declines."""
    return _swap_out(answer_swap(actor=request.auth, swap=_visible_swap(request, pk), agree=body.agree))


@router.post("/duty/swaps/{pk}/decide", response={200: SwapOut, **error_responses(403, 404, 409)})
def post_decide(request: HttpRequest, pk: int, body: DecideIn) -> Any:
    """The organisation approves an agreed swap (the turns are exchanged if every rule still
    holds) or refuses it."""
    swap = decide_swap(actor=request.auth, swap=_visible_swap(request, pk), approve=body.approve, note=body.note)
    return _swap_out(swap)


@router.post("/duty/swaps/{pk}/withdraw", response={200: SwapOut, **error_responses(403, 404, 409)})
def post_withdraw(request: HttpRequest, pk: int) -> Any:
    """Whoever asked takes the request back while it is open."""
    return _swap_out(withdraw_swap(actor=request.auth, swap=_visible_swap(request, pk)))


@router.get("/organisations/{organisation_id}/duty/statistics", response={200: StatisticsOut, **error_responses(400, 403, 404)})
def get_statistics(request: HttpRequest, organisation_id: int, period: Query[StatisticsRange]) -> Any:
    """Per volunteer and per team (a week × a village): turns, problems heard and solved, diary
    days; for the organisation's admins, supervisors and office."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_view_duty_statistics(request.auth, organisation):
        raise PermissionDenied
    if period.start and period.end and period.start > period.end:
        raise ActionError(_("The range ends before it starts."))
    return _statistics_out(duty_statistics(organisation, start=period.start, end=period.end))


def _statistics_out(figures: DutyStatistics) -> dict[str, Any]:
    return {
        "organisation": figures.organisation.pk, "start": figures.start, "end": figures.end,
        "volunteers": [
            {
                "volunteer": row.volunteer.pk, "name": row.volunteer.person.display_name, "served": row.served,
                "troubleshooter": row.troubleshooter, "to_come": row.to_come, "problems_heard": row.problems.heard,
                "solved": row.problems.solved, "still_open": row.problems.open, "diary_days": row.diary_days,
            }
            for row in figures.volunteers
        ],
        "teams": [
            {
                "week_start": team.week.start, "village": team.village.pk, "village_name": team.village.display_name,
                "members": [{"volunteer": member.pk, "name": member.person.display_name} for member in team.members],
                "meetings": team.meetings, "villagers": team.villagers, "problems_heard": team.problems.heard,
                "solved": team.problems.solved, "still_open": team.problems.open,
                "followed_up_same_day": team.problems.same_day, "diary_days": team.diary_days,
            }
            for team in figures.teams
        ],
    }
