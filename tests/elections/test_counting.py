"""Counting by RULES.md §1: hand-worked examples of every rule, then properties.

Ballots are written as one letter per candidate, in list order: A approve, D disapprove,
- abstain; `ballots(30, "AAD-")` is thirty such ballots.
"""

import random
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongxin.elections.counting import (
    PARTY_BRANCH,
    RULE_SETS,
    SIMPLE_MAJORITY,
    VILLAGE_COMMITTEE,
    Ballot,
    InputError,
    Problem,
    Reason,
    Result,
    Round,
    RuleSet,
    Status,
    WriteInPolicy,
    ballot_is_valid,
    check_candidate_list,
    count_election,
    required_candidates,
    rounds,
)

FOUR = ["张伟", "王芳", "李娜", "刘洋"]
LETTERS = {"A": "approve", "D": "disapprove", "-": "abstain"}


def ballot(marks: str, *write_ins: str, candidates: list[str] = FOUR) -> Ballot:
    assert len(marks) == len(candidates)
    return Ballot({name: LETTERS[mark] for name, mark in zip(candidates, marks)}, write_ins)


def ballots(count: int, marks: str, *write_ins: str, candidates: list[str] = FOUR) -> list[Ballot]:
    return [ballot(marks, *write_ins, candidates=candidates)] * count


def count(rules: RuleSet = PARTY_BRANCH, **election) -> Result:
    election.setdefault("candidates", FOUR)
    election.setdefault("seats", 3)
    return count_election(rules, **election)


def abstaining(candidates: list[str]) -> Ballot:
    return Ballot(dict.fromkeys(candidates, "abstain"))


# --- The rule sets -------------------------------------------------------------------------


def test_the_built_in_rule_sets():
    assert set(RULE_SETS) == {"party_branch", "village_committee", "simple_majority"}
    assert (PARTY_BRANCH.quorum, PARTY_BRANCH.quorum_strict, PARTY_BRANCH.quorum_of) == (
        Fraction(4, 5),
        True,
        "present",
    )
    assert (PARTY_BRANCH.threshold, PARTY_BRANCH.threshold_of) == (Fraction(1, 2), "present")
    assert (VILLAGE_COMMITTEE.quorum, VILLAGE_COMMITTEE.quorum_of) == (Fraction(1, 2), "ballots")
    assert VILLAGE_COMMITTEE.threshold_of == "ballots"
    assert VILLAGE_COMMITTEE.second_round_floor == Fraction(1, 3)
    assert SIMPLE_MAJORITY.threshold_of == "valid"
    assert rounds(PARTY_BRANCH) == ("first", "tie_break", "further_election")
    assert rounds(VILLAGE_COMMITTEE) == ("first", "tie_break", "second_round")


def test_rules_are_adjusted_with_replace_and_shares_are_exact():
    at_least = replace(PARTY_BRANCH, quorum_strict=False, quorum="4/5", candidate_ratio=1.2)

    assert at_least.quorum == Fraction(4, 5) and at_least.quorum_strict is False
    assert at_least.candidate_ratio == Fraction(6, 5)  # not 1.19999…, so 5 seats → 6
    assert replace(PARTY_BRANCH, quorum_of="ballots").quorum_of == "ballots"


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"quorum": Fraction(6, 5)}, "quorum"),
        ({"quorum": "most"}, "quorum"),
        ({"threshold": -0.5}, "threshold"),
        ({"candidate_ratio": Fraction(1, 2)}, "candidate_ratio"),
        ({"quorum_strict": 1}, "quorum_strict"),
        ({"quorum_of": "valid"}, "quorum_of"),  # a quorum is known before the ballots are read
        ({"threshold_of": "anyone"}, "threshold_of"),
        ({"write_in_naming_candidate": "count"}, "write_in_naming_candidate"),
    ],
)
def test_impossible_rule_values_are_refused(change, rule):
    with pytest.raises(InputError) as refused:
        replace(PARTY_BRANCH, **change)
    assert refused.value.problem.code == "bad_rule_value"
    assert refused.value.problem.params["rule"] == rule


# --- Candidates against seats ---------------------------------------------------------------


