"""Deciding a motion by the rules of RULES.md §1, "Motions (collective decisions of a committee)".

One member one vote, the secretary's equal to every other; no casting vote; a tie fails. There is
no way to give anyone's vote more weight: a vote is a name and a choice, the function takes no
weights and no roles, and which member is the secretary is nowhere an input.

Five rule sets are built in. A rule set is a frozen `MotionRules` of numbers and options; a body
adjusts it with `dataclasses.replace(BRANCH_COMMITTEE, quorum_strict=False)`.

| rule set                 | quorum (of those due)                 | passes with yes votes     |
|--------------------------|---------------------------------------|---------------------------|
| branch_committee         | more than half of the members         | more than half of present |
| member_assembly          | more than half of the members         | more than half of *due*   |
| villagers_assembly       | more than half of the adults, or      | more than half of present |
|                          | representatives of at least 2/3 of    |                           |
|                          | the households                        |                           |
| representatives_assembly | at least 2/3 of the representatives   | more than half of present |
| simple_majority          | more than half of the members         | more than half of present |

Where RULES.md leaves a choice open, this module decides, and says so:

- Branch committee: RULES.md gives only the quorum. A motion passes with more yes votes than
  half of the members *present* (the same measure as the assemblies that decide "by more than
  half of those present"); exactly half fails. A body that reads it otherwise adjusts
  `threshold_of` (to `due`, or to `cast`).
- Simple majority (councils, social organisations): more yes votes than half of those present,
  so an abstention or a member present who does not vote weighs like a no. Adjust
  `threshold_of=Base.CAST` to count only those who voted (abstentions included).
- "2/3" for the representatives' assembly and for households is "at least" (三分之二以上 includes
  the number itself); "more than half" is strict (过半数): exactly half is not enough.
- Villagers' assembly: the caller says what the attendance counts with `attendance`:
  `Attendance.MEMBERS` (adults due, adults present; the default) or `Attendance.HOUSEHOLDS`
  (households due, household representatives present, one vote each). The threshold is always a
  share of the persons present who may vote, so of the representatives when counting households.
  Other rule sets know no household measure.
- A tie fails under any adjustment: besides the threshold, yes votes must outnumber no votes.
  With the built-in thresholds that second test is implied; it keeps "a tie fails" true when a
  body lowers its threshold.
- A member present who does not vote is present, not voting: counted towards the quorum and (for
  the shares of those present) in the base of the threshold, never as yes, no or abstain.
- A meeting without a quorum decides nothing: its votes are not counted (yes, no, abstain and
  not voting are 0 and nobody is listed as dissenting), though the input is still checked.
- Dissent (the members who voted no), for the minutes, in code-point order of the names: the
  output does not depend on the order of the votes or of the members present.

No Django here (the only imports outside the standard library are `Problem`, `InputError` and
`rule_fraction` from the sibling pure module `counting`, so callers catch one error type): problems come back as
stable codes with parameters, and the caller words them in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from typing import Any

from tongxin.elections.counting import InputError, Problem, rule_fraction

__all__ = [
    "ADJUSTABLE",
    "BRANCH_COMMITTEE",
    "MEMBER_ASSEMBLY",
    "REPRESENTATIVES_ASSEMBLY",
    "RULE_SETS",
    "SIMPLE_MAJORITY",
    "VILLAGERS_ASSEMBLY",
    "Attendance",
    "Base",
    "Choice",
    "Decision",
    "InputError",
    "MotionRules",
    "Problem",
    "Reason",
    "Status",
    "decide_motion",
    "quorum_needed",
    "yes_needed",
]

# Problem codes raised by `decide_motion` and `MotionRules`: bad_rule_value, negative, not_a_count,
# present_exceeds_due, present_not_names, duplicate_present, voter_not_present,
# more_votes_than_present, unknown_choice, attendance_not_in_rules.



# ---------------------------------------------------------------------------------------------
# Rules


class Base(StrEnum):
    """What the passing threshold is a share of."""

    PRESENT = "present"  # members present, voting or not (到会人员)
    DUE = "due"  # members due to attend (应到会), present or not
    CAST = "cast"  # members who voted yes, no or abstain


class Attendance(StrEnum):
    """What `members_due` and `present` count."""

    MEMBERS = "members"  # persons: members, adults, representatives
    HOUSEHOLDS = "households"  # households due, and the households represented at the meeting


@dataclass(frozen=True)
class MotionRules:
    """The numbers and options of one body's way of deciding.

    Shares are exact fractions (a float or a string such as "2/3" is converted).
    """

    name: str
    # Quorum: those present against a share of those due.
    quorum: Fraction
    quorum_strict: bool  # True: more than the share; False: at least the share
    # Passing: yes votes against a share of `threshold_of`, and always more yes than no.
    threshold_of: Base = Base.PRESENT
    threshold: Fraction = Fraction(1, 2)
    threshold_strict: bool = True  # "more than half": exactly half fails
    # A second measure of the quorum, by households represented (villagers' assembly); None: the
    # body knows only members.
    household_quorum: Fraction | None = None
    household_quorum_strict: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "threshold_of", Base(self.threshold_of))
        except ValueError:
            raise InputError(
                "bad_rule_value", {"rule": "threshold_of", "value": str(self.threshold_of)}
            ) from None
        for name in ("quorum", "threshold", "household_quorum"):
            value = getattr(self, name)
            if value is None and name == "household_quorum":
                continue
            share = rule_fraction(name, value)
            if not 0 <= share <= 1:
                raise InputError("bad_rule_value", {"rule": name, "value": str(value)})
            object.__setattr__(self, name, share)
        for name in ("quorum_strict", "threshold_strict", "household_quorum_strict"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(
                    "bad_rule_value", {"rule": name, "value": str(getattr(self, name))}
                )


BRANCH_COMMITTEE = MotionRules(
    name="branch_committee",
    quorum=Fraction(1, 2),
    quorum_strict=True,  # "valid with more than half of the members present"
    threshold_of=Base.PRESENT,  # our reading: RULES.md gives no threshold (see the docstring)
)
MEMBER_ASSEMBLY = MotionRules(
    name="member_assembly",
    quorum=Fraction(1, 2),
    quorum_strict=True,
    threshold_of=Base.DUE,  # "yes votes above half of those due to attend"
)
VILLAGERS_ASSEMBLY = MotionRules(
    name="villagers_assembly",
    quorum=Fraction(1, 2),
    quorum_strict=True,  # more than half of the adults
    threshold_of=Base.PRESENT,
    household_quorum=Fraction(2, 3),
    household_quorum_strict=False,  # or representatives of at least 2/3 of households
)
REPRESENTATIVES_ASSEMBLY = MotionRules(
    name="representatives_assembly",
    quorum=Fraction(2, 3),
    quorum_strict=False,  # at least 2/3 of the representatives
    threshold_of=Base.PRESENT,
)
SIMPLE_MAJORITY = MotionRules(
    name="simple_majority",
    quorum=Fraction(1, 2),
    quorum_strict=True,
    threshold_of=Base.PRESENT,  # our choice: more yes than half of those present
)
RULE_SETS: dict[str, MotionRules] = {
    rules.name: rules
    for rules in (
        BRANCH_COMMITTEE,
        MEMBER_ASSEMBLY,
        VILLAGERS_ASSEMBLY,
        REPRESENTATIVES_ASSEMBLY,
        SIMPLE_MAJORITY,
    )
}
# What a body may adjust (everything but the name), for callers reading settings.
ADJUSTABLE = tuple(f.name for f in fields(MotionRules) if f.name != "name")


# ---------------------------------------------------------------------------------------------
# Votes and decisions


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


CHOICES = frozenset(Choice)


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NO_QUORUM = "no_quorum"


class Reason(StrEnum):
    """Why the decision is what it is; `Decision.reason_params` carries the numbers."""

    PASSED = "passed"  # yes, no, needed
    TIE = "tie"  # yes, no (as many yes as no, at least one of each: no casting vote)
    BELOW_THRESHOLD = "below_threshold"  # yes, needed, base ("present", "due", "cast"), of
    NOT_MORE_YES_THAN_NO = "not_more_yes_than_no"  # yes, no (a lowered threshold was met)
    NO_QUORUM = "no_quorum"  # present, due, needed
    NO_QUORUM_HOUSEHOLDS = "no_quorum_households"  # represented, households, needed


@dataclass(frozen=True)
class Decision:
    status: Status
    reason_code: Reason
    reason_params: dict[str, Any]
    yes: int
    no: int
    abstain: int
    not_voting: int  # present, but cast no vote
    needed: int  # the least number of yes votes that passes, given the attendance
    dissent: list[str]  # who voted no, for the minutes, in code-point order


def quorum_needed(
    rules: MotionRules, due: int, attendance: Attendance = Attendance.MEMBERS
) -> int:
    """The least number present for a valid meeting, of `due` members (or households)."""
    attendance = Attendance(attendance)
    if attendance is Attendance.HOUSEHOLDS:
        if rules.household_quorum is None:
            raise InputError(
                "attendance_not_in_rules", {"rules": rules.name, "attendance": str(attendance)}
            )
        return _needed(due, rules.household_quorum, strict=rules.household_quorum_strict)
    return _needed(due, rules.quorum, strict=rules.quorum_strict)


def yes_needed(rules: MotionRules, *, due: int, present: int, cast: int) -> int:
    """The least number of yes votes that meets the threshold (at least 1: nothing passes
    without a yes; and yes must also outnumber no, which `decide_motion` checks)."""
    base = {Base.PRESENT: present, Base.DUE: due, Base.CAST: cast}[rules.threshold_of]
    return max(1, _needed(base, rules.threshold, strict=rules.threshold_strict))


def decide_motion(
    rules: MotionRules,
    *,
    members_due: int,
    present: int | Collection[str],
    votes: Mapping[str, str],
    attendance: Attendance = Attendance.MEMBERS,
) -> Decision:
    """Decide one motion.

    `present` is the names of the members present (each vote must come from one of them) or
    their number (then there may be no more votes than that). `votes` maps a member to "yes",
    "no" or "abstain"; a member present who is not in it did not vote. Raises InputError when the
    input itself is inconsistent.
    """
    attendance = Attendance(attendance)
    present_count, votes = _check_input(rules, members_due, present, votes, attendance)
    yes = sum(1 for choice in votes.values() if choice is Choice.YES)
    no = sum(1 for choice in votes.values() if choice is Choice.NO)
    abstain = len(votes) - yes - no
    needed = yes_needed(rules, due=members_due, present=present_count, cast=len(votes))

    quorum = quorum_needed(rules, members_due, attendance)
    if present_count < quorum:
        if attendance is Attendance.HOUSEHOLDS:
            reason = Reason.NO_QUORUM_HOUSEHOLDS
            params = {"represented": present_count, "households": members_due, "needed": quorum}
        else:
            reason = Reason.NO_QUORUM
            params = {"present": present_count, "due": members_due, "needed": quorum}
        return Decision(Status.NO_QUORUM, reason, params, 0, 0, 0, 0, needed, [])

    if yes == no and yes > 0:
        status, reason, params = Status.FAILED, Reason.TIE, {"yes": yes, "no": no}
    elif yes < needed:
        status, reason = Status.FAILED, Reason.BELOW_THRESHOLD
        base = {Base.PRESENT: present_count, Base.DUE: members_due, Base.CAST: len(votes)}
        params = {
            "yes": yes,
            "needed": needed,
            "base": str(rules.threshold_of),
            "of": base[rules.threshold_of],
        }
    elif yes <= no:
        status, reason, params = Status.FAILED, Reason.NOT_MORE_YES_THAN_NO, {"yes": yes, "no": no}
    else:
        status, reason = Status.PASSED, Reason.PASSED
        params = {"yes": yes, "no": no, "needed": needed}
    return Decision(
        status=status,
        reason_code=reason,
        reason_params=params,
        yes=yes,
        no=no,
        abstain=abstain,
        not_voting=present_count - len(votes),
        needed=needed,
        dissent=sorted(name for name, choice in votes.items() if choice is Choice.NO),
    )


def _needed(base: int, share: Fraction, *, strict: bool) -> int:
    """The least whole number more than (strict) or at least `share` of `base`."""
    exact = base * share
    return math.floor(exact) + 1 if strict else math.ceil(exact)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("not_a_count", {"field": name, "value": str(value)})
    if value < 0:
        raise InputError("negative", {"field": name, "value": value})
    return value


def _check_input(
    rules: MotionRules,
    members_due: int,
    present: int | Collection[str],
    votes: Mapping[str, str],
    attendance: Attendance,
) -> tuple[int, dict[str, Choice]]:
    """The number present and the votes as choices, or InputError."""
    if attendance is Attendance.HOUSEHOLDS and rules.household_quorum is None:
        raise InputError(
            "attendance_not_in_rules", {"rules": rules.name, "attendance": str(attendance)}
        )
    members_due = _count("members_due", members_due)
    if isinstance(present, str):  # one name, or a number typed as text: neither is a list
        raise InputError("present_not_names", {"value": present})
    if isinstance(present, int):
        present_count, names = _count("present", present), None
    else:
        names = list(present)
        if any(not isinstance(name, str) for name in names):
            raise InputError("present_not_names", {"value": str(names)})
        if len(set(names)) != len(names):
            duplicate = min(name for name in names if names.count(name) > 1)
            raise InputError("duplicate_present", {"name": duplicate})
        present_count = len(names)
    if present_count > members_due:
        raise InputError("present_exceeds_due", {"present": present_count, "due": members_due})
    if names is not None:
        absent = votes.keys() - set(names)
        if absent:
            raise InputError("voter_not_present", {"name": min(absent)})
    elif len(votes) > present_count:
        raise InputError("more_votes_than_present", {"votes": len(votes), "present": present_count})
    checked: dict[str, Choice] = {}
    for name in sorted(votes):
        choice = votes[name]
        if not isinstance(choice, str) or choice not in CHOICES:
            raise InputError("unknown_choice", {"name": name, "choice": str(choice)})
        checked[name] = Choice(choice)
    return present_count, checked
