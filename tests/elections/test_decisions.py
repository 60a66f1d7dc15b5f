"""Motions by RULES.md §1 "Motions": hand-worked examples of each body's quorum and threshold at
the boundaries, then properties.

`vote(yes=2, no=1)` is a meeting's votes from members named 委员1, 委员2, …
"""

import inspect
import subprocess
import sys
from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tongxin.elections import decisions
from tongxin.elections.decisions import (
    BRANCH_COMMITTEE,
    MEMBER_ASSEMBLY,
    REPRESENTATIVES_ASSEMBLY,
    RULE_SETS,
    SIMPLE_MAJORITY,
    VILLAGERS_ASSEMBLY,
    Attendance,
    Base,
    Decision,
    InputError,
    MotionRules,
    Problem,
    Reason,
    Status,
    decide_motion,
    quorum_needed,
)

SECRETARY = "王书记"
COMMITTEE = [SECRETARY, "张伟", "李娜", "刘洋", "陈静"]


def vote(yes: int = 0, no: int = 0, abstain: int = 0, *, start: int = 1) -> dict[str, str]:
    choices = ["yes"] * yes + ["no"] * no + ["abstain"] * abstain
    return {f"委员{number}": choice for number, choice in enumerate(choices, start=start)}


def decide(rules: MotionRules, due: int, present: int, **counts) -> Decision:
    return decide_motion(rules, members_due=due, present=present, votes=vote(**counts))


def outcome(decision: Decision) -> tuple:
    return (decision.status, decision.reason_code, decision.yes, decision.no, decision.needed)


# --- The rule sets -------------------------------------------------------------------------


def test_the_built_in_rule_sets():
    assert set(RULE_SETS) == {
        "branch_committee",
        "member_assembly",
        "villagers_assembly",
        "representatives_assembly",
        "simple_majority",
    }
    assert (BRANCH_COMMITTEE.quorum, BRANCH_COMMITTEE.quorum_strict) == (Fraction(1, 2), True)
    assert BRANCH_COMMITTEE.threshold_of == "present"
    assert MEMBER_ASSEMBLY.threshold_of == "due"
    assert (VILLAGERS_ASSEMBLY.household_quorum, VILLAGERS_ASSEMBLY.household_quorum_strict) == (
        Fraction(2, 3),
        False,
    )
    assert (REPRESENTATIVES_ASSEMBLY.quorum, REPRESENTATIVES_ASSEMBLY.quorum_strict) == (
        Fraction(2, 3),
        False,
    )
    assert all(rules.threshold == Fraction(1, 2) for rules in RULE_SETS.values())
    assert all(rules.threshold_strict for rules in RULE_SETS.values())


def test_rules_are_adjusted_with_replace_and_shares_are_exact():
    adjusted = replace(BRANCH_COMMITTEE, quorum="2/3", quorum_strict=False, threshold_of="due")
    assert (adjusted.quorum, adjusted.threshold_of) == (Fraction(2, 3), Base.DUE)
    assert replace(SIMPLE_MAJORITY, threshold=0.5).threshold == Fraction(1, 2)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"quorum": Fraction(3, 2)}, "quorum"),
        ({"quorum": "most"}, "quorum"),
        ({"threshold": -0.5}, "threshold"),
        ({"household_quorum": 2}, "household_quorum"),
        ({"threshold_strict": 1}, "threshold_strict"),
        ({"threshold_of": "weighted"}, "threshold_of"),
    ],
)
def test_impossible_rule_values_are_refused(change, rule):
    with pytest.raises(InputError) as refused:
        replace(BRANCH_COMMITTEE, **change)
    assert refused.value.problem.code == "bad_rule_value"
    assert refused.value.problem.params["rule"] == rule


# --- One member one vote: the "done when" -------------------------------------------


def test_the_secretary_is_outvoted_and_the_dissent_is_minuted():
    decision = decide_motion(
        BRANCH_COMMITTEE,
        members_due=5,
        present=COMMITTEE,
        votes={SECRETARY: "yes", "张伟": "no", "李娜": "no", "刘洋": "no", "陈静": "abstain"},
    )
    assert decision == Decision(
        status=Status.FAILED,
        reason_code=Reason.BELOW_THRESHOLD,
        reason_params={"yes": 1, "needed": 3, "base": "present", "of": 5},
        yes=1,
        no=3,
        abstain=1,
        not_voting=0,
        needed=3,
        dissent=sorted(["张伟", "李娜", "刘洋"]),
    )


