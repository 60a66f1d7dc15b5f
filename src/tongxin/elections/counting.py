"""Counting an election's ballots by the rules of RULES.md §1.

Three rule sets are built in: `party_branch` (CPC grassroots organisation elections, 2020),
`village_committee` (Organic Law of Villagers' Committees, 2018) and `simple_majority` (councils
and social organisations). A rule set is a frozen `RuleSet` of numbers and options; an
organisation adjusts it with `dataclasses.replace(PARTY_BRANCH, quorum_strict=False)`.

One call counts one round (`Round`): the first round; a further vote among candidates tied at
the cut-off; a further election (另行选举) for seats left unfilled; or, under the village rule,
the second round among the best of those not elected, where the most votes win but need at least
a third of the ballots cast. The order of the checks is: void election, quorum, each ballot's
validity, the tally, the threshold, the ranking and the cut-off.

Where RULES.md leaves a choice open, this module decides, and says so:

- Every candidate needs an explicit mark; a ballot that leaves one unmarked is invalid, never
  read as an abstention (secrecy: the no-voters must not be the only ones who write).
- A write-in stands beside a disapproval, in its place: a ballot with more write-ins than
  disapprovals is invalid (so a write-in without any disapproval is invalid).
- A write-in naming a listed candidate makes the ballot invalid by default; the rule set's
  `write_in_naming_candidate = WriteInPolicy.IGNORE` drops that write-in instead and counts the
  rest of the ballot.
- A ballot naming the same person twice among its write-ins is invalid (no ballot counts twice
  for anyone).
- Write-ins belong to the first round only: a later round is a vote among the given candidates,
  so a write-in there makes the ballot invalid.
- A void election and an election without a quorum are not counted: their tally is empty and
  their valid and invalid counts are 0.
- A further vote among the tied is a plurality among them: they have all passed the threshold
  already. Nobody is ever elected without at least one vote.
- The village rule's answer to a shortfall is its second round (so it has no `further_election`
  round); the other rule sets answer with a further election that keeps the threshold.
- Ranking among equal votes, where it does not matter (all of them are elected), follows the
  candidate list, then write-in names in code-point order: the output does not depend on the
  order of the ballots.

No Django here: problems come back as stable codes with parameters (`Problem`, `Reason`), and
the caller words them in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from fractions import Fraction
from typing import Any

# ---------------------------------------------------------------------------------------------
# Problems with the input


@dataclass(frozen=True)
class Problem:
    """Something wrong with what was given to count, as a code and the values to word it with.

    Codes: no_seats, negative, present_exceeds_due, duplicate_candidate, seats_exceed_candidates,
    too_few_candidates, round_not_in_rules, unknown_candidate, unknown_mark, empty_write_in,
    bad_rule_value.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


class InputError(ValueError):
    """The election as given cannot be counted: the input is inconsistent, not the vote."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.problem = Problem(code, dict(params or {}))
        super().__init__(f"{code}: {dict(self.problem.params)}")


def rule_fraction(name: str, value: Any) -> Fraction:
    """A rule's share as an exact fraction ("4/5", 0.8, 1); InputError names the rule otherwise."""
    if isinstance(value, bool):
        raise InputError("bad_rule_value", {"rule": name, "value": str(value)})
    try:
        # str() first: 1.2 is 6/5, not the binary float nearest to it.
        return Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InputError("bad_rule_value", {"rule": name, "value": str(value)}) from None


# ---------------------------------------------------------------------------------------------
# Rules


class Measure(StrEnum):
    """What a quorum or a threshold is a share of."""

    PRESENT = "present"  # voters present (party: voting members present at the assembly)
    BALLOTS = "ballots"  # ballots cast, that is returned, valid or not (village: 已投选票数)
    VALID = "valid"  # valid ballots only


class WriteInPolicy(StrEnum):
    INVALID = "invalid"  # a write-in naming a listed candidate spoils the ballot
    IGNORE = "ignore"  # the write-in is dropped; the rest of the ballot counts


