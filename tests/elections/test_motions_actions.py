"""Motions through their actions: one member one vote with the secretary's counted like any other,
no casting vote, a tie fails, quorum and thresholds by body (RULES.md §1, "Motions"), a
decided motion fixed for good, every step in the audit log; consultation councils decide the
same way."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.helpers import SYSTEM, admin_of, organisation
from tongxin.community.actions import add_membership
from tongxin.community.models import Obtained, Role, StaffRole
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.motions import (
    body_members,
    decide_motion,
    default_body,
    record_tally,
    record_votes,
    table_motion,
)
from tongxin.elections.models import Motion, MotionVote

from .conftest import START, Village

MEETING = datetime.date(2024, 3, 5)
TEXT = "同意将村东道路硬化工程列入今年为民办实事项目。"


def branch_motion(village: Village, **fields: Any) -> Motion:
    fields.setdefault("title", "关于村东道路硬化的决议")
    return table_motion(actor=village.committee, organisation=village.branch, text=TEXT, meeting_on=MEETING, **fields)


def ballot(village: Village, **choices: str) -> dict[int, dict[str, str]]:
    """Votes by account name: "yes", "no", "abstain", "not_voting" or "absent"."""
    votes = {}
    for account, choice in choices.items():
        if choice == "absent":
            votes[village.person(account).pk] = {"attendance": "absent", "choice": "", "dissent": ""}
        else:
            votes[village.person(account).pk] = {"attendance": "present", "choice": choice, "dissent": ""}
    return votes


def decided(village: Village, motion: Motion, votes: dict[int, dict[str, str]]) -> Motion:
    record_votes(actor=village.committee, motion=motion, votes=votes)
    return decide_motion(actor=village.committee, motion=motion)


def test_the_branch_committee_is_the_secretary_and_the_two_committee_members(village: Village) -> None:
    motion = branch_motion(village)

    assert motion.body == "branch_committee"
    assert motion.members_due == 3
    assert [person.name for person in body_members(village.branch, motion.body, MEETING)] == ["张伟", "李书记", "王芳"]


def test_the_secretary_outvoted_by_two_committee_members_fails(village: Village) -> None:
    motion = branch_motion(village)
    votes = ballot(village, member01="yes", member02="no", member03="no")
    votes[village.person("member02").pk]["dissent"] = "资金来源尚未落实。"

    motion = decided(village, motion, votes)

    assert (motion.status, motion.yes, motion.no, motion.abstain, motion.present, motion.needed) == ("failed", 1, 2, 0, 3, 2)
    assert motion.reason == {"code": "below_threshold", "params": {"yes": 1, "needed": 2, "base": "present", "of": 3}}
    assert motion.result_text == (
        "Failed: 1 yes, and more than half of the members present (3) means at least 2 yes votes."
    )
    assert {(vote.person.name, vote.choice, vote.dissent) for vote in motion.votes.all()} == {
        ("李书记", "yes", ""), ("王芳", "no", "资金来源尚未落实。"), ("张伟", "no", ""),
    }


def test_the_secretary_voting_no_is_one_vote_against_two(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="no", member02="yes", member03="yes"))

    assert (motion.status, motion.yes, motion.no) == ("passed", 2, 1)
    assert motion.result_text == "Passed: 2 yes against 1 no; 2 yes votes were needed."


def test_a_tie_fails_and_the_secretary_has_no_casting_vote(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="yes", member02="no", member03="absent"))

    assert (motion.status, motion.yes, motion.no, motion.present) == ("failed", 1, 1, 2)
    assert motion.reason == {"code": "tie", "params": {"yes": 1, "no": 1}}
    assert motion.result_text == "Failed: a tie, 1 yes and 1 no. There is no casting vote, and a tie fails."


def test_one_of_three_present_is_no_quorum_and_nothing_is_counted(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="yes", member02="absent", member03="absent"))

    assert (motion.status, motion.yes, motion.no, motion.present) == ("no_quorum", 0, 0, 1)
    assert motion.reason == {"code": "no_quorum", "params": {"present": 1, "due": 3, "needed": 2}}
    assert motion.result_text == (
        "No quorum: 1 of the 3 members due were present, and at least 2 were needed. Nothing was decided."
    )


def test_an_abstention_and_a_member_not_voting_count_as_present(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="yes", member02="abstain", member03="not_voting"))

    assert (motion.status, motion.yes, motion.abstain, motion.present, motion.needed) == ("failed", 1, 1, 3, 2)


def test_a_member_assembly_passes_only_with_more_yes_than_half_of_those_due(village: Village) -> None:
    """Twelve full members due (the probationary member has no vote): 7 present, 6 yes is not
    above half of 12; 7 yes is."""
    present = ["member01", "member02", "member03", "member04", "member05", "member06", "member07"]
    absent = {f"member{number:02d}": "absent" for number in range(8, 13)}
    six = branch_motion(village, body="member_assembly")
    seven = branch_motion(village, body="member_assembly")

    six = decided(village, six, ballot(village, **dict.fromkeys(present[:6], "yes"), member07="no", **absent))
    seven = decided(village, seven, ballot(village, **dict.fromkeys(present, "yes"), **absent))

    assert six.members_due == 12
    assert (six.status, six.yes, six.no, six.needed) == ("failed", 6, 1, 7)
    assert six.result_text == (
        "Failed: 6 yes, and more than half of the members due to attend (12) means at least 7 yes votes."
    )
    assert (seven.status, seven.yes, seven.needed) == ("passed", 7, 7)


def test_a_villagers_assembly_records_its_numbers(village: Village) -> None:
    motion = table_motion(
        actor=village.admin, organisation=village.village, title="村规民约修订", text=TEXT, meeting_on=MEETING,
        members_due=30,
    )
    record_tally(actor=village.admin, motion=motion, present=16, yes=9, no=5, abstain=2)
    motion = decide_motion(actor=village.admin, motion=motion)

    assert motion.body == "villagers_assembly"
    assert (motion.status, motion.yes, motion.needed, motion.present) == ("passed", 9, 9, 16)
    assert not MotionVote.objects.exists()


def test_a_villagers_assembly_of_half_the_adults_has_no_quorum(village: Village) -> None:
    motion = table_motion(
        actor=village.admin, organisation=village.village, title="村规民约修订", text=TEXT, meeting_on=MEETING,
        members_due=30,
    )
    record_tally(actor=village.admin, motion=motion, present=15, yes=15, no=0, abstain=0)

    assert decide_motion(actor=village.admin, motion=motion).status == "no_quorum"


def test_a_villagers_assembly_by_households_needs_two_thirds_represented(village: Village) -> None:
    motion = table_motion(
        actor=village.admin, organisation=village.village, title="宅基地分配方案", text=TEXT, meeting_on=MEETING,
        members_due=12, counts_households=True,
    )
    record_tally(actor=village.admin, motion=motion, present=8, yes=5, no=3, abstain=0)
    motion = decide_motion(actor=village.admin, motion=motion)

    assert (motion.status, motion.yes, motion.needed) == ("passed", 5, 5)
    assert motion.result_text == "Passed: 5 yes against 3 no; 5 yes votes were needed."


def test_a_representatives_assembly_needs_two_thirds_present(village: Village) -> None:
    motion = table_motion(
        actor=village.admin, organisation=village.village, body="representatives_assembly", title="年度预算",
        text=TEXT, meeting_on=MEETING, members_due=30,
    )
    record_tally(actor=village.admin, motion=motion, present=19, yes=19, no=0, abstain=0)
    motion = decide_motion(actor=village.admin, motion=motion)

    assert motion.reason == {"code": "no_quorum", "params": {"present": 19, "due": 30, "needed": 20}}


def test_a_consultation_council_decides_by_simple_majority(village: Village) -> None:
    council = organisation("小寨村协商议事会", "Xiaozhai Consultation Council", "consultation_council", village.village)
    for account in ("villager01", "villager02", "villager03", "villager04", "member05"):
        add_membership(
            actor=SYSTEM, person=village.person(account), organisation=council, role=Role.MEMBER,
            obtained=Obtained.APPOINTED, obtained_from=village.village_office, start_date=START,
        )
    office = admin_of(council, "council_office", StaffRole.OFFICE)
    motion = table_motion(actor=office, organisation=council, title="停车位划线方案", text=TEXT, meeting_on=MEETING)
    record_votes(
        actor=office, motion=motion,
        votes=ballot(village, villager01="yes", villager02="yes", villager03="no", villager04="abstain", member05="absent"),
    )
    motion = decide_motion(actor=office, motion=motion)

    assert default_body(council) == "simple_majority"
    assert (motion.body, motion.members_due, motion.present) == ("simple_majority", 5, 4)
    # More yes than half of the four present needs 3: an abstention weighs like a no.
    assert (motion.status, motion.yes, motion.needed) == ("failed", 2, 3)


def test_only_members_of_the_body_vote_and_every_member_is_listed(village: Village) -> None:
    motion = branch_motion(village)

    with pytest.raises(ActionError) as outsider:
        record_votes(
            actor=village.committee, motion=motion,
            votes=ballot(village, member01="yes", member02="yes", member03="no", member04="yes"),
        )
    with pytest.raises(ActionError) as missing:
        record_votes(actor=village.committee, motion=motion, votes=ballot(village, member01="yes", member02="yes"))
    with pytest.raises(ActionError) as absent_voting:
        record_votes(
            actor=village.committee, motion=motion,
            votes={**ballot(village, member01="yes", member02="yes"),
                   village.person("member03").pk: {"attendance": "absent", "choice": "no", "dissent": ""}},
        )
    with pytest.raises(ActionError) as twice:
        record_votes(
            actor=village.committee, motion=motion,
            votes={**ballot(village, member01="yes", member02="yes", member03="no"), str(village.person("member01").pk): {"attendance": "present", "choice": "no"}},
        )
    with pytest.raises(ActionError) as yes_dissent:
        votes = ballot(village, member01="yes", member02="yes", member03="no")
        votes[village.person("member01").pk]["dissent"] = "保留意见"
        record_votes(actor=village.committee, motion=motion, votes=votes)

    assert outsider.value.message == (
        f"Not a member of this body: {village.person('member04').pk}. Only its members vote."
    )
    assert missing.value.message == "Every member is listed, present or absent; missing: 张伟."
    assert absent_voting.value.message == "张伟 was absent and cannot vote."
    assert twice.value.message == "A member is listed twice: one member, one vote."
    assert yes_dissent.value.message == "李书记 voted yes: there is no dissent to minute."
    assert not MotionVote.objects.exists()
    assert Motion.objects.get().recorded_at is None


def test_a_motion_is_decided_only_after_its_votes_are_recorded(village: Village) -> None:
    motion = branch_motion(village)

    with pytest.raises(ActionError) as error:
        decide_motion(actor=village.committee, motion=motion)

    assert (error.value.status, error.value.message) == (409, "Record the attendance and the votes first.")
    assert Motion.objects.get().status == "open"


def test_votes_may_be_corrected_until_the_motion_is_decided(village: Village) -> None:
    motion = branch_motion(village)
    record_votes(actor=village.committee, motion=motion, votes=ballot(village, member01="yes", member02="no", member03="no"))
    record_votes(actor=village.committee, motion=motion, votes=ballot(village, member01="yes", member02="yes", member03="no"))

    motion = decide_motion(actor=village.committee, motion=motion)

    assert (motion.status, motion.yes, motion.no, MotionVote.objects.count()) == ("passed", 2, 1, 3)


def test_a_decided_motion_never_changes(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="yes", member02="no", member03="no"))

    with pytest.raises(ActionError) as again:
        record_votes(actor=village.committee, motion=motion, votes=ballot(village, member01="yes", member02="yes", member03="yes"))
    with pytest.raises(ActionError) as redecide:
        decide_motion(actor=village.committee, motion=motion)

    day = timezone.localdate(motion.decided_at).isoformat()
    assert (again.value.status, again.value.message) == (409, f"This motion was decided on {day} and can no longer change.")
    assert redecide.value.status == 409
    motion.refresh_from_db()
    assert (motion.status, motion.yes, motion.no) == ("failed", 1, 2)
    assert sorted(MotionVote.objects.values_list("choice", flat=True)) == ["no", "no", "yes"]


def test_every_step_is_audited(village: Village) -> None:
    motion = decided(village, branch_motion(village), ballot(village, member01="yes", member02="no", member03="no"))

    events = AuditEvent.objects.for_target(motion).order_by("seq")
    assert [event.verb for event in events] == [
        "election.motion.table", "election.motion.record_votes", "election.motion.decide",
    ]
    decision = events.last().data
    assert decision["status"] == "failed"
    assert decision["dissent"] == sorted([village.person("member02").pk, village.person("member03").pk])
    assert events[1].data["votes"][str(village.person("member01").pk)] == {"attendance": "present", "choice": "yes", "dissent": ""}


def test_only_recorders_table_record_and_decide(village: Village) -> None:
    motion = branch_motion(village)
    secretary = village.account("member01")

    with pytest.raises(PermissionDenied):
        table_motion(actor=secretary, organisation=village.branch, title="自行提议", text=TEXT, meeting_on=MEETING)
    with pytest.raises(PermissionDenied):
        record_votes(actor=secretary, motion=motion, votes=ballot(village, member01="yes", member02="yes", member03="yes"))
    with pytest.raises(PermissionDenied):
        decide_motion(actor=village.village_committee_runner, motion=motion)

    assert Motion.objects.count() == 1
    assert not MotionVote.objects.exists()
    assert [event.verb for event in AuditEvent.objects.for_target(motion)] == ["election.motion.table"]


def test_an_assembly_gives_its_numbers_and_a_committee_counts_its_own(village: Village) -> None:
    with pytest.raises(ActionError) as no_number:
        table_motion(actor=village.admin, organisation=village.village, title="村规民约", text=TEXT, meeting_on=MEETING)
    with pytest.raises(ActionError) as number_given:
        branch_motion(village, members_due=9)
    with pytest.raises(ActionError) as empty:
        table_motion(actor=village.committee, organisation=village.branch, title=" ", text="", meeting_on=MEETING)

    assert no_number.value.message == "Say how many are due to attend the assembly."
    assert number_given.value.message == "A meeting that votes by name counts its members itself."
    assert empty.value.message == "Give the motion a title. Write the text of the motion."
    assert not Motion.objects.exists()


def test_who_casts_which_vote_never_matters_the_secretarys_included(village: Village) -> None:
    """Every way the three committee members can attend and vote: the result depends only on
    how many voted each way, never on which member (the secretary or another) cast which vote."""
    options = ("yes", "no", "abstain", "absent")
    results: dict[tuple[str, ...], set[tuple[str, int, int, int]]] = {}
    for combination in itertools.product(options, repeat=3):
        choices = dict(zip(("member01", "member02", "member03"), combination, strict=True))
        motion = decided(village, branch_motion(village), ballot(village, **choices))
        results.setdefault(tuple(sorted(combination)), set()).add((motion.status, motion.yes, motion.no, motion.present))

    assert len(results) == 20
    assert all(len(outcomes) == 1 for outcomes in results.values())
    assert results[("no", "no", "yes")] == {("failed", 1, 2, 3)}
    assert results[("no", "yes", "yes")] == {("passed", 2, 1, 3)}
    assert results[("absent", "no", "yes")] == {("failed", 1, 1, 2)}
