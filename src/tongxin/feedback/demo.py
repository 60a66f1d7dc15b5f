"""The demo town's cases: routing rules, handler accounts and about sixty cases in every state.

Everything is built through the feedback actions (and the community and account actions for
accounts), as `SystemActor("demo")` or as the demo's handlers, so that each case has the ledger
and the audit chain a real one would. The same town and seed give the same cases (their
tracking codes are random, like real ones). Running it again on a town that has cases adds none.

The demo is built at one moment, so its history is short: cases shown as escalated are escalated
the way the scheduler does when their dispatch deadline passes; as emergencies they are overdue
for real two hours after the build, and the scheduler carries on from there.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import translation

from tongxin.accounts.actions import create_account
from tongxin.accounts.models import User
from tongxin.community.actions import grant_role
from tongxin.community.demo import DEMO_ACTOR, DEMO_PASSWORD, VILLAGES, WORKGROUPS
from tongxin.community.models import Membership, Organisation, OrganisationKind, Person, StaffRole
from tongxin.core.audit import record_audit

from .actions import (
    acknowledge_case,
    answer_case,
    assign_case,
    decline_case,
    escalate_case,
    give_feedback,
    merge_case,
    record_progress,
    refer_case,
    submit_case,
)
from .models import Case, Category, Channel, Kind, Privacy, RoutingRule

# Categories a village hands to one of its party members' workgroups; the rest go to its committee.
WORKGROUP_ROUTES = {
    "public_safety": "red_armband",
    "elderly_care": "elderly",
    "neighbour_disputes": "legal_aid",
    "land_and_housing": "legal_aid",
}
TOWN_HANDLER = "town-handler"
# The handler of a village: HANDLER over the whole village, its committee and its workgroups.
VILLAGE_HANDLER = "{village}-handler"

# (category, kind, description, answer): what villagers in Baishuiyang write, and what they are told.
REPORTS: tuple[tuple[str, str, str, str], ...] = (
    ("roads", Kind.PROBLEM, "村口石板桥的栏杆断了一截，晚上看不清，骑电瓶车的人很容易掉下去。",
     "已安排施工队更换栏杆，并在桥头加装了反光警示牌。"),
    ("roads", Kind.PROBLEM, "去溪边的机耕路被上周的雨冲出一个大坑，拖拉机过不去。",
     "坑已用碎石填平压实，雨季结束后将整段硬化。"),
    ("street_lights", Kind.PROBLEM, "文化礼堂到老街这段路灯坏了三盏，老人晚上去跳舞回来很黑。",
     "三盏路灯已更换为太阳能灯，今后由网格员每月巡查。"),
    ("street_lights", Kind.REQUEST, "希望在村小学门口加一盏路灯，冬天放学天已经黑了。",
     "已列入本年度村级小微工程，下月安装。"),
    ("water", Kind.PROBLEM, "自来水今天早上开始发黄，烧开后有沉淀，全组都这样。",
     "水厂检修后管道有沉积，已冲洗管网，水质检测合格。"),
    ("water", Kind.PROBLEM, "后山水池的进水管裂了，一直在漏水，山下几户家里没水。",
     "已更换进水管，供水恢复。"),
    ("power", Kind.PROBLEM, "我家门口的电线杆被大风吹歪了，电线垂得很低。",
     "供电所已扶正电杆并收紧导线。"),
    ("sanitation", Kind.PROBLEM, "溪边垃圾桶满了好几天没人清，气味很大，还招苍蝇。",
     "已清运，并调整为每天上午、下午各清运一次。"),
    ("sanitation", Kind.PROBLEM, "有人把装修垃圾倒在村道边的空地上，堆了一大片。",
     "装修垃圾已清理，已找到倾倒户并责令其承担清运费用。"),
    ("sanitation", Kind.SUGGESTION, "建议在老年活动中心旁边设一个垃圾分类点，现在要走很远。",
     "已在活动中心东侧新设分类投放点。"),
    ("noise", Kind.PROBLEM, "村东头的石料加工厂晚上十点以后还在开机，吵得睡不着。",
     "已与企业约定夜间22点后停机，镇综合执法队将不定期检查。"),
    ("greenery", Kind.PROBLEM, "村委会门口的樟树有根大枝干枯了，刮风时怕砸到人。",
     "枯枝已修剪清理。"),
    ("public_safety", Kind.PROBLEM, "河边护栏缺了一段，小孩放学经常在那里玩水，很危险。",
     "已补装护栏并设置警示标志，红袖标志愿者放学时段加强巡查。"),
    ("public_safety", Kind.PROBLEM, "最近晚上有陌生人在村里转悠，好几户的电瓶车被偷了。",
     "已加强夜间巡逻，并在路口加装两个监控探头。"),
    ("parking", Kind.PROBLEM, "有车长期停在消防通道上，消防车进不来。",
     "已联系车主挪车，并在通道上施划禁停标线。"),
    ("property_management", Kind.PROBLEM, "安置小区的楼道灯坏了一个多月，物业一直不修。",
     "已督促物业公司修复楼道灯。"),
    ("neighbour_disputes", Kind.REQUEST, "邻居建房占了我家的排水沟，下雨水都流进我家院子，协商不成。",
     "法律援助工作组已组织双方调解，邻居同意改道并恢复排水沟。"),
    ("neighbour_disputes", Kind.REQUEST, "隔壁养的狗经常半夜叫，还咬伤过路人，说了也不听。",
     "经调解，养狗户同意拴养并办理犬证。"),
    ("elderly_care", Kind.REQUEST, "我父亲八十多岁一个人住，腿脚不方便，希望能有人定期上门看看。",
     "已将老人纳入结对关爱名单，志愿者每周上门两次。"),
    ("elderly_care", Kind.SUGGESTION, "希望居家养老服务中心中午能提供送餐，有些老人走不过来。",
     "已开通送餐服务，每份餐补助三元。"),
    ("social_assistance", Kind.REQUEST, "家里老人生病住院花了很多钱，想问问能不能申请临时救助。",
     "已受理临时救助申请，民政办将在十个工作日内审核。"),
    ("village_affairs", Kind.REQUEST, "村里去年的土地流转收入是多少、怎么分的，公开栏上没看到。",
     "土地流转收支明细已在村务公开栏和网上公示。"),
    ("village_affairs", Kind.SUGGESTION, "建议村务公开栏的内容也发到村民微信群里，在外地打工的人也能看到。",
     "已采纳，今后村务公开内容同步发布到村民群和议事平台。"),
    ("land_and_housing", Kind.REQUEST, "申请宅基地两年了还没批下来，想知道卡在哪一步。",
     "已查明材料缺少户籍证明，已告知补齐后一周内上报镇里审批。"),
    ("suggestion", Kind.SUGGESTION, "建议在溪边修一条步行道，晚饭后大家可以散散步。",
     "已提交镇议事会协商，列入明年美丽乡村建设项目。"),
    ("suggestion", Kind.SUGGESTION, "希望文化礼堂周末开放，让孩子们有地方看书。",
     "文化礼堂自本月起周六、周日下午开放，并增设儿童阅读角。"),
    ("other", Kind.PROBLEM, "村里的公交站牌被撞坏了，现在不知道车几点来。",
     "已联系公交公司更换站牌。"),
)
DECLINE_REASONS = (
    "此处为私人承包地，不属于村集体管理范围，请与承包户协商。",
    "该问题已由县交通部门立项处理，请以县里的通知为准。",
    "反映的情况经现场核实不存在。",
)
PROGRESS_NOTES = ("已到现场查看，正在联系相关人员。", "已安排人员处理，预计本周内完成。", "材料已收齐，正在核实。")

# How many cases end in each state; the order matters only for reproducibility.
PLAN = (
    ("closed", 12),
    ("answered", 6),
    ("reopened", 3),
    ("in_progress", 8),
    ("assigned", 6),
    ("acknowledged", 5),
    ("submitted", 5),
    ("merged", 5),
    ("declined", 4),
    ("referred", 2),
    ("escalated", 4),
)
CHANNELS = (
    (Channel.WEB, 14), (Channel.KIOSK, 5), (Channel.RECEPTION, 4), (Channel.HOTLINE, 4), (Channel.DUTY, 2),
    (Channel.INTERACTION_DAY, 2), (Channel.API, 1), (Channel.OPEN311, 1),
)
PRIVACY = ((Privacy.PUBLIC, 4), (Privacy.HIDDEN, 4), (Privacy.ANONYMOUS, 2))


@dataclass
class DemoVillage:
    place: Organisation
    office: Organisation
    workgroups: dict[str, Organisation]
    grids: list[Organisation]
    residents: list[Person]
    handler: User


@dataclass
class DemoCasesSummary:
    added: Counter[str] = field(default_factory=Counter)
    cases: int = 0
    handlers: list[str] = field(default_factory=list)


def build_demo_cases(*, town: Organisation, rng: random.Random) -> DemoCasesSummary:
    """Add the feedback settings, handlers and cases the demo town lacks; a town with cases gets none."""
    summary = DemoCasesSummary()
    with transaction.atomic(), translation.override("zh-hans"):  # the villagers write in Chinese
        villages = [_village(town, spec, summary) for spec in VILLAGES]
        government = _office(town, OrganisationKind.GOVERNMENT)
        _handler(TOWN_HANDLER, government, None, summary)
        if not Case.objects.within(town).exists():
            _Filing(rng=rng, villages=villages, government=government, summary=summary).file_all()
    summary.cases = Case.objects.within(town).count()
    summary.handlers = [TOWN_HANDLER] + [VILLAGE_HANDLER.format(village=spec.key) for spec in VILLAGES]
    return summary


def _office(place: Organisation, kind: str) -> Organisation:
    return Organisation.objects.get(parent=place, kind=kind)


def _village(town: Organisation, spec: Any, summary: DemoCasesSummary) -> DemoVillage:
    place = Organisation.objects.get(parent=town, kind=OrganisationKind.VILLAGE, name=spec.name)
    office = _office(place, OrganisationKind.VILLAGE_COMMITTEE)
    workgroups = {
        code: Organisation.objects.get(parent=place, kind=OrganisationKind.WORKGROUP, name=spec.name + name)
        for code, name, *_rest in WORKGROUPS
    }
    for category_code, workgroup_code in WORKGROUP_ROUTES.items():
        _route(place, Category.objects.get(code=category_code), workgroups[workgroup_code], summary)
    handler = _handler(VILLAGE_HANDLER.format(village=spec.key), place, office, summary)
    return DemoVillage(
        place=place,
        office=office,
        workgroups=workgroups,
        grids=list(Organisation.objects.filter(parent=place, kind=OrganisationKind.GRID).order_by("pk")),
        residents=list(Person.objects.filter(home=place).exclude(phone=None).order_by("pk")),
        handler=handler,
    )


def _route(place: Organisation, category: Category, workgroup: Organisation, summary: DemoCasesSummary) -> None:
    if RoutingRule.objects.filter(organisation=place, category=category).exists():
        return  # an administrator's rule, or ours from an earlier run: keep it
    rule = RoutingRule.objects.create(organisation=place, category=category, workgroup=workgroup)
    # Routing rules have no action of their own (they are settings, as in the admin): log the addition.
    record_audit(actor=DEMO_ACTOR, verb="routingrule.add", target=rule, data={"via": "demo"})
    summary.added["routing_rules"] += 1


def _handler(username: str, scope: Organisation, staff_of: Organisation | None, summary: DemoCasesSummary) -> User:
    """The account that works on the scope's cases: a member of its committee where it has one."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    member = (
        Membership.objects.filter(organisation=staff_of, person__user__isnull=True, end_date__isnull=True)
        .select_related("person")
        .order_by("pk")
        .first()
        if staff_of is not None
        else None
    )
    account = create_account(
        actor=DEMO_ACTOR, username=username, password=DEMO_PASSWORD, person=member.person if member else None
    )
    grant_role(actor=DEMO_ACTOR, user=account, role=StaffRole.HANDLER, organisation=scope)
    summary.added["accounts"] += 1
    return account


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _weight in choices], weights=[weight for _value, weight in choices])[0]


