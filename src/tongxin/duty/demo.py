"""The demo town's duty rota, built through the duty actions.

- Baishuiyang's pool: thirty-six full party members of its three villages, the older half marked
  experienced (the retired members the Nanjing source describes).
- A quarter's rota (13 weeks, teams of three, one floating troubleshooter) that began two weeks
  ago, published; the `duty-officer` demo login serves on a village's team this week.
- The weeks lived so far: morning meetings whose problems became cases (some answered), the
  same-day follow-ups, the tasks on each village's bulletin, diaries and handovers.

Running it again on a town that has a rota adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.community.models import Organisation, PartyStatus, Person
from tongxin.feedback.actions import answer_case
from tongxin.feedback.models import Case, Category, Privacy

from .actions.diary import write_diary
from .actions.handover import write_handover
from .actions.meetings import ProblemIn, log_morning_meeting, record_follow_up
from .actions.rota import add_volunteer, candidates_for, override_turn, plan_rota, publish_rota
from .actions.tasks import set_task, update_task
from .models import DutyTurn, Rota, RotaStatus, RotaWeek, Volunteer

ADMIN_LOGIN = "town-admin"
DUTY_LOGIN = "duty-officer"
POOL_SIZE = 36
WEEKS = 13
WEEKS_LIVED = 2  # the rota began this many weeks before this week
HANDLERS = {"溪口村": "xikou-handler", "双港村": "shuanggang-handler", "朱家岙村": "zhujiaao-handler"}

# What villagers raise at the morning meetings: (category, what was said, answered by the village).
PROBLEMS = (
    ("roads", "村东石板桥栏杆松动，老人小孩过桥很危险", "村委会已请施工队加固栏杆，周五完工。"),
    ("street_lights", "村委会门口到小学的路灯坏了三盏，晚上接孩子看不清路", "已更换三盏路灯，并安排每月检查一次。"),
    ("sanitation", "河边垃圾点三天没人清运，气味很大", "保洁员已清运，改为每天清运一次。"),
    ("elderly_care", "独居老人张大爷腿脚不便，想请人帮忙代买药品", ""),
    ("water", "自来水这几天发黄，烧开后有沉淀", "供水站已冲洗管网，水质检测合格。"),
    ("village_affairs", "去年修路的账目还没有公开，村民想看明细", ""),
    ("parking", "小学门口放学时车辆乱停，堵住了消防通道", "村里已划定临时停车区，并请志愿者放学时引导。"),
    ("greenery", "村口大樟树有枯枝，台风天怕砸到人", ""),
    ("neighbour_disputes", "两户人家因宅基地边界的围墙起了争执，想请村里调解", ""),
    ("public_safety", "废弃鱼塘边没有护栏，孩子常去玩水", "已加装护栏和警示牌。"),
)
RAISED_BY = ("王秀英", "李建华", "陈阿婆", "周志明")  # kept on the cases only, hidden from the public
TASKS = (
    ("走访独居老人和困难家庭", "已走访12户，记录需求5条"),
    ("检查河道和山塘安全隐患", "已检查3处，1处需加装护栏，已报村委会"),
    ("宣传垃圾分类和秸秆禁烧", "已在晨会和村广播宣传两次"),
)


@dataclass
class DutySummary:
    volunteers: int
    weeks: int
    turns: int


def build_demo_duty(*, town: Organisation, rng: random.Random) -> DutySummary:
    """Add the pool, the published rota and its weeks lived, unless the town has a rota."""
    if not Rota.objects.of(town).exists() and User.objects.filter(username=ADMIN_LOGIN).exists():
        admin = User.objects.get(username=ADMIN_LOGIN)
        _pool(town, admin, rng)
        monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
        rota = plan_rota(
            actor=admin, organisation=town, start=monday - datetime.timedelta(weeks=WEEKS_LIVED), weeks=WEEKS,
            team_size=3, troubleshooters=1,
        )
        _duty_login_serves_this_week(rota, admin)
        publish_rota(actor=admin, rota=rota)
        _weeks_lived(rota, admin, rng)
    return DutySummary(
        volunteers=Volunteer.objects.of(town).active().count(),
        weeks=sum(Rota.objects.of(town).filter(status=RotaStatus.PUBLISHED).values_list("weeks", flat=True)),
        turns=DutyTurn.objects.filter(week__rota__organisation=town).count(),
    )


def _pool(town: Organisation, admin: User, rng: random.Random) -> list[Volunteer]:
    """The eldest full members of the town's villages (and the duty-officer login's person)."""
    members = list(
        Person.objects.filter(home__path__startswith=town.path, party_status=PartyStatus.FULL, birth_year__isnull=False)
        .order_by("birth_year", "pk")[:POOL_SIZE]
    )
    duty_person = Person.objects.filter(user__username=DUTY_LOGIN).first()
    if duty_person is not None and duty_person not in members:
        members[-1] = duty_person
    joined = timezone.localdate() - datetime.timedelta(days=400)
    volunteers = []
    for rank, person in enumerate(members):
        volunteers.append(
            add_volunteer(
                actor=admin, organisation=town, person=person, experienced=rank < len(members) // 2,
                joined_on=joined + datetime.timedelta(days=rng.randrange(300)),
            )
        )
    return volunteers


def _duty_login_serves_this_week(rota: Rota, admin: User) -> None:
    """The demo's duty officer is on a village's team this week, so their pages have a week to show."""
    volunteer = Volunteer.objects.filter(organisation=rota.organisation, person__user__username=DUTY_LOGIN).first()
    week = rota.rota_weeks.get(number=WEEKS_LIVED + 1)
    if volunteer is None or DutyTurn.objects.filter(week=week, volunteer=volunteer, village__isnull=False).exists():
        return
    # First free them from this week and the weeks either side (nobody serves two weeks running).
    nearby = DutyTurn.objects.filter(week__rota=rota, volunteer=volunteer, week__number__range=(week.number - 1, week.number + 1))
    for turn in nearby.select_related("week", "village"):
        stand_in = next(
            (candidate.volunteer for candidate in candidates_for(rota, turn.week, turn.village)
             if candidate.volunteer != volunteer),
            None,
        )
        if stand_in is None:
            return
        override_turn(actor=admin, turn=turn, volunteer=stand_in)
    for turn in DutyTurn.objects.filter(week=week, village__isnull=False).select_related("village", "week").order_by("pk"):
        if any(candidate.volunteer == volunteer for candidate in candidates_for(rota, week, turn.village)):
            override_turn(actor=admin, turn=turn, volunteer=volunteer)
            return


# --- The weeks lived so far ------------------------------------------------------------------


def _weeks_lived(rota: Rota, admin: User, rng: random.Random) -> None:
    """Each village's weeks up to today: tasks, the morning meetings with their problems (filed
    as cases, most followed up the same day, some answered), diaries and the handovers."""
    today = timezone.localdate()
    problems = iter(PROBLEMS * 3)
    categories = {category.code: category for category in Category.objects.all()}
    villages = list(DutyTurn.objects.filter(week__rota=rota, village__isnull=False).values_list("village", flat=True).distinct())
    for week in rota.rota_weeks.filter(start__lte=today).order_by("number"):
        for village in Organisation.objects.filter(pk__in=villages).order_by("path"):
            _village_week(week, village, admin, problems, categories, rng, today)
            if week.end < today:
                write_handover(
                    actor=admin, week=week, village=village,
                    notes="本周问题已全部转村委会办理，未办结的请下一组继续跟进；张大爷代购药品的事请每周问一次。",
                )
    _duty_login_diary(rota, today)


def _village_week(
    week: RotaWeek, village: Organisation, admin: User, problems: object, categories: dict[str, Category],
    rng: random.Random, today: datetime.date,
) -> None:
    for title, progress in TASKS[: 2 + rng.randrange(2)]:
        task = set_task(actor=admin, week=week, village=village, title=title)
        if week.end < today or rng.random() < 0.5:
            update_task(actor=admin, task=task, progress=progress, done=week.end < today)
    for offset in (0, 2):  # Monday's and Wednesday's meetings
        day = week.start + datetime.timedelta(days=offset)
        if day > today:
            return
        heard = [next(problems) for _ in range(1 + rng.randrange(2))]  # type: ignore[call-overload]
        meeting = log_morning_meeting(
            actor=_recorder(week, village, admin), week=week, village=village, held_on=day, place="村委会议室",
            villagers_present=6 + rng.randrange(15), officials_present="村委会主任",
            problems=[
                ProblemIn(
                    description=text, category=categories[code],
                    privacy=Privacy.ANONYMOUS if index % 3 == 2 else Privacy.HIDDEN,
                    reporter_name="" if index % 3 == 2 else RAISED_BY[(day.toordinal() + index) % len(RAISED_BY)],
                )
                for index, (code, text, _answer) in enumerate(heard)
            ],
        )
        for problem, (_code, _text, answer) in zip(meeting.problems.select_related("case"), heard, strict=True):
            _follow(problem, day, admin, answer, today)


def _follow(problem: object, day: datetime.date, admin: User, answer: str, today: datetime.date) -> None:
    """Followed up the same day; answered by the village's handler two days on, if that has come."""
    record_follow_up(actor=admin, problem=problem, held_on=day, officials="村委会主任", outcome="村委会已登记，安排专人办理。")
    case = problem.case  # type: ignore[attr-defined]
    moment = datetime.datetime.combine(day, datetime.time(9), tzinfo=timezone.get_current_timezone())
    Case.objects.filter(pk=case.pk).update(submitted_at=moment)
    answered_on = day + datetime.timedelta(days=2)
    if answer and answered_on <= today:
        handler = User.objects.filter(username=HANDLERS.get(case.organisation.name, "")).first() or admin
        answer_case(case=case, actor=handler, text=answer)
        Case.objects.filter(pk=case.pk).update(answered_at=moment + datetime.timedelta(days=2, hours=6))


def _recorder(week: RotaWeek, village: Organisation, admin: User) -> User:
    """The team member with an account logs this week's meetings; the town's admin earlier ones
    (the teams then typed them in on paper)."""
    today = timezone.localdate()
    if week.start <= today <= week.end:
        turn = DutyTurn.objects.filter(week=week, village=village, volunteer__person__user__isnull=False).select_related(
            "volunteer__person__user"
        ).first()
        if turn is not None:
            return turn.volunteer.person.user
    return admin


def _duty_login_diary(rota: Rota, today: datetime.date) -> None:
    turn = DutyTurn.objects.filter(
        week__rota=rota, week__start__lte=today, volunteer__person__user__username=DUTY_LOGIN
    ).select_related("week", "volunteer__person__user").order_by("-week__start").first()
    if turn is None or turn.week.end < today:
        return
    day = turn.week.start
    while day < today:
        write_diary(
            actor=turn.volunteer.person.user, turn=turn, day=day,
            text="上午在村委会开晨会，听取村民反映的问题；下午同村干部逐条商量办理办法，并走访了两户困难家庭。",
        )
        day += datetime.timedelta(days=1)