@pytest.mark.parametrize(("seats", "required"), [(1, 2), (3, 4), (5, 6), (7, 9), (10, 12)])
def test_party_branch_differential_ratio_is_one_point_two_rounded_up(seats, required):
    assert required_candidates(PARTY_BRANCH, seats) == required


@pytest.mark.parametrize(("seats", "required"), [(1, 2), (3, 4), (5, 6), (7, 8)])
def test_village_committee_needs_more_candidates_than_seats(seats, required):
    assert required_candidates(VILLAGE_COMMITTEE, seats) == required


def test_simple_majority_needs_as_many_candidates_as_seats():
    assert required_candidates(SIMPLE_MAJORITY, 7) == 7


def test_check_candidate_list():
    assert check_candidate_list(PARTY_BRANCH, 7, 9) is None
    assert check_candidate_list(PARTY_BRANCH, 7, 8) == Problem(
        "too_few_candidates", {"seats": 7, "candidates": 8, "required": 9}
    )
    assert check_candidate_list(VILLAGE_COMMITTEE, 3, 3) == Problem(
        "too_few_candidates", {"seats": 3, "candidates": 3, "required": 4}
    )
    assert check_candidate_list(SIMPLE_MAJORITY, 3, 2) == Problem(
        "seats_exceed_candidates", {"seats": 3, "candidates": 2}
    )
    assert check_candidate_list(SIMPLE_MAJORITY, 0, 2) == Problem("no_seats", {"seats": 0})


def test_a_first_round_cannot_be_counted_without_enough_candidates():
    with pytest.raises(InputError) as refused:
        count(seats=4, candidates=FOUR, voters_due=10, voters_present=10, ballots=[])
    assert refused.value.problem == Problem(
        "too_few_candidates", {"seats": 4, "candidates": 4, "required": 5}
    )


# --- Quorum ---------------------------------------------------------------------------------


def test_party_quorum_is_more_than_four_fifths_of_those_due():
    forty = count(voters_due=50, voters_present=40, ballots=ballots(40, "AAA-"))
    assert (forty.status, forty.reason_code, forty.reason_params) == (
        Status.NO_QUORUM,
        Reason.NO_QUORUM_PRESENT,
        {"present": 40, "due": 50, "needed": 41},
    )
    assert (forty.elected, forty.tally, forty.valid, forty.unfilled_seats) == ([], {}, 0, 3)
    assert forty.ballots_returned == 40

    forty_one = count(voters_due=50, voters_present=41, ballots=ballots(41, "AAA-"))
    assert forty_one.status == Status.ELECTED


def test_party_quorum_at_least_four_fifths_when_so_configured():
    at_least = replace(PARTY_BRANCH, quorum_strict=False)

    assert count(at_least, voters_due=50, voters_present=40, ballots=[]).status != Status.NO_QUORUM
    assert count(at_least, voters_due=50, voters_present=39, ballots=[]).reason_params == {
        "present": 39,
        "due": 50,
        "needed": 40,
    }


def test_party_quorum_counts_attendance_not_ballots():
    # 45 of 50 attend, but only 30 hand in a ballot: the assembly is quorate.
    result = count(voters_due=50, voters_present=45, ballots=ballots(30, "AAA-"))
    assert result.status == Status.ELECTED


def test_village_quorum_is_more_than_half_of_registered_voters_casting_a_ballot():
    village = {"seats": 1, "candidates": ["甲", "乙"], "voters_due": 100, "voters_present": 100}
    fifty = count(VILLAGE_COMMITTEE, **village, ballots=ballots(50, "AD", candidates=["甲", "乙"]))
    assert (fifty.status, fifty.reason_code, fifty.reason_params) == (
        Status.NO_QUORUM,
        Reason.NO_QUORUM_BALLOTS,
        {"returned": 50, "due": 100, "needed": 51},
    )
    fifty_one = count(
        VILLAGE_COMMITTEE, **village, ballots=ballots(51, "AD", candidates=["甲", "乙"])
    )
    assert (fifty_one.status, fifty_one.elected) == (Status.ELECTED, ["甲"])


