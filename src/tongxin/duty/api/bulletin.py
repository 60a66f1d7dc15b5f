"""A village's weekly bulletin as JSON: the same public content as the page, the kiosk and the poster."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Organisation
from tongxin.core.api import error_responses
from tongxin.core.errors import ActionError

from ..bulletin import Bulletin, PublicProblem, Team, day_asked, is_village, weekly_bulletin

router = Router()


# The bulletin's shapes live here, beside the one endpoint that answers with them.


class BulletinTeamOut(Schema):
    week_start: datetime.date
    week_end: datetime.date
    names: list[str]
    troubleshooters: list[str]


class BulletinTaskOut(Schema):
    title: str
    progress: str
    done: bool


class BulletinProblemOut(Schema):
    title: str = Field(description="The case's headline, or a neutral line when the case is kept off the public board.")
    category: str = Field(description="Empty when the case is kept off the public board.")
    status: str
    answer: str = Field(description="The public answer (or the reason for declining); empty until there is one.")
    heard_on: datetime.date
    open: bool
    on_the_board: bool


class BulletinCountsOut(Schema):
    heard: int
    carried_over: int
    answered: int
    still_open: int


class BulletinMeetingOut(Schema):
    held_on: datetime.date
    place: str
    villagers: int


class BulletinOut(Schema):
    village: int
    village_name: str
    village_url: str
    week_start: datetime.date
    week_end: datetime.date
    team: BulletinTeamOut
    tasks: list[BulletinTaskOut]
    heard: list[BulletinProblemOut]
    carried_over: list[BulletinProblemOut]
    counts: BulletinCountsOut
    meetings: list[BulletinMeetingOut]
    next_team: BulletinTeamOut | None
    previous_week: datetime.date | None = Field(description="The start of the village's previous published week.")
    next_week: datetime.date | None = Field(description="The start of the village's next published week.")


def _team_out(team: Team) -> dict[str, Any]:
    return {"week_start": team.week.start, "week_end": team.week.end, "names": team.names, "troubleshooters": team.troubleshooters}


def _problem_out(problem: PublicProblem) -> dict[str, Any]:
    return {
        "title": problem.title, "category": problem.category, "status": problem.status, "answer": problem.answer,
        "heard_on": problem.heard_on, "open": problem.is_open, "on_the_board": problem.on_the_board,
    }


def bulletin_out(bulletin: Bulletin) -> dict[str, Any]:
    counts = bulletin.counts
    return {
        "village": bulletin.village.pk,
        "village_name": bulletin.village.display_name,
        "village_url": bulletin.village_url,
        "week_start": bulletin.week.start,
        "week_end": bulletin.week.end,
        "team": _team_out(bulletin.team),
        "tasks": [{"title": task.title, "progress": task.progress, "done": task.done} for task in bulletin.tasks],
        "heard": [_problem_out(problem) for problem in bulletin.heard],
        "carried_over": [_problem_out(problem) for problem in bulletin.carried_over],
        "counts": {"heard": counts.heard, "carried_over": counts.carried_over, "answered": counts.answered, "still_open": counts.still_open},
        "meetings": [{"held_on": m.held_on, "place": m.place, "villagers": m.villagers} for m in bulletin.meetings],
        "next_team": _team_out(bulletin.next_team) if bulletin.next_team else None,
        "previous_week": bulletin.previous_week,
        "next_week": bulletin.next_week,
    }


@router.get("/villages/{village_id}/duty/bulletin", response={200: BulletinOut, **error_responses(400, 404)}, auth=PUBLIC)
def get_bulletin(request: HttpRequest, village_id: int, week: str = "") -> Any:
    """The village's public bulletin for the published rota week covering `week` (any day of it,
    YYYY-MM-DD; this week without). 404 when no published rota covers that week."""
    village = get_object_or_404(Organisation, pk=village_id)
    if not is_village(village):
        raise Http404
    bulletin = weekly_bulletin(village, day_asked(week))
    if bulletin is None:
        raise ActionError(_("No published duty rota covers this week."), status=404)
    return bulletin_out(bulletin)
