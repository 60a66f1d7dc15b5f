"""Nominating by the three routes, seconding, the nominee's answer, vetting with reasons and the
candidate list fixed in surname-stroke order, through the actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.elections.test_nominations_helpers import (
    approve,
    nominating,
    passed_motion,
    village_nominating,
)
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.nominations import (
    accept_nomination,
    decline_nomination,
    fix_candidate_list,
    nominate,
    second_nomination,
    vet_nomination,
    withdraw_nomination,
)
from tongxin.elections.models import Candidate, Nomination, Phase, Route, Seconder

pytestmark = pytest.mark.django_db


def unchanged(before: tuple[int, int, int]) -> bool:
    return (Nomination.objects.count(), Seconder.objects.count(), AuditEvent.objects.count()) == before


def counts() -> tuple[int, int, int]:
    return (Nomination.objects.count(), Seconder.objects.count(), AuditEvent.objects.count())


# ---- the organisation's route ------------------------------------------------------------------------


def test_the_committee_nominates_for_the_organisation_and_the_nominee_accepts(village):
    election = nominating(village)
    nomination = nominate(
        actor=village.committee, election=election, nominee=village.person("member05"), route=Route.ORGANISATION,
        reasons="  工作认真  ",
    )
    assert (nomination.status, nomination.proposer, nomination.reasons) == ("awaiting_acceptance", None, "工作认真")
    accept_nomination(actor=village.account("member05"), nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == "accepted"
    assert list(AuditEvent.objects.filter(verb__startswith="election.").values_list("verb", flat=True))[-2:] == [
        "election.nominate", "election.accept_nomination",
    ]


def test_a_member_cannot_nominate_for_the_organisation(village):
    election = nominating(village)
    before = counts()
    with pytest.raises(PermissionDenied):
        nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route=Route.ORGANISATION)
    assert unchanged(before)


def test_only_the_nominee_accepts(village):
    election = nominating(village)
    nomination = nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    before = counts()
    with pytest.raises(PermissionDenied):
        accept_nomination(actor=village.account("member04"), nomination=nomination)
    with pytest.raises(PermissionDenied):
        accept_nomination(actor=village.committee, nomination=nomination)
    assert unchanged(before)
    nomination.refresh_from_db()
    assert nomination.status == "awaiting_acceptance"


# ---- joint recommendation ------------------------------------------------------------------------------


def test_a_joint_recommendation_waits_for_its_seconders(village):
    election = nominating(village)  # the branch rule: 4 seconders besides the proposer
    nomination = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    assert (nomination.status, nomination.proposer) == ("awaiting_seconders", village.person("member03"))
    for account in ("member06", "member07", "member08"):
        nomination = second_nomination(actor=village.account(account), nomination=nomination)
    assert nomination.status == "awaiting_seconders"
    nomination = second_nomination(actor=village.account("member09"), nomination=nomination)
    assert (nomination.status, nomination.seconders.count()) == ("awaiting_acceptance", 4)
    accept_nomination(actor=village.account("member05"), nomination=nomination)
    nomination.refresh_from_db()
    assert nomination.status == "accepted"


def test_seconding_is_refused_to_the_proposer_the_nominee_a_second_time_and_after_enough(village):
    election = nominating(village, seconders_required=1)
    nomination = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    for account in ("member03", "member05"):
        with pytest.raises(ActionError, match="The proposer and the nominee cannot second their own nomination."):
            second_nomination(actor=village.account(account), nomination=nomination)
    second_nomination(actor=village.account("member06"), nomination=nomination)
    with pytest.raises(ActionError, match="You have seconded this nomination already."):
        second_nomination(actor=village.account("member06"), nomination=nomination)
    with pytest.raises(ActionError, match="This nomination is not waiting for seconders."):
        second_nomination(actor=village.account("member07"), nomination=nomination)
    assert nomination.seconders.count() == 1


def test_only_eligible_voters_second(village):
    election = nominating(village)
    nomination = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    before = counts()
    for actor in (village.probationary.user, village.account("villager15"), village.outsider, village.committee):
        with pytest.raises(PermissionDenied):
            second_nomination(actor=actor, nomination=nomination)
    assert unchanged(before)


def test_a_joint_recommendation_of_oneself_is_refused(village):
    election = nominating(village)
    with pytest.raises(ActionError, match="To stand yourself, use a self-nomination."):
        nominate(actor=village.account("member03"), election=election, nominee=village.person("member03"), route="joint")


# ---- self-nomination ----------------------------------------------------------------------------------


def test_a_self_nomination_is_accepted_by_being_made(village):
    election = nominating(village)
    nomination = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    assert (nomination.status, nomination.proposer) == ("accepted", village.person("member04"))


def test_a_self_nomination_with_seconders(village):
    election = nominating(village, self_nomination_seconders=2)
    nomination = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    assert nomination.status == "awaiting_seconders"
    second_nomination(actor=village.account("member10"), nomination=nomination)
    nomination = second_nomination(actor=village.account("member11"), nomination=nomination)
    assert nomination.status == "accepted"


def test_only_the_nominee_nominates_themselves(village):
    election = nominating(village)
    with pytest.raises(ActionError, match="Only the nominee can make a self-nomination."):
        nominate(actor=village.account("member04"), election=election, nominee=village.person("member06"), route="self")


# ---- who may stand, and when ---------------------------------------------------------------------------


def test_the_nominee_must_be_an_eligible_voter_on_the_roll(village):
    election = nominating(village)
    before = counts()
    with pytest.raises(ActionError) as error:
        nominate(actor=village.committee, election=election, nominee=village.probationary, route="organisation")
    assert error.value.message == "钱预备 is not an eligible voter on this election's roll, and so cannot stand."
    with pytest.raises(ActionError, match="村民15 is not an eligible voter"):
        nominate(actor=village.committee, election=election, nominee=village.person("villager15"), route="organisation")
    assert unchanged(before)


def test_a_party_branch_candidate_is_a_full_member(village):
    election = nominating(village)
    person = village.person("member06")
    person.party_status = "probationary"
    person.save(update_fields=["party_status"])
    with pytest.raises(ActionError, match="杨磊 is not a full party member, and so cannot stand."):
        nominate(actor=village.committee, election=election, nominee=person, route="organisation")


def test_a_second_open_nomination_of_the_same_person_is_refused(village):
    election = nominating(village)
    first = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    with pytest.raises(ActionError) as error:
        nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    assert (error.value.status, error.value.message) == (
        409, "陈静 is already nominated (By members' joint recommendation): second that nomination instead.",
    )
    withdraw_nomination(actor=village.account("member03"), nomination=first)
    again = nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    assert again.status == "awaiting_acceptance"


def test_nominations_close_with_their_date_and_their_phase(village):
    election = nominating(village)
    election.nominations_until = timezone.localdate() - datetime.timedelta(days=1)
    election.save(update_fields=["nominations_until"])
    with pytest.raises(ActionError) as error:
        nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    assert error.value.status == 409
    assert error.value.message.startswith("Nominations closed on ")
    election.nominations_until = None
    election.phase = Phase.ROLL
    election.save(update_fields=["nominations_until", "phase"])
    with pytest.raises(ActionError, match="the election is at the step"):
        nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    with pytest.raises(PermissionDenied):  # members nominate only while nominations are open
        nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    assert Nomination.objects.count() == 0


# ---- declining and withdrawing --------------------------------------------------------------------------


def test_the_nominee_declines_even_after_approval(village):
    election = nominating(village)
    [nomination] = approve(village, election, ["member05"])
    with pytest.raises(PermissionDenied):
        decline_nomination(actor=village.account("member03"), nomination=nomination)
    nomination = decline_nomination(actor=village.account("member05"), nomination=nomination)
    assert nomination.status == "declined"
    with pytest.raises(ActionError, match="This nomination no longer stands."):
        decline_nomination(actor=village.account("member05"), nomination=nomination)


def test_whoever_made_a_nomination_withdraws_it(village):
    election = nominating(village)
    joint = nominate(actor=village.account("member03"), election=election, nominee=village.person("member05"), route="joint")
    by_branch = nominate(actor=village.committee, election=election, nominee=village.person("member06"), route="organisation")
    before = counts()
    with pytest.raises(PermissionDenied):
        withdraw_nomination(actor=village.account("member04"), nomination=joint)
    with pytest.raises(PermissionDenied):
        withdraw_nomination(actor=village.account("member06"), nomination=by_branch)
    assert unchanged(before)
    assert withdraw_nomination(actor=village.account("member03"), nomination=joint).status == "withdrawn"
    assert withdraw_nomination(actor=village.committee, nomination=by_branch).status == "withdrawn"


# ---- vetting ------------------------------------------------------------------------------------------


def test_the_committee_rejects_with_a_reason_and_may_revise(village):
    election = nominating(village)
    nomination = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    with pytest.raises(ActionError, match="Give the reason for not approving the nomination: it is shown publicly."):
        vet_nomination(actor=village.committee, nomination=nomination, approved=False, reason="  ")
    nomination = vet_nomination(actor=village.committee, nomination=nomination, approved=False, reason="受到党内警告处分未满一年")
    assert (nomination.status, nomination.vetting_reason, nomination.vetted_by) == (
        "rejected", "受到党内警告处分未满一年", village.committee,
    )
    event = AuditEvent.objects.filter(verb="election.vet_nomination").get()
    assert event.data == {"approved": False, "reason": "受到党内警告处分未满一年"}
    nomination = vet_nomination(actor=village.committee, nomination=nomination, approved=True, reason="处分期已满")
    assert (nomination.status, nomination.vetting_reason) == ("approved", "处分期已满")


def test_vetting_needs_the_nominees_acceptance_and_the_committee(village):
    election = nominating(village)
    nomination = nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    with pytest.raises(ActionError, match="Only a nomination the nominee has accepted can be vetted"):
        vet_nomination(actor=village.committee, nomination=nomination, approved=True)
    accept_nomination(actor=village.account("member05"), nomination=nomination)
    before = counts()
    with pytest.raises(PermissionDenied):
        vet_nomination(actor=village.account("member01"), nomination=nomination, approved=True)
    assert unchanged(before)


def test_a_person_is_approved_through_one_nomination_only(village):
    election = nominating(village)
    rejected = nominate(actor=village.account("member04"), election=election, nominee=village.person("member04"), route="self")
    vet_nomination(actor=village.committee, nomination=rejected, approved=False, reason="材料不全")
    again = nominate(actor=village.committee, election=election, nominee=village.person("member04"), route="organisation")
    accept_nomination(actor=village.account("member04"), nomination=again)
    vet_nomination(actor=village.committee, nomination=again, approved=True)
    with pytest.raises(ActionError, match="刘洋 is already approved through another nomination."):
        vet_nomination(actor=village.committee, nomination=rejected, approved=True)


# ---- the candidate list -------------------------------------------------------------------------------


def test_three_seats_need_four_candidates(village):
    election = nominating(village)
    approve(village, election, ["member02", "member03", "member05"])
    with pytest.raises(ActionError) as error:
        fix_candidate_list(actor=village.committee, election=election, list_motion=passed_motion(village))
    assert (error.value.status, error.value.code, error.value.message) == (
        409, "too_few_candidates", "3 seats need at least 4 candidates under these rules, and there are 3.",
    )
    election.refresh_from_db()
    assert (election.phase, Candidate.objects.count()) == ("nomination", 0)


def test_the_list_is_fixed_in_surname_stroke_order_by_the_assemblys_motion(village):
    election = nominating(village)
    # 赵 9, 陈 7 (折 first), 王 4, 张 7 (折 first, 5-1 before 陈's 5-2), 李 7 (横 first)
    approve(village, election, ["member07", "member05", "member02", "member03", "member01"])
    motion = passed_motion(village)
    candidates = fix_candidate_list(actor=village.committee, election=election, list_motion=motion)
    assert [(candidate.position, candidate.person.name) for candidate in candidates] == [
        (1, "王芳"), (2, "李书记"), (3, "张伟"), (4, "陈静"), (5, "赵敏"),
    ]
    election.refresh_from_db()
    assert (election.phase, election.list_motion) == ("candidates", motion)
    assert list(Candidate.objects.filter(election=election).values_list("person__name", flat=True)) == [
        "王芳", "李书记", "张伟", "陈静", "赵敏",
    ]
    event = AuditEvent.objects.filter(verb="election.fix_candidate_list").get()
    assert event.data["motion"] == motion.pk


def test_the_branch_list_needs_a_passed_motion_of_the_branch(village):
    election = nominating(village)
    approve(village, election, ["member02", "member03", "member05", "member07"])
    with pytest.raises(ActionError, match="Under these rules the assembly fixes the candidate list: name the passed motion"):
        fix_candidate_list(actor=village.committee, election=election)
    for motion in (passed_motion(village, status="failed"), passed_motion(village, organisation=village.village_office)):
        with pytest.raises(ActionError, match="is not a passed motion of"):
            fix_candidate_list(actor=village.committee, election=election, list_motion=motion)
    election.refresh_from_db()
    assert (election.phase, election.list_motion, Candidate.objects.count()) == ("nomination", None, 0)


def test_only_the_committee_fixes_the_list(village):
    election = nominating(village)
    approve(village, election, ["member02", "member03", "member05", "member07"])
    before = counts()
    with pytest.raises(PermissionDenied):
        fix_candidate_list(actor=village.account("member01"), election=election, list_motion=passed_motion(village))
    assert unchanged(before)
    assert Candidate.objects.count() == 0


def test_a_village_list_needs_no_motion_and_more_candidates_than_seats(village):
    election = village_nominating(village)
    approve(village, election, ["villager03", "villager01", "villager02"])
    with pytest.raises(ActionError, match="3 seats need at least 4 candidates"):
        fix_candidate_list(actor=village.village_committee_runner, election=election)
    approve(village, election, ["villager10"])
    candidates = fix_candidate_list(actor=village.village_committee_runner, election=election)
    # The same 村民 in every name: the digits after it decide, as text.
    assert [candidate.person.name for candidate in candidates] == ["村民01", "村民02", "村民03", "村民10"]


def test_declined_withdrawn_and_rejected_nominees_are_not_listed(village):
    election = nominating(village)
    approve(village, election, ["member02", "member03", "member05", "member07"])
    [declined] = approve(village, election, ["member08"])
    decline_nomination(actor=village.account("member08"), nomination=declined)
    rejected = nominate(actor=village.account("member09"), election=election, nominee=village.person("member09"), route="self")
    vet_nomination(actor=village.committee, nomination=rejected, approved=False, reason="本人不符合条件")
    candidates = fix_candidate_list(actor=village.committee, election=election, list_motion=passed_motion(village))
    assert [candidate.person.name for candidate in candidates] == ["王芳", "张伟", "陈静", "赵敏"]
