"""Add a year of resident feedback cases to a city filled by bench/seed.py.

    python bench/cases_seed.py [--cases 1000000]          # offices, handlers, cases, their ledger
    python bench/cases_seed.py --sign-in                  # fresh sessions for the handlers

Run by bench/case_pages.py with the benchmark's environment; prints what the load driver needs
(ids, codes, API tokens, session keys) as JSON on its last line.

Each village gets its office (the village committee), a sanitation workgroup with a routing rule,
and a handler in each, with an API token; each town gets its government, where overdue and
referred cases go. These go through the actions, as everywhere.

The cases do not: a million `submit_case` calls would take hours and write millions of audit
events, and none of that is what the benchmark measures. They are written with PostgreSQL's
COPY, in submission order (ids rise with time, as in production), with a realistic life each:
acknowledged, assigned, answered within or after the deadline, rated, closed, reopened,
declined, merged or referred up, and each step of that life in the ledger.
"""

import argparse
import datetime
import json
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from tongxin.accounts.actions import issue_api_token  # noqa: E402
from tongxin.accounts.models import User  # noqa: E402
from tongxin.community.actions import create_organisation, grant_role  # noqa: E402
from tongxin.community.models import Organisation, OrganisationKind, StaffRole  # noqa: E402
from tongxin.core.actors import SystemActor  # noqa: E402
from tongxin.feedback.models import TRACKING_ALPHABET, Category, RoutingRule  # noqa: E402

SYSTEM = SystemActor("bench")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
FEEDBACK_WINDOW = 15 * DAY  # unrated answers are closed after this (feedback.actions)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国秀英伟芳敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英"

# RULES.md §3, in hours: (dispatch within, answer within). Calendar hours: the working-day
# calendar moves a deadline by a day or two, which changes nothing a page has to read.
PERIODS = {
    "emergency": (1, 2),
    "utilities": (2, 24),
    "general": (24, 7 * 24),
    "complex": (24, 15 * 24),
}
ACKNOWLEDGE_WITHIN = 2  # hours

# How often each category is chosen, roughly as hotline statistics have it.
CATEGORY_WEIGHTS = {
    "sanitation": 18,
    "roads": 10,
    "street_lights": 7,
    "water": 8,
    "power": 4,
    "gas": 1,
    "heating": 2,
    "noise": 6,
    "greenery": 3,
    "public_safety": 5,
    "parking": 6,
    "property_management": 7,
    "neighbour_disputes": 4,
    "elderly_care": 3,
    "social_assistance": 2,
    "village_affairs": 4,
    "land_and_housing": 3,
    "suggestion": 4,
    "other": 3,
}
PRIVACY_WEIGHTS = {"public": 45, "hidden": 40, "anonymous": 15}
CHANNEL_WEIGHTS = {
    "web": 35,
    "kiosk": 8,
    "reception": 14,
    "hotline": 20,
    "duty": 5,
    "interaction_day": 4,
    "api": 7,
    "open311": 7,
}
STAFF_CHANNELS = {"reception", "duty", "hotline"}
KIND_WEIGHTS = {"problem": 75, "request": 15, "suggestion": 10}

PROBLEMS = [
    "{place}{group}组路口的垃圾桶已经满了好几天，没有人清理，天热气味很大，希望尽快处理。",
    "{place}{group}组村道上有一个大坑，下雨后积水，电动车经过很危险。",
    "{place}{group}组的路灯晚上不亮，已经一个多星期了，老人晚上出门不方便。",
    "{place}{group}组自来水这两天水压很低，早上基本没有水，请派人看看管道。",
    "{place}{group}组附近的工地晚上十点以后还在施工，噪声很大，影响休息。",
    "{place}{group}组小区门口乱停车，消防通道被堵住了，希望加强管理。",
    "{place}{group}组的绿化带树枝挡住了路口视线，建议修剪。",
    "{place}{group}组独居老人需要上门助餐服务，请问怎么申请？",
    "建议在{place}{group}组增设一个公交站点，现在去镇上要走很远。",
    "{place}{group}组邻居在公共通道上堆放杂物，协商多次没有结果，请村里协调。",
    "{place}{group}组的村务公开栏很久没有更新了，想了解今年的集体收入和支出情况。",
    "{place}{group}组有电线垂得很低，靠近房屋，担心有安全隐患。",
]
DETAILS = [
    "",
    "",
    "谢谢！",
    "已经反映过一次了。",
    "位置在小卖部旁边。",
    "附近有学校，孩子们每天经过。",
]
ANSWERS = [
    "您好，已安排保洁人员清理，并增加了清运频次。感谢您的反映。",
    "您好，已联系施工队修补路面，预计三天内完成。",
    "您好，维修人员已更换灯具，现已恢复照明。",
    "您好，供水公司已检修管道，水压已恢复正常。",
    "您好，已与相关单位沟通，要求严格遵守施工时间规定。",
    "您好，网格员已上门了解情况并进行了协调，双方已达成一致。",
    "您好，您的建议已转交村民议事会讨论，结果将在公开栏公布。",
]
PROGRESS = [
    "已到现场查看，正在安排处理。",
    "已联系相关部门，等待回复。",
    "材料已备齐，正在处理中。",
]
DECLINE = "您好，该事项不属于本村职责范围，建议向相关部门反映。"


