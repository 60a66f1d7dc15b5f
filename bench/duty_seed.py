"""Add a year of the duty rota to a city filled by bench/seed.py: pools, published rotas planned by
the real planner, and 40 weeks of the teams' work in every village.

    python bench/duty_seed.py [--pool 250] [--weeks 52] [--past 40]

Run by bench/duty_pages.py with the benchmark's environment; prints what the load driver needs
(villages, week ids, the town administrators' usernames and API tokens, the counts) as JSON on its
last line. Sessions are written afterwards, under the server's SECRET_KEY, by
`bench/cases_seed.py --sign-in` (the town administrators have a confirmed authenticator).

Through the actions, as everywhere: each village's office and sanitation workgroup with its handlers
(`cases_seed.set_up_desks`), a town administrator per town (ADMIN over the town), and per town
`plan_rota` (52 weeks from 40 weeks ago, teams of 3, 5 troubleshooters, home villages avoided:
`tongxin.duty.rota.plan` on the stored pool) and `publish_rota` (which grants the duty-officer
role for their weeks to the volunteers with an account, `grant_turn`).

Bulk-inserted, since none of it is what the benchmark measures and the actions would write a
hundred thousand audit events: the pool (250 people and volunteers per town, a few with an
account, some unavailable days), and for every week that has begun and every village the team's
record: 2 morning meetings, 1-2 problems at each filed as a case on the duty channel (routed as
`route_case` would: sanitation to the village's workgroup, the rest to its office; answered within
the deadline, or still open for about 15 %), a follow-up for most problems, 3 weekly tasks, a diary
entry per turn and working day, and a handover per team and past week.
"""

import argparse
import datetime
import json
import random
from collections import defaultdict

import django

django.setup()

# The models below need the settings set up first (as in bench/seed.py).
from cases_seed import (
    ANSWERS,
    CATEGORY_WEIGHTS,
    GIVEN,
    PERIODS,
    PROBLEMS,
    SURNAMES,
    Desk,
    gather_statistics,
    set_up_desks,
    weighted,
)
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.accounts.actions import issue_api_token
from tongxin.accounts.models import User
from tongxin.community.actions import grant_role
from tongxin.community.models import (
    Gender,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    StaffRole,
)
from tongxin.core.actors import SystemActor
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.models import (
    DiaryEntry,
    DutyTurn,
    FollowUp,
    Handover,
    MeetingProblem,
    MorningMeeting,
    Rota,
    RotaWeek,
    Unavailability,
    Volunteer,
    WeeklyTask,
)
from tongxin.feedback.models import Case, CaseStep, Category

SYSTEM = SystemActor("bench")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
ACCOUNTS_PER_TOWN = 5  # volunteers with an account (and so a duty-officer grant per turn)
TEAM_SIZE, TROUBLESHOOTERS = 3, 5
OPEN_SHARE = 0.15

PLACES = ["村委会议室", "村文化礼堂", "村口大榕树下", "老年活动中心", "村便民服务中心"]
OFFICIALS = [
    "村支书、村主任",
    "村主任、村会计",
    "村支书、妇女主任",
    "村监委会主任",
    "网格员、村主任",
]
MEETING_NOTES = [
    "",
    "",
    "村民反映比较集中的是环境卫生问题。",
    "到会村民较多，气氛热烈。",
    "部分村民会后单独反映情况。",
]
FOLLOW_UP_OUTCOMES = [
    "村委会同意本周内安排人员处理，由网格员跟进。",
    "已与村主任现场查看，明确了责任人和完成时限。",
    "村里将在下次村民代表会上讨论解决方案。",
    "已联系镇相关部门，等待答复后告知村民。",
]
TASKS = [
    ("走访独居老人和困难家庭", "已走访{n}户，记录了需求。"),
    ("检查村道和路灯安全隐患", "发现{n}处隐患，已报村委会。"),
    ("督促垃圾分类和环境整治", "检查了{n}个垃圾收集点。"),
    ("宣传防诈骗和安全用电知识", "发放宣传资料{n}份。"),
    ("协助村里做好村务公开", "公开栏已更新{n}项内容。"),
    ("整理上周遗留问题并跟进", "跟进了{n}个遗留问题。"),
    ("召开党员议事会听取意见", "收集意见建议{n}条。"),
]
DIARY = [
    "上午参加晨会，听取村民意见；下午随村干部走访农户。",
    "走访了{n}户村民，了解生产生活情况，记录了两条意见。",
    "跟进晨会上反映的问题，与村委会沟通处理进度。",
    "检查村里的环境卫生和安全隐患，拍照记录。",
    "整理本周台账，准备交接材料。",
]
HANDOVER = [
    "本周共召开晨会两次，问题已逐条登记。未办结事项请下周团队继续跟进，重点是{topic}。",
    "已与村干部交接清楚。{topic}方面村民意见较多，建议下周继续关注。",
]
TOPICS = ["环境卫生", "道路维修", "路灯照明", "自来水供应", "邻里纠纷", "老人照料"]
PRIVACY_WEIGHTS = {"hidden": 60, "public": 25, "anonymous": 15}


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def local(day: datetime.date, hour: float) -> datetime.datetime:
    moment = datetime.datetime.combine(
        day, datetime.time(0), tzinfo=timezone.get_current_timezone()
    )
    return moment + datetime.timedelta(hours=hour)