def test_a_secretary_who_votes_no_is_outvoted_the_same_way():
    decision = decide_motion(
        BRANCH_COMMITTEE,
        members_due=5,
        present=COMMITTEE,
        votes={SECRETARY: "no", "张伟": "yes", "李娜": "yes", "刘洋": "yes"},
    )
    assert (decision.status, decision.dissent, decision.not_voting) == (
        Status.PASSED,
        [SECRETARY],
        1,
    )


def test_no_weights_and_no_roles():
    assert not hasattr(decisions, "votes_by_role")
    parameters = inspect.signature(decide_motion).parameters
    assert set(parameters) == {"rules", "members_due", "present", "votes", "attendance"}
    # A "weighted" vote is not a choice.
    with pytest.raises(InputError) as refused:
        decide_motion(
            BRANCH_COMMITTEE, members_due=3, present=3, votes={SECRETARY: ("yes", 2)}
        )
    assert refused.value.problem == Problem(
        "unknown_choice", {"name": SECRETARY, "choice": "('yes', 2)"}
    )


@pytest.mark.parametrize("rules", RULE_SETS.values(), ids=RULE_SETS.keys())
def test_a_tie_fails_with_no_casting_vote(rules):
    decision = decide(rules, due=4, present=4, yes=2, no=2)
    assert (decision.status, decision.reason_code, decision.dissent) == (
        Status.FAILED,
        Reason.TIE,
        ["委员3", "委员4"],
    )


def test_a_tie_fails_even_under_a_lowered_threshold():
    quarter = replace(SIMPLE_MAJORITY, threshold=Fraction(1, 4), threshold_strict=False)
    assert outcome(decide(quarter, due=10, present=10, yes=3, no=3, abstain=4)) == (
        Status.FAILED,
        Reason.TIE,
        3,
        3,
        3,
    )
    # The threshold is met but no outnumbers yes.
    assert decide(quarter, due=10, present=10, yes=3, no=4).reason_code == (
        Reason.NOT_MORE_YES_THAN_NO
    )
    assert decide(quarter, due=10, present=10, yes=4, no=3).status == Status.PASSED


# --- Branch committee ------------------------------------------------------------------------


def test_branch_committee_quorum_is_more_than_half_of_the_members():
    # 5 members: 3 present is a quorum, 2 is not. 6 members: exactly half (3) is not.
    assert decide(BRANCH_COMMITTEE, due=5, present=2, yes=2).status == Status.NO_QUORUM
    assert decide(BRANCH_COMMITTEE, due=5, present=3, yes=2).status == Status.PASSED
    no_quorum = decide(BRANCH_COMMITTEE, due=6, present=3, yes=3)
    assert no_quorum == Decision(
        Status.NO_QUORUM,
        Reason.NO_QUORUM,
        {"present": 3, "due": 6, "needed": 4},
        0,
        0,
        0,
        0,
        2,
        [],
    )
    assert decide(BRANCH_COMMITTEE, due=6, present=4, yes=3).status == Status.PASSED


def test_branch_committee_passes_with_more_yes_than_half_of_those_present():
    # 4 present: 2 yes is exactly half and fails; 3 passes.
    assert outcome(decide(BRANCH_COMMITTEE, due=5, present=4, yes=2, abstain=2)) == (
        Status.FAILED,
        Reason.BELOW_THRESHOLD,
        2,
        0,
        3,
    )
    assert decide(BRANCH_COMMITTEE, due=5, present=4, yes=3, no=1).status == Status.PASSED
    # Members present who do not vote count in the base: 2 yes of 3 present passes, of 4 fails.
    assert decide(BRANCH_COMMITTEE, due=5, present=3, yes=2).status == Status.PASSED
    assert decide(BRANCH_COMMITTEE, due=5, present=4, yes=2).status == Status.FAILED


# --- Member assembly ---------------------------------------------------------------------------


def test_member_assembly_quorum_is_more_than_half_of_those_due():
    assert decide(MEMBER_ASSEMBLY, due=50, present=25, yes=25).status == Status.NO_QUORUM
    assert decide(MEMBER_ASSEMBLY, due=50, present=26, yes=26).status == Status.PASSED


