"""What the duty rota has done: per volunteer and per team (a week × a village), the turns served,
the problems heard at the morning meetings and how many are solved, the diary days written.

Seven queries whatever the size of the pool and the number of weeks: the database counts per
team, and the volunteers' figures are sums of their teams' figures.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tongxin.community.models import Organisation
from tongxin.feedback.models import OPEN_STATUSES, Status

from .models import DutyTurn, MeetingProblem, MorningMeeting, RotaStatus, RotaWeek, Volunteer

SOLVED = Q(case__status__in=[Status.ANSWERED, Status.CLOSED]) | Q(case__solved=True)
STILL_OPEN = Q(case__status__in=OPEN_STATUSES)


@dataclass
class Problems:
    heard: int = 0
    solved: int = 0
    open: int = 0
    same_day: int = 0  # followed up with the village's officials the day they were heard

    def add(self, other: Problems) -> None:
        self.heard += other.heard
        self.solved += other.solved
        self.open += other.open
        self.same_day += other.same_day


@dataclass
class VolunteerFigures:
    volunteer: Volunteer
    served: int = 0  # turns whose week has started
    troubleshooter: int = 0  # of those served, as the week's troubleshooter
    to_come: int = 0  # turns whose week has not started, whatever the range
    problems: Problems = field(default_factory=Problems)
    diary_days: int = 0


@dataclass
class TeamFigures:
    week: RotaWeek
    village: Organisation
    members: list[Volunteer] = field(default_factory=list)  # the village's team, troubleshooters aside
    meetings: int = 0
    villagers: int = 0  # the sum of villagers who came to the meetings
    problems: Problems = field(default_factory=Problems)
    diary_days: int = 0


@dataclass
class DutyStatistics:
    organisation: Organisation
    start: datetime.date | None
    end: datetime.date
    volunteers: list[VolunteerFigures]
    teams: list[TeamFigures]


def duty_statistics(
    organisation: Organisation, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> DutyStatistics:
    """The organisation's figures over the weeks of its published rotas that start between
    `start` (from the first week when None) and `end` (today when None) and have started."""
    today = timezone.localdate()
    end = end or today
    last = min(end, today)
    weeks = {week.pk: week for week in RotaWeek.objects.filter(_weeks(organisation, start, last))}
    turns = list(
        DutyTurn.objects.filter(_weeks(organisation, start, last, "week__"))
        .annotate(diary_days=Count("diary"))
        .values_list("volunteer_id", "week_id", "village_id", "diary_days")
    )
    to_come = dict(
        DutyTurn.objects.filter(
            week__rota__organisation=organisation, week__rota__status=RotaStatus.PUBLISHED, week__start__gt=today
        ).values_list("volunteer_id").annotate(count=Count("pk")).values_list("volunteer_id", "count")
    )
    team_problems = _team_problems(_weeks(organisation, start, last, "meeting__week__"))
    team_meetings = {
        (row["week_id"], row["village_id"]): row
        for row in MorningMeeting.objects.filter(_weeks(organisation, start, last, "week__")).values("week_id", "village_id").annotate(
            meetings=Count("pk"), villagers=Sum("villagers_present")
        )
    }
    volunteer_ids = {volunteer_id for volunteer_id, *_rest in turns} | set(to_come)
    pool = Volunteer.objects.of(organisation).filter(Q(active=True) | Q(pk__in=volunteer_ids)).select_related("person", "home_village")
    figures = {volunteer.pk: VolunteerFigures(volunteer, to_come=to_come.get(volunteer.pk, 0)) for volunteer in pool}

    week_problems: dict[int, Problems] = defaultdict(Problems)
    for (week_id, _village_id), problems in team_problems.items():
        week_problems[week_id].add(problems)
    team_keys = {(week_id, village_id) for _volunteer, week_id, village_id, _days in turns if village_id is not None}
    team_keys |= set(team_problems) | set(team_meetings)
    villages = Organisation.objects.in_bulk({village_id for _week, village_id in team_keys})
    teams = {
        key: TeamFigures(
            weeks[key[0]], villages[key[1]], meetings=team_meetings.get(key, {}).get("meetings", 0),
            villagers=team_meetings.get(key, {}).get("villagers") or 0, problems=team_problems.get(key, Problems()),
        )
        for key in team_keys
    }
    for volunteer_id, week_id, village_id, diary_days in turns:
        mine = figures[volunteer_id]
        mine.served += 1
        mine.troubleshooter += village_id is None
        mine.diary_days += diary_days
        mine.problems.add(week_problems[week_id] if village_id is None else team_problems.get((week_id, village_id), Problems()))
        if village_id is not None:
            teams[(week_id, village_id)].members.append(mine.volunteer)
            teams[(week_id, village_id)].diary_days += diary_days
    for team in teams.values():
        team.members.sort(key=lambda volunteer: (volunteer.person.name, volunteer.pk))
    return DutyStatistics(
        organisation=organisation,
        start=start,
        end=end,
        volunteers=sorted(figures.values(), key=lambda row: (row.volunteer.person.name, row.volunteer.pk)),
        teams=sorted(teams.values(), key=lambda team: (team.week.start, team.village.path)),
    )


def _team_problems(in_range: Q) -> dict[tuple[int, int], Problems]:
    """Per (week, village): the problems heard, solved, still open and followed up the same day."""
    rows = (
        MeetingProblem.objects.filter(in_range)
        .values("meeting__week_id", "meeting__village_id")
        .annotate(
            heard=Count("pk", distinct=True),
            solved=Count("pk", filter=SOLVED, distinct=True),
            open=Count("pk", filter=STILL_OPEN, distinct=True),
            same_day=Count("pk", filter=Q(follow_ups__held_on=F("meeting__held_on")), distinct=True),
        )
    )
    return {
        (row["meeting__week_id"], row["meeting__village_id"]): Problems(row["heard"], row["solved"], row["open"], row["same_day"])
        for row in rows
    }


def _weeks(organisation: Organisation, start: datetime.date | None, last: datetime.date, prefix: str = "") -> Q:
    """The weeks counted, as seen from a model `prefix` away from RotaWeek."""
    condition = Q(**{
        f"{prefix}rota__organisation": organisation, f"{prefix}rota__status": RotaStatus.PUBLISHED, f"{prefix}start__lte": last,
    })
    return condition & Q(**{f"{prefix}start__gte": start}) if start is not None else condition
