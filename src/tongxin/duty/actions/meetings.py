"""The team's mornings in its village: the meeting log, each problem raised there filed as a case
on the duty-officer channel, and the follow-ups with the village's officials.

A problem is a case like any other (routed to its workgroup, answered by its handler); the duty
tables only say at which meeting it was heard. Who raised it lives on the case alone, and not
at all when the villager asks to stay anonymous.

The team's page and the API read a team's week through `read_team_week` at the end of the module,
so that both show the same lines with the same rule for names.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongxin.community.models import Organisation
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError
from tongxin.feedback.actions import submit_case
from tongxin.feedback.models import OPEN_STATUSES, Category, Channel, Privacy
from tongxin.feedback.permissions import can_enter_case_for_resident, can_see_reporter

from ..ledger import LedgerLine, team_ledger
from ..models import DutyTurn, FollowUp, MeetingProblem, MorningMeeting, RotaStatus, RotaWeek
from ..permissions import (
    can_keep_team_record,
    can_view_team_record,
    is_on_team,
    record_open,
    team_of,
    turns_of,
    week_window,
)
from .rota import require, villages_of

MAX_OFFICIALS = 300
MAX_PLACE = 200


@dataclass(frozen=True)
class ProblemIn:
    """A problem as the team heard it. Name and phone are dropped when the villager asks to stay
    anonymous: their wish wins over whatever was typed."""

    description: str
    category: Category
    privacy: str
    reporter_name: str = ""
    reporter_phone: str = ""
    address: str = ""
    urgent: bool = False


# ---------------------------------------------------------------------------------------------
# Meetings and problems


def log_morning_meeting(
    *,
    actor: Any,
    week: RotaWeek,
    village: Organisation,
    held_on: datetime.date,
    place: str = "",
    villagers_present: int = 0,
    officials_present: str = "",
    notes: str = "",
    problems: Sequence[ProblemIn] = (),
) -> MorningMeeting:
    """The morning's meeting, each problem raised filed as a case. A problem that cannot be filed
    refuses the whole meeting: nothing is kept until every problem can be."""
    week = _fresh(week)
    require(can_keep_team_record(actor, week, village))
    _check_team(week, village)
    _check_day(week, held_on)
    if villagers_present < 0:
        raise ActionError(_("The number of villagers who came cannot be negative."))
    place, officials_present = place.strip(), officials_present.strip()
    if len(place) > MAX_PLACE or len(officials_present) > MAX_OFFICIALS:
        raise ActionError(_("The place or the list of officials present is too long."))
    for number, problem in enumerate(problems, start=1):
        _check_problem(number, problem)
    if problems:
        _require_case_taker(actor, village)
    with transaction.atomic():
        if MorningMeeting.objects.filter(village=village, held_on=held_on).exists():
            raise _duplicate(village, held_on)
        meeting = MorningMeeting(
            week=week, village=village, held_on=held_on, place=place, villagers_present=villagers_present,
            officials_present=officials_present, notes=notes.strip(), recorded_by=_account(actor),
        )
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:  # logged at the same moment by a teammate
            raise _duplicate(village, held_on) from None
        filed = [_file_problem(actor, meeting, number, problem) for number, problem in enumerate(problems, start=1)]
        record_audit(
            actor=actor, verb="duty.meeting.log", target=meeting,
            data={
                "week": week.pk, "village": village.pk, "held_on": held_on.isoformat(),
                "villagers_present": villagers_present, "cases": [row.case.code for row in filed],
            },
        )
    return meeting


def add_problem(*, actor: Any, meeting: MorningMeeting, problem: ProblemIn) -> MeetingProblem:
    """A problem raised after the meeting that day, or remembered later, filed like the others."""
    meeting = MorningMeeting.objects.select_related("week__rota__organisation", "village").get(pk=meeting.pk)
    require(can_keep_team_record(actor, meeting.week, meeting.village))
    with transaction.atomic():
        # Two teammates adding at once still number their problems 1, 2, 3 …
        meeting = MorningMeeting.objects.select_for_update(of=("self",)).select_related("week__rota", "village").get(pk=meeting.pk)
        number = (meeting.problems.aggregate(last=Max("number"))["last"] or 0) + 1
        _check_problem(number, problem)
        _require_case_taker(actor, meeting.village)
        row = _file_problem(actor, meeting, number, problem)
        record_audit(
            actor=actor, verb="duty.problem.add", target=meeting,
            data={"number": number, "case": row.case.code},
        )
    return row


def _file_problem(actor: Any, meeting: MorningMeeting, number: int, problem: ProblemIn) -> MeetingProblem:
    anonymous = problem.privacy == Privacy.ANONYMOUS
    try:
        case = submit_case(
            actor=actor,
            channel=Channel.DUTY,
            category=problem.category,
            description=problem.description,
            organisation=meeting.village,
            privacy=problem.privacy,
            urgent=problem.urgent,
            reporter_name="" if anonymous else problem.reporter_name,
            reporter_phone="" if anonymous else problem.reporter_phone,
            address=problem.address,
        )
    except ActionError as error:
        raise ActionError(_("Problem %(number)d: %(message)s") % {"number": number, "message": error.message}) from None
    return MeetingProblem.objects.create(meeting=meeting, case=case, number=number)


def _check_problem(number: int, problem: ProblemIn) -> None:
    """The mistakes a team member can make on one problem, worded for them (not for the villager)."""
    if not problem.description.strip():
        raise ActionError(_("Problem %(number)d: describe what the villager raised.") % {"number": number})
    if problem.privacy not in Privacy.values:
        raise ActionError(_("Problem %(number)d: choose who may see the villager's name.") % {"number": number})
    if problem.privacy != Privacy.ANONYMOUS and not problem.reporter_name.strip():
        raise ActionError(
            _("Problem %(number)d: give the villager's name, or mark the problem anonymous if they ask.")
            % {"number": number}
        )


def _require_case_taker(actor: Any, village: Organisation) -> None:
    """The duty-officer role lasts the week only; a team member writing up afterwards is told why."""
    if not can_enter_case_for_resident(actor, village):
        raise ActionError(
            _("Your duty week is over, so problems can no longer be filed as cases in your name. "
              "Ask the organisation's administrator to add them."),
            status=403,
        )


def _check_team(week: RotaWeek, village: Organisation) -> None:
    if week.rota.status != RotaStatus.PUBLISHED:
        raise ActionError(_("This rota is not published yet: its teams have not started."), status=409)
    if village.pk not in {candidate.pk for candidate in villages_of(week.rota.organisation)}:
        raise ActionError(
            _("%(village)s is not one of the villages of %(organisation)s.")
            % {"village": village.display_name, "organisation": week.rota.organisation.display_name}
        )


def _check_day(week: RotaWeek, held_on: datetime.date) -> None:
    if not week.start <= held_on <= week.end:
        raise ActionError(
            _("The meeting must be held in the team's week, from %(start)s to %(end)s.")
            % {"start": _day(week.start), "end": _day(week.end)}
        )
    if held_on > timezone.localdate():
        raise ActionError(_("A meeting can only be logged once it has been held."))


def _duplicate(village: Organisation, held_on: datetime.date) -> ActionError:
    return ActionError(
        _("The morning meeting of %(village)s on %(day)s is logged already: add the problems to it.")
        % {"village": village.display_name, "day": _day(held_on)},
        status=409,
    )


# ---------------------------------------------------------------------------------------------
# Follow-ups


def can_follow_up(user: Any, problem: MeetingProblem) -> bool:
    """The team that heard the problem (and whoever keeps its record), or a later team of the
    same village whose ledger carries it over, while that team's record is open.

    (A permission kept here rather than in permissions.py: only this module needs it.)
    """
    meeting = problem.meeting
    if can_keep_team_record(user, meeting.week, meeting.village):
        return True
    return any(
        record_open(turn.week) and _carried_into(problem, turn.week) and is_on_team(user, turn.week, meeting.village)
        for turn in _later_turns(user, meeting)
    )


def _later_turns(user: Any, meeting: MorningMeeting) -> Any:
    """The user's turns after the meeting in the village (or floating over its organisation)."""
    return (
        turns_of(user)
        .filter(week__start__gt=meeting.held_on, week__start__lte=timezone.localdate())
        .filter(Q(village=meeting.village) | Q(village__isnull=True, week__rota__organisation=meeting.week.rota.organisation))
        .select_related("week__rota")
    )