# --- Void election --------------------------------------------------------------------------


@pytest.mark.parametrize("rules", [PARTY_BRANCH, VILLAGE_COMMITTEE, SIMPLE_MAJORITY])
def test_more_ballots_than_voters_present_voids_the_election(rules):
    void = count(rules, voters_due=50, voters_present=45, ballots=ballots(46, "AAA-"))
    assert (void.status, void.reason_code, void.reason_params) == (
        Status.VOID,
        Reason.VOID,
        {"returned": 46, "present": 45},
    )
    assert (void.ballots_returned, void.valid, void.invalid, void.tally) == (46, 0, 0, {})
    assert (void.elected, void.unfilled_seats) == ([], 3)

    full = count(rules, voters_due=50, voters_present=45, ballots=ballots(45, "AAA-"))
    assert full.status == Status.ELECTED


# --- Invalid ballots ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "write_ins", "valid"),
    [
        ("AAA-", (), True),  # as many approvals as seats
        ("AAAA", (), False),  # more approvals than seats
        ("----", (), True),  # a blank ballot counts: abstaining is a choice
        ("DDDD", (), True),
        ("AAD-", ("赵敏",), True),  # two approvals and a write-in beside the disapproval
        ("AAAD", ("赵敏",), False),  # approvals plus write-ins more than seats
        ("A---", ("赵敏",), False),  # a write-in without a disapproval
        ("ADD-", ("赵敏", "孙丽"), True),  # one write-in per disapproval
        ("AD--", ("赵敏", "孙丽"), False),  # two write-ins beside one disapproval
        ("-DD-", ("赵敏", "赵敏"), False),  # the same person written twice
        ("-D--", ("王芳",), False),  # a write-in naming a listed candidate
    ],
)
def test_ballot_validity_by_the_party_rule(marks, write_ins, valid):
    assert (
        ballot_is_valid(PARTY_BRANCH, ballot(marks, *write_ins), seats=3, candidates=FOUR) is valid
    )
    # The village rule has the same ballot.
    assert (
        ballot_is_valid(VILLAGE_COMMITTEE, ballot(marks, *write_ins), seats=3, candidates=FOUR)
        is valid
    )


def test_a_ballot_leaving_a_candidate_unmarked_is_invalid():
    unmarked = Ballot({"张伟": "approve", "王芳": "approve", "李娜": "abstain"})
    assert not ballot_is_valid(PARTY_BRANCH, unmarked, seats=3, candidates=FOUR)


def test_a_write_in_naming_a_candidate_can_be_ignored_instead():
    lenient = replace(PARTY_BRANCH, write_in_naming_candidate=WriteInPolicy.IGNORE)
    named = ballot("A-D-", "王芳")

    assert ballot_is_valid(lenient, named, seats=3, candidates=FOUR)
    result = count(lenient, voters_due=5, voters_present=5, ballots=[named] * 5)
    assert result.tally == {"张伟": 5, "王芳": 0, "李娜": 0, "刘洋": 0}  # 王芳 gets nothing from it


def test_write_ins_belong_to_the_first_round_only():
    assert not ballot_is_valid(
        PARTY_BRANCH, ballot("AD--", "赵敏"), seats=1, candidates=FOUR, round=Round.FURTHER_ELECTION
    )
    assert not ballot_is_valid(
        VILLAGE_COMMITTEE, ballot("AD--", "赵敏"), seats=1, candidates=FOUR, round=Round.TIE_BREAK
    )


def test_invalid_ballots_are_counted_apart():
    result = count(
        voters_due=50,
        voters_present=45,
        ballots=ballots(40, "AAA-") + ballots(3, "AAAA") + ballots(2, "A---", "赵敏"),
    )
    assert (result.ballots_returned, result.valid, result.invalid) == (45, 40, 5)
    assert result.tally == {"张伟": 40, "王芳": 40, "李娜": 40, "刘洋": 0}


# --- Threshold ------------------------------------------------------------------------------


