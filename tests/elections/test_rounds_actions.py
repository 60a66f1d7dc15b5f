"""Rounds of voting through their actions: opening, closing, counting, further rounds, paper
ballots entered by two tellers, signatures and the published result.

Online ballots are cast through `casting.cast_ballot`, as voters cast them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.elections.conftest import voting_election
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions import rounds
from tongxin.elections.actions.casting import cast_ballot
from tongxin.elections.models import (
    Ballot,
    Candidate,
    Duty,
    Election,
    Mode,
    Official,
    PaperEntry,
    Phase,
    RoundStatus,
    Signature,
    VotingRound,
)

# The list of `voting_election`: 王芳 (member02), 张伟 (member03), 陈静 (member05), 赵敏 (member07).
VOTERS = ["member01", "member02", "member03", "member04", "member05", "member06",
          "member07", "member08", "member09", "member10", "member11", "member12"]


def current_round(election: Election) -> VotingRound:
    return election.rounds.order_by("-number").first()


def cast(village: Any, voting_round: VotingRound, voter: str, approve: set[str], write_ins: list[str] = ()) -> None:
    """One voter's online ballot through `cast_ballot`: approve the names in `approve`, disapprove the rest."""
    marks = {
        e.candidate_id: "approve" if e.candidate.person.name in approve else "disapprove"
        for e in rounds.round_entries(voting_round)
    }
    cast_ballot(actor=village.account(voter), voting_round=voting_round, marks=marks, write_ins=list(write_ins))


def cast_all(village: Any, voting_round: VotingRound, ballots: list[tuple[int, set[str]]]) -> None:
    """`ballots`: (how many, whom they approve), cast by the voters in roll order."""
    voters = iter(VOTERS)
    for times, approve in ballots:
        for _ in range(times):
            cast(village, voting_round, next(voters), approve)


def close_and_count(village: Any, election: Election) -> VotingRound:
    voting_round = current_round(election)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    return rounds.count_round(actor=village.committee, voting_round=voting_round)


def scrutineer(village: Any, election: Election, account: str = "member08") -> Official:
    return rounds.appoint_official(
        actor=village.committee, election=election, person=village.person(account), duty=Duty.SCRUTINEER,
        approved_by_assembly=True,
    )


def sign_all(village: Any, election: Election) -> None:
    for official in election.officials.filter(duty=Duty.SCRUTINEER):
        for voting_round in election.rounds.filter(status=RoundStatus.COUNTED):
            if not voting_round.signatures.filter(official=official).exists():
                rounds.sign_result(actor=official.person.user, voting_round=voting_round)


# 王芳 10, 张伟 8, 陈静 6, 赵敏 4 of 10 present: more than half is 6.
OUTRIGHT = [(4, {"王芳", "张伟", "陈静"}), (2, {"王芳", "张伟", "陈静"}), (2, {"王芳", "张伟", "赵敏"}), (2, {"王芳", "赵敏"})]
# 王芳 10, 张伟 8, 陈静 6, 赵敏 6: 陈静 and 赵敏 tied at the cut-off for the third seat.
TIE = [(4, {"王芳", "张伟", "陈静"}), (4, {"王芳", "张伟", "赵敏"}), (2, {"王芳", "陈静", "赵敏"})]
# 王芳 10, 张伟 8, 陈静 5, 赵敏 4: one seat unfilled.
SHORTFALL = [(5, {"王芳", "张伟", "陈静"}), (3, {"王芳", "张伟", "赵敏"}), (1, {"王芳", "赵敏"}), (1, {"王芳"})]


def candidates_election(village: Any, **settings: Any) -> Election:
    """A branch election at CANDIDATES: the roll of twelve, the list of four, no round yet."""
    election = voting_election(village, **settings)
    election.rounds.all().delete()
    Election.objects.filter(pk=election.pk).update(phase=Phase.CANDIDATES)
    election.refresh_from_db()
    return election


# -- Opening the vote ----------------------------------------------------------------------------


def test_open_voting_creates_the_first_round_with_the_list_in_order(village):
    election = candidates_election(village)
    voting_round = rounds.open_voting(actor=village.committee, election=election)
    election.refresh_from_db()
    assert election.phase == Phase.VOTING
    assert (voting_round.number, voting_round.kind, voting_round.seats, voting_round.status) == (1, "first", 3, "open")
    assert voting_round.voters_due == 12
    assert [e.candidate.person.name for e in rounds.round_entries(voting_round)] == ["王芳", "张伟", "陈静", "赵敏"]
    assert AuditEvent.objects.filter(verb="election.open_voting").count() == 1