def test_member_assembly_passes_with_yes_above_half_of_those_due_to_attend():
    # 50 due, 40 present: 25 yes is a majority of those present and of those voting, and fails.
    short = decide(MEMBER_ASSEMBLY, due=50, present=40, yes=25, no=5, abstain=10)
    assert (short.status, short.reason_params) == (
        Status.FAILED,
        {"yes": 25, "needed": 26, "base": "due", "of": 50},
    )
    assert decide(MEMBER_ASSEMBLY, due=50, present=40, yes=26, no=14).status == Status.PASSED
    # 26 present, one votes no: 25 yes is not enough however small the dissent.
    assert decide(MEMBER_ASSEMBLY, due=50, present=26, yes=25, no=1).status == Status.FAILED


# --- Villagers' assembly -------------------------------------------------------------------


def test_villagers_assembly_quorum_by_adults_is_more_than_half():
    assert decide(VILLAGERS_ASSEMBLY, due=300, present=150, yes=150).status == Status.NO_QUORUM
    passed = decide(VILLAGERS_ASSEMBLY, due=300, present=151, yes=76, no=75)
    assert (passed.status, passed.needed) == (Status.PASSED, 76)
    assert decide(VILLAGERS_ASSEMBLY, due=300, present=151, yes=75, no=70).status == (
        Status.FAILED
    )


def test_villagers_assembly_quorum_by_households_is_at_least_two_thirds():
    def by_households(represented: int, **counts) -> Decision:
        return decide_motion(
            VILLAGERS_ASSEMBLY,
            members_due=90,
            present=represented,
            votes=vote(**counts),
            attendance=Attendance.HOUSEHOLDS,
        )

    assert by_households(59, yes=59) == Decision(
        Status.NO_QUORUM,
        Reason.NO_QUORUM_HOUSEHOLDS,
        {"represented": 59, "households": 90, "needed": 60},
        0,
        0,
        0,
        0,
        30,
        [],
    )
    # Exactly 2/3 of the households is a quorum; decisions by more than half of those present.
    assert outcome(by_households(60, yes=31, no=29)) == (Status.PASSED, Reason.PASSED, 31, 29, 31)
    assert by_households(60, yes=30, no=20).status == Status.FAILED
    # 91 households: 2/3 is 60⅔, so 61.
    assert quorum_needed(VILLAGERS_ASSEMBLY, 91, Attendance.HOUSEHOLDS) == 61


def test_only_the_villagers_assembly_counts_households():
    with pytest.raises(InputError) as refused:
        decide_motion(
            BRANCH_COMMITTEE, members_due=5, present=5, votes={}, attendance="households"
        )
    assert refused.value.problem == Problem(
        "attendance_not_in_rules", {"rules": "branch_committee", "attendance": "households"}
    )


# --- Villagers' representatives' assembly ---------------------------------------------------


def test_representatives_assembly_quorum_is_at_least_two_thirds():
    assert decide(REPRESENTATIVES_ASSEMBLY, due=30, present=19, yes=19).status == (
        Status.NO_QUORUM
    )
    # Exactly 2/3 is a quorum; 20 present need 11 yes, 10 is exactly half.
    assert outcome(decide(REPRESENTATIVES_ASSEMBLY, due=30, present=20, yes=10, no=5)) == (
        Status.FAILED,
        Reason.BELOW_THRESHOLD,
        10,
        5,
        11,
    )
    assert decide(REPRESENTATIVES_ASSEMBLY, due=30, present=20, yes=11, no=9).status == (
        Status.PASSED
    )
    # 31 representatives: 2/3 is 20⅔, so 21.
    assert decide(REPRESENTATIVES_ASSEMBLY, due=31, present=20, yes=20).status == (
        Status.NO_QUORUM
    )
    assert decide(REPRESENTATIVES_ASSEMBLY, due=31, present=21, yes=11).status == Status.PASSED


# --- Simple majority -----------------------------------------------------------------------


def test_simple_majority_more_yes_than_half_of_those_present():
    assert decide(SIMPLE_MAJORITY, due=9, present=4, yes=4).status == Status.NO_QUORUM
    # 5 present: 3 yes passes; 2 yes and 3 abstentions fails (abstaining weighs like no).
    assert decide(SIMPLE_MAJORITY, due=9, present=5, yes=3, no=2).status == Status.PASSED
    assert decide(SIMPLE_MAJORITY, due=9, present=5, yes=2, abstain=3).status == Status.FAILED
    # Counting only those who voted is an adjustment.
    cast = replace(SIMPLE_MAJORITY, threshold_of=Base.CAST)
    assert decide(cast, due=9, present=5, yes=2, no=1).status == Status.PASSED