def _carried_into(problem: MeetingProblem, week: RotaWeek) -> bool:
    """Whether `week`'s ledger carries the problem (see ledger.team_ledger)."""
    case = problem.case
    week_start, _week_end = week_window(week)
    return case.status in OPEN_STATUSES or (case.answered_at is not None and case.answered_at >= week_start)


def record_follow_up(
    *, actor: Any, problem: MeetingProblem, held_on: datetime.date, officials: str, outcome: str
) -> FollowUp:
    """The team took the problem to the village's officials: whom they met and what was agreed."""
    problem = MeetingProblem.objects.select_related("meeting__week__rota__organisation", "meeting__village", "case").get(pk=problem.pk)
    require(can_follow_up(actor, problem))
    officials, outcome = officials.strip(), outcome.strip()
    if not officials:
        raise ActionError(_("Say which officials you met."))
    if len(officials) > MAX_OFFICIALS:
        raise ActionError(_("The list of officials is longer than %(limit)d characters.") % {"limit": MAX_OFFICIALS})
    if not outcome:
        raise ActionError(_("Write what was agreed."))
    if held_on < problem.meeting.held_on:
        raise ActionError(
            _("A follow-up cannot come before the meeting where the problem was raised, on %(day)s.")
            % {"day": _day(problem.meeting.held_on)}
        )
    if held_on > timezone.localdate():
        raise ActionError(_("A follow-up can only be recorded once it has happened."))
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            problem=problem, held_on=held_on, officials=officials, outcome=outcome, recorded_by=_account(actor)
        )
        record_audit(
            actor=actor, verb="duty.follow_up.record", target=problem.meeting,
            data={
                "follow_up": follow_up.pk, "case": problem.case.code, "held_on": held_on.isoformat(),
                "same_day": held_on == problem.meeting.held_on,
            },
        )
    return follow_up


