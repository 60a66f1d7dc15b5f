"""The demo town's elections and decisions, built through the elections actions.

- Xikou's party branch has elected its committee online: the roll, nominations by the
  organisation and by self-nomination, the member assembly's motion fixing the list, secret
  ballots from its full members, the count, the scrutineer's signature, the published result.
- Xikou's branch committee has decided three motions (in one of them the secretary was
  outvoted) and issued a notice approved by one of them.
- Shuanggang's villagers' committee election has its roll published and open to objection.

The demo is built at one moment, so an election's weeks are lived in minutes: between its
steps the demo moves the election's dates back (`_days_pass`), as the calendar would have.
Running it again on a town that has its elections adds none.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from tongxin.accounts.actions import create_account
from tongxin.accounts.models import User
from tongxin.community.demo import DEMO_ACTOR, DEMO_PASSWORD
from tongxin.community.models import Membership, Organisation, PartyStatus, Person, Role

from .actions.casting import cast_ballot
from .actions.motions import (
    decide_motion,
    draft_document,
    publish_document,
    record_votes,
    table_motion,
)
from .actions.nominations import (
    accept_nomination,
    answer_question,
    ask_question,
    edit_candidate_profile,
    fix_candidate_list,
    nominate,
    vet_nomination,
)
from .actions.roll import build_roll, eligible_roll, open_nominations, publish_roll
from .actions.rounds import (
    appoint_official,
    close_round,
    count_round,
    open_voting,
    publish_result,
    seats_filled,
    sign_result,
    start_next_round,
)
from .actions.setup import create_election
from .models import Document, Election, Motion, RoundStatus, VotingRound

BRANCH_ELECTION = "溪口村党支部委员会换届选举"
VILLAGE_ELECTION = "双港村第十二届村民委员会选举"
MEMBER_LOGIN = "xikou-member-{number:02d}"
COMMITTEE_LOGIN = "election-committee"
# Six candidates for five seats (5 × 1.2); how well each is liked decides the demo's ballots.
CANDIDATES = 6

# What the candidates say of themselves: (profile, statement), in the order of the list.
PROFILES = (
    ("在村里工作二十多年，先后担任村民小组长、村委会委员。", "继续推进溪口石板桥修缮，每月公开村集体收支。"),
    ("返乡创业青年，经营茶叶合作社，带动二十多户村民增收。", "把合作社的经验用到全村，让年轻人愿意回村。"),
    ("退伍军人，红袖标治安志愿者工作组骨干。", "把夜间巡逻排成固定班次，让老人孩子出门放心。"),
    ("村卫生室乡村医生，长期照顾独居老人。", "为八十岁以上老人建立健康档案，每季度上门随访。"),
    ("村妇联主席，组织过多次邻里纠纷调解。", "设立每周一次的调解接待日，小事不出村。"),
    ("村会计，负责村务公开栏的更新。", "村务财务每月在公开栏和网上同步公开。"),
)
QUESTION = "当选后，你准备怎样解决村口停车难的问题？"
ANSWERS = (
    "先把村委会门前空地划线，作为临时停车位，再和镇里商量规划停车场。",
    "建议在合作社仓库旁边腾出一块地，晚上对村民开放停车。",
)

# (title, text, votes of the secretary and of the other committee members)
COMMITTEE_MOTIONS = (
    ("关于组织党员参与村道修缮义务劳动的决定",
     "每月第一个周六组织党员参加村道修缮义务劳动，由红袖标工作组负责安全。", "yes", "yes"),
    ("关于将村集体资金优先用于老年活动中心改造的决定",
     "将今年村集体经营收入的三成用于老年活动中心改造。书记提议，委员们认为应先修缮溪口石板桥。", "yes", "no"),
    ("关于向镇党委报告上半年党建工作情况的决定",
     "同意以支部委员会名义向白水洋镇党委报送上半年党建工作情况报告。", "yes", "yes"),
)


@dataclass
class ElectionsSummary:
    elections: int
    motions: int
    documents: int


def build_demo_elections(*, town: Organisation, rng: random.Random) -> ElectionsSummary:
    """Add the elections and decisions the demo town is missing."""
    xikou_branch = _body(town, "溪口村", "party_branch")
    shuanggang_committee = _body(town, "双港村", "village_committee")
    committee = User.objects.get(username=COMMITTEE_LOGIN)
    if xikou_branch is not None and not Motion.objects.filter(organisation=xikou_branch).exists():
        _committee_motions(xikou_branch, committee)
    if xikou_branch is not None and not Election.objects.filter(organisation=xikou_branch, title=BRANCH_ELECTION).exists():
        _branch_election(xikou_branch, committee, rng)
    if shuanggang_committee is not None and not Election.objects.filter(title=VILLAGE_ELECTION).exists():
        _village_election(shuanggang_committee)
    within = Organisation.objects.within(town)
    return ElectionsSummary(
        elections=Election.objects.filter(organisation__in=within).count(),
        motions=Motion.objects.filter(organisation__in=within).count(),
        documents=Document.objects.filter(organisation__in=within).count(),
    )


def _body(town: Organisation, village_name: str, kind: str) -> Organisation | None:
    village = Organisation.objects.within(town).filter(name=village_name).first()
    return Organisation.objects.filter(parent=village, kind=kind).first() if village else None


def _members(branch: Organisation) -> list[Person]:
    """The branch's full members, committee first (secretary, deputy, members), then by name."""
    seats = Membership.objects.current().filter(organisation=branch, person__party_status=PartyStatus.FULL)
    order = {Role.SECRETARY: 0, Role.DEPUTY_SECRETARY: 1, Role.COMMITTEE_MEMBER: 2}
    people = sorted(seats.select_related("person"), key=lambda seat: (order.get(seat.role, 3), seat.person.name, seat.pk))
    return [seat.person for seat in people]


