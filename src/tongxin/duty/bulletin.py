"""A village's weekly public bulletin: the team on duty, its tasks and their progress, the problems
heard at the morning meetings and those carried over, the meetings held, and the next week's team.

The page, the kiosk, the A4 poster and the API all show one `Bulletin`, built here from a
whitelist of fields: a problem reaches them as a `PublicProblem`, so no reporter's name, phone or
account can reach a public screen by a slip in a template. A published rota is public, so the
volunteers' names are too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.community.models import Level, Organisation, kinds_at_level
from tongxin.core.errors import ActionError
from tongxin.core.i18n import join_list
from tongxin.feedback.models import Status

from .ledger import LedgerLine, team_ledger
from .models import MorningMeeting, RotaStatus, RotaWeek, WeeklyTask
from .permissions import team_of

VILLAGE_KINDS = frozenset(kinds_at_level(Level.VILLAGE))
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(9000, 12, 31)


@dataclass(frozen=True)
class PublicProblem:
    """A problem as the public may read it: never who raised it."""

    title: str
    category: str
    status: str
    answer: str
    heard_on: datetime.date
    is_open: bool
    on_the_board: bool  # False: the case is kept off the public board, only this neutral line shows


@dataclass(frozen=True)
class TaskLine:
    title: str
    progress: str
    done: bool


@dataclass(frozen=True)
class MeetingLine:
    held_on: datetime.date
    place: str
    villagers: int


@dataclass(frozen=True)
class Counts:
    heard: int  # at this week's meetings
    carried_over: int  # from earlier teams, still open when the week began
    answered: int  # of both, no longer waiting for an answer
    still_open: int


@dataclass(frozen=True)
class Team:
    week: RotaWeek
    names: list[str]
    troubleshooters: list[str]

    @property
    def listed_names(self) -> str:
        return join_list(self.names)

    @property
    def listed_troubleshooters(self) -> str:
        return join_list(self.troubleshooters)


@dataclass(frozen=True)
class Bulletin:
    village: Organisation
    team: Team
    tasks: list[TaskLine]
    heard: list[PublicProblem]
    carried_over: list[PublicProblem]
    counts: Counts
    meetings: list[MeetingLine]
    village_url: str
    next_team: Team | None
    previous_week: datetime.date | None  # the start of the village's previous published week
    next_week: datetime.date | None

    @property
    def week(self) -> RotaWeek:
        return self.team.week


def day_asked(week: str | None) -> datetime.date:
    """The day a reader asks for with `?week=YYYY-MM-DD` (any day of the week); today without."""
    if not week:
        return timezone.localdate()
    try:
        day = datetime.date.fromisoformat(week)
    except ValueError:
        day = None
    # Years no rota will ever cover: weeks around them would run off the calendar's ends.
    if day is None or not EARLIEST <= day <= LATEST:
        raise ActionError(_("“%(value)s” is not a date: write the week as a day in it, YYYY-MM-DD.") % {"value": week[:20]})
    return day


def is_village(organisation: Organisation) -> bool:
    return organisation.kind in VILLAGE_KINDS


def _published_weeks_of(village: Organisation) -> QuerySet[RotaWeek]:
    """Weeks of published rotas of the village's organisation chain (its town, its city, ...)."""
    chain = [*village.ancestor_ids, village.pk]
    return RotaWeek.objects.filter(rota__status=RotaStatus.PUBLISHED, rota__organisation_id__in=chain).select_related("rota")


def week_covering(village: Organisation, day: datetime.date) -> RotaWeek | None:
    """The village's published rota week in which `day` falls; the latest published rota wins
    when two overlap."""
    weeks = _published_weeks_of(village).filter(start__lte=day, start__gt=day - datetime.timedelta(days=7))
    return weeks.order_by("-rota__published_at", "-rota_id").first()


def weekly_bulletin(village: Organisation, day: datetime.date) -> Bulletin | None:
    """The bulletin of the published rota week covering `day`; None when no published rota does."""
    week = week_covering(village, day)
    if week is None:
        return None
    lines = team_ledger(week, village)
    heard = [public_problem(line) for line in lines if not line.carried_over]
    carried = [public_problem(line) for line in lines if line.carried_over]
    still_open = sum(1 for line in lines if line.is_open)
    next_week = week_covering(village, week.end + datetime.timedelta(days=1))
    return Bulletin(
        village=village,
        team=team(week, village),
        tasks=[
            TaskLine(title=task.title, progress=task.progress, done=task.done)
            for task in WeeklyTask.objects.filter(week=week, village=village).order_by("pk")
        ],
        heard=heard,
        carried_over=carried,
        counts=Counts(heard=len(heard), carried_over=len(carried), answered=len(lines) - still_open, still_open=still_open),
        meetings=[
            MeetingLine(held_on=meeting.held_on, place=meeting.place, villagers=meeting.villagers_present)
            for meeting in MorningMeeting.objects.filter(week=week, village=village).order_by("held_on", "pk")
        ],
        village_url=village.get_absolute_url(),
        next_team=team(next_week, village) if next_week is not None else None,
        previous_week=_neighbour(village, week, later=False),
        next_week=_neighbour(village, week, later=True),
    )


def team(week: RotaWeek, village: Organisation) -> Team:
    """The village's volunteers of the week and the week's troubleshooters, by name."""
    members = list(team_of(week, village).select_related("volunteer__person").order_by("pk"))
    return Team(
        week=week,
        names=[turn.volunteer.person.display_name for turn in members if turn.village_id is not None],
        troubleshooters=[turn.volunteer.person.display_name for turn in members if turn.village_id is None],
    )


def public_problem(line: LedgerLine) -> PublicProblem:
    """The public line of a ledger problem: the case's headline, category and answer only if the
    case is on the public board (its status either way); a declined case's reason is public like
    an answer."""
    case = line.case
    heard_on = line.problem.meeting.held_on
    on_the_board = case.published and case.status != Status.MERGED
    if not on_the_board:
        return PublicProblem(
            title=_("A problem kept off the public board"), category="", status=case.get_status_display(), answer="",
            heard_on=heard_on, is_open=line.is_open, on_the_board=False,
        )
    answered = case.answered_at is not None or case.status == Status.DECLINED
    return PublicProblem(
        title=case.title,
        category=case.category.display_name,
        status=case.get_status_display(),
        answer=case.answer if answered else "",
        heard_on=heard_on,
        is_open=line.is_open,
        on_the_board=True,
    )


def _neighbour(village: Organisation, week: RotaWeek, *, later: bool) -> datetime.date | None:
    """The start of the village's nearest published week before or after this one."""
    weeks = _published_weeks_of(village)
    if later:
        found = weeks.filter(start__gt=week.start).order_by("start").values_list("start", flat=True).first()
    else:
        found = weeks.filter(start__lt=week.start).order_by("-start").values_list("start", flat=True).first()
    return found