@dataclass(frozen=True)
class RuleSet:
    """The numbers and options of one way of electing.

    Shares are exact fractions (a float or a string such as "4/5" is converted), so 5 seats
    × 1.2 is 6 candidates, not 7.
    """

    name: str
    # Quorum: `quorum_of` (voters present, or ballots cast) against the voters due/registered.
    quorum_of: Measure
    quorum: Fraction
    quorum_strict: bool  # True: more than the share; False: at least the share
    # Winning threshold: votes against a share of `threshold_of`.
    threshold_of: Measure
    threshold: Fraction = Fraction(1, 2)
    threshold_strict: bool = True  # "more than half": exactly half fails
    # Candidates ≥ seats × candidate_ratio, rounded up; and strictly more than seats if asked.
    candidate_ratio: Fraction = Fraction(1)
    more_candidates_than_seats: bool = False
    # The village rule: a shortfall goes to a second round, plurality with this floor (a share
    # of the ballots cast, at least). None: a further election keeping the threshold.
    second_round_floor: Fraction | None = None
    write_in_naming_candidate: WriteInPolicy = WriteInPolicy.INVALID

    def __post_init__(self) -> None:
        for name, kind in (
            ("quorum_of", Measure),
            ("threshold_of", Measure),
            ("write_in_naming_candidate", WriteInPolicy),
        ):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                raise InputError("bad_rule_value", {"rule": name, "value": str(value)}) from None
        if self.quorum_of is Measure.VALID:  # a quorum is known before any ballot is read
            raise InputError("bad_rule_value", {"rule": "quorum_of", "value": "valid"})
        for name, low, high in (
            ("quorum", 0, 1),
            ("threshold", 0, 1),
            ("candidate_ratio", 1, None),
            ("second_round_floor", 0, 1),
        ):
            value = getattr(self, name)
            if value is None and name == "second_round_floor":
                continue
            share = rule_fraction(name, value)
            if share < low or (high is not None and share > high):
                raise InputError("bad_rule_value", {"rule": name, "value": str(value)})
            object.__setattr__(self, name, share)
        for name in ("quorum_strict", "threshold_strict", "more_candidates_than_seats"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(
                    "bad_rule_value", {"rule": name, "value": str(getattr(self, name))}
                )


PARTY_BRANCH = RuleSet(
    name="party_branch",
    quorum_of=Measure.PRESENT,
    quorum=Fraction(4, 5),
    quorum_strict=True,  # "more than 4/5"; some templates say "at least": quorum_strict=False
    threshold_of=Measure.PRESENT,
    candidate_ratio=Fraction(6, 5),
)
VILLAGE_COMMITTEE = RuleSet(
    name="village_committee",
    quorum_of=Measure.BALLOTS,
    quorum=Fraction(1, 2),
    quorum_strict=True,
    threshold_of=Measure.BALLOTS,
    more_candidates_than_seats=True,
    second_round_floor=Fraction(1, 3),
)
SIMPLE_MAJORITY = RuleSet(
    name="simple_majority",
    # A council's meeting is valid with more than half of its members present (RULES.md, motions).
    quorum_of=Measure.PRESENT,
    quorum=Fraction(1, 2),
    quorum_strict=True,
    threshold_of=Measure.VALID,
)
RULE_SETS: dict[str, RuleSet] = {
    rules.name: rules for rules in (PARTY_BRANCH, VILLAGE_COMMITTEE, SIMPLE_MAJORITY)
}
# What an organisation may adjust (everything but the name), for callers reading settings.
ADJUSTABLE = tuple(f.name for f in fields(RuleSet) if f.name != "name")


class Round(StrEnum):
    FIRST = "first"
    TIE_BREAK = "tie_break"  # a further vote among the candidates tied at the cut-off
    FURTHER_ELECTION = "further_election"  # 另行选举 for unfilled seats, threshold kept
    SECOND_ROUND = "second_round"  # village: plurality with the one-third floor


def rounds(rules: RuleSet) -> tuple[Round, ...]:
    """The rounds a rule set knows: the village rule's further election is its second round."""
    if rules.second_round_floor is None:
        return (Round.FIRST, Round.TIE_BREAK, Round.FURTHER_ELECTION)
    return (Round.FIRST, Round.TIE_BREAK, Round.SECOND_ROUND)


def required_candidates(rules: RuleSet, seats: int) -> int:
    """How many candidates a first round needs for `seats` seats (3 → 4, 5 → 6, 7 → 9 by the
    party rule's ratio of 1.2, rounded up; seats + 1 under the village rule)."""
    needed = math.ceil(seats * rules.candidate_ratio)
    if rules.more_candidates_than_seats:
        needed = max(needed, seats + 1)
    return max(needed, seats)


def check_candidate_list(rules: RuleSet, seats: int, candidates: int) -> Problem | None:
    """Whether `candidates` candidates may stand for `seats` seats in a first round."""
    if seats < 1:
        return Problem("no_seats", {"seats": seats})
    if candidates < seats:
        return Problem("seats_exceed_candidates", {"seats": seats, "candidates": candidates})
    required = required_candidates(rules, seats)
    if candidates < required:
        return Problem(
            "too_few_candidates", {"seats": seats, "candidates": candidates, "required": required}
        )
    return None


# ---------------------------------------------------------------------------------------------
# Ballots and results


class Mark(StrEnum):
    APPROVE = "approve"
    DISAPPROVE = "disapprove"
    ABSTAIN = "abstain"


MARKS = frozenset(Mark)


@dataclass(frozen=True)
class Ballot:
    """One ballot: a mark for each candidate, and the names written in beside disapprovals."""

    marks: Mapping[str, str]
    write_ins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "write_ins", tuple(self.write_ins))