def followed_up_same_day(problem: MeetingProblem, follow_ups: Iterable[FollowUp] | None = None) -> bool:
    """Whether the team took the problem to the officials the day it was raised (the rule).

    Pass the problem's follow-ups when they are at hand (the ledger has them) to save a query.
    """
    follow_ups = problem.follow_ups.all() if follow_ups is None else follow_ups
    return any(follow_up.held_on == problem.meeting.held_on for follow_up in follow_ups)


# ---------------------------------------------------------------------------------------------
# Reading a team's week: the team page and the API show the same things, from here.


def visible_meeting(user: Any, pk: int) -> MorningMeeting:
    meeting = get_object_or_404(MorningMeeting.objects.select_related("week__rota__organisation", "village"), pk=pk)
    if not can_view_team_record(user, meeting.week, meeting.village):
        raise Http404
    return meeting


def visible_problem(user: Any, pk: int) -> MeetingProblem:
    """A problem whose team record the user reads, or which they may follow up (a later team)."""
    problem = get_object_or_404(
        MeetingProblem.objects.select_related("meeting__week__rota__organisation", "meeting__village", "case__category"), pk=pk
    )
    meeting = problem.meeting
    if not can_view_team_record(user, meeting.week, meeting.village) and not can_follow_up(user, problem):
        raise Http404
    return problem


@dataclass
class LedgerRow:
    line: LedgerLine
    same_day: bool
    reporter: str  # "" unless the reader may see who raised it

    @property
    def followed_up(self) -> bool:
        return bool(self.line.follow_ups)


@dataclass(frozen=True)
class Counts:
    heard: int  # this week
    carried_over: int
    answered: int
    still_open: int


@dataclass
class TeamWeek:
    members: list[DutyTurn]
    meetings: list[MorningMeeting]  # each with `problem_count`
    rows: list[LedgerRow]
    counts: Counts


def read_team_week(user: Any, week: RotaWeek, village: Organisation) -> TeamWeek:
    """The team, its meetings and its ledger as `user` may read them, in a fixed number of queries."""
    lines = team_ledger(week, village)
    return TeamWeek(
        members=team_members(week, village),
        meetings=list(
            MorningMeeting.objects.filter(week=week, village=village)
            .annotate(problem_count=Count("problems"))
            .order_by("held_on", "pk")
        ),
        rows=ledger_rows(user, lines),
        counts=Counts(
            heard=sum(not line.carried_over for line in lines),
            carried_over=sum(line.carried_over for line in lines),
            answered=sum(not line.is_open for line in lines),
            still_open=sum(line.is_open for line in lines),
        ),
    )


def team_members(week: RotaWeek, village: Organisation) -> list[DutyTurn]:
    """The village's secretaries of the week, then the week's troubleshooters."""
    turns = team_of(week, village).select_related("volunteer__person")
    return sorted(turns, key=lambda turn: (turn.is_troubleshooter, turn.volunteer.person.name, turn.pk))


def meeting_ledger(meeting: MorningMeeting) -> list[LedgerLine]:
    """The problems of one meeting, as ledger lines."""
    problems = (
        meeting.problems.select_related("meeting", "case__category", "case__assigned_to")
        .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("held_on", "pk")))
        .order_by("number")
    )
    return [LedgerLine(problem, carried_over=False, follow_ups=list(problem.follow_ups.all())) for problem in problems]


def ledger_rows(user: Any, lines: list[LedgerLine]) -> list[LedgerRow]:
    """The ledger as a reader sees it: who raised a problem only where the feedback app lets them."""
    _load_case_places(lines)
    return [
        LedgerRow(
            line,
            same_day=followed_up_same_day(line.problem, line.follow_ups),
            reporter=line.case.reporter_name if can_see_reporter(user, line.case) else "",
        )
        for line in lines
    ]


def _load_case_places(lines: list[LedgerLine]) -> None:
    """The cases' places and escalation offices in one query: `can_see_reporter` reads them."""
    cases = [line.case for line in lines]
    if not cases:
        return
    wanted = {case.organisation_id for case in cases} | ({case.escalated_to_id for case in cases} - {None})
    places = Organisation.objects.in_bulk(wanted)
    for case in cases:
        case.organisation = places[case.organisation_id]
        if case.escalated_to_id is not None:
            case.escalated_to = places[case.escalated_to_id]


# ---------------------------------------------------------------------------------------------
# Helpers


def _fresh(week: RotaWeek) -> RotaWeek:
    """The week as stored now: whether its rota is published decides who may write."""
    return RotaWeek.objects.select_related("rota__organisation").get(pk=week.pk)


def _account(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")