def test_nothing_passes_without_a_yes():
    everyone_abstains = decide(SIMPLE_MAJORITY, due=3, present=3, abstain=3)
    assert (everyone_abstains.status, everyone_abstains.needed) == (Status.FAILED, 2)
    lowered = replace(SIMPLE_MAJORITY, threshold=0, threshold_strict=False)
    assert decide(lowered, due=3, present=3, abstain=3).status == Status.FAILED


# --- Inconsistent input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "problem"),
    [
        (
            {"members_due": -1, "present": 0},
            Problem("negative", {"field": "members_due", "value": -1}),
        ),
        ({"present": -2}, Problem("negative", {"field": "present", "value": -2})),
        ({"members_due": 5.0}, Problem("not_a_count", {"field": "members_due", "value": "5.0"})),
        ({"present": True}, Problem("not_a_count", {"field": "present", "value": "True"})),
        ({"present": 6}, Problem("present_exceeds_due", {"present": 6, "due": 5})),
        (
            {"present": [*COMMITTEE, "赵敏"]},
            Problem("present_exceeds_due", {"present": 6, "due": 5}),
        ),
        ({"present": "张伟"}, Problem("present_not_names", {"value": "张伟"})),
        ({"present": ["张伟", "李娜", "张伟"]}, Problem("duplicate_present", {"name": "张伟"})),
        (
            {"present": ["张伟", "李娜", "刘洋"], "votes": {"张伟": "yes", "陈静": "no"}},
            Problem("voter_not_present", {"name": "陈静"}),
        ),
        (
            {"present": 3, "votes": vote(yes=4)},
            Problem("more_votes_than_present", {"votes": 4, "present": 3}),
        ),
        (
            {"votes": {"张伟": "赞成"}},
            Problem("unknown_choice", {"name": "张伟", "choice": "赞成"}),
        ),
    ],
)
def test_inconsistent_input_is_refused(meeting, problem):
    meeting = {"members_due": 5, "present": COMMITTEE, "votes": {}, **meeting}
    with pytest.raises(InputError) as refused:
        decide_motion(BRANCH_COMMITTEE, **meeting)
    assert refused.value.problem == problem


def test_the_module_is_pure():
    code = "import sys, tongxin.elections.decisions; print('django' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


# --- Properties -----------------------------------------------------------------------------

ALL_RULE_SETS = tuple(RULE_SETS.values())
NAMES = [SECRETARY, "张伟", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "孙丽", "周杰", "吴昊", "郑爽"]


@st.composite
def rule_sets(draw):
    rules = draw(st.sampled_from(ALL_RULE_SETS))
    if draw(st.booleans()):
        rules = replace(
            rules,
            quorum_strict=draw(st.booleans()),
            threshold_of=draw(st.sampled_from(list(Base))),
            threshold=draw(st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(1, 3), 0])),
            threshold_strict=draw(st.booleans()),
        )
    return rules


@st.composite
def meetings(draw):
    """A rule set and a meeting: who is due (a count), who is present (by name), who voted what."""
    rules = draw(rule_sets())
    present = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=len(NAMES)))
    due = len(present) + draw(st.integers(0, 12))
    voters = draw(st.lists(st.sampled_from(present), unique=True)) if present else []
    votes = {name: draw(st.sampled_from(["yes", "no", "abstain"])) for name in voters}
    attendance = Attendance.MEMBERS
    if rules.household_quorum is not None and draw(st.booleans()):
        attendance = Attendance.HOUSEHOLDS
    return rules, {"members_due": due, "present": present, "votes": votes, "attendance": attendance}


def _rest(decision: Decision) -> tuple:
    return (
        decision.status,
        decision.reason_code,
        decision.reason_params,
        decision.yes,
        decision.no,
        decision.abstain,
        decision.not_voting,
        decision.needed,
    )


@given(meetings())
def test_the_counts_add_up(drawn):
    rules, meeting = drawn
    decision = decide_motion(rules, **meeting)
    if decision.status == Status.NO_QUORUM:
        assert (decision.yes, decision.no, decision.abstain, decision.dissent) == (0, 0, 0, [])
        return
    assert decision.yes + decision.no + decision.abstain == len(meeting["votes"])
    assert decision.yes + decision.no + decision.abstain + decision.not_voting == len(
        meeting["present"]
    )
    assert decision.dissent == sorted(n for n, c in meeting["votes"].items() if c == "no")
    assert (decision.status == Status.PASSED) == (
        decision.yes >= decision.needed and decision.yes > decision.no
    )