class _Filing:
    """Files the planned cases one by one and takes each to its planned state through the actions."""

    def __init__(
        self, *, rng: random.Random, villages: list[DemoVillage], government: Organisation, summary: DemoCasesSummary
    ) -> None:
        self.rng = rng
        self.villages = villages
        self.government = government
        self.summary = summary
        self.resident = User.objects.filter(username="resident").first()
        self.filed: list[tuple[Case, DemoVillage]] = []

    def file_all(self) -> None:
        outcomes = [outcome for outcome, count in PLAN for _ in range(count)]
        self.rng.shuffle(outcomes)
        # A duplicate needs an earlier case to join: file those last.
        outcomes.sort(key=lambda outcome: outcome == "merged")
        for outcome in outcomes:
            if outcome == "merged":
                self.file_duplicate()
            else:
                village = self.rng.choice(self.villages)
                case = self.file(village, urgent=outcome == "escalated")
                self.take_to(case, village, outcome)
                self.filed.append((case, village))
            self.summary.added["cases"] += 1

    def file_duplicate(self) -> None:
        """Someone else reports a problem already reported and not yet closed; the handler merges the two."""
        candidates = [
            (case, village) for case, village in self.filed
            if Case.objects.filter(pk=case.pk, status__in=["submitted", "acknowledged", "assigned", "in_progress", "answered"]).exists()
        ]
        original, village = self.rng.choice(candidates)
        report = next(report for report in REPORTS if report[2] == original.description)
        duplicate = self.file(village, urgent=False, report=report)
        merge_case(case=duplicate, into=original, actor=village.handler, text="与先前反映的是同一问题，合并办理。")

    def file(self, village: DemoVillage, *, urgent: bool, report: tuple[str, str, str, str] | None = None) -> Case:
        category, kind, description, _answer = report or self.rng.choice(REPORTS)
        channel = _weighted(self.rng, CHANNELS)
        privacy = _weighted(self.rng, PRIVACY)
        reporter = self.rng.choice(village.residents)
        actor: Any = AnonymousUser()
        if channel in (Channel.RECEPTION, Channel.HOTLINE, Channel.DUTY):
            actor = village.handler  # typed in at the desk, from the phone or by the duty officer
        elif channel == Channel.WEB and self.resident is not None and self.rng.random() < 0.3:
            # The demo resident finds these under "my cases": signed in, never anonymous.
            actor, privacy = self.resident, self.rng.choice([Privacy.PUBLIC, Privacy.HIDDEN])
        named = privacy != Privacy.ANONYMOUS and actor is not self.resident
        place = self.rng.choice([village.place, *village.grids])
        return submit_case(
            actor=actor,
            channel=channel,
            category=Category.objects.get(code=category),
            description=description,
            organisation=place,
            privacy=privacy,
            kind=kind,
            urgent=urgent,
            reporter_name=reporter.name if named else "",
            reporter_phone=(reporter.phone or "") if named else "",
            address=f"{village.place.name}{self.rng.randint(1, 120)}号附近",
            pin=f"{self.rng.randint(0, 9999):04d}" if privacy == Privacy.ANONYMOUS and self.rng.random() < 0.5 else "",
        )

    def take_to(self, case: Case, village: DemoVillage, outcome: str) -> None:
        handler = village.handler
        answer = next(report[3] for report in REPORTS if report[2] == case.description)
        steps: dict[str, Callable[[], None]] = {
            "submitted": lambda: None,
            "acknowledged": lambda: acknowledge_case(case=case, actor=handler, text="已收到，正在了解情况。"),
            "assigned": lambda: self.assign(case, handler),
            "in_progress": lambda: self.progress(case, handler),
            "answered": lambda: self.answer(case, handler, answer),
            "reopened": lambda: self.reopen(case, handler, answer),
            "closed": lambda: self.close(case, handler, answer),
            "declined": lambda: decline_case(case=case, actor=handler, text=self.rng.choice(DECLINE_REASONS)),
            "referred": lambda: self.refer(case, handler),
            "escalated": lambda: self.escalate(case),
        }
        steps[outcome]()

    def assign(self, case: Case, handler: User) -> None:
        acknowledge_case(case=case, actor=handler)
        assign_case(case=case, actor=handler, handler=handler)

    def progress(self, case: Case, handler: User) -> None:
        self.assign(case, handler)
        record_progress(case=case, actor=handler, text=self.rng.choice(PROGRESS_NOTES))

    def answer(self, case: Case, handler: User, answer: str) -> None:
        self.progress(case, handler)
        answer_case(case=case, actor=handler, text=answer)

    def reopen(self, case: Case, handler: User, answer: str) -> None:
        self.answer(case, handler, answer)
        give_feedback(case=case, solved=False, satisfied=False, comment="问题还没有解决，请再来看看。")

    def close(self, case: Case, handler: User, answer: str) -> None:
        self.answer(case, handler, answer)
        satisfied = self.rng.random() < 0.8
        comment = "处理得很及时，谢谢！" if satisfied else "解决了，但拖得有点久。"
        give_feedback(case=case, solved=True, satisfied=satisfied, comment=comment)

    def refer(self, case: Case, handler: User) -> None:
        acknowledge_case(case=case, actor=handler)
        refer_case(case=case, actor=handler, text="涉及多个村，需要镇里统筹协调。", to=self.government)

    def escalate(self, case: Case) -> None:
        # What the scheduler does when the dispatch deadline passes with nobody on the case.
        escalate_case(case=case, now=case.dispatch_due + datetime.timedelta(minutes=1))