def test_party_threshold_more_than_half_of_those_present_exactly_half_fails():
    # 42 present: 22 approvals are needed. 李娜 has exactly half.
    result = count(
        voters_due=50,
        voters_present=42,
        ballots=ballots(21, "AAA-") + ballots(1, "AA-A") + ballots(20, "A--A"),
    )
    assert result.tally == {"张伟": 42, "王芳": 22, "李娜": 21, "刘洋": 21}
    assert (result.status, result.elected, result.unfilled_seats) == (
        Status.FURTHER_ROUND,
        ["张伟", "王芳"],
        1,
    )
    assert (result.reason_code, result.reason_params) == (
        Reason.SHORTFALL_FURTHER_ELECTION,
        {"unfilled": 1, "seats": 3, "needed": 22},
    )


def test_party_threshold_is_of_those_present_not_of_ballots_returned():
    # 42 present, 40 return a ballot: 21 approvals are more than half the ballots, not enough.
    result = count(
        voters_due=50, voters_present=42, ballots=ballots(21, "AAA-") + ballots(19, "A---")
    )
    assert result.tally["王芳"] == 21
    assert result.elected == ["张伟"]


def test_village_threshold_more_than_half_of_ballots_cast_invalid_ones_included():
    village = {"seats": 1, "candidates": ["甲", "乙"], "voters_due": 100, "voters_present": 90}
    # 61 ballots cast, one of them invalid (two approvals for one seat): 31 votes are needed.
    cast = ballots(30, "AD", candidates=["甲", "乙"]) + ballots(30, "DA", candidates=["甲", "乙"])
    spoiled = ballots(1, "AA", candidates=["甲", "乙"])
    result = count(VILLAGE_COMMITTEE, **village, ballots=cast + spoiled)
    assert (result.valid, result.invalid, result.tally) == (60, 1, {"甲": 30, "乙": 30})
    assert (result.status, result.reason_code, result.elected) == (
        Status.FURTHER_ROUND,
        Reason.SHORTFALL_SECOND_ROUND,
        [],
    )
    assert result.reason_params == {"unfilled": 1, "seats": 1, "floor": "1/3"}

    # With 31 of 61 甲 wins.
    won = count(
        VILLAGE_COMMITTEE, **village, ballots=cast + ballots(1, "AD", candidates=["甲", "乙"])
    )
    assert (won.status, won.elected) == (Status.ELECTED, ["甲"])


def test_simple_majority_threshold_more_than_half_of_valid_ballots():
    board = {"seats": 1, "candidates": ["甲", "乙"], "voters_due": 30, "voters_present": 25}
    two = ["甲", "乙"]
    # 21 valid ballots and 4 invalid: 11 votes are needed; the invalid ones do not count.
    result = count(
        SIMPLE_MAJORITY,
        **board,
        ballots=ballots(11, "AD", candidates=two)
        + ballots(10, "DA", candidates=two)
        + ballots(4, "AA", candidates=two),
    )
    assert (result.valid, result.elected) == (21, ["甲"])
    # Exactly half of 20 valid ballots fails.
    half = count(
        SIMPLE_MAJORITY,
        **board,
        ballots=ballots(10, "AD", candidates=two) + ballots(10, "-A", candidates=two),
    )
    assert (half.status, half.elected, half.reason_params["needed"]) == (
        Status.FURTHER_ROUND,
        [],
        11,
    )


# --- Ranking, ties, write-ins ---------------------------------------------------------------


def test_more_qualifiers_than_seats_are_ranked_by_approvals():
    # 45 present, 23 needed: all four qualify, the best three are elected in rank order.
    result = count(
        voters_due=50,
        voters_present=45,
        ballots=ballots(25, "-AAA") + ballots(10, "AA-A") + ballots(10, "A-A-"),
    )
    assert result.tally == {"张伟": 20, "王芳": 35, "李娜": 35, "刘洋": 35}
    assert result.elected == ["王芳", "李娜", "刘洋"]

    ranked = count(
        voters_due=50,
        voters_present=45,
        ballots=ballots(20, "AAA-") + ballots(5, "-AAA") + ballots(20, "-AA-"),
    )
    assert ranked.tally == {"张伟": 20, "王芳": 45, "李娜": 45, "刘洋": 5}
    assert (ranked.status, ranked.elected) == (Status.FURTHER_ROUND, ["王芳", "李娜"])