def _accounts(people: Sequence[Person]) -> None:
    """Each member gets an account to vote with (the demo password), unless they have one."""
    without = [person for person in people if person.user_id is None]
    for number, person in enumerate(without, start=1):
        create_account(actor=DEMO_ACTOR, username=MEMBER_LOGIN.format(number=number), password=DEMO_PASSWORD, person=person)


def _days_pass(election: Election, days: int) -> None:
    """The calendar moves on: every date of the election moves `days` into the past."""
    shift = datetime.timedelta(days=days)
    dated = (
        "roll_published_on", "objections_until", "objections_decided_by", "nominations_until",
        "candidate_list_on", "voting_opens_at", "voting_closes_at",
    )
    Election.objects.filter(pk=election.pk).update(**{name: F(name) - shift for name in dated})
    election.refresh_from_db()


def _committee_motions(branch: Organisation, recorder: User) -> None:
    committee = _members(branch)[:5]
    meeting = timezone.localdate() - datetime.timedelta(days=40)
    for offset, (title, text, secretary_vote, others_vote) in enumerate(COMMITTEE_MOTIONS):
        motion = table_motion(
            actor=recorder, organisation=branch, body="branch_committee", title=title, text=text,
            meeting_on=meeting + datetime.timedelta(days=14 * offset),
        )
        members = {membership.person_id for membership in _committee_seats(branch, motion.meeting_on)}
        votes = {}
        for person in committee:
            if person.pk not in members:
                continue
            choice = secretary_vote if person == committee[0] else others_vote
            dissent = "应先修缮石板桥，老年活动中心可放到明年。" if choice == "no" else ""
            votes[person.pk] = {"attendance": "present", "choice": choice, "dissent": dissent}
        for person_pk in members - set(votes):
            votes[person_pk] = {"attendance": "absent", "choice": "", "dissent": ""}
        record_votes(actor=recorder, motion=motion, votes=votes)
        decide_motion(actor=recorder, motion=motion)
    report_motion = Motion.objects.get(organisation=branch, title=COMMITTEE_MOTIONS[2][0])
    document = draft_document(
        actor=recorder, organisation=branch, kind="report_up", title="溪口村党支部上半年党建工作情况报告",
        body="上半年，支部召开支委会六次、党员大会两次，组织义务劳动四次，收集村民意见二十三条，已办结十九条。",
    )
    publish_document(actor=recorder, document=document, motion=report_motion)


def _committee_seats(branch: Organisation, day: datetime.date) -> list[Membership]:
    from .actions.motions import body_members

    return list(Membership.objects.current(day).filter(organisation=branch, person__in=body_members(branch, "branch_committee", day)))


def _branch_election(branch: Organisation, committee: User, rng: random.Random) -> None:
    members = _members(branch)
    _accounts(members)
    vote_at = timezone.now() + datetime.timedelta(days=21, hours=-2)
    election = create_election(
        actor=committee, organisation=branch, title=BRANCH_ELECTION, seats=5, rule_set="party_branch",
        voting_opens_at=vote_at, voting_closes_at=vote_at + datetime.timedelta(hours=12),
    )
    build_roll(actor=committee, election=election)
    publish_roll(actor=committee, election=election)
    _days_pass(election, 6)  # the objection period is over; nobody objected
    open_nominations(actor=committee, election=election)
    election.refresh_from_db()
    candidates = _nominate(election, committee, members)
    _days_pass(election, 8)
    list_motion = _list_motion(election, committee, members)
    fix_candidate_list(actor=committee, election=election, list_motion=list_motion)
    election.refresh_from_db()
    _candidates_speak(election, members)
    _days_pass(election, 7)  # the day of the vote
    open_voting(actor=committee, election=election)
    election.refresh_from_db()
    liking = {person.pk: rng.random() for person in candidates}
    scrutineer = next(person for person in reversed(members) if person not in candidates and person.user_id)
    appoint_official(actor=committee, election=election, person=scrutineer, duty="scrutineer", approved_by_assembly=True)
    while seats_filled(election) < election.seats:
        voting_round = VotingRound.objects.filter(election=election, status=RoundStatus.OPEN).order_by("-number").first()
        if voting_round is None:
            start_next_round(actor=committee, election=election)
            continue
        _vote(voting_round, members, liking, rng)
        close_round(actor=committee, voting_round=voting_round)
        count_round(actor=committee, voting_round=voting_round)
        sign_result(actor=scrutineer.user, voting_round=voting_round)
    publish_result(
        actor=committee, election=election,
        minutes="党员大会应到党员%(due)d名。选举委员会主持，监票人监督计票，选举结果当场公布。" % {"due": len(members)},
    )