@dataclass
class Desk:
    """Who answers for one village: its office and sanitation workgroup, a handler in each."""

    village: Organisation
    town_government: Organisation
    office: Organisation
    sanitation: Organisation
    office_handler: User
    handler: User
    handler_token: str
    office_handler_token: str


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def handler_account(username: str, workgroup: Organisation, name: str) -> tuple[User, str]:
    """A handler of `workgroup`, with a confirmed authenticator (staff sign in with two factors)
    and an API token."""
    account = User.objects.create_user(username=username, password=None, first_name=name)
    grant_role(actor=SYSTEM, user=account, role=StaffRole.HANDLER, organisation=workgroup)
    TOTPDevice.objects.create(user=account, name="phone", confirmed=True)
    _, secret = issue_api_token(actor=account, user=account, name="bench")
    return account, secret


def set_up_desks(rng: random.Random) -> list[Desk]:
    """Town governments; village offices, sanitation workgroups and their rules; handlers."""
    sanitation = Category.objects.get(code="sanitation")
    governments = {}
    for town in Organisation.objects.filter(kind=OrganisationKind.TOWN).order_by("pk"):
        governments[town.pk] = create_organisation(
            actor=SYSTEM,
            name=f"{town.name}政府",
            name_en=f"{town.name_en} Government",
            kind=OrganisationKind.GOVERNMENT,
            parent=town,
        )
    desks = []
    for village in Organisation.objects.filter(kind=OrganisationKind.VILLAGE).order_by("pk"):
        office = create_organisation(
            actor=SYSTEM,
            name=f"{village.name}委会",
            name_en=f"{village.name_en} Committee",
            kind=OrganisationKind.VILLAGE_COMMITTEE,
            parent=village,
        )
        workgroup = create_organisation(
            actor=SYSTEM,
            name=f"{village.name}环境卫生组",
            name_en=f"{village.name_en} Sanitation Workgroup",
            kind=OrganisationKind.WORKGROUP,
            parent=village,
        )
        RoutingRule.objects.create(organisation=village, category=sanitation, workgroup=workgroup)
        handler, token = handler_account(
            f"bench.sanitation.{village.pk}", workgroup, person_name(rng)
        )
        office_handler, office_token = handler_account(
            f"bench.office.{village.pk}", office, person_name(rng)
        )
        desks.append(
            Desk(
                village=village,
                town_government=governments[village.parent_id],
                office=office,
                sanitation=workgroup,
                office_handler=office_handler,
                handler=handler,
                handler_token=token,
                office_handler_token=office_token,
            )
        )
    return desks


# -- The cases ------------------------------------------------------------------------------------

CASE_COLUMNS = [
    "id",
    "code",
    "pin_hash",
    "kind",
    "tier",
    "description",
    "attributes",
    "address",
    "latitude",
    "longitude",
    "channel",
    "privacy",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "status",
    "escalation_level",
    "language",
    "published",
    "answer",
    "submitted_at",
    "acknowledge_due",
    "dispatch_due",
    "answer_due",
    "acknowledged_at",
    "assigned_at",
    "answered_at",
    "closed_at",
    "next_escalation_at",
    "solved",
    "satisfied",
    "feedback_at",
    "updated_at",
    "assigned_to_id",
    "entered_by_id",
    "escalated_to_id",
    "handler_id",
    "merged_into_id",
    "organisation_id",
    "reporter_id",
    "category_id",
]
STEP_COLUMNS = [
    "case_id",
    "kind",
    "actor_id",
    "actor_label",
    "status",
    "text",
    "public",
    "data",
    "created_at",
]


