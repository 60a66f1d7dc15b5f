"""A team's week as JSON: a volunteer's diary, the team's tasks, the handover between teams."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from tongxin.core.api import error_responses

from ..actions.diary import missing_diary_days, readable_turn, write_diary
from ..actions.handover import carried_over, handover_for, write_handover
from ..actions.tasks import remove_task, set_task, update_task
from ..ledger import LedgerLine
from ..models import DiaryEntry, Handover, WeeklyTask
from ..permissions import visible_team

router = Router()


# -- Shapes -----------------------------------------------------------------------------------


class DiaryEntryIn(Schema):
    day: datetime.date
    text: str


class DiaryEntryOut(Schema):
    day: datetime.date
    text: str
    written_at: datetime.datetime
    updated_at: datetime.datetime


class DiaryOut(Schema):
    turn: int
    volunteer: str
    village: int | None = Field(description="Empty for a troubleshooter.")
    start: datetime.date
    end: datetime.date
    entries: list[DiaryEntryOut]
    missing: list[datetime.date] = Field(description="Days of the week gone by without an entry (today too, after the evening reminder).")


class WeeklyTaskIn(Schema):
    title: str


class WeeklyTaskPatch(Schema):
    title: str | None = None
    progress: str | None = None
    done: bool | None = None


class WeeklyTaskOut(Schema):
    id: int
    week: int
    village: int
    title: str
    progress: str
    done: bool
    set_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_week(task: Any) -> int:
        return task.week_id

    @staticmethod
    def resolve_village(task: Any) -> int:
        return task.village_id


class HandoverIn(Schema):
    notes: str


class HandoverOut(Schema):
    week: int
    week_start: datetime.date
    village: int
    notes: str
    written_at: datetime.datetime


class CarriedOverOut(Schema):
    case: str = Field(description="The case's tracking code.")
    category: str
    status: str
    heard_on: datetime.date
    follow_ups: int


class HandoverPageOut(Schema):
    previous: HandoverOut | None = Field(description="What the village's previous team left this one.")
    own: HandoverOut | None = Field(description="This team's notes for the next one.")
    carried_over: list[CarriedOverOut]


def _handover_out(handover: Handover | None) -> dict[str, Any] | None:
    if handover is None:
        return None
    return {
        "week": handover.week_id, "week_start": handover.week.start, "village": handover.village_id,
        "notes": handover.notes, "written_at": handover.written_at,
    }


def _carried_out(line: LedgerLine) -> dict[str, Any]:
    return {
        "case": line.case.code, "category": line.case.category.display_name, "status": line.case.status,
        "heard_on": line.problem.meeting.held_on, "follow_ups": len(line.follow_ups),
    }


# -- The diary --------------------------------------------------------------------------------


@router.get("/duty/turns/{pk}/diary", response={200: DiaryOut, **error_responses(403, 404)})
def get_diary(request: HttpRequest, pk: int) -> Any:
    """A volunteer's diary of their week, day by day, and the days gone by without an entry."""
    turn = readable_turn(request.auth, pk)
    return {
        "turn": turn.pk, "volunteer": turn.volunteer.person.display_name, "village": turn.village_id,
        "start": turn.week.start, "end": turn.week.end,
        "entries": list(DiaryEntry.objects.filter(turn=turn).order_by("day")),
        "missing": missing_diary_days(turn),
    }


@router.put("/duty/turns/{pk}/diary", response={200: DiaryEntryOut, **error_responses(400, 403, 404)})
def put_diary(request: HttpRequest, pk: int, body: DiaryEntryIn) -> Any:
    """Write or replace one day's entry (the volunteer themselves, while their record is open)."""
    turn = readable_turn(request.auth, pk)
    return write_diary(actor=request.auth, turn=turn, day=body.day, text=body.text)


# -- Tasks ------------------------------------------------------------------------------------


@router.get("/duty/weeks/{week_id}/villages/{village_id}/tasks", response={200: list[WeeklyTaskOut], **error_responses(403, 404)})
def list_tasks(request: HttpRequest, week_id: int, village_id: int) -> Any:
    """The team's tasks of the week, in the order they were set."""
    week, village = visible_team(request.auth, week_id, village_id)
    return WeeklyTask.objects.filter(week=week, village=village).order_by("pk")


@router.post("/duty/weeks/{week_id}/villages/{village_id}/tasks", response={201: WeeklyTaskOut, **error_responses(400, 403, 404)})
def post_task(request: HttpRequest, week_id: int, village_id: int, body: WeeklyTaskIn) -> Any:
    week, village = visible_team(request.auth, week_id, village_id)
    return Status(201, set_task(actor=request.auth, week=week, village=village, title=body.title))


def _task(request: HttpRequest, pk: int) -> WeeklyTask:
    task = get_object_or_404(WeeklyTask, pk=pk)
    task.week, task.village = visible_team(request.auth, task.week_id, task.village_id)
    return task


@router.patch("/duty/tasks/{pk}", response={200: WeeklyTaskOut, **error_responses(400, 403, 404)})
def patch_task(request: HttpRequest, pk: int, body: WeeklyTaskPatch) -> Any:
    """Change the title, the progress or whether it is done; what is left out stays."""
    return update_task(actor=request.auth, task=_task(request, pk), progress=body.progress, done=body.done, title=body.title)


@router.delete("/duty/tasks/{pk}", response={204: None, **error_responses(403, 404)})
def delete_task(request: HttpRequest, pk: int) -> Any:
    remove_task(actor=request.auth, task=_task(request, pk))
    return Status(204, None)


# -- The handover -----------------------------------------------------------------------------


@router.get("/duty/weeks/{week_id}/villages/{village_id}/handover", response={200: HandoverPageOut, **error_responses(403, 404)})
def get_handover(request: HttpRequest, week_id: int, village_id: int) -> Any:
    """What the previous team left this one, this team's own notes, and the problems carried over."""
    week, village = visible_team(request.auth, week_id, village_id)
    own = Handover.objects.select_related("week").filter(week=week, village=village).first()
    return {
        "previous": _handover_out(handover_for(week, village)),
        "own": _handover_out(own),
        "carried_over": [_carried_out(line) for line in carried_over(week, village)],
    }


@router.put("/duty/weeks/{week_id}/villages/{village_id}/handover", response={200: HandoverOut, **error_responses(400, 403, 404, 409)})
def put_handover(request: HttpRequest, week_id: int, village_id: int, body: HandoverIn) -> Any:
    """Write or rewrite this team's notes for the next team."""
    week, village = visible_team(request.auth, week_id, village_id)
    handover = write_handover(actor=request.auth, week=week, village=village, notes=body.notes)
    handover.week = week
    return _handover_out(handover)
