"""Composition rules: who must sit in a council, committee or group, checked against plain facts.

A rule set is configuration, not code: named numbers and switches (`RULE_SETS`) that an
organisation picks and may adjust (`apply_overrides`). `check` turns a rule set and the facts
about an organisation's current seats into findings. No Django and no translation here: the
glue in `reports.py` gathers the facts and words the findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

# The stored values of the community models' choices. Repeated here because a pure module
# imports no Django; tests/community/test_composition_rules.py checks they still match.
FEMALE = "female"
FULL = "full"
NON_PARTY = "non_party"
COMMITTEE_ROLES = frozenset({"secretary", "deputy_secretary", "committee_member"})
TOWN = "town"
VILLAGE = "village"

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Seat:
    """One current membership of the organisation being checked."""

    person_id: int
    gender: str
    party_status: str
    role: str


@dataclass(frozen=True)
class OtherSeat:
    """A current seat that a member also holds in another body of the same place."""

    person_id: int
    kind: str
    role: str


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at, about one organisation on one day."""

    seats: tuple[Seat, ...] = ()
    other_seats: tuple[OtherSeat, ...] = ()
    body_kinds: frozenset[str] = frozenset()  # kinds of the active bodies directly under it
    has_approver: bool = False


@dataclass(frozen=True)
class Member:
    """A person counted once, whatever number of seats they hold."""

    person_id: int
    gender: str
    party_status: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Finding:
    """One rule applied: `family` names the rule, `rule` adds the role or body it is about."""

    rule: str
    family: str
    ok: bool
    severity: str
    expected: object
    actual: object
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    """Numbers and switches; None, "" or () switches a rule off."""

    code: str
    min_members: int | None = None
    max_members: int | None = None
    min_non_party_percent: int | None = None
    min_women: int | None = None
    leader_role: str = ""
    leader_also_holds_role: str = ""
    leader_also_holds_in: tuple[str, ...] = ()
    required_bodies: tuple[str, ...] = ()
    min_full_members: int | None = None
    committee_from_full_members: int | None = None
    committee_min: int | None = None
    committee_max: int | None = None
    committee_normal_max: int | None = None
    committee_full_members: bool = False
    all_full_members: bool = False
    answers_to_approver: bool = False
    independent_members: bool = False
    independent_of: tuple[str, ...] = ()


# What each adjustable setting holds, so overrides can be checked before they are applied.
COUNT, PERCENT, SWITCH, ROLE, KINDS = "count", "percent", "switch", "role", "kinds"
SETTINGS: dict[str, str] = {
    "min_members": COUNT,
    "max_members": COUNT,
    "min_non_party_percent": PERCENT,
    "min_women": COUNT,
    "leader_role": ROLE,
    "leader_also_holds_role": ROLE,
    "leader_also_holds_in": KINDS,
    "required_bodies": KINDS,
    "min_full_members": COUNT,
    "committee_from_full_members": COUNT,
    "committee_min": COUNT,
    "committee_max": COUNT,
    "committee_normal_max": COUNT,
    "committee_full_members": SWITCH,
    "all_full_members": SWITCH,
    "answers_to_approver": SWITCH,
    "independent_members": SWITCH,
    "independent_of": KINDS,
}

# Pairs that must not cross once overrides are applied: (smaller, larger).
ORDERED_SETTINGS = (
    ("min_members", "max_members"),
    ("committee_min", "committee_max"),
    ("committee_min", "committee_normal_max"),
    ("committee_normal_max", "committee_max"),
)