def copy_value(value: object) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_line(values: list) -> str:
    return "\t".join(map(copy_value, values)) + "\n"


def tracking_code(counter: int) -> str:
    """A unique code per counter that looks random: an odd multiplier is a bijection modulo 2^40."""
    number = (counter * 0x5DEECE66D + 0x9E3779B97) % (1 << 40)
    chars = "".join(TRACKING_ALPHABET[(number >> (5 * place)) & 31] for place in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def submission_times(
    rng: random.Random, count: int, now: datetime.datetime
) -> list[datetime.datetime]:
    """`count` moments over the past year, more by day than by night, in order."""
    hour_weights = [1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 10, 8, 9, 10, 10, 9, 8, 8, 7, 6, 4, 2, 1]
    hours = rng.choices(range(24), weights=hour_weights, k=count)
    start = (now - 365 * DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    times = sorted(
        start + datetime.timedelta(days=rng.randrange(365), hours=hour, seconds=rng.randrange(3600))
        for hour in hours
    )
    return [moment for moment in times if moment < now] or [now - HOUR]


def weighted(rng: random.Random, weights: dict, count: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


@dataclass
class Life:
    """What happened to a case: steps as (moment, kind, status after, actor, text, public, data)."""

    steps: list
    fields: dict


def live(
    rng: random.Random,
    *,
    now: datetime.datetime,
    submitted: datetime.datetime,
    tier: str,
    desk: Desk,
    workgroup: Organisation,
    handler: User,
    channel: str,
    submitter: tuple,
    earlier_case: int | None,
) -> Life:
    """The case's life from submission until now: the steps that have happened, its fields after."""
    dispatch_hours, answer_hours = PERIODS[tier]
    acknowledge_due = submitted + ACKNOWLEDGE_WITHIN * HOUR
    dispatch_due = submitted + dispatch_hours * HOUR
    answer_due = submitted + answer_hours * HOUR
    fields = {
        "status": "submitted",
        "acknowledge_due": acknowledge_due,
        "dispatch_due": dispatch_due,
        "answer_due": answer_due,
        "acknowledged_at": None,
        "assigned_at": None,
        "answered_at": None,
        "closed_at": None,
        "solved": None,
        "satisfied": None,
        "feedback_at": None,
        "handler": None,
        "assigned_to": workgroup,
        "escalated_to": None,
        "escalation_level": 0,
        "merged_into_id": None,
        "answer": "",
    }
    steps = [
        (
            submitted,
            "submitted",
            "submitted",
            *submitter,
            "",
            True,
            {"channel": channel, "workgroup": workgroup.pk, "tier": tier},
        )
    ]

    def happen(
        moment: datetime.datetime,
        kind: str,
        status: str,
        actor: User | None,
        text: str = "",
        public: bool = True,
        data: dict | None = None,
    ) -> bool:
        if moment >= now:
            return False
        fields["status"] = status
        who = (actor.pk, actor.first_name) if actor is not None else (None, "system:tongxin")
        steps.append((moment, kind, status, *who, text, public, data or {}))
        return True

    acknowledged = submitted + datetime.timedelta(
        hours=min(rng.expovariate(1 / 0.6), ACKNOWLEDGE_WITHIN * 3)
    )
    if not happen(acknowledged, "acknowledged", "acknowledged", handler):
        return Life(steps, fields)
    fields["acknowledged_at"] = acknowledged
    fate = rng.random()
    if fate < 0.02:  # not theirs to answer
        if happen(acknowledged + HOUR, "declined", "declined", handler, DECLINE):
            fields.update(closed_at=acknowledged + HOUR, answer=DECLINE)
        return Life(steps, fields)
    if fate < 0.05 and earlier_case is not None:  # the same problem as an earlier case nearby
        if happen(
            acknowledged + HOUR, "merged", "merged", handler, "", True, {"into": earlier_case}
        ):
            fields.update(closed_at=acknowledged + HOUR, merged_into_id=earlier_case)
        return Life(steps, fields)
    if fate < 0.06:  # beyond the village: referred up to the town
        workgroup = desk.town_government
        if not happen(
            acknowledged + HOUR,
            "referred",
            "referred",
            handler,
            "需要镇里协调处理。",
            True,
            {"to": workgroup.pk},
        ):
            return Life(steps, fields)
        handler = None
        fields["assigned_to"] = workgroup
    assigned = acknowledged + datetime.timedelta(hours=rng.uniform(0.1, 0.8) * dispatch_hours)
    if not happen(
        assigned, "assigned", "assigned", handler, "", False, {"workgroup": workgroup.pk}
    ):
        return Life(steps, fields)
    fields.update(assigned_at=assigned, handler=handler)
    lateness = rng.random()
    if lateness < 0.006:
        answered = None  # stuck: still open and overdue
    elif lateness < 0.08:
        answered = submitted + rng.uniform(1.05, 3) * answer_hours * HOUR
    else:
        answered = assigned + rng.uniform(0.05, 0.95) * (answer_due - assigned)
    if rng.random() < 0.3:
        progress = assigned + rng.uniform(0.1, 0.9) * ((answered or answer_due) - assigned)
        happen(progress, "progress", "in_progress", handler, rng.choice(PROGRESS))
    # The deadline passed before the answer: the case escalated by itself.
    late = answered is None or answered > answer_due
    town = {"to": desk.town_government.pk}
    if late and happen(answer_due, "escalated", fields["status"], None, "", False, town):
        fields.update(escalated_to=desk.town_government, escalation_level=1)
    answer = rng.choice(ANSWERS)
    if answered is None or not happen(answered, "answered", "answered", handler, answer):
        return Life(steps, fields)
    fields.update(answered_at=answered, answer=answer)
    if rng.random() < 0.7:  # the reporter gives a verdict
        rated = answered + datetime.timedelta(hours=min(rng.expovariate(1 / 36), 14 * 24))
        solved = rng.random() < 0.88
        satisfied = solved and rng.random() < 0.93 or not solved and rng.random() < 0.2
        if not happen(
            rated,
            "feedback",
            "closed" if solved else "reopened",
            None,
            "",
            True,
            {"solved": solved, "satisfied": satisfied},
        ):
            return Life(steps, fields)
        steps[-1] = (*steps[-1][:3], None, "system:reporter", *steps[-1][5:])
        fields.update(feedback_at=rated, solved=solved, satisfied=satisfied)
        if solved:
            fields["closed_at"] = rated
            return Life(steps, fields)
        happen(rated, "reopened", "reopened", None, "", True, {"because": "not_solved"})
        fields["answer_due"] = rated + answer_hours * HOUR
        closed = rated + rng.uniform(0.2, 0.9) * answer_hours * HOUR
        if happen(closed, "closed", "closed", handler, "已再次上门处理并说明情况。"):
            fields["closed_at"] = closed
        return Life(steps, fields)
    if happen(answered + FEEDBACK_WINDOW, "closed", "closed", None):
        fields["closed_at"] = answered + FEEDBACK_WINDOW
    return Life(steps, fields)


def next_escalation(fields: dict) -> datetime.datetime | None:
    if fields["status"] in ("submitted", "acknowledged", "referred"):
        return fields["dispatch_due"]
    if fields["status"] in ("assigned", "in_progress", "reopened"):
        return fields["answer_due"] + (DAY if fields["escalation_level"] else datetime.timedelta(0))
    return None


def write_cases(
    rng: random.Random,
    desks: list[Desk],
    *,
    categories: dict[str, Category],
    count: int,
    first_id: int,
    now: datetime.datetime,
) -> Iterator[tuple[str, list[str]]]:
    """Per case, its COPY line and its steps' lines. No queries: the COPY holds the connection."""
    village_weights = [rng.lognormvariate(0, 0.6) for _ in desks]  # some villages report far more
    times = submission_times(rng, count, now)
    count = len(times)
    places = rng.choices(desks, weights=village_weights, k=count)
    codes = weighted(rng, CATEGORY_WEIGHTS, count)
    privacies = weighted(rng, PRIVACY_WEIGHTS, count)
    channels = weighted(rng, CHANNEL_WEIGHTS, count)
    kinds = weighted(rng, KIND_WEIGHTS, count)
    latest: dict[tuple[int, str], tuple[int, datetime.datetime]] = {}
    for index in range(count):
        case_id, submitted, desk, code = first_id + index, times[index], places[index], codes[index]
        category, privacy, channel = categories[code], privacies[index], channels[index]
        tier = "emergency" if rng.random() < 0.015 else category.tier
        sanitation = code == "sanitation"
        workgroup = desk.sanitation if sanitation else desk.office
        handler = desk.handler if sanitation else desk.office_handler
        on_behalf = channel in STAFF_CHANNELS
        name = "" if privacy == "anonymous" else person_name(rng)
        submitter = (
            (desk.office_handler.pk, desk.office_handler.first_name)
            if on_behalf
            else (None, "system:reporter")
        )
        earlier = latest.get((desk.village.pk, code))
        life = live(
            rng,
            now=now,
            submitted=submitted,
            tier=tier,
            desk=desk,
            workgroup=workgroup,
            handler=handler,
            channel=channel,
            submitter=submitter,
            earlier_case=earlier[0] if earlier and submitted - earlier[1] < 14 * DAY else None,
        )
        latest[(desk.village.pk, code)] = (case_id, submitted)
        fields = life.fields
        group = rng.randint(1, 12)
        description = rng.choice(PROBLEMS).format(
            place=desk.village.name, group=group
        ) + rng.choice(DETAILS)
        located = rng.random() < 0.4
        row = [
            case_id,
            tracking_code(case_id),
            "",
            kinds[index],
            tier,
            description,
            "{}",
            f"{desk.village.name}{group}组" if rng.random() < 0.7 else "",
            f"{28.85 + rng.uniform(-0.3, 0.3):.6f}" if located else None,
            f"{121.12 + rng.uniform(-0.3, 0.3):.6f}" if located else None,
            channel,
            privacy,
            name,
            f"13{rng.randrange(10**9):09d}" if name and rng.random() < 0.6 else "",
            f"r{case_id}@example.org" if name and rng.random() < 0.2 else "",
            fields["status"],
            fields["escalation_level"],
            "en" if rng.random() < 0.03 else "zh-hans",
            rng.random() < 0.96,
            fields["answer"],
            submitted,
            fields["acknowledge_due"],
            fields["dispatch_due"],
            fields["answer_due"],
            fields["acknowledged_at"],
            fields["assigned_at"],
            fields["answered_at"],
            fields["closed_at"],
            next_escalation(fields),
            fields["solved"],
            fields["satisfied"],
            fields["feedback_at"],
            life.steps[-1][0],
            fields["assigned_to"].pk,
            desk.office_handler.pk if on_behalf else None,
            fields["escalated_to"].pk if fields["escalated_to"] else None,
            fields["handler"].pk if fields["handler"] else None,
            fields["merged_into_id"],
            desk.village.pk,
            None,
            category.pk,
        ]
        steps = [
            copy_line([case_id, kind, actor, label, status, text, public, json.dumps(data), moment])
            for moment, kind, status, actor, label, text, public, data in life.steps
        ]
        yield copy_line(row), steps


def plain_indexes(table: str) -> list[str]:
    """CREATE INDEX of the table's indexes that back no constraint (dropped during the load)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT indexdef FROM pg_indexes
            WHERE tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint)
            """,
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def load_cases(desks: list[Desk], *, count: int, seed: int) -> None:
    """COPY the cases, then their steps in time order (as a ledger fills), indexes built after."""
    rng = random.Random(seed)
    now = timezone.now()
    indexes = {table: plain_indexes(table) for table in ("feedback_case", "feedback_casestep")}
    categories = {category.code: category for category in Category.objects.all()}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for statements in indexes.values():
            for statement in statements:
                cursor.execute(f"DROP INDEX {statement.split(' INDEX ', 1)[1].split(' ON ', 1)[0]}")
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM feedback_case")
        first_id = cursor.fetchone()[0]
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_steps ({', '.join(f'{c} text' for c in STEP_COLUMNS)})"
        )
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of Django's API
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as steps_file:
            with raw.copy(f"COPY feedback_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as cases:
                buffer: list[str] = []
                for case_line, step_lines in write_cases(
                    rng, desks, categories=categories, count=count, first_id=first_id, now=now
                ):
                    buffer.append(case_line)
                    steps_file.writelines(step_lines)
                    if len(buffer) >= 5000:
                        cases.write("".join(buffer))
                        buffer.clear()
                cases.write("".join(buffer))
            steps_file.seek(0)
            with raw.copy(f"COPY bench_steps ({', '.join(STEP_COLUMNS)}) FROM STDIN") as steps:
                while chunk := steps_file.read(1 << 20):
                    steps.write(chunk)
        cursor.execute(
            f"""
            INSERT INTO feedback_casestep ({", ".join(STEP_COLUMNS)})
            SELECT case_id::bigint, kind, actor_id::bigint, actor_label, status, text,
                   public::boolean,
                   data::jsonb, created_at::timestamptz
            FROM bench_steps ORDER BY created_at::timestamptz, case_id::bigint
            """
        )
        cursor.execute("DROP TABLE bench_steps")
        # Foreign keys are checked at commit: check them now, CREATE INDEX wants none pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statements in indexes.values():
            for statement in statements:
                cursor.execute(statement)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('feedback_case', 'id'), MAX(id))"
            " FROM feedback_case"
        )


def gather_statistics() -> None:
    """After a bulk load the planner has no statistics until autovacuum runs (see bench/seed.py)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE feedback_case")
        cursor.execute("VACUUM ANALYZE feedback_casestep")
        cursor.execute("ANALYZE")


# -- What the load driver needs -------------------------------------------------------------


def sample_codes(limit: int, **conditions: str) -> list[str]:
    """Tracking codes spread over the whole table (every n-th case), optionally filtered."""
    where = " AND ".join(f"{column} = %s" for column in conditions) or "TRUE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code FROM feedback_case WHERE {where} ORDER BY md5(id::text) LIMIT %s",
            [*conditions.values(), limit],
        )
        return [row[0] for row in cursor.fetchall()]


def handled_codes(desks: list[Desk], per_handler: int = 3) -> list[list]:
    """(handler index, code) pairs: cases each sanitation handler may open."""
    pairs = []
    with connection.cursor() as cursor:
        for index, desk in enumerate(desks):
            cursor.execute(
                "SELECT code FROM feedback_case WHERE assigned_to_id = %s"
                " ORDER BY submitted_at DESC LIMIT %s",
                [desk.sanitation.pk, per_handler],
            )
            pairs += [[index, row[0]] for row in cursor.fetchall()]
    return pairs


def sign_in(usernames: list[str]) -> list[str]:
    """A session per account as after password and second factor, under this server's SECRET_KEY.

    The load cannot sign in through the pages (the second factor is a TOTP code): this writes the
    session rows the sign-in pages would write. Run it with the server's environment.
    """
    keys = []
    for account in User.objects.filter(username__in=usernames).order_by("username"):
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        session = SessionStore()
        session[SESSION_KEY] = str(account.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[
            -1
        ]  # the one that signs people in
        session[HASH_SESSION_KEY] = account.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        keys.append((account.username, session.session_key))
    order = {name: index for index, name in enumerate(usernames)}
    return [key for _, key in sorted(keys, key=lambda pair: order[pair[0]])]


def summary(desks: list[Desk]) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, COUNT(*) FROM feedback_case GROUP BY status ORDER BY 2 DESC")
        statuses = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM feedback_casestep")
        steps = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM feedback_case WHERE status IN "
            "('submitted','acknowledged','assigned','in_progress','reopened','referred')"
            " AND answer_due < now()"
        )
        overdue = cursor.fetchone()[0]
    return {
        "cases": sum(statuses.values()),
        "statuses": statuses,
        "overdue": overdue,
        "steps": steps,
        "villages": [desk.village.pk for desk in desks],
        "towns": sorted({desk.village.parent_id for desk in desks}),
        "handlers": [desk.handler.username for desk in desks],
        "handler_tokens": [desk.handler_token for desk in desks],
        "office_handlers": [desk.office_handler.username for desk in desks],
        "office_handler_tokens": [desk.office_handler_token for desk in desks],
        "handled_codes": handled_codes(desks),
        "public_codes": sample_codes(600, privacy="public"),
        "anonymous_codes": sample_codes(300, privacy="anonymous"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument(
        "--sign-in",
        nargs="*",
        metavar="USERNAME",
        help="Only write sessions for these accounts; print their keys.",
    )
    options = parser.parse_args()
    if options.sign_in is not None:
        print(json.dumps(sign_in(options.sign_in)))
        return
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The cases are loaded with PostgreSQL's COPY: set DATABASE_URL to PostgreSQL."
        )
    desks = set_up_desks(random.Random(options.seed))
    load_cases(desks, count=options.cases, seed=options.seed)
    gather_statistics()
    print(json.dumps(summary(desks)))


if __name__ == "__main__":
    main()
