"""A village team's ledger: every problem heard at its morning meetings, with its case and
follow-ups, and the problems of earlier teams in the village still open when its week began
(carried over to it without anyone copying them).

The ledger page, the weekly bulletin, the handover and the statistics all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from tongxin.community.models import Organisation
from tongxin.feedback.models import OPEN_STATUSES, Case

from .models import FollowUp, MeetingProblem, RotaWeek
from .permissions import week_window


@dataclass
class LedgerLine:
    problem: MeetingProblem
    carried_over: bool  # raised by an earlier team of the village
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def case(self) -> Case:
        return self.problem.case

    @property
    def is_open(self) -> bool:
        return self.problem.case.status in OPEN_STATUSES


def _problems() -> object:
    return MeetingProblem.objects.select_related(
        "meeting__week__rota", "case__category", "case__assigned_to", "case__organisation"
    ).prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("held_on", "pk")))


def team_ledger(week: RotaWeek, village: Organisation) -> list[LedgerLine]:
    """Problems carried over (oldest first), then this week's in the order they were heard.

    Carried over: raised in the village before this week and, at the week's start, not yet
    answered (open now, or answered since the week began).
    """
    week_start, _week_end = week_window(week)
    earlier = (
        _problems()
        .filter(meeting__village=village, meeting__held_on__lt=week.start)
        .filter(Q(case__status__in=OPEN_STATUSES) | Q(case__answered_at__gte=week_start))
        .order_by("meeting__held_on", "number")
    )
    this_week = _problems().filter(meeting__village=village, meeting__week=week).order_by("meeting__held_on", "number")
    lines = [LedgerLine(problem, carried_over=True) for problem in earlier]
    lines += [LedgerLine(problem, carried_over=False) for problem in this_week]
    for line in lines:
        line.follow_ups = list(line.problem.follow_ups.all())
    return lines