RULE_SETS: dict[str, RuleSet] = {
    rule_set.code: rule_set
    for rule_set in (
        # Linhai: 30-60 members, at least half non-party, chaired by a deputy secretary of the
        # town party committee, with an office that runs the work.
        RuleSet(
            code="town_consultation_council",
            min_members=30,
            max_members=60,
            min_non_party_percent=50,
            leader_role="chair",
            leader_also_holds_role="deputy_secretary",
            leader_also_holds_in=("party_committee",),
            required_bodies=("council_office",),
        ),
        # Linhai: 20-50 members, at least half non-party, chaired by the secretary of the village
        # party organisation, with an office and a supervision group.
        RuleSet(
            code="village_consultation_council",
            min_members=20,
            max_members=50,
            min_non_party_percent=50,
            leader_role="chair",
            leader_also_holds_role="secretary",
            leader_also_holds_in=("party_branch",),
            required_bodies=("council_office", "supervision_group"),
        ),
        # Organic Law of Villagers' Committees: 3-7 members including at least one woman.
        RuleSet(
            code="village_committee", min_members=3, max_members=7, min_women=1, leader_role="chair"
        ),
        # 2020 regulation on grassroots party organisations: 3 full members to form a branch;
        # from 7 full members a committee of 3-7 (normally 3-5) of full members only.
        RuleSet(
            code="party_branch",
            leader_role="secretary",
            min_full_members=3,
            committee_from_full_members=7,
            committee_min=3,
            committee_max=7,
            committee_normal_max=5,
            committee_full_members=True,
        ),
        RuleSet(code="party_committee", leader_role="secretary", committee_full_members=True),
        RuleSet(code="workgroup", leader_role="head", min_members=2),
        # The supervision group oversees the office and the village committee, so none of its
        # members may sit in either.
        RuleSet(
            code="supervision_group",
            min_members=3,
            independent_members=True,
            independent_of=("council_office", "village_committee"),
        ),
        # Leading party members' groups are appointed by, and answer to, the approving party
        # organisation; the regulation gives every group a secretary.
        RuleSet(
            code="leading_party_group",
            min_members=3,
            leader_role="secretary",
            all_full_members=True,
            answers_to_approver=True,
        ),
    )
}

# Kinds whose rules depend on the level of their place; the rest depend on the kind alone.
DEFAULTS_BY_KIND_AND_LEVEL: dict[tuple[str, str], str] = {
    ("consultation_council", TOWN): "town_consultation_council",
    ("consultation_council", VILLAGE): "village_consultation_council",
}
DEFAULTS_BY_KIND: dict[str, str] = {
    "village_committee": "village_committee",
    "party_branch": "party_branch",
    "party_committee": "party_committee",
    "workgroup": "workgroup",
    "supervision_group": "supervision_group",
    "leading_party_group": "leading_party_group",
}
KINDS_WITH_DEFAULTS = frozenset(DEFAULTS_BY_KIND) | {
    kind for kind, _level in DEFAULTS_BY_KIND_AND_LEVEL
}


def default_rule_set_code(kind: str, level: str | None) -> str:
    """The rule set an organisation of this kind gets when it picks none; "" when no rules apply.

    Places, governments, council offices and social organisations have no composition rules.
    """
    if level is not None and (kind, level) in DEFAULTS_BY_KIND_AND_LEVEL:
        return DEFAULTS_BY_KIND_AND_LEVEL[(kind, level)]
    return DEFAULTS_BY_KIND.get(kind, "")


class SettingError(ValueError):
    """A rule set or an adjustment that cannot be applied; `problem` says why, for the message."""

    UNKNOWN_RULE_SET = "unknown_rule_set"
    NOT_A_MAPPING = "not_a_mapping"
    UNKNOWN_SETTING = "unknown_setting"
    WRONG_TYPE = "wrong_type"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_NAME = "unknown_name"
    CROSSED = "crossed"

    def __init__(
        self,
        problem: str,
        *,
        setting: str = "",
        value: object = None,
        other: str = "",
        other_value: object = None,
    ) -> None:
        super().__init__(f"{problem}: {setting}={value!r} {other}".strip())
        self.problem = problem
        self.setting = setting
        self.value = value
        self.other = other
        self.other_value = other_value


def rule_set_for(
    code: str,
    overrides: object = None,
    *,
    known_roles: Collection[str] | None = None,
    known_kinds: Collection[str] | None = None,
) -> RuleSet:
    """The named rule set with an organisation's adjustments applied."""
    if code not in RULE_SETS:
        raise SettingError(SettingError.UNKNOWN_RULE_SET, value=code)
    return apply_overrides(
        RULE_SETS[code],
        overrides if overrides is not None else {},
        known_roles=known_roles,
        known_kinds=known_kinds,
    )


def apply_overrides(
    rule_set: RuleSet,
    overrides: object,
    *,
    known_roles: Collection[str] | None = None,
    known_kinds: Collection[str] | None = None,
) -> RuleSet:
    """A copy of `rule_set` with the given settings replaced.

    Unknown settings, wrong types, and (when `known_roles`/`known_kinds` are given) names of
    roles or kinds that do not exist raise `SettingError`.
    """
    if not isinstance(overrides, Mapping):
        raise SettingError(SettingError.NOT_A_MAPPING, value=overrides)
    changes: dict[str, object] = {}
    for setting, value in overrides.items():
        if setting not in SETTINGS:
            raise SettingError(SettingError.UNKNOWN_SETTING, setting=str(setting), value=value)
        changes[setting] = _setting_value(setting, value)
        _check_names(setting, changes[setting], known_roles=known_roles, known_kinds=known_kinds)
    adjusted = dataclasses.replace(rule_set, **changes)  # type: ignore[arg-type]
    for smaller, larger in ORDERED_SETTINGS:
        low, high = getattr(adjusted, smaller), getattr(adjusted, larger)
        if low is not None and high is not None and low > high:
            raise SettingError(
                SettingError.CROSSED, setting=smaller, value=low, other=larger, other_value=high
            )
    return adjusted