# -- Who ------------------------------------------------------------------------------------------


def town_admins(towns: list[Organisation]) -> dict[int, tuple[str, str]]:
    """An administrator per town (ADMIN over it): a confirmed authenticator and an API token."""
    admins = {}
    for town in towns:
        account = User.objects.create_user(
            username=f"bench.duty.admin.{town.pk}", password=None, first_name=f"{town.name}管理员"
        )
        grant_role(actor=SYSTEM, user=account, role=StaffRole.ADMIN, organisation=town)
        TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
        _, token = issue_api_token(actor=account, user=account, name="bench")
        admins[town.pk] = (account.username, token)
    return admins


def fill_pools(
    rng: random.Random,
    towns: list[Organisation],
    villages: dict[int, list[Organisation]],
    *,
    pool: int,
    start: datetime.date,
    weeks: int,
) -> dict[str, int]:
    """`pool` people per town living in its villages (a few elsewhere), each a volunteer."""
    people, volunteers, accounts = [], [], []
    for t, town in enumerate(towns):
        for number in range(pool):
            home = rng.choice(villages[town.pk]) if rng.random() < 0.95 else None
            person = Person(
                name=person_name(rng),
                gender=Gender.FEMALE if rng.random() < 0.35 else Gender.MALE,
                birth_year=rng.randint(1960, 1998),
                phone=f"138{t:02d}{number:06d}",
                party_status=PartyStatus.FULL if rng.random() < 0.9 else PartyStatus.PROBATIONARY,
                home=home or town,
            )
            people.append(person)
            volunteers.append((town, person, home))
            if number < ACCOUNTS_PER_TOWN:
                accounts.append(person)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
        for person in accounts:
            person.user = User.objects.create_user(
                username=f"bench.volunteer.{person.pk}", password=None, first_name=person.name
            )
            person.save(update_fields=["user"])
            TOTPDevice.objects.create(user=person.user, name="phone", confirmed=True)
        rows = Volunteer.objects.bulk_create(
            [
                Volunteer(
                    organisation=town,
                    person=person,
                    home_village=home,
                    experienced=rng.random() < 0.3,
                    joined_on=start - datetime.timedelta(days=rng.randrange(30, 700)),
                )
                for town, person, home in volunteers
            ],
            batch_size=2000,
        )
        days = 7 * weeks
        away = []
        for volunteer in rows:
            dates = {
                start + datetime.timedelta(days=rng.randrange(days))
                for _ in range(rng.randrange(4))
            }
            if rng.random() < 0.1:  # away for two to six weeks in a row
                first = rng.randrange(days)
                dates |= {
                    start + datetime.timedelta(days=first + n) for n in range(7 * rng.randint(2, 6))
                }
            away += [
                Unavailability(volunteer=volunteer, date=day, reason="外出")
                for day in sorted(dates)
            ]
        Unavailability.objects.bulk_create(away, batch_size=5000)
    return {
        "pool_people": len(people),
        "volunteers": len(rows),
        "accounts": len(accounts),
        "unavailable_days": len(away),
    }


def plan_and_publish(towns: list[Organisation], *, start: datetime.date, weeks: int) -> list[Rota]:
    """Each town's rota through the actions: the real planner on the stored pool, then published."""
    rotas = []
    for town in towns:
        rota = plan_rota(
            actor=SYSTEM,
            organisation=town,
            start=start,
            weeks=weeks,
            team_size=TEAM_SIZE,
            troubleshooters=TROUBLESHOOTERS,
            avoid_home_village=True,
        )
        rotas.append(publish_rota(actor=SYSTEM, rota=rota))
    return rotas


