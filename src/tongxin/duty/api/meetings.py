"""The team's week as JSON: its ledger, logging a morning meeting with its problems, adding a
problem, recording a follow-up. The same actions and the same reading as the team's page."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from tongxin.core.api import error_responses
from tongxin.core.errors import ActionError
from tongxin.feedback.models import Category, Privacy

from ..actions.meetings import (
    LedgerRow,
    ProblemIn,
    add_problem,
    followed_up_same_day,
    log_morning_meeting,
    read_team_week,
    record_follow_up,
    visible_meeting,
    visible_problem,
)
from ..models import FollowUp, MeetingProblem, MorningMeeting
from ..permissions import visible_team

router = Router()


# -- What comes in ----------------------------------------------------------------------------


class ProblemBody(Schema):
    description: str
    category: str = Field(description="The category's code, e.g. “roads”.")
    privacy: str = Field(
        Privacy.HIDDEN, description="“public”, “hidden” (the name kept from the public) or “anonymous” (no name or phone kept)."
    )
    reporter_name: str = Field("", description="Required unless anonymous; dropped for an anonymous problem.")
    reporter_phone: str = Field("", description="Dropped for an anonymous problem.")
    address: str = ""
    urgent: bool = False


class MeetingIn(Schema):
    held_on: datetime.date
    place: str = ""
    villagers_present: int = 0
    officials_present: str = ""
    notes: str = ""
    problems: list[ProblemBody] = Field(default_factory=list, description="Each becomes a case on the duty-officer channel.")


class FollowUpIn(Schema):
    held_on: datetime.date
    officials: str
    outcome: str


# -- What goes out ----------------------------------------------------------------------------


class FollowUpOut(Schema):
    id: int
    held_on: datetime.date
    officials: str
    outcome: str


class FiledProblemOut(Schema):
    id: int
    meeting: int
    number: int
    case: str = Field(description="The case's tracking code.")
    status: str


class MeetingOut(Schema):
    id: int
    week: int
    village: int
    held_on: datetime.date
    place: str
    villagers_present: int
    officials_present: str
    notes: str
    problems: list[FiledProblemOut]


class FollowUpRecordedOut(FollowUpOut):
    problem: int
    same_day: bool = Field(description="Followed up the day the problem was raised.")


class MemberOut(Schema):
    volunteer: int
    name: str
    troubleshooter: bool


class MeetingSummaryOut(Schema):
    id: int
    held_on: datetime.date
    place: str
    villagers_present: int
    officials_present: str
    problems: int


class LedgerLineOut(Schema):
    id: int = Field(description="The problem: follow-ups are recorded against it.")
    meeting: int
    raised_on: datetime.date
    number: int
    case: str = Field(description="The case's tracking code.")
    title: str
    category: str
    status: str
    assigned_to: str | None = Field(description="The workgroup that answers it.")
    reporter_name: str | None = Field(description="Only for readers who may see it; never for an anonymous problem.")
    carried_over: bool = Field(description="Raised by an earlier team of the village, still open when this week began.")
    same_day: bool = Field(description="Followed up the day it was raised.")
    answer: str | None
    follow_ups: list[FollowUpOut]


class CountsOut(Schema):
    heard: int = Field(description="Problems heard this week.")
    carried_over: int
    answered: int
    still_open: int


class LedgerOut(Schema):
    week: int
    week_start: datetime.date
    village: int
    village_name: str
    team: list[MemberOut]
    meetings: list[MeetingSummaryOut]
    lines: list[LedgerLineOut]
    counts: CountsOut


def _follow_up_out(follow_up: FollowUp) -> dict[str, Any]:
    return {"id": follow_up.pk, "held_on": follow_up.held_on, "officials": follow_up.officials, "outcome": follow_up.outcome}


def _line_out(row: LedgerRow) -> dict[str, Any]:
    problem, case = row.line.problem, row.line.case
    return {
        "id": problem.pk, "meeting": problem.meeting_id, "raised_on": problem.meeting.held_on, "number": problem.number,
        "case": case.code, "title": case.title, "category": case.category.code, "status": case.status,
        "assigned_to": case.assigned_to.display_name if case.assigned_to_id else None,
        "reporter_name": row.reporter or None, "carried_over": row.line.carried_over, "same_day": row.same_day,
        "answer": case.answer if case.answer and not case.is_open else None,
        "follow_ups": [_follow_up_out(follow_up) for follow_up in row.line.follow_ups],
    }


def _filed_out(problem: MeetingProblem) -> dict[str, Any]:
    return {"id": problem.pk, "meeting": problem.meeting_id, "number": problem.number, "case": problem.case.code, "status": problem.case.status}


def _meeting_out(meeting: MorningMeeting) -> dict[str, Any]:
    return {
        "id": meeting.pk, "week": meeting.week_id, "village": meeting.village_id, "held_on": meeting.held_on,
        "place": meeting.place, "villagers_present": meeting.villagers_present,
        "officials_present": meeting.officials_present, "notes": meeting.notes,
        "problems": [_filed_out(problem) for problem in meeting.problems.select_related("case").order_by("number")],
    }


def _problem_in(number: int, body: ProblemBody, categories: dict[str, Category]) -> ProblemIn:
    category = categories.get(body.category)
    if category is None:
        raise ActionError(_("Problem %(number)d: there is no category “%(code)s”.") % {"number": number, "code": body.category})
    return ProblemIn(
        description=body.description, category=category, privacy=body.privacy, reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone, address=body.address, urgent=body.urgent,
    )


def _categories(bodies: list[ProblemBody]) -> dict[str, Category]:
    return Category.objects.in_bulk({body.category for body in bodies}, field_name="code")


# -- Endpoints --------------------------------------------------------------------------------


@router.get("/duty/weeks/{week_id}/villages/{village_id}/ledger", response={200: LedgerOut, **error_responses(404)})
def get_ledger(request: HttpRequest, week_id: int, village_id: int) -> Any:
    """A team's week: who serves, the meetings held and the ledger (problems carried over first),
    for the team, later teams of the village, the organisation's admins and the village's staff."""
    week, village = visible_team(request.auth, week_id, village_id)
    team = read_team_week(request.auth, week, village)
    return {
        "week": week.pk, "week_start": week.start, "village": village.pk, "village_name": village.display_name,
        "team": [
            {"volunteer": turn.volunteer_id, "name": turn.volunteer.person.display_name, "troubleshooter": turn.is_troubleshooter}
            for turn in team.members
        ],
        "meetings": [
            {
                "id": meeting.pk, "held_on": meeting.held_on, "place": meeting.place,
                "villagers_present": meeting.villagers_present, "officials_present": meeting.officials_present,
                "problems": meeting.problem_count,
            }
            for meeting in team.meetings
        ],
        "lines": [_line_out(row) for row in team.rows],
        "counts": vars(team.counts),
    }


@router.post(
    "/duty/weeks/{week_id}/villages/{village_id}/meetings",
    response={201: MeetingOut, **error_responses(400, 403, 404, 409)},
)
def post_meeting(request: HttpRequest, week_id: int, village_id: int, body: MeetingIn) -> Any:
    """Log a morning meeting; each problem raised becomes a case. One bad problem refuses the whole meeting."""
    week, village = visible_team(request.auth, week_id, village_id)
    categories = _categories(body.problems)
    meeting = log_morning_meeting(
        actor=request.auth, week=week, village=village, held_on=body.held_on, place=body.place,
        villagers_present=body.villagers_present, officials_present=body.officials_present, notes=body.notes,
        problems=[_problem_in(number, problem, categories) for number, problem in enumerate(body.problems, start=1)],
    )
    return Status(201, _meeting_out(meeting))


@router.post("/duty/meetings/{pk}/problems", response={201: FiledProblemOut, **error_responses(400, 403, 404)})
def post_problem(request: HttpRequest, pk: int, body: ProblemBody) -> Any:
    """A problem raised after the meeting, or remembered later, filed as a case like the others."""
    meeting = visible_meeting(request.auth, pk)
    number = meeting.problems.count() + 1  # only for wording a bad category
    problem = add_problem(actor=request.auth, meeting=meeting, problem=_problem_in(number, body, _categories([body])))
    return Status(201, _filed_out(problem))


@router.post("/duty/problems/{pk}/follow-ups", response={201: FollowUpRecordedOut, **error_responses(400, 403, 404)})
def post_follow_up(request: HttpRequest, pk: int, body: FollowUpIn) -> Any:
    """The team took the problem to the village's officials: whom they met, what was agreed."""
    problem = visible_problem(request.auth, pk)
    follow_up = record_follow_up(actor=request.auth, problem=problem, held_on=body.held_on, officials=body.officials, outcome=body.outcome)
    return Status(
        201,
        _follow_up_out(follow_up) | {"problem": problem.pk, "same_day": followed_up_same_day(problem, [follow_up])},
    )