def _setting_value(setting: str, value: object) -> object:
    kind = SETTINGS[setting]
    if kind in (COUNT, PERCENT):
        if value is None:
            return None
        # bool is an int in Python, but `true` is not a number of members.
        if not isinstance(value, int) or isinstance(value, bool):
            raise SettingError(SettingError.WRONG_TYPE, setting=setting, value=value)
        if value < 0 or (kind == PERCENT and value > 100):
            raise SettingError(SettingError.OUT_OF_RANGE, setting=setting, value=value)
        return value
    if kind == SWITCH:
        if not isinstance(value, bool):
            raise SettingError(SettingError.WRONG_TYPE, setting=setting, value=value)
        return value
    if kind == ROLE:
        if not isinstance(value, str):
            raise SettingError(SettingError.WRONG_TYPE, setting=setting, value=value)
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise SettingError(SettingError.WRONG_TYPE, setting=setting, value=value)
    return tuple(value)


def _check_names(
    setting: str,
    value: object,
    *,
    known_roles: Collection[str] | None,
    known_kinds: Collection[str] | None,
) -> None:
    if SETTINGS[setting] == ROLE and known_roles is not None and value and value not in known_roles:
        raise SettingError(SettingError.UNKNOWN_NAME, setting=setting, value=value)
    if SETTINGS[setting] == KINDS and known_kinds is not None and isinstance(value, tuple):
        for name in value:
            if name not in known_kinds:
                raise SettingError(SettingError.UNKNOWN_NAME, setting=setting, value=name)


def members_of(seats: Iterable[Seat]) -> list[Member]:
    """One entry per person, their roles merged, in person order whatever the order of seats."""
    people: dict[int, Seat] = {}
    roles: dict[int, set[str]] = {}
    for seat in sorted(seats, key=dataclasses.astuple):
        people.setdefault(seat.person_id, seat)
        roles.setdefault(seat.person_id, set()).add(seat.role)
    return [
        Member(person_id, seat.gender, seat.party_status, frozenset(roles[person_id]))
        for person_id, seat in sorted(people.items())
    ]


def check(rule_set: RuleSet, facts: Facts) -> list[Finding]:
    """Every rule the rule set switches on, applied to the facts, in a fixed order."""
    members = members_of(facts.seats)
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(rule_set, members, facts))
    return findings


def violations(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if not finding.ok]


def _ids(members: Iterable[Member]) -> tuple[int, ...]:
    return tuple(member.person_id for member in members)


def _finding(
    rule: str,
    *,
    ok: bool,
    expected: object,
    actual: object,
    family: str = "",
    severity: str = ERROR,
    **params: object,
) -> Finding:
    return Finding(rule, family or rule, ok, severity, expected, actual, params)