def _nominate(election: Election, committee: User, members: list[Person]) -> list[Person]:
    """Five by the organisation, one by herself: the committee's members and two younger ones."""
    chosen = [person for person in members if person.user and person.user.username != COMMITTEE_LOGIN][:CANDIDATES]
    for person in chosen[:-1]:
        nomination = nominate(actor=committee, election=election, nominee=person, route="organisation",
                              reasons="支部委员会提名，工作认真负责，群众基础好。")
        accept_nomination(actor=person.user, nomination=nomination)
    nominate(actor=chosen[-1].user, election=election, nominee=chosen[-1], route="self",
             reasons="我愿意为村里的老人和孩子多做事情。")
    for nomination in election.nominations.all():
        vet_nomination(actor=committee, nomination=nomination, approved=True, reason="符合条件")
    return chosen


def _candidates_speak(election: Election, members: list[Person]) -> None:
    """Every candidate fills the same space; a voter asks them all a question, two answer so far."""
    listed = list(election.candidates.select_related("person__user").order_by("position"))
    for candidate, (profile, statement) in zip(listed, PROFILES, strict=False):
        edit_candidate_profile(actor=candidate.person.user, candidate=candidate, profile=profile, statement=statement)
    asker = next(person for person in reversed(members) if person not in {c.person for c in listed})
    question = ask_question(actor=asker.user, election=election, text=QUESTION)
    for candidate, answer in zip(listed, ANSWERS, strict=False):
        answer_question(actor=candidate.person.user, question=question, text=answer)


def _list_motion(election: Election, recorder: User, members: list[Person]) -> Motion:
    motion = table_motion(
        actor=recorder, organisation=election.organisation, body="member_assembly",
        title="关于确定支部委员会候选人名单的决定",
        text="党员大会按姓氏笔画为序确定六名候选人，实行差额选举。", meeting_on=timezone.localdate(),
    )
    from .actions.motions import body_members

    due = list(body_members(election.organisation, "member_assembly", motion.meeting_on))
    votes = {person.pk: {"attendance": "present", "choice": "yes", "dissent": ""} for person in due}
    if len(due) > 2:
        votes[due[-1].pk] = {"attendance": "absent", "choice": "", "dissent": ""}
    record_votes(actor=recorder, motion=motion, votes=votes)
    return decide_motion(actor=recorder, motion=motion)


def _vote(voting_round: VotingRound, members: list[Person], liking: dict[int, float], rng: random.Random) -> None:
    """All but two members vote (they work in the city); each approves the candidates they like
    best, up to the seats, and disapproves of or abstains on the others."""
    entries = list(voting_round.entries.select_related("candidate"))
    voters = {entry.person_id for entry in eligible_roll(voting_round.election)}
    away = set(members[-2:])
    for person in members:
        if person.pk not in voters or person in away:
            continue
        scores = sorted(entries, key=lambda entry: -(liking[entry.candidate.person_id] + rng.random() * 1.2))
        approved = {entry.candidate_id for entry in scores[: voting_round.seats]}
        marks = {
            entry.candidate_id: "approve" if entry.candidate_id in approved else rng.choice(["disapprove", "abstain"])
            for entry in entries
        }
        cast_ballot(actor=person.user, voting_round=voting_round, marks=marks, write_ins=[])


def _village_election(committee: Organisation) -> None:
    vote_at = timezone.now() + datetime.timedelta(days=21)
    election = create_election(
        actor=DEMO_ACTOR, organisation=committee, title=VILLAGE_ELECTION, seats=3, rule_set="village_committee",
        voting_opens_at=vote_at, voting_closes_at=vote_at + datetime.timedelta(hours=10),
    )
    build_roll(actor=DEMO_ACTOR, election=election)
    publish_roll(actor=DEMO_ACTOR, election=election)