class Status(StrEnum):
    ELECTED = "elected"  # every seat of this round is filled
    FURTHER_ROUND = "further_round"  # a tie at the cut-off, or seats left unfilled
    VOID = "void"  # more ballots returned than voters present
    NO_QUORUM = "no_quorum"


class Reason(StrEnum):
    """Why the result is what it is; `Result.reason_params` carries the numbers."""

    ELECTED = "elected"  # seats
    TIE = "tie"  # seats (left to decide), tied (how many)
    SHORTFALL_FURTHER_ELECTION = "shortfall_further_election"  # unfilled, seats, needed
    SHORTFALL_SECOND_ROUND = "shortfall_second_round"  # unfilled, seats, floor ("1/3")
    VOID = "void"  # returned, present
    NO_QUORUM_PRESENT = "no_quorum_present"  # present, due, needed
    NO_QUORUM_BALLOTS = "no_quorum_ballots"  # returned, due, needed


@dataclass(frozen=True)
class Result:
    status: Status
    reason_code: Reason
    reason_params: dict[str, Any]
    ballots_returned: int
    valid: int
    invalid: int
    tally: dict[str, int]  # votes per person: the list's candidates in order, then write-ins
    elected: list[str]  # in rank order
    tied: list[str]  # at the cut-off, for a further vote among them
    unfilled_seats: int  # the seats this round did not fill (a tie's seats included)


# ---------------------------------------------------------------------------------------------
# Counting


def count_election(
    rules: RuleSet,
    *,
    seats: int,
    candidates: Sequence[str],
    voters_due: int,
    voters_present: int,
    ballots: Iterable[Ballot],
    round: Round = Round.FIRST,
) -> Result:
    """Count one round. Raises InputError when the input itself is inconsistent."""
    round = Round(round)
    ballots = list(ballots)
    candidates = list(candidates)
    _check_input(rules, seats, candidates, voters_due, voters_present, ballots, round)
    returned = len(ballots)

    def failed(status: Status, reason: Reason, params: dict[str, Any]) -> Result:
        return Result(status, reason, params, returned, 0, 0, {}, [], [], seats)

    if returned > voters_present:
        return failed(Status.VOID, Reason.VOID, {"returned": returned, "present": voters_present})
    quorum_count = voters_present if rules.quorum_of is Measure.PRESENT else returned
    quorum_needed = votes_needed(voters_due, rules.quorum, strict=rules.quorum_strict)
    if quorum_count < quorum_needed:
        if rules.quorum_of is Measure.PRESENT:
            reason = Reason.NO_QUORUM_PRESENT
            params = {"present": voters_present, "due": voters_due, "needed": quorum_needed}
        else:
            reason = Reason.NO_QUORUM_BALLOTS
            params = {"returned": returned, "due": voters_due, "needed": quorum_needed}
        return failed(Status.NO_QUORUM, reason, params)

    tally, valid = _tally(rules, seats, candidates, ballots, round)
    invalid = returned - valid
    if round is Round.TIE_BREAK:
        needed = 0  # plurality among the tied, who all passed the threshold already
    elif round is Round.SECOND_ROUND:
        needed = votes_needed(returned, rules.second_round_floor or Fraction(0), strict=False)
    else:
        base = {Measure.PRESENT: voters_present, Measure.BALLOTS: returned, Measure.VALID: valid}
        needed = votes_needed(base[rules.threshold_of], rules.threshold, strict=rules.threshold_strict)
    if round is not Round.TIE_BREAK:
        needed = max(needed, 1)  # nobody is elected without a vote
    qualifiers = sorted((name for name in tally if tally[name] >= needed), key=lambda n: -tally[n])

    if len(qualifiers) > seats and tally[qualifiers[seats - 1]] == tally[qualifiers[seats]]:
        cut = tally[qualifiers[seats]]
        elected = [name for name in qualifiers if tally[name] > cut]
        tied = [name for name in qualifiers if tally[name] == cut]
        status, reason = Status.FURTHER_ROUND, Reason.TIE
        params: dict[str, Any] = {"seats": seats - len(elected), "tied": len(tied)}
    else:
        elected, tied = qualifiers[:seats], []
        if len(elected) == seats:
            status, reason, params = Status.ELECTED, Reason.ELECTED, {"seats": seats}
        else:
            status = Status.FURTHER_ROUND
            unfilled = seats - len(elected)
            if rules.second_round_floor is None:
                reason = Reason.SHORTFALL_FURTHER_ELECTION
                params = {"unfilled": unfilled, "seats": seats, "needed": needed}
            else:
                reason = Reason.SHORTFALL_SECOND_ROUND
                floor = rules.second_round_floor
                params = {"unfilled": unfilled, "seats": seats, "floor": str(floor)}
    return Result(
        status=status,
        reason_code=reason,
        reason_params=params,
        ballots_returned=returned,
        valid=valid,
        invalid=invalid,
        tally=tally,
        elected=elected,
        tied=tied,
        unfilled_seats=seats - len(elected),
    )