@given(meetings(), st.permutations(NAMES), st.randoms(use_true_random=False))
def test_renaming_or_reordering_the_members_changes_nothing(drawn, renaming, shuffler):
    """Whoever casts a vote, it weighs the same: give every vote to somebody else (the
    secretary's to an ordinary member and back), list those present in another order, and the
    decision is the same but for the names of the dissenters."""
    rules, meeting = drawn
    rename = dict(zip(NAMES, renaming))
    present = [rename[name] for name in meeting["present"]]
    shuffler.shuffle(present)
    votes = list(meeting["votes"].items())
    shuffler.shuffle(votes)
    renamed = {
        **meeting,
        "present": present,
        "votes": {rename[name]: choice for name, choice in votes},
    }
    before, after = decide_motion(rules, **meeting), decide_motion(rules, **renamed)

    assert _rest(after) == _rest(before)
    assert after.dissent == sorted(rename[name] for name in before.dissent)


@given(meetings(), st.data())
def test_the_secretarys_vote_weighs_the_same_as_anyone_elses(drawn, data):
    """Swap the secretary's vote with any other member's: the counts and the outcome stand."""
    rules, meeting = drawn
    assume(SECRETARY in meeting["present"] and len(meeting["present"]) > 1)
    other = data.draw(st.sampled_from([n for n in meeting["present"] if n != SECRETARY]))
    votes = dict(meeting["votes"])
    mine, theirs = votes.pop(SECRETARY, None), votes.pop(other, None)
    if theirs is not None:
        votes[SECRETARY] = theirs
    if mine is not None:
        votes[other] = mine

    assert _rest(decide_motion(rules, **{**meeting, "votes": votes})) == _rest(
        decide_motion(rules, **meeting)
    )


@given(meetings(), st.data())
def test_one_more_yes_never_turns_passed_into_failed(drawn, data):
    rules, meeting = drawn
    before = decide_motion(rules, **meeting)
    # A member present who voted no, abstained or did not vote votes yes instead ...
    others = [n for n in meeting["present"] if meeting["votes"].get(n) != "yes"]
    if others:
        member = data.draw(st.sampled_from(others))
        changed = decide_motion(rules, **{**meeting, "votes": {**meeting["votes"], member: "yes"}})
        assert changed.yes == before.yes + 1 or before.status == Status.NO_QUORUM
        if before.status == Status.PASSED:
            assert changed.status == Status.PASSED
    # ... or one more member, due and present, arrives and votes yes.
    newcomer = "新来的"
    arrived = decide_motion(
        rules,
        **{
            **meeting,
            "members_due": meeting["members_due"] + 1,
            "present": [*meeting["present"], newcomer],
            "votes": {**meeting["votes"], newcomer: "yes"},
        },
    )
    if before.status == Status.PASSED:
        assert arrived.status == Status.PASSED


@given(rule_sets(), st.integers(0, 40), st.integers(0, 20), st.data())
def test_a_tie_never_passes(rules, due, tied, data):
    present = data.draw(st.integers(2 * tied, max(2 * tied, due) + 5))
    due = max(due, present)
    abstain = data.draw(st.integers(0, present - 2 * tied))
    decision = decide(rules, due=due, present=present, yes=tied, no=tied, abstain=abstain)
    assert decision.status != Status.PASSED


@given(rule_sets(), st.integers(0, 200), st.data())
def test_no_quorum_exactly_when_too_few_are_present(rules, due, data):
    present = data.draw(st.integers(0, due))
    yes = data.draw(st.integers(0, present))
    decision = decide(rules, due=due, present=present, yes=yes)
    # Worked out apart from the module: "more than" q of due, or "at least" q of due.
    exact = rules.quorum * due
    too_few = present <= exact if rules.quorum_strict else present < exact
    assert (decision.status == Status.NO_QUORUM) == too_few
    assert decision.reason_code != Reason.NO_QUORUM or decision.reason_params == {
        "present": present,
        "due": due,
        "needed": quorum_needed(rules, due),
    }


@given(st.integers(0, 300), st.data())
def test_households_no_quorum_below_two_thirds(households, data):
    represented = data.draw(st.integers(0, households))
    decision = decide_motion(
        VILLAGERS_ASSEMBLY,
        members_due=households,
        present=represented,
        votes={},
        attendance=Attendance.HOUSEHOLDS,
    )
    assert (decision.status == Status.NO_QUORUM) == (3 * represented < 2 * households)