# -- The teams' record ----------------------------------------------------------------------------


def case_for(
    rng: random.Random,
    *,
    desk: Desk,
    category: Category,
    submitted: datetime.datetime,
    now: datetime.datetime,
) -> tuple[Case, list[CaseStep]]:
    """A case on the duty channel, answered within its deadline or (about 15 %) still open."""
    dispatch_hours, answer_hours = PERIODS[category.tier]
    sanitation = category.code == "sanitation"
    workgroup = desk.sanitation if sanitation else desk.office
    handler = desk.handler if sanitation else desk.office_handler
    privacy = weighted(rng, PRIVACY_WEIGHTS, 1)[0]
    group = rng.randint(1, 12)
    acknowledged = submitted + rng.uniform(0.1, 1.5) * HOUR
    assigned = acknowledged + rng.uniform(0.1, 0.8) * dispatch_hours * HOUR
    answer_due = submitted + answer_hours * HOUR
    answered = assigned + rng.uniform(0.05, 0.95) * (answer_due - assigned)
    still_open = rng.random() < OPEN_SHARE or answered >= now
    case = Case(
        kind="problem",
        category=category,
        tier=category.tier,
        description=rng.choice(PROBLEMS).format(place=desk.village.name, group=group),
        organisation=desk.village,
        address=f"{desk.village.name}{group}组" if rng.random() < 0.7 else "",
        channel="duty",
        privacy=privacy,
        reporter_name="" if privacy == "anonymous" else person_name(rng),
        reporter_phone=f"13{rng.randrange(10**9):09d}"
        if privacy != "anonymous" and rng.random() < 0.6
        else "",
        language="zh-hans",
        published=rng.random() < 0.96,
        submitted_at=submitted,
        acknowledge_due=submitted + 2 * HOUR,
        dispatch_due=submitted + dispatch_hours * HOUR,
        answer_due=answer_due,
        acknowledged_at=acknowledged,
        assigned_at=assigned,
        assigned_to=workgroup,
        handler=handler,
    )
    steps = [
        CaseStep(
            kind="submitted",
            actor=None,
            actor_label="system:duty",
            status="submitted",
            public=True,
            created_at=submitted,
        ),
        CaseStep(
            kind="acknowledged",
            actor=handler,
            actor_label=handler.first_name,
            status="acknowledged",
            public=True,
            created_at=acknowledged,
        ),
        CaseStep(
            kind="assigned",
            actor=handler,
            actor_label=handler.first_name,
            status="assigned",
            public=False,
            data={"workgroup": workgroup.pk},
            created_at=assigned,
        ),
    ]
    if still_open:
        case.status = "in_progress" if rng.random() < 0.5 else "assigned"
        if answer_due < now:  # overdue: escalated to the town by itself
            case.escalated_to, case.escalation_level = desk.town_government, 1
            case.next_escalation_at = answer_due + DAY
            steps.append(
                CaseStep(
                    kind="escalated",
                    actor=None,
                    actor_label="system:escalation",
                    status=case.status,
                    public=False,
                    data={"to": desk.town_government.pk},
                    created_at=answer_due,
                )
            )
        else:
            case.next_escalation_at = answer_due
        return case, steps
    case.answer, case.answered_at = rng.choice(ANSWERS), answered
    steps.append(
        CaseStep(
            kind="answered",
            actor=handler,
            actor_label=handler.first_name,
            status="answered",
            text=case.answer,
            public=True,
            created_at=answered,
        )
    )
    closed = answered + datetime.timedelta(days=15)
    if rng.random() < 0.6:  # the villager says whether it is solved
        rated = answered + datetime.timedelta(hours=min(rng.expovariate(1 / 36), 14 * 24))
        if rated < now:
            case.solved = rng.random() < 0.9
            case.satisfied = case.solved and rng.random() < 0.93
            case.feedback_at, closed = rated, rated
    if closed < now:
        case.status, case.closed_at = "closed", closed
        steps.append(
            CaseStep(
                kind="closed",
                actor=None,
                actor_label="system:reporter",
                status="closed",
                public=True,
                created_at=closed,
            )
        )
    else:
        case.status = "answered"
    return case, steps