def test_an_assembly_round_waits_prepared_until_the_assembly_sits(village):
    election = candidates_election(village, mode=Mode.ASSEMBLY)
    voting_round = rounds.open_voting(actor=village.committee, election=election)
    assert (voting_round.status, voting_round.opened_at) == ("prepared", None)
    voting_round = rounds.start_assembly_round(actor=village.committee, voting_round=voting_round)
    assert voting_round.status == "open"


def test_voting_cannot_open_without_enough_candidates(village):
    election = candidates_election(village)
    Candidate.objects.filter(election=election, position=4).delete()
    with pytest.raises(ActionError) as error:
        rounds.open_voting(actor=village.committee, election=election)
    assert error.value.message == "3 seats need at least 4 candidates under these rules, and there are 3."
    election.refresh_from_db()
    assert (election.phase, election.rounds.count()) == ("candidates", 0)


# -- Counting ------------------------------------------------------------------------------------


def test_a_whole_count_with_an_outright_result(village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    voting_round = close_and_count(village, election)
    result = voting_round.result
    pk = {c.person.name: c.pk for c in election.candidates.select_related("person")}
    assert voting_round.status == "counted"
    assert voting_round.voters_present == 10
    assert result["status"] == "elected"
    assert result["reason"] == {"code": "elected", "params": {"seats": 3}}
    assert result["ballots"] == {"returned": 10, "valid": 10, "invalid": 0}
    assert result["tally"] == [
        {"candidate": pk["王芳"], "label": "王芳", "votes": 10},
        {"candidate": pk["张伟"], "label": "张伟", "votes": 8},
        {"candidate": pk["陈静"], "label": "陈静", "votes": 6},
        {"candidate": pk["赵敏"], "label": "赵敏", "votes": 4},
    ]
    assert [row["label"] for row in result["elected"]] == ["王芳", "张伟", "陈静"]
    assert (result["tied"], result["unfilled_seats"]) == ([], 0)
    assert rounds.next_step(election).code == "publish"
    assert AuditEvent.objects.get(verb="election.round_count").data["result"] == result


def test_a_tie_at_the_cut_off_goes_to_a_further_vote_among_the_tied(village):
    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    first = close_and_count(village, election)
    assert first.result["reason"] == {"code": "tie", "params": {"seats": 1, "tied": 2}}
    assert [row["label"] for row in first.result["elected"]] == ["王芳", "张伟"]
    assert [row["label"] for row in first.result["tied"]] == ["陈静", "赵敏"]
    assert rounds.next_step(election) == rounds.NextStep("next_round", kind="tie_break", seats=1)

    second = rounds.start_next_round(actor=village.committee, election=election)
    assert (second.number, second.kind, second.seats, second.status) == (2, "tie_break", 1, "open")
    assert [e.candidate.person.name for e in rounds.round_entries(second)] == ["陈静", "赵敏"]
    cast_all(village, second, [(6, {"陈静"}), (4, {"赵敏"})])
    second = close_and_count(village, election)
    assert second.result["status"] == "elected"
    assert [row["label"] for row in second.result["elected"]] == ["陈静"]
    assert rounds.seats_filled(election) == 3
    scrutineer(village, election)
    sign_all(village, election)
    rounds.publish_result(actor=village.committee, election=election, minutes="会议记录")
    election.refresh_from_db()
    assert election.phase == "published"
    published = AuditEvent.objects.get(verb="election.publish_result").data
    assert [row["label"] for row in published["elected"]] == ["王芳", "张伟", "陈静"]
    assert [r["result"]["tally"][0]["votes"] for r in published["rounds"]] == [10, 6]


def test_a_shortfall_goes_to_a_further_election_among_the_non_elected(village):
    election = voting_election(village)
    cast_all(village, current_round(election), SHORTFALL)
    first = close_and_count(village, election)
    assert first.result["reason"] == {"code": "shortfall_further_election", "params": {"unfilled": 1, "seats": 3, "needed": 6}}
    further = rounds.start_next_round(actor=village.committee, election=election)
    assert (further.kind, further.seats) == ("further_election", 1)
    assert [e.candidate.person.name for e in rounds.round_entries(further)] == ["陈静", "赵敏"]


def test_a_passed_motion_reduces_the_seats_instead_of_a_further_election(village):
    from tongxin.elections.models import Motion, MotionStatus

    election = voting_election(village)
    cast_all(village, current_round(election), SHORTFALL)
    close_and_count(village, election)
    motion = Motion.objects.create(
        organisation=village.branch, body="MEMBER_ASSEMBLY", title="减少委员名额", text="减为2名",
        meeting_on="2026-11-25", status=MotionStatus.PASSED,
    )
    assert rounds.start_next_round(actor=village.committee, election=election, reduce_seats_motion=motion) is None
    assert election.rounds.count() == 1
    assert rounds.seats_filled(election) == 3
    assert rounds.next_step(election).code == "publish"


def test_no_quorum_when_too_few_voters_took_part(village):
    election = voting_election(village)
    cast_all(village, current_round(election), [(9, {"王芳"})])
    voting_round = close_and_count(village, election)
    assert voting_round.result["status"] == "no_quorum"
    assert voting_round.result["reason"] == {"code": "no_quorum_present", "params": {"present": 9, "due": 12, "needed": 10}}
    assert voting_round.result["tally"] == []
    again = rounds.start_next_round(actor=village.committee, election=election)
    assert (again.number, again.kind, again.seats) == (2, "first", 3)


def test_more_ballots_returned_than_present_at_an_assembly_voids_the_round(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    tellers = appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=10)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    voting_round = rounds.record_ballots_returned(actor=village.committee, voting_round=voting_round, ballots_returned=11)
    for teller, account in tellers.items():
        for position in range(1, 12):
            enter(village, voting_round, account, teller, position, {"王芳"})
    assert rounds.commit_paper_ballots(actor=village.committee, voting_round=voting_round) == 11
    voting_round = rounds.count_round(actor=village.committee, voting_round=voting_round)
    assert voting_round.result["status"] == "void"
    assert voting_round.result["reason"] == {"code": "void", "params": {"returned": 11, "present": 10}}


# -- Paper ballots ---------------------------------------------------------------------------------


def appoint_tellers(village: Any, election: Election) -> dict[int, str]:
    for account in ("member10", "member11"):
        rounds.appoint_official(
            actor=village.committee, election=election, person=village.person(account), duty=Duty.TELLER,
            approved_by_assembly=True,
        )
    return {1: "member10", 2: "member11"}


def enter(village, voting_round, account, teller, position, approve, write_ins=(), unmarked=()):
    marks = {}
    for e in rounds.round_entries(voting_round):
        name = e.candidate.person.name
        marks[e.candidate_id] = None if name in unmarked else "approve" if name in approve else "disapprove"
    return rounds.enter_paper_ballot(
        actor=village.account(account), voting_round=voting_round, teller=teller, position=position,
        marks=marks, write_ins=list(write_ins),
    )


def test_two_tellers_with_a_mismatch_reconciled(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=11, ballots_issued=11)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    voting_round = rounds.record_ballots_returned(actor=village.committee, voting_round=voting_round, ballots_returned=10)
    for position, (_, approve) in enumerate([(1, s) for times, s in OUTRIGHT for _ in range(times)], start=1):
        enter(village, voting_round, "member10", 1, position, approve)
        if position != 10:
            enter(village, voting_round, "member11", 2, position, approve)
    # Teller 2 reads ballot 3 differently and has not finished: no mismatches shown, no commit.
    enter(village, voting_round, "member11", 2, 3, {"王芳"}, unmarked={"赵敏"})
    assert rounds.teller_finished(voting_round, 1) and not rounds.teller_finished(voting_round, 2)
    with pytest.raises(ActionError):
        rounds.commit_paper_ballots(actor=village.committee, voting_round=voting_round)
    enter(village, voting_round, "member11", 2, 10, {"王芳", "赵敏"})
    mismatches = rounds.paper_mismatches(voting_round)
    assert [m.position for m in mismatches] == [3]
    assert mismatches[0].second.startswith("ADD-|")
    with pytest.raises(ActionError) as error:
        rounds.commit_paper_ballots(actor=village.committee, voting_round=voting_round)
    assert error.value.message == "The tellers read these ballots differently: 3. Settle them first."
    pk = {e.candidate.person.name: e.candidate_id for e in rounds.round_entries(voting_round)}
    rounds.reconcile_paper_ballot(
        actor=village.account("member11"), voting_round=voting_round, position=3,
        marks={pk["王芳"]: "approve", pk["张伟"]: "approve", pk["陈静"]: "approve", pk["赵敏"]: "disapprove"},
        write_ins=[], note="两人共同查看原票",
    )
    assert rounds.commit_paper_ballots(actor=village.committee, voting_round=voting_round) == 10
    assert Ballot.objects.filter(round=voting_round).count() == 10
    voting_round = rounds.count_round(actor=village.committee, voting_round=voting_round)
    assert [row["votes"] for row in voting_round.result["tally"]] == [10, 8, 6, 4]
    assert voting_round.result["status"] == "elected"


def test_one_person_cannot_be_both_tellers(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=10)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    voting_round = rounds.record_ballots_returned(actor=village.committee, voting_round=voting_round, ballots_returned=2)
    enter(village, voting_round, "member10", 1, 1, {"王芳"})
    with pytest.raises(ActionError) as error:
        enter(village, voting_round, "member10", 2, 1, {"王芳"})
    assert error.value.message == "You are entering as the other teller: two different tellers enter the pile."
    assert PaperEntry.objects.count() == 1


def test_an_unmarked_candidate_makes_the_paper_ballot_invalid(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=10)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    voting_round = rounds.record_ballots_returned(actor=village.committee, voting_round=voting_round, ballots_returned=10)
    for teller, account in ((1, "member10"), (2, "member11")):
        for position in range(1, 11):
            enter(village, voting_round, account, teller, position, {"王芳", "张伟"}, unmarked={"赵敏"} if position == 1 else ())
    rounds.commit_paper_ballots(actor=village.committee, voting_round=voting_round)
    voting_round = rounds.count_round(actor=village.committee, voting_round=voting_round)
    assert voting_round.result["ballots"] == {"returned": 10, "valid": 9, "invalid": 1}


def test_ballots_issued_cannot_exceed_voters_present(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    with pytest.raises(ActionError) as error:
        rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=11)
    assert error.value.message == "11 ballots issued is more than the 10 voters present: one ballot per voter."
    voting_round.refresh_from_db()
    assert voting_round.voters_present is None


# -- Officials, signatures, publishing -----------------------------------------------------------


def test_a_candidate_cannot_be_a_scrutineer(village):
    election = voting_election(village)
    with pytest.raises(ActionError) as error:
        scrutineer(village, election, "member02")
    assert error.value.message == "王芳 is a candidate and cannot count or scrutinise."
    assert Official.objects.count() == 0


def test_village_officials_declare_they_are_no_near_relative(village):
    election = voting_election(village)
    Election.objects.filter(pk=election.pk).update(rule_set="village_committee")
    election.refresh_from_db()
    with pytest.raises(ActionError):
        scrutineer(village, election)
    official = rounds.appoint_official(
        actor=village.committee, election=election, person=village.person("member08"), duty=Duty.SCRUTINEER,
        approved_by_assembly=False, declared_not_related=True,
    )
    assert official.declared_not_related is True


def test_scrutineers_sign_every_round_before_the_result_is_published(village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    voting_round = close_and_count(village, election)
    with pytest.raises(ActionError) as error:
        rounds.publish_result(actor=village.committee, election=election, minutes="会议记录")
    assert error.value.message == "Appoint scrutineers: they sign the result."
    scrutineer(village, election, "member08")
    scrutineer(village, election, "member09")
    rounds.sign_result(actor=village.account("member08"), voting_round=voting_round, remark="无异议")
    with pytest.raises(ActionError) as error:
        rounds.publish_result(actor=village.committee, election=election, minutes="会议记录")
    assert error.value.message == "Every scrutineer must sign every round first (round 1)."
    election.refresh_from_db()
    assert election.phase == "voting"
    rounds.sign_result(actor=village.account("member09"), voting_round=voting_round)
    rounds.publish_result(actor=village.committee, election=election, minutes="会议记录")
    election.refresh_from_db()
    assert (election.phase, election.minutes) == ("published", "会议记录")
    assert election.published_at is not None
    assert Signature.objects.count() == 2


def test_only_a_scrutineer_signs(village):
    from django.core.exceptions import PermissionDenied

    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    voting_round = close_and_count(village, election)
    with pytest.raises(PermissionDenied):
        rounds.sign_result(actor=village.committee, voting_round=voting_round)
    assert Signature.objects.count() == 0


def test_voters_cannot_run_rounds(village):
    from django.core.exceptions import PermissionDenied

    election = voting_election(village)
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        rounds.close_round(actor=village.account("member04"), voting_round=current_round(election))
    assert current_round(election).status == "open"
    assert AuditEvent.objects.count() == before


def test_two_candidates_of_the_same_name_are_told_apart_by_their_place(village):
    election = voting_election(village)
    person = village.person("member07")
    person.name = "王芳"
    person.save(update_fields=["name"])
    labels = rounds.candidate_names(rounds.round_entries(current_round(election)))
    assert labels == ["王芳 (1)", "张伟", "陈静", "王芳 (4)"]


def test_the_village_second_round_is_among_the_best_non_elected_written_in_names_included(village):
    election = voting_election(village)
    Election.objects.filter(pk=election.pk).update(rule_set="village_committee")
    election.refresh_from_db()
    voting_round = current_round(election)
    for voter in VOTERS[:3]:
        cast(village, voting_round, voter, {"王芳", "张伟", "陈静"})
    for voter in VOTERS[3:5]:
        cast(village, voting_round, voter, {"王芳", "张伟"}, write_ins=["吴刚"])
    cast(village, voting_round, VOTERS[5], {"王芳", "陈静"})
    cast(village, voting_round, VOTERS[6], {"王芳", "赵敏"})
    for voter in VOTERS[7:10]:
        cast(village, voting_round, voter, {"王芳"})
    first = close_and_count(village, election)
    assert [(row["label"], row["votes"], row["candidate"] is None) for row in first.result["tally"]] == [
        ("王芳", 10, False), ("张伟", 5, False), ("陈静", 4, False), ("赵敏", 1, False), ("吴刚", 2, True),
    ]
    assert first.result["reason"] == {"code": "shortfall_second_round", "params": {"unfilled": 2, "seats": 3, "floor": "1/3"}}
    second = rounds.start_next_round(actor=village.committee, election=election)
    assert (second.kind, second.seats) == ("second_round", 2)
    assert [e.candidate.person.name for e in rounds.round_entries(second)] == ["张伟", "陈静", "吴刚", "赵敏"]
    assert Candidate.objects.get(election=election, person=village.person("member10")).nomination is None


def test_a_written_in_name_nobody_on_the_roll_has_cannot_go_on_to_a_further_round(village):
    election = voting_election(village)
    Election.objects.filter(pk=election.pk).update(rule_set="village_committee")
    election.refresh_from_db()
    voting_round = current_round(election)
    for voter in VOTERS[:4]:
        cast(village, voting_round, voter, {"王芳"}, write_ins=["外村人"])
    for voter in VOTERS[4:10]:
        cast(village, voting_round, voter, {"王芳"})
    close_and_count(village, election)
    with pytest.raises(ActionError) as error:
        rounds.start_next_round(actor=village.committee, election=election)
    assert error.value.message == (
        "The written-in name “外村人” matches 0 voters on the roll: settle who is meant before the next round."
    )
    assert election.rounds.count() == 1


@settings(max_examples=200, deadline=None)
@given(
    votes=st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=9),
    elected_count=st.integers(min_value=0, max_value=3),
    unfilled=st.integers(min_value=1, max_value=3),
)
def test_the_second_round_takes_the_best_non_elected_and_everyone_tied_with_the_last(votes, elected_count, unfilled):
    labels = [f"c{n}" for n in range(len(votes))]
    ranked = sorted(zip(labels, votes), key=lambda pair: -pair[1])
    elected = [label for label, _ in ranked[:elected_count]]
    result = {
        "status": "further_round",
        "reason": {"code": "shortfall_second_round", "params": {"unfilled": unfilled, "seats": unfilled + len(elected), "floor": "1/3"}},
        "tally": [{"candidate": n, "label": label, "votes": v} for n, (label, v) in enumerate(zip(labels, votes))],
        "elected": [{"candidate": labels.index(label), "label": label} for label in elected],
        "tied": [],
        "unfilled_seats": unfilled,
    }
    plan = rounds._plan_next_round(VotingRound(result=result))
    assert (plan.kind, plan.seats) == ("second_round", unfilled)
    standing = dict(zip(labels, votes))
    others = {label: v for label, v in standing.items() if label not in elected and v > 0}
    assert set(plan.labels) <= set(others)
    assert len(plan.labels) >= min(2 * unfilled, len(others))
    if plan.labels:
        lowest = min(standing[label] for label in plan.labels)
        assert {label for label, v in others.items() if v >= lowest} == set(plan.labels)
        assert [standing[label] for label in plan.labels] == sorted((standing[label] for label in plan.labels), reverse=True)