def test_a_tie_at_the_cut_off_goes_to_a_further_vote_among_the_tied():
    # 45 present, 23 needed; 王芳 first, then 张伟, 李娜 and 刘洋 tied at 30 for two seats.
    result = count(
        voters_due=50,
        voters_present=45,
        ballots=ballots(15, "AAA-") + ballots(15, "-AAA") + ballots(15, "AA-A"),
    )
    assert result.tally == {"张伟": 30, "王芳": 45, "李娜": 30, "刘洋": 30}
    assert (result.status, result.reason_code, result.reason_params) == (
        Status.FURTHER_ROUND,
        Reason.TIE,
        {"seats": 2, "tied": 3},
    )
    assert (result.elected, result.tied, result.unfilled_seats) == (
        ["王芳"],
        ["张伟", "李娜", "刘洋"],
        2,
    )


def test_a_tie_within_the_seats_needs_no_further_vote():
    result = count(voters_due=50, voters_present=45, ballots=ballots(45, "AAA-"))
    assert (result.status, result.elected, result.tied) == (
        Status.ELECTED,
        ["张伟", "王芳", "李娜"],
        [],
    )


def test_the_further_vote_among_the_tied_is_a_plurality():
    tied = ["张伟", "李娜", "刘洋"]
    tie_break = {"seats": 2, "candidates": tied, "voters_due": 50, "voters_present": 45}
    # Few votes are enough: the tied passed the threshold in the first round.
    result = count(
        round=Round.TIE_BREAK,
        **tie_break,
        ballots=ballots(10, "A-A", candidates=tied)
        + ballots(5, "AA-", candidates=tied)
        + ballots(30, "---", candidates=tied),
    )
    assert (result.status, result.elected, result.tally) == (
        Status.ELECTED,
        ["张伟", "刘洋"],
        {"张伟": 15, "李娜": 5, "刘洋": 10},
    )
    # Tied again: another further vote.
    again = count(
        round=Round.TIE_BREAK,
        **tie_break,
        ballots=ballots(20, "AA-", candidates=tied) + ballots(20, "A-A", candidates=tied),
    )
    assert (again.status, again.elected, again.tied, again.unfilled_seats) == (
        Status.FURTHER_ROUND,
        ["张伟"],
        ["李娜", "刘洋"],
        1,
    )


def test_write_ins_count_for_the_written_names_and_can_win():
    result = count(
        voters_due=50,
        voters_present=45,
        ballots=ballots(25, "AAD-", "赵敏") + ballots(20, "AA--"),
    )
    assert result.tally == {"张伟": 45, "王芳": 45, "李娜": 0, "刘洋": 0, "赵敏": 25}
    assert result.elected == ["张伟", "王芳", "赵敏"]


# --- Too few winners -------------------------------------------------------------------------


def test_a_shortfall_leaves_seats_unfilled_never_filled_below_the_threshold():
    result = count(
        voters_due=50, voters_present=45, ballots=ballots(23, "A---") + ballots(22, "-AA-")
    )
    assert result.tally == {"张伟": 23, "王芳": 22, "李娜": 22, "刘洋": 0}
    assert (result.status, result.elected, result.unfilled_seats, result.tied) == (
        Status.FURTHER_ROUND,
        ["张伟"],
        2,
        [],
    )


def test_the_further_election_keeps_the_party_threshold():
    remaining = ["王芳", "李娜", "刘洋"]
    further = {"seats": 2, "candidates": remaining, "voters_due": 50, "voters_present": 45}
    result = count(
        round=Round.FURTHER_ELECTION,
        **further,
        ballots=ballots(23, "AA-", candidates=remaining) + ballots(22, "--A", candidates=remaining),
    )
    assert (result.status, result.elected) == (Status.ELECTED, ["王芳", "李娜"])
    short = count(
        round=Round.FURTHER_ELECTION,
        **further,
        ballots=ballots(22, "AA-", candidates=remaining) + ballots(23, "--A", candidates=remaining),
    )
    assert (short.elected, short.unfilled_seats) == (["刘洋"], 1)