def record_weeks(
    rng: random.Random,
    rotas: list[Rota],
    desks: dict[int, Desk],
    *,
    now: datetime.datetime,
) -> dict[str, int]:
    """The teams' record for every week that has begun, written per town in one transaction."""
    today = timezone.localdate(now)
    categories = {category.code: category for category in Category.objects.all()}
    codes = [code for code in CATEGORY_WEIGHTS if code in categories]
    weights = [CATEGORY_WEIGHTS[code] for code in codes]
    counts: dict[str, int] = defaultdict(int)
    for rota in rotas:
        weeks = list(RotaWeek.objects.filter(rota=rota, start__lte=today).order_by("number"))
        turns = defaultdict(list)
        for turn in DutyTurn.objects.filter(week__in=weeks).select_related("volunteer__person"):
            turns[turn.week_id].append(turn)
        meetings, problems, tasks, diary, handovers = [], [], [], [], []
        cases, case_steps = [], []
        for week in weeks:
            days = [week.start + datetime.timedelta(days=n) for n in range(7)]
            past = week.end < today
            village_ids = sorted({turn.village_id for turn in turns[week.pk] if turn.village_id})
            for village_id in village_ids:
                desk = desks[village_id]
                held = sorted(rng.sample(days[:6], 2))  # two mornings, Monday to Saturday
                for day in held:
                    if day >= today:  # a meeting is logged once held: today's, if any, not yet
                        continue
                    meeting = MorningMeeting(
                        week=week,
                        village=desk.village,
                        held_on=day,
                        place=rng.choice(PLACES),
                        villagers_present=rng.randint(6, 40),
                        officials_present=rng.choice(OFFICIALS),
                        notes=rng.choice(MEETING_NOTES),
                    )
                    meetings.append(meeting)
                    for number in range(1, rng.randint(1, 2) + 1):
                        category = categories[rng.choices(codes, weights)[0]]
                        submitted = local(day, rng.uniform(8.5, 11.5))
                        if submitted >= now:
                            continue
                        case, steps = case_for(
                            rng, desk=desk, category=category, submitted=submitted, now=now
                        )
                        cases.append(case)
                        case_steps.append(steps)
                        follow = None
                        if rng.random() < 0.8:
                            on = (
                                day
                                if rng.random() < 0.75
                                else min(day + rng.randint(1, 2) * DAY, today)
                            )
                            follow = FollowUp(
                                held_on=on,
                                officials=rng.choice(OFFICIALS),
                                outcome=rng.choice(FOLLOW_UP_OUTCOMES),
                            )
                        problems.append((meeting, case, number, follow))
                for title, progress in rng.sample(TASKS, 3):
                    tasks.append(
                        WeeklyTask(
                            week=week,
                            village=desk.village,
                            title=title,
                            progress=progress.format(n=rng.randint(2, 12))
                            if past or rng.random() < 0.5
                            else "",
                            done=past and rng.random() < 0.85,
                        )
                    )
                if past:
                    handovers.append(
                        Handover(
                            week=week,
                            village=desk.village,
                            notes=rng.choice(HANDOVER).format(topic=rng.choice(TOPICS)),
                        )
                    )
            for turn in turns[week.pk]:
                for day in days[:5]:
                    if day < today and rng.random() < 0.9:
                        diary.append(
                            DiaryEntry(
                                turn=turn,
                                day=day,
                                text=rng.choice(DIARY).format(n=rng.randint(3, 9)),
                            )
                        )
        with transaction.atomic():
            MorningMeeting.objects.bulk_create(meetings, batch_size=2000)
            Case.objects.bulk_create(cases, batch_size=2000)
            for case, steps in zip(cases, case_steps, strict=True):
                for step in steps:
                    step.case = case
            CaseStep.objects.bulk_create(
                [step for steps in case_steps for step in steps], batch_size=5000
            )
            rows = MeetingProblem.objects.bulk_create(
                [
                    MeetingProblem(meeting=meeting, case=case, number=number)
                    for meeting, case, number, _ in problems
                ],
                batch_size=2000,
            )
            follow_ups = []
            for row, (_meeting, _case, _number, follow) in zip(rows, problems, strict=True):
                if follow is not None:
                    follow.problem = row
                    follow_ups.append(follow)
            FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
            WeeklyTask.objects.bulk_create(tasks, batch_size=2000)
            DiaryEntry.objects.bulk_create(diary, batch_size=5000)
            Handover.objects.bulk_create(handovers, batch_size=2000)
        counts["weeks_with_records"] += len(weeks)
        counts["meetings"] += len(meetings)
        counts["cases"] += len(cases)
        counts["case_steps"] += sum(len(steps) for steps in case_steps)
        counts["follow_ups"] += len(follow_ups)
        counts["tasks"] += len(tasks)
        counts["diary_entries"] += len(diary)
        counts["handovers"] += len(handovers)
    backdate()
    return dict(counts)