def ballot_is_valid(
    rules: RuleSet,
    ballot: Ballot,
    *,
    seats: int,
    candidates: Sequence[str],
    round: Round = Round.FIRST,
) -> bool:
    """Whether one (well-formed) ballot counts, by the rules in the module's docstring."""
    return _votes(rules, ballot, seats, frozenset(candidates), len(candidates), round) is not None


def _tally(
    rules: RuleSet, seats: int, candidates: list[str], ballots: list[Ballot], round: Round
) -> tuple[dict[str, int], int]:
    listed = frozenset(candidates)
    counts = dict.fromkeys(candidates, 0)
    written: dict[str, int] = {}
    valid = 0
    for ballot in ballots:
        votes = _votes(rules, ballot, seats, listed, len(candidates), round)
        if votes is None:
            continue
        valid += 1
        approvals, write_ins = votes
        for name in approvals:
            counts[name] += 1
        for name in write_ins:
            written[name] = written.get(name, 0) + 1
    # Stable whatever the order of the ballots: the list first, then write-ins by name.
    counts.update(sorted(written.items()))
    return counts, valid


def _votes(
    rules: RuleSet,
    ballot: Ballot,
    seats: int,
    listed: frozenset[str],
    listed_count: int,
    round: Round,
) -> tuple[list[str], tuple[str, ...]] | None:
    """The names a ballot votes for (approvals, write-ins), or None if it is invalid."""
    marks = ballot.marks
    if len(marks) != listed_count:  # a candidate left unmarked (unknown names were refused)
        return None
    approvals = [name for name, mark in marks.items() if mark == Mark.APPROVE]
    write_ins = ballot.write_ins
    if write_ins:
        if round is not Round.FIRST or len(set(write_ins)) != len(write_ins):
            return None
        if not listed.isdisjoint(write_ins):
            if rules.write_in_naming_candidate is WriteInPolicy.INVALID:
                return None
            write_ins = tuple(name for name in write_ins if name not in listed)
        disapprovals = sum(1 for mark in marks.values() if mark == Mark.DISAPPROVE)
        if len(write_ins) > disapprovals:
            return None
    if len(approvals) + len(write_ins) > seats:
        return None
    return approvals, write_ins


def votes_needed(base: int, share: Fraction, *, strict: bool) -> int:
    """The least whole number more than (strict) or at least `share` of `base`."""
    exact = base * share
    return math.floor(exact) + 1 if strict else math.ceil(exact)


def _check_input(
    rules: RuleSet,
    seats: int,
    candidates: list[str],
    voters_due: int,
    voters_present: int,
    ballots: list[Ballot],
    round: Round,
) -> None:
    if round not in rounds(rules):
        raise InputError("round_not_in_rules", {"rules": rules.name, "round": str(round)})
    for name, value in (
        ("seats", seats),
        ("voters_due", voters_due),
        ("voters_present", voters_present),
    ):
        if value < 0:
            raise InputError("negative", {"field": name, "value": value})
    if voters_present > voters_due:
        raise InputError("present_exceeds_due", {"present": voters_present, "due": voters_due})
    listed = frozenset(candidates)
    if len(listed) != len(candidates):
        duplicate = next(name for name in candidates if candidates.count(name) > 1)
        raise InputError("duplicate_candidate", {"name": duplicate})
    if round is Round.FIRST:
        problem = check_candidate_list(rules, seats, len(candidates))
    elif seats < 1:
        problem = Problem("no_seats", {"seats": seats})
    elif len(candidates) < seats:
        problem = Problem(
            "seats_exceed_candidates", {"seats": seats, "candidates": len(candidates)}
        )
    else:
        problem = None
    if problem is not None:
        raise InputError(problem.code, problem.params)
    for number, ballot in enumerate(ballots, start=1):
        unknown = ballot.marks.keys() - listed
        if unknown:
            raise InputError("unknown_candidate", {"ballot": number, "name": min(unknown)})
        if not MARKS.issuperset(ballot.marks.values()):
            mark = min(str(mark) for mark in ballot.marks.values() if mark not in MARKS)
            raise InputError("unknown_mark", {"ballot": number, "mark": mark})
        if any(not name.strip() for name in ballot.write_ins):
            raise InputError("empty_write_in", {"ballot": number})