def test_village_second_round_plurality_with_the_one_third_floor():
    best = ["甲", "乙", "丙"]
    second = {"seats": 2, "candidates": best, "voters_due": 100, "voters_present": 70}
    # 60 ballots cast: at least 20 votes needed. 甲 30, 乙 exactly 20, 丙 10.
    result = count(
        VILLAGE_COMMITTEE,
        round=Round.SECOND_ROUND,
        **second,
        ballots=ballots(20, "AA-", candidates=best)
        + ballots(10, "A-A", candidates=best)
        + ballots(30, "---", candidates=best),
    )
    assert (result.status, result.elected, result.tally) == (
        Status.ELECTED,
        ["甲", "乙"],
        {"甲": 30, "乙": 20, "丙": 10},
    )
    # One more blank ballot makes 61 cast: 乙's 20 are less than a third.
    below = count(
        VILLAGE_COMMITTEE,
        round=Round.SECOND_ROUND,
        **second,
        ballots=ballots(20, "AA-", candidates=best)
        + ballots(10, "A-A", candidates=best)
        + ballots(31, "---", candidates=best),
    )
    assert (below.status, below.reason_code, below.elected, below.unfilled_seats) == (
        Status.FURTHER_ROUND,
        Reason.SHORTFALL_SECOND_ROUND,
        ["甲"],
        1,
    )


def test_each_rule_set_has_its_own_answer_to_a_shortfall():
    with pytest.raises(InputError) as village:
        count(
            VILLAGE_COMMITTEE,
            round=Round.FURTHER_ELECTION,
            seats=1,
            voters_due=9,
            voters_present=9,
            ballots=[],
        )
    assert village.value.problem == Problem(
        "round_not_in_rules", {"rules": "village_committee", "round": "further_election"}
    )
    with pytest.raises(InputError) as party:
        count(
            PARTY_BRANCH,
            round=Round.SECOND_ROUND,
            seats=1,
            voters_due=9,
            voters_present=9,
            ballots=[],
        )
    assert party.value.problem.code == "round_not_in_rules"


# --- Inconsistent input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("election", "problem"),
    [
        (
            {"voters_due": -1, "voters_present": 0},
            Problem("negative", {"field": "voters_due", "value": -1}),
        ),
        (
            {"voters_due": 40, "voters_present": 41},
            Problem("present_exceeds_due", {"present": 41, "due": 40}),
        ),
        (
            {"candidates": ["甲", "乙", "甲"], "seats": 1},
            Problem("duplicate_candidate", {"name": "甲"}),
        ),
        (
            {"ballots": [Ballot({"张伟": "approve", "赵敏": "approve"})]},
            Problem("unknown_candidate", {"ballot": 1, "name": "赵敏"}),
        ),
        (
            {"ballots": [abstaining(FOUR), Ballot({"张伟": "yes"})]},
            Problem("unknown_mark", {"ballot": 2, "mark": "yes"}),
        ),
        ({"ballots": [ballot("AAD-", " ")]}, Problem("empty_write_in", {"ballot": 1})),
        (
            {"seats": 5, "round": Round.TIE_BREAK},
            Problem("seats_exceed_candidates", {"seats": 5, "candidates": 4}),
        ),
    ],
)
def test_inconsistent_input_is_refused(election, problem):
    election = {"voters_due": 50, "voters_present": 45, "ballots": [], **election}
    with pytest.raises(InputError) as refused:
        count(**election)
    assert refused.value.problem == problem


# --- Properties -----------------------------------------------------------------------------

ALL_RULE_SETS = tuple(RULE_SETS.values())
NAMES = ["甲", "乙", "丙", "丁", "戊", "己"]
OUTSIDERS = ["赵敏", "孙丽"]