def backdate() -> None:
    """The record's own timestamps at the time it was written, not at the time of the load."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE duty_morningmeeting SET recorded_at = held_on + interval '11 hours'")
        cursor.execute("UPDATE duty_followup SET recorded_at = held_on + interval '16 hours'")
        cursor.execute(
            "UPDATE duty_diaryentry SET written_at = day + interval '20 hours',"
            " updated_at = day + interval '20 hours'"
        )
        cursor.execute(
            "UPDATE duty_weeklytask t SET set_at = w.start + interval '9 hours',"
            " updated_at = w.start + interval '4 days 17 hours' FROM duty_rotaweek w WHERE w.id = t.week_id"
        )
        cursor.execute(
            "UPDATE duty_handover h SET written_at = w.start + interval '6 days 18 hours'"
            " FROM duty_rotaweek w WHERE w.id = h.week_id"
        )
        cursor.execute(
            "UPDATE feedback_case SET updated_at = COALESCE(closed_at, answered_at, assigned_at)"
        )


# -- What the load driver needs -------------------------------------------------------------------


def summary(rotas: list[Rota], desks: dict[int, Desk], admins: dict[int, tuple[str, str]]) -> dict:
    today = timezone.localdate()
    current = {
        week.rota.organisation_id: week
        for week in RotaWeek.objects.filter(
            rota__in=rotas, start__lte=today, start__gt=today - 7 * DAY
        ).select_related("rota")
    }
    villages = sorted(desks.values(), key=lambda desk: desk.village.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE status IN ('submitted','acknowledged','assigned','in_progress',"
            "'reopened','referred')), COUNT(*) FROM feedback_case WHERE channel = 'duty'"
        )
        still_open, duty_cases = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM duty_dutyturn")
        turns = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM community_rolegrant WHERE role = %s", [StaffRole.DUTY_OFFICER]
        )
        grants = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(SUM(missing), 0) FROM duty_dutygap")
        empty_seats = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return {
        "rotas": [rota.pk for rota in rotas],
        "rota_start": rotas[0].start.isoformat(),
        "towns": [rota.organisation_id for rota in rotas],
        "villages": [desk.village.pk for desk in villages],
        "village_towns": [desk.village.parent_id for desk in villages],
        "current_weeks": [current[desk.village.parent_id].pk for desk in villages],
        "current_week_start": next(iter(current.values())).start.isoformat(),
        "admins": [admins[rota.organisation_id][0] for rota in rotas],
        "admin_tokens": [admins[rota.organisation_id][1] for rota in rotas],
        "turns": turns,
        "duty_officer_grants": grants,
        "empty_seats": empty_seats,
        "duty_cases": duty_cases,
        "duty_cases_open": still_open,
        "database_size": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pool", type=int, default=250, help="volunteers per town")
    parser.add_argument("--weeks", type=int, default=52, help="weeks of each rota")
    parser.add_argument(
        "--past", type=int, default=40, help="weeks of the rota before the current one"
    )
    parser.add_argument("--seed", type=int, default=20261125)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    now = timezone.now()
    today = timezone.localdate(now)
    start = today - datetime.timedelta(days=today.weekday(), weeks=options.past)  # a Monday
    timings = {}

    def timed(name: str, started: datetime.datetime) -> None:
        timings[name] = round((timezone.now() - started).total_seconds(), 1)

    moment = timezone.now()
    desks = {desk.village.pk: desk for desk in set_up_desks(rng)}
    timed("desks", moment)
    towns = list(Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("pk"))
    villages = defaultdict(list)
    for desk in desks.values():
        villages[desk.village.parent_id].append(desk.village)
    moment = timezone.now()
    admins = town_admins(towns)
    pools = fill_pools(rng, towns, villages, pool=options.pool, start=start, weeks=options.weeks)
    timed("pools", moment)
    moment = timezone.now()
    rotas = plan_and_publish(towns, start=start, weeks=options.weeks)
    timed("plan_and_publish", moment)
    moment = timezone.now()
    record = record_weeks(rng, rotas, desks, now=now)
    timed("records", moment)
    moment = timezone.now()
    gather_statistics()
    timed("analyze", moment)
    print(json.dumps({**summary(rotas, desks, admins), **pools, **record, "seed_seconds": timings}))


if __name__ == "__main__":
    main()