def _member_count(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    count = len(members)
    low, high = rule_set.min_members, rule_set.max_members
    findings = []
    if low is not None:
        findings.append(_finding("min_members", ok=count >= low, expected=low, actual=count))
    if high is not None:
        findings.append(_finding("max_members", ok=count <= high, expected=high, actual=count))
    return findings


def _non_party_share(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    percent = rule_set.min_non_party_percent
    if percent is None:
        return []
    non_party = sum(1 for member in members if member.party_status == NON_PARTY)
    # Whole numbers only: exactly half of 24 is 12, with no rounding to argue about.
    ok = non_party * 100 >= percent * len(members)
    return [
        _finding("non_party_share", ok=ok, expected=percent, actual=non_party, total=len(members))
    ]


def _women(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    minimum = rule_set.min_women
    if minimum is None:
        return []
    women = sum(1 for member in members if member.gender == FEMALE)
    return [_finding("min_women", ok=women >= minimum, expected=minimum, actual=women)]


def _leaders(rule_set: RuleSet, members: list[Member]) -> tuple[int, ...]:
    return _ids(member for member in members if rule_set.leader_role in member.roles)


def _leader(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    role = rule_set.leader_role
    if not role:
        return []
    holders = _leaders(rule_set, members)
    return [
        _finding(
            f"has_{role}",
            family="leader",
            ok=bool(holders),
            expected=role,
            actual=len(holders),
            role=role,
            holders=holders,
        )
    ]


def _leader_also_holds(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    """The leader's other office, e.g. the council chair is the branch secretary; a warning."""
    office, bodies = rule_set.leader_also_holds_role, rule_set.leader_also_holds_in
    holders = _leaders(rule_set, members) if rule_set.leader_role else ()
    if not (holders and office):
        return []  # no leader at all is the leader rule's finding, not this one's
    qualified = {
        seat.person_id
        for seat in facts.other_seats
        if seat.role == office and (not bodies or seat.kind in bodies)
    }
    lacking = tuple(person_id for person_id in holders if person_id not in qualified)
    return [
        _finding(
            "leader_also_holds",
            severity=WARNING,
            ok=not lacking,
            expected=(office, bodies),
            actual=len(lacking),
            role=rule_set.leader_role,
            office=office,
            bodies=bodies,
            holders=holders,
            lacking=lacking,
        )
    ]


def _bodies(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    return [
        _finding(
            f"has_{kind}",
            family="body",
            ok=kind in facts.body_kinds,
            expected=kind,
            actual=kind in facts.body_kinds,
            kind=kind,
        )
        for kind in rule_set.required_bodies
    ]


def _full_members(members: list[Member]) -> list[Member]:
    return [member for member in members if member.party_status == FULL]


def _min_full_members(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    minimum = rule_set.min_full_members
    if minimum is None:
        return []
    full = len(_full_members(members))
    return [_finding("min_full_members", ok=full >= minimum, expected=minimum, actual=full)]


def _committee(members: list[Member]) -> list[Member]:
    return [member for member in members if member.roles & COMMITTEE_ROLES]


def _committee_size(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    """From a number of full members a branch elects a committee; below it a secretary is enough."""
    threshold = rule_set.committee_from_full_members
    full = len(_full_members(members))
    if threshold is None or full < threshold:
        return []
    size = len(_committee(members))
    low, high, normal = (
        rule_set.committee_min,
        rule_set.committee_max,
        rule_set.committee_normal_max,
    )
    ok = (low is None or size >= low) and (high is None or size <= high)
    findings = [
        _finding(
            "committee_size",
            ok=ok,
            expected=(low, high),
            actual=size,
            full=full,
            threshold=threshold,
        )
    ]
    if normal is not None:
        findings.append(
            _finding(
                "committee_normal_size",
                severity=WARNING,
                ok=size <= normal,
                expected=normal,
                actual=size,
            )
        )
    return findings


def _not_full(rule: str, members: list[Member]) -> Finding:
    others = _ids(member for member in members if member.party_status != FULL)
    return _finding(
        rule, ok=not others, expected=0, actual=len(others), total=len(members), persons=others
    )


def _committee_full_members(
    rule_set: RuleSet, members: list[Member], facts: Facts
) -> list[Finding]:
    if not rule_set.committee_full_members:
        return []
    return [_not_full("committee_full_members", _committee(members))]


def _all_full_members(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    return [_not_full("all_full_members", members)] if rule_set.all_full_members else []


def _answers_to_approver(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    if not rule_set.answers_to_approver:
        return []
    return [_finding("answers_to", ok=facts.has_approver, expected=True, actual=facts.has_approver)]


def _independence(rule_set: RuleSet, members: list[Member], facts: Facts) -> list[Finding]:
    """Members of an overseeing group sit in none of the bodies it oversees."""
    bodies = rule_set.independent_of
    if not (rule_set.independent_members and bodies):
        return []
    elsewhere = {seat.person_id for seat in facts.other_seats if seat.kind in bodies}
    overlapping = tuple(sorted(elsewhere & {member.person_id for member in members}))
    return [
        _finding(
            "independent_members",
            ok=not overlapping,
            expected=0,
            actual=len(overlapping),
            bodies=bodies,
            persons=overlapping,
        )
    ]


RuleCheck = Callable[[RuleSet, list[Member], Facts], list[Finding]]
RULES: tuple[RuleCheck, ...] = (
    _member_count,
    _non_party_share,
    _women,
    _min_full_members,
    _leader,
    _leader_also_holds,
    _committee_size,
    _committee_full_members,
    _all_full_members,
    _answers_to_approver,
    _independence,
    _bodies,
)