@st.composite
def elections(draw, rule_sets=ALL_RULE_SETS):
    rules = draw(st.sampled_from(rule_sets))
    if draw(st.booleans()):
        rules = replace(rules, quorum_strict=False)
    round_ = draw(st.sampled_from(rounds(rules)))
    candidates = NAMES[: draw(st.integers(2, len(NAMES)))]
    possible = [
        seats
        for seats in range(1, len(candidates) + 1)
        if round_ is not Round.FIRST or check_candidate_list(rules, seats, len(candidates)) is None
    ]
    seats = draw(st.sampled_from(possible))
    marks = st.fixed_dictionaries(
        {name: st.sampled_from(["approve", "disapprove", "abstain"]) for name in candidates}
    )
    write_ins = st.lists(st.sampled_from(OUTSIDERS + candidates[:1]), max_size=2)
    one = st.builds(Ballot, marks, write_ins)
    # Mostly well-formed ballots, some leaving a candidate unmarked.
    unmarked = st.builds(lambda b: Ballot(dict(list(b.marks.items())[1:]), b.write_ins), one)
    cast = draw(st.lists(st.one_of(one, one, one, unmarked), max_size=30))
    voters_present = len(cast) + draw(st.integers(-1, 6))
    voters_present = max(voters_present, 0)
    voters_due = voters_present + draw(st.integers(0, 12))
    return rules, {
        "seats": seats,
        "candidates": candidates,
        "voters_due": voters_due,
        "voters_present": voters_present,
        "ballots": cast,
        "round": round_,
    }


def _needed_by_hand(rules: RuleSet, result: Result, election: dict) -> int:
    """The least number of votes a winner needs, worked out apart from the module."""
    if election["round"] is Round.TIE_BREAK:
        return 0
    if election["round"] is Round.SECOND_ROUND:
        return max(1, -(-result.ballots_returned // 3))  # at least a third, rounded up
    base = {
        "present": election["voters_present"],
        "ballots": result.ballots_returned,
        "valid": result.valid,
    }[rules.threshold_of]
    return base // 2 + 1  # more than half


@given(elections())
def test_the_counts_add_up_and_no_ballot_counts_twice(drawn):
    rules, election = drawn
    result = count_election(rules, **election)

    assert result.ballots_returned == len(election["ballots"])
    if result.status in (Status.VOID, Status.NO_QUORUM):
        assert (result.valid, result.invalid, result.tally, result.elected) == (0, 0, {}, [])
        return
    assert result.valid + result.invalid == result.ballots_returned
    assert all(0 <= votes <= result.valid for votes in result.tally.values())
    assert sum(result.tally.values()) <= result.valid * election["seats"]
    assert list(result.tally)[: len(election["candidates"])] == election["candidates"]


@given(elections())
def test_seats_and_winners(drawn):
    rules, election = drawn
    result = count_election(rules, **election)
    elected, tied, tally = result.elected, result.tied, result.tally

    assert len(elected) <= election["seats"]
    assert len(elected) + result.unfilled_seats == election["seats"]
    assert len(set(elected)) == len(elected) and not set(elected) & set(tied)
    assert (result.status == Status.ELECTED) == (result.unfilled_seats == 0)
    if tied:
        assert result.reason_code == Reason.TIE
        assert len(tied) > result.unfilled_seats
        assert len({tally[name] for name in tied}) == 1
    # Every winner passed the threshold (or the floor), and beat everyone not elected.
    needed = _needed_by_hand(rules, result, election)
    assert all(tally[name] >= needed for name in elected)
    if election["round"] is not Round.TIE_BREAK:
        assert all(tally[name] >= 1 for name in elected)
    others = [votes for name, votes in tally.items() if name not in elected]
    assert all(tally[name] > max(others, default=-1) for name in elected)


@given(elections(), st.randoms(use_true_random=False))
def test_the_order_of_the_ballots_changes_nothing(drawn, shuffler):
    rules, election = drawn
    shuffled = list(election["ballots"])
    shuffler.shuffle(shuffled)

    assert count_election(rules, **{**election, "ballots": shuffled}) == count_election(
        rules, **election
    )


@given(elections(), st.data())
def test_one_more_ballot_moves_each_tally_by_at_most_one(drawn, data):
    rules, election = drawn
    before = count_election(rules, **election)
    extra = (
        data.draw(st.sampled_from(election["ballots"]))
        if election["ballots"]
        else abstaining(election["candidates"])
    )
    after = count_election(
        rules,
        **{
            **election,
            "ballots": [*election["ballots"], extra],
            "voters_present": election["voters_present"] + 1,
            "voters_due": election["voters_due"] + 1,
        },
    )
    if Status.VOID in (before.status, after.status) or Status.NO_QUORUM in (
        before.status,
        after.status,
    ):
        return
    for name, votes in after.tally.items():
        assert votes - before.tally.get(name, 0) in (0, 1)


@given(elections(rule_sets=(PARTY_BRANCH,)))
def test_party_an_abstaining_ballot_changes_nothing_but_the_ballot_counts(drawn):
    """The party rule's threshold and quorum count the voters present, not the ballots: a voter
    present who hands in a blank ballot instead of none changes no result."""
    rules, election = drawn
    if len(election["ballots"]) >= election["voters_present"]:
        return  # one more ballot would void the election
    before = count_election(rules, **election)
    after = count_election(
        rules, **{**election, "ballots": [*election["ballots"], abstaining(election["candidates"])]}
    )

    assert after.ballots_returned == before.ballots_returned + 1
    assert (
        after.status,
        after.reason_code,
        after.tally,
        after.elected,
        after.tied,
        after.unfilled_seats,
    ) == (
        before.status,
        before.reason_code,
        before.tally,
        before.elected,
        before.tied,
        before.unfilled_seats,
    )


@given(elections(rule_sets=(VILLAGE_COMMITTEE, SIMPLE_MAJORITY)))
def test_village_and_simple_majority_an_abstaining_ballot_never_elects_anyone_new(drawn):
    """Not "changes nothing": these rules count the ballots (the village rule every ballot cast,
    simple majority the valid ones), so a blank ballot raises the votes a winner needs and can
    cost a winner the seat; and under the village rule it can complete the quorum. What holds,
    once the count has its quorum: a blank ballot never elects anyone who was not elected."""
    rules, election = drawn
    if len(election["ballots"]) >= election["voters_present"]:
        return
    before = count_election(rules, **election)
    if before.status == Status.NO_QUORUM:
        return
    after = count_election(
        rules, **{**election, "ballots": [*election["ballots"], abstaining(election["candidates"])]}
    )

    assert after.tally == before.tally
    assert set(after.elected) <= set(before.elected)


def test_village_a_blank_ballot_can_cost_a_winner_the_seat():
    """The counter-example to "an abstaining ballot changes nothing" under the village rule."""
    two = ["甲", "乙"]
    village = {"seats": 1, "candidates": two, "voters_due": 20, "voters_present": 20}
    cast = ballots(6, "AD", candidates=two) + ballots(5, "DA", candidates=two)
    assert count(VILLAGE_COMMITTEE, **village, ballots=cast).elected == ["甲"]  # 6 of 11
    assert (
        count(VILLAGE_COMMITTEE, **village, ballots=[*cast, abstaining(two)]).elected == []
    )  # 6 of 12


@given(st.sampled_from(list(RULE_SETS.values())), st.integers(1, 200), st.integers(0, 300))
def test_required_candidates_is_the_least_that_meets_the_rule(rules, seats, candidates):
    required = required_candidates(rules, seats)
    assert required >= seats
    assert required >= seats * rules.candidate_ratio > required - 1 or required == seats + 1
    assert (check_candidate_list(rules, seats, candidates) is None) == (candidates >= required)


def test_a_ten_thousand_voter_election_counts_quickly_and_exactly():
    rng = random.Random(5)
    candidates = [f"候选人{i}" for i in range(15)]
    cast = []
    for _ in range(10_000):
        approved = set(rng.sample(candidates, rng.randint(0, 7)))
        cast.append(
            Ballot({name: "approve" if name in approved else "abstain" for name in candidates})
        )
    result = count_election(
        PARTY_BRANCH,
        seats=7,
        candidates=candidates,
        voters_due=10_000,
        voters_present=10_000,
        ballots=cast,
    )
    assert result.valid == 10_000
    assert sum(result.tally.values()) == sum(
        1 for b in cast for mark in b.marks.values() if mark == "approve"
    )
