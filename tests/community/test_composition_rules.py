"""Composition rules: the pure rule sets and checks, and the reports worded from the database."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.community.builders import (
    baishuiyang_town,
    body,
    fill,
    legal_aid_report,
    seat,
    shangyou_village,
    village_council,
)
from tests.factories import MembershipFactory, OrganisationFactory
from tests.helpers import JAN_1, SYSTEM
from tongxin.community import composition, models, reports
from tongxin.community.actions import end_membership
from tongxin.community.composition import (
    ERROR,
    WARNING,
    Facts,
    OtherSeat,
    RuleSet,
    Seat,
    SettingError,
    apply_overrides,
    check,
    default_rule_set_code,
    members_of,
    rule_set_for,
)
from tongxin.community.models import (
    Gender,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Role,
)
from tongxin.community.reports import (
    CompositionReport,
    Finding,
    check_composition_settings,
    composition_report,
    composition_reports,
    describe_rule_set,
    rule_set_choices,
)
from tongxin.core.errors import ActionError

RULE_SETS = composition.RULE_SETS
MALE, FEMALE = "male", "female"
FULL, PROBATIONARY, NON_PARTY = "full", "probationary", "non_party"

pytestmark = pytest.mark.usefixtures("in_english")


# Pure: facts built by hand -------------------------------------------------------------------


def seats(
    count: int, *, party: str = NON_PARTY, gender: str = MALE, role: str = "member", first: int = 1
) -> list[Seat]:
    return [Seat(person_id, gender, party, role) for person_id in range(first, first + count)]


def council(non_party: int, party: int, *, chair: bool = True) -> list[Seat]:
    members = seats(non_party) + seats(party, party=FULL, first=1000)
    if chair:
        members.append(Seat(1000 if party else 1, MALE, FULL if party else NON_PARTY, "chair"))
    return members


def findings(code: str, seat_list: list[Seat], **facts: object) -> dict[str, composition.Finding]:
    return {
        finding.rule: finding
        for finding in check(RULE_SETS[code], Facts(seats=tuple(seat_list), **facts))
    }


def outcome(code: str, seat_list: list[Seat], **facts: object) -> dict[str, tuple[bool, str]]:
    return {
        rule: (finding.ok, finding.severity)
        for rule, finding in findings(code, seat_list, **facts).items()
    }


@pytest.mark.parametrize(
    ("code", "size", "ok_min", "ok_max"),
    [
        ("village_consultation_council", 19, False, True),
        ("village_consultation_council", 20, True, True),
        ("village_consultation_council", 50, True, True),
        ("village_consultation_council", 51, True, False),
        ("town_consultation_council", 29, False, True),
        ("town_consultation_council", 30, True, True),
        ("town_consultation_council", 60, True, True),
        ("town_consultation_council", 61, True, False),
        ("village_committee", 2, False, True),
        ("village_committee", 3, True, True),
        ("village_committee", 7, True, True),
        ("village_committee", 8, True, False),
    ],
)
def test_member_count_boundaries(code, size, ok_min, ok_max):
    found = findings(code, seats(size))
    assert (found["min_members"].ok, found["max_members"].ok) == (ok_min, ok_max)
    assert found["min_members"].actual == size
    assert found["min_members"].severity == ERROR


@pytest.mark.parametrize(
    ("non_party", "party", "ok"),
    [
        (10, 10, True),
        (12, 12, True),
        (11, 13, False),
        (29, 30, False),
        (30, 30, True),
        (31, 29, True),
        (0, 20, False),
    ],
)
def test_exactly_half_non_party_is_enough_and_less_is_not(non_party, party, ok):
    found = findings(
        "village_consultation_council", seats(non_party) + seats(party, party=FULL, first=500)
    )
    assert found["non_party_share"].ok is ok
    assert (found["non_party_share"].expected, found["non_party_share"].actual) == (50, non_party)
    assert found["non_party_share"].params == {"total": non_party + party}


def test_probationary_members_are_not_non_party():
    found = findings(
        "village_consultation_council", seats(10) + seats(10, party=PROBATIONARY, first=100)
    )
    assert found["non_party_share"].ok is True
    found = findings(
        "village_consultation_council", seats(9) + seats(11, party=PROBATIONARY, first=100)
    )
    assert found["non_party_share"].ok is False


def test_an_empty_organisation_fails_on_size_not_on_shares():
    assert outcome("village_consultation_council", []) == {
        "min_members": (False, ERROR),
        "max_members": (True, ERROR),
        "non_party_share": (True, ERROR),
        "has_chair": (False, ERROR),
        "has_council_office": (False, ERROR),
        "has_supervision_group": (False, ERROR),
    }


def test_village_council_findings_in_a_fixed_order():
    members = council(12, 12)
    other = (OtherSeat(1000, "party_branch", "secretary"),)
    bodies = frozenset({"council_office", "supervision_group"})
    assert outcome(
        "village_consultation_council", members, other_seats=other, body_kinds=bodies
    ) == {
        "min_members": (True, ERROR),
        "max_members": (True, ERROR),
        "non_party_share": (True, ERROR),
        "has_chair": (True, ERROR),
        "leader_also_holds": (True, WARNING),
        "has_council_office": (True, ERROR),
        "has_supervision_group": (True, ERROR),
    }
    rules = [
        finding.rule
        for finding in check(RULE_SETS["village_consultation_council"], Facts(seats=tuple(members)))
    ]
    assert rules == [
        "min_members",
        "max_members",
        "non_party_share",
        "has_chair",
        "leader_also_holds",
        "has_council_office",
        "has_supervision_group",
    ]


@pytest.mark.parametrize(
    ("other_seat", "ok"),
    [
        (OtherSeat(1000, "party_branch", "secretary"), True),
        (OtherSeat(1000, "party_branch", "deputy_secretary"), False),
        (OtherSeat(1000, "village_committee", "secretary"), False),
        (OtherSeat(7, "party_branch", "secretary"), False),  # someone else is the secretary
        (None, False),
    ],
)
def test_village_chair_should_be_the_branch_secretary(other_seat, ok):
    other = (other_seat,) if other_seat else ()
    found = findings("village_consultation_council", council(12, 12), other_seats=other)
    assert (found["leader_also_holds"].ok, found["leader_also_holds"].severity) == (ok, WARNING)
    assert found["leader_also_holds"].params["lacking"] == (() if ok else (1000,))


def test_town_chair_should_be_a_deputy_secretary_of_the_party_committee():
    ok = findings(
        "town_consultation_council",
        council(16, 16),
        other_seats=(OtherSeat(1000, "party_committee", "deputy_secretary"),),
    )
    assert ok["leader_also_holds"].ok is True
    secretary = findings(
        "town_consultation_council",
        council(16, 16),
        other_seats=(OtherSeat(1000, "party_committee", "secretary"),),
    )
    assert secretary["leader_also_holds"].ok is False
    assert ok["has_council_office"].ok is False
    assert "has_supervision_group" not in ok


def test_without_a_chair_only_the_chair_rule_fails():
    found = findings("village_consultation_council", council(12, 12, chair=False))
    assert found["has_chair"].ok is False
    assert "leader_also_holds" not in found


def test_leader_may_hold_the_other_office_in_any_body_when_no_kind_is_named():
    rule_set = apply_overrides(
        RULE_SETS["village_consultation_council"], {"leader_also_holds_in": []}
    )
    facts = Facts(
        seats=tuple(council(12, 12)), other_seats=(OtherSeat(1000, "party_committee", "secretary"),)
    )
    by_rule = {finding.rule: finding for finding in check(rule_set, facts)}
    assert by_rule["leader_also_holds"].ok is True


@pytest.mark.parametrize(("women", "ok"), [(0, False), (1, True), (3, True)])
def test_village_committee_needs_a_woman(women, ok):
    members = (
        seats(5 - women)
        + seats(women, gender=FEMALE, first=100)
        + [Seat(1, MALE, NON_PARTY, "chair")]
    )
    found = findings("village_committee", members)
    assert (found["min_women"].ok, found["min_women"].actual) == (ok, women)
    assert found["has_chair"].ok is True


@pytest.mark.parametrize(("full", "ok"), [(2, False), (3, True)])
def test_party_branch_needs_three_full_members(full, ok):
    members = (
        seats(full, party=FULL)
        + seats(4, party=PROBATIONARY, first=100)
        + [Seat(1, MALE, FULL, "secretary")]
    )
    found = findings("party_branch", members)
    assert (found["min_full_members"].ok, found["min_full_members"].actual) == (ok, full)


def branch(full: int, committee: int, *, probationary_on_committee: int = 0) -> list[Seat]:
    roles = ["secretary", "deputy_secretary"] + ["committee_member"] * max(committee - 2, 0)
    members = seats(full, party=FULL)
    for index, role in enumerate(roles[:committee]):
        members.append(Seat(index + 1, MALE, FULL, role))
    for index in range(probationary_on_committee):
        members.append(Seat(900 + index, MALE, PROBATIONARY, "committee_member"))
    return members


def test_below_seven_full_members_a_secretary_is_enough():
    assert outcome("party_branch", branch(6, 1)) == {
        "min_full_members": (True, ERROR),
        "has_secretary": (True, ERROR),
        "committee_full_members": (True, ERROR),
    }


@pytest.mark.parametrize(
    ("committee", "size_ok", "normal_ok"),
    [
        (1, False, True),
        (2, False, True),
        (3, True, True),
        (5, True, True),
        (6, True, False),
        (7, True, False),
        (8, False, False),
    ],
)
def test_from_seven_full_members_a_committee_of_three_to_seven_normally_five(
    committee, size_ok, normal_ok
):
    found = findings("party_branch", branch(9, committee))
    assert (found["committee_size"].ok, found["committee_size"].severity) == (size_ok, ERROR)
    assert (found["committee_normal_size"].ok, found["committee_normal_size"].severity) == (
        normal_ok,
        WARNING,
    )
    assert found["committee_size"].actual == committee
    assert found["committee_size"].params == {"full": 9, "threshold": 7}


def test_probationary_members_hold_no_committee_seat_and_do_not_make_up_the_seven():
    found = findings("party_branch", branch(6, 3, probationary_on_committee=1))
    assert "committee_size" not in found  # 6 full members: the probationary one does not count
    assert found["committee_full_members"].ok is False
    assert found["committee_full_members"].params == {"total": 4, "persons": (900,)}


def test_party_committee_needs_a_secretary_and_full_members_on_it():
    assert outcome("party_committee", branch(5, 3)) == {
        "has_secretary": (True, ERROR),
        "committee_full_members": (True, ERROR),
    }
    assert outcome("party_committee", seats(3, party=FULL, role="committee_member")) == {
        "has_secretary": (False, ERROR),
        "committee_full_members": (True, ERROR),
    }


@pytest.mark.parametrize(("size", "ok"), [(1, False), (2, True)])
def test_workgroup_has_a_head_and_two_members(size, ok):
    members = [*seats(size), Seat(1, MALE, NON_PARTY, "head")]
    assert outcome("workgroup", members) == {"min_members": (ok, ERROR), "has_head": (True, ERROR)}


@pytest.mark.parametrize(
    ("size", "other_seats", "ok_size", "ok_independent"),
    [
        (3, (), True, True),
        (2, (), False, True),
        (3, (OtherSeat(2, "council_office", "member"),), True, False),
        (3, (OtherSeat(2, "village_committee", "vice_chair"),), True, False),
        (
            3,
            (OtherSeat(2, "party_branch", "member"), OtherSeat(99, "council_office", "member")),
            True,
            True,
        ),
    ],
)
def test_supervision_group_members_sit_in_neither_office_nor_village_committee(
    size, other_seats, ok_size, ok_independent
):
    found = findings("supervision_group", seats(size), other_seats=other_seats)
    assert found["min_members"].ok is ok_size
    assert found["independent_members"].ok is ok_independent
    assert found["independent_members"].params["persons"] == (() if ok_independent else (2,))


def test_independence_is_a_switch():
    rule_set = apply_overrides(RULE_SETS["supervision_group"], {"independent_members": False})
    facts = Facts(seats=tuple(seats(3)), other_seats=(OtherSeat(2, "council_office", "member"),))
    assert [finding.rule for finding in check(rule_set, facts)] == ["min_members"]


@pytest.mark.parametrize(
    ("has_approver", "probationary", "ok_answers", "ok_full"),
    [(True, 0, True, True), (False, 1, False, False)],
)
def test_leading_party_group_answers_to_its_approver_and_has_full_members_only(
    has_approver, probationary, ok_answers, ok_full
):
    members = (
        seats(3, party=FULL)
        + seats(probationary, party=PROBATIONARY, first=50)
        + [Seat(1, MALE, FULL, "secretary")]
    )
    assert outcome("leading_party_group", members, has_approver=has_approver) == {
        "min_members": (True, ERROR),
        "has_secretary": (True, ERROR),
        "all_full_members": (ok_full, ERROR),
        "answers_to": (ok_answers, ERROR),
    }


def test_members_of_counts_a_person_once_and_merges_roles():
    merged = members_of(
        [
            Seat(2, MALE, FULL, "member"),
            Seat(1, FEMALE, NON_PARTY, "chair"),
            Seat(2, MALE, FULL, "secretary"),
        ]
    )
    assert merged == [
        composition.Member(1, FEMALE, NON_PARTY, frozenset({"chair"})),
        composition.Member(2, MALE, FULL, frozenset({"member", "secretary"})),
    ]


@pytest.mark.parametrize(
    ("kind", "level", "code"),
    [
        ("consultation_council", "town", "town_consultation_council"),
        ("consultation_council", "village", "village_consultation_council"),
        ("consultation_council", "city", ""),
        ("consultation_council", None, ""),
        ("village_committee", "village", "village_committee"),
        ("party_branch", "village", "party_branch"),
        ("party_committee", "town", "party_committee"),
        ("workgroup", "village", "workgroup"),
        ("supervision_group", "village", "supervision_group"),
        ("leading_party_group", "town", "leading_party_group"),
        ("social_organisation", "village", ""),
        ("government", "town", ""),
        ("council_office", "village", ""),
        ("village", "village", ""),
        ("town", "town", ""),
    ],
)
def test_default_rule_set_by_kind_and_level(kind, level, code):
    assert default_rule_set_code(kind, level) == code


# Pure: adjusting rule sets -------------------------------------------------------------------


def test_overrides_replace_numbers_and_switch_rules_off():
    adjusted = rule_set_for(
        "village_consultation_council",
        {"min_members": 25, "max_members": None, "required_bodies": ["council_office"]},
    )
    assert (adjusted.min_members, adjusted.max_members, adjusted.required_bodies) == (
        25,
        None,
        ("council_office",),
    )
    assert (
        RULE_SETS["village_consultation_council"].min_members == 20
    )  # the named rule set is untouched
    assert [f.rule for f in check(adjusted, Facts(seats=tuple(seats(24))))] == [
        "min_members",
        "non_party_share",
        "has_chair",
        "has_council_office",
    ]


def test_applying_a_rule_sets_own_values_changes_nothing():
    for rule_set in RULE_SETS.values():
        own = {setting: getattr(rule_set, setting) for setting in composition.SETTINGS}
        own = {
            setting: list(value) if isinstance(value, tuple) else value
            for setting, value in own.items()
        }
        assert apply_overrides(rule_set, own) == rule_set


@pytest.mark.parametrize(
    ("overrides", "problem", "setting"),
    [
        ({"min_member": 3}, SettingError.UNKNOWN_SETTING, "min_member"),
        ({"min_members": "3"}, SettingError.WRONG_TYPE, "min_members"),
        ({"min_members": 3.0}, SettingError.WRONG_TYPE, "min_members"),
        ({"min_members": True}, SettingError.WRONG_TYPE, "min_members"),
        ({"min_members": -1}, SettingError.OUT_OF_RANGE, "min_members"),
        ({"min_non_party_percent": 101}, SettingError.OUT_OF_RANGE, "min_non_party_percent"),
        ({"independent_members": 1}, SettingError.WRONG_TYPE, "independent_members"),
        ({"leader_role": None}, SettingError.WRONG_TYPE, "leader_role"),
        ({"required_bodies": "council_office"}, SettingError.WRONG_TYPE, "required_bodies"),
        ({"required_bodies": [1]}, SettingError.WRONG_TYPE, "required_bodies"),
        ({"min_members": 51}, SettingError.CROSSED, "min_members"),
        ({"committee_min": 6}, SettingError.CROSSED, "committee_min"),
    ],
)
def test_unknown_settings_and_wrong_types_are_refused(overrides, problem, setting):
    code = "party_branch" if "committee_min" in overrides else "village_consultation_council"
    with pytest.raises(SettingError) as refused:
        rule_set_for(code, overrides)
    assert (refused.value.problem, refused.value.setting) == (problem, setting)


def test_overrides_must_be_a_mapping_and_the_rule_set_must_exist():
    with pytest.raises(SettingError) as refused:
        rule_set_for("workgroup", [("min_members", 3)])
    assert refused.value.problem == SettingError.NOT_A_MAPPING
    with pytest.raises(SettingError) as refused:
        rule_set_for("village_council", {})
    assert (refused.value.problem, refused.value.value) == (
        SettingError.UNKNOWN_RULE_SET,
        "village_council",
    )


def test_role_and_kind_names_are_checked_when_known():
    with pytest.raises(SettingError) as refused:
        rule_set_for("workgroup", {"leader_role": "boss"}, known_roles=["head"], known_kinds=[])
    assert (refused.value.problem, refused.value.value) == (SettingError.UNKNOWN_NAME, "boss")
    with pytest.raises(SettingError) as refused:
        rule_set_for(
            "supervision_group",
            {"independent_of": ["office"]},
            known_roles=[],
            known_kinds=["council_office"],
        )
    assert (refused.value.problem, refused.value.value) == (SettingError.UNKNOWN_NAME, "office")
    assert rule_set_for("workgroup", {"leader_role": ""}, known_roles=["head"]).leader_role == ""


# Pure: properties ----------------------------------------------------------------------------

ROLES = ["member", "member", "chair", "secretary", "deputy_secretary", "committee_member", "head"]


@st.composite
def seat_lists(draw, max_people: int = 70) -> list[Seat]:
    """Seats of distinct people (each person's gender and party status fixed), some with two seats."""
    people = draw(
        st.dictionaries(
            st.integers(1, 500),
            st.tuples(
                st.sampled_from([MALE, FEMALE]), st.sampled_from([FULL, PROBATIONARY, NON_PARTY])
            ),
            max_size=max_people,
        )
    )
    result = []
    for person_id, (gender, party) in people.items():
        for role in draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2)):
            result.append(Seat(person_id, gender, party, role))
    return result


rule_set_codes = st.sampled_from(sorted(RULE_SETS))
other_seat_lists = st.lists(
    st.builds(
        OtherSeat,
        st.integers(1, 500),
        st.sampled_from(sorted(OrganisationKind.values)),
        st.sampled_from(ROLES),
    ),
    max_size=10,
)


def facts_of(seat_list: list[Seat], other: list[OtherSeat] = (), **more: object) -> Facts:
    return Facts(seats=tuple(seat_list), other_seats=tuple(other), **more)


@given(
    code=rule_set_codes,
    seat_list=seat_lists(),
    other=other_seat_lists,
    order=st.randoms(use_true_random=False),
)
def test_findings_do_not_depend_on_the_order_of_seats(code, seat_list, other, order):
    shuffled = list(seat_list)
    order.shuffle(shuffled)
    assert check(RULE_SETS[code], facts_of(shuffled, other)) == check(
        RULE_SETS[code], facts_of(seat_list, other)
    )


@given(code=rule_set_codes, seat_list=seat_lists(), other=other_seat_lists)
def test_a_repeated_seat_counts_once(code, seat_list, other):
    assert check(RULE_SETS[code], facts_of(seat_list + seat_list, other)) == check(
        RULE_SETS[code], facts_of(seat_list, other)
    )


@given(code=rule_set_codes, seat_list=seat_lists(), data=st.data())
def test_a_second_ordinary_seat_changes_no_count(code, seat_list, data):
    if not seat_list:
        return
    seat = data.draw(st.sampled_from(seat_list))
    more = [*seat_list, Seat(seat.person_id, seat.gender, seat.party_status, "member")]
    counted = {"min_members", "max_members", "non_party_share", "min_women", "min_full_members"}
    before = [f for f in check(RULE_SETS[code], facts_of(seat_list)) if f.rule in counted]
    assert [f for f in check(RULE_SETS[code], facts_of(more)) if f.rule in counted] == before


def passed(code: str, seat_list: list[Seat]) -> dict[str, bool]:
    """Whether each rule of the rule set passed for these seats."""
    return {f.rule: f.ok for f in check(RULE_SETS[code], facts_of(seat_list))}


@given(code=rule_set_codes, seat_list=seat_lists(), gender=st.sampled_from([MALE, FEMALE]))
def test_adding_a_non_party_member_never_breaks_the_non_party_share(code, seat_list, gender):
    newcomer = Seat(10_000, gender, NON_PARTY, "member")
    before = passed(code, seat_list)
    after = passed(code, [*seat_list, newcomer])
    if before.get("non_party_share"):
        assert after["non_party_share"]


@given(
    code=rule_set_codes,
    seat_list=seat_lists(),
    party=st.sampled_from([FULL, PROBATIONARY, NON_PARTY]),
)
def test_adding_a_woman_never_breaks_the_women_rule(code, seat_list, party):
    newcomer = Seat(10_000, FEMALE, party, "member")
    before = passed(code, seat_list)
    after = passed(code, [*seat_list, newcomer])
    if before.get("min_women"):
        assert after["min_women"]


@given(
    seat_list=seat_lists(max_people=80),
    minimum=st.integers(0, 80),
    maximum=st.integers(0, 80),
    percent=st.integers(0, 100),
)
def test_counts_and_shares_agree_with_arithmetic(seat_list, minimum, maximum, percent):
    if minimum > maximum:
        minimum, maximum = maximum, minimum
    rule_set = RuleSet(
        code="any", min_members=minimum, max_members=maximum, min_non_party_percent=percent
    )
    people = {seat.person_id: seat for seat in seat_list}
    non_party = sum(1 for seat in people.values() if seat.party_status == NON_PARTY)
    by_rule = {f.rule: f for f in check(rule_set, facts_of(seat_list))}
    assert by_rule["min_members"].ok == (len(people) >= minimum)
    assert by_rule["max_members"].ok == (len(people) <= maximum)
    assert by_rule["non_party_share"].ok == (
        len(people) == 0 or non_party / len(people) >= percent / 100
    )


@given(
    code=rule_set_codes,
    seat_list=seat_lists(),
    other=other_seat_lists,
    bodies=st.frozensets(st.sampled_from(sorted(OrganisationKind.values))),
    approver=st.booleans(),
)
def test_every_finding_is_plain_and_every_family_can_be_worded(
    code, seat_list, other, bodies, approver
):
    for finding in check(
        RULE_SETS[code], facts_of(seat_list, other, body_kinds=bodies, has_approver=approver)
    ):
        assert finding.severity in (ERROR, WARNING)
        assert finding.family in reports.WORDINGS


@given(st.lists(st.tuples(st.booleans(), st.sampled_from([ERROR, WARNING])), max_size=12))
def test_a_report_is_ok_exactly_when_no_finding_failed(outcomes):
    worded = [
        Finding(rule=f"r{i}", ok=ok, severity=severity, message="", expected="", actual="")
        for i, (ok, severity) in enumerate(outcomes)
    ]
    report = CompositionReport(
        Organisation(pk=1, name="议事会", kind="consultation_council"), "x", "x", worded
    )
    assert report.ok == all(ok for ok, _severity in outcomes)
    assert report.violations == [finding for finding in worded if not finding.ok]
    assert report.errors == [
        finding for finding in worded if not finding.ok and finding.severity == ERROR
    ]


# The pure module's copies of the models' values ----------------------------------------------


def test_pure_module_values_match_the_models():
    assert composition.FEMALE == Gender.FEMALE
    assert (composition.FULL, composition.NON_PARTY) == (PartyStatus.FULL, PartyStatus.NON_PARTY)
    assert {str(role) for role in models.COMMITTEE_ROLES} == composition.COMMITTEE_ROLES
    assert (composition.TOWN, composition.VILLAGE) == (models.Level.TOWN, models.Level.VILLAGE)
    assert set(OrganisationKind.values) >= composition.KINDS_WITH_DEFAULTS
    for rule_set in RULE_SETS.values():  # every built-in rule set names real roles and kinds
        assert (
            rule_set_for(
                rule_set.code, {}, known_roles=Role.values, known_kinds=OrganisationKind.values
            )
            == rule_set
        )


# Reports from the database -------------------------------------------------------------------

@pytest.fixture
def town(db):
    return baishuiyang_town()


@pytest.fixture
def village(town):
    return shangyou_village(town)


def worded(report: CompositionReport) -> list[tuple[str, bool, str, str]]:
    return [
        (finding.rule, finding.ok, finding.severity, finding.message) for finding in report.findings
    ]


def test_village_council_report_in_words(village):
    council = village_council(village, non_party=11, party=13)
    report = composition_report(council)
    assert (report.organisation, report.rule_set, report.rule_set_label) == (
        council,
        "village_consultation_council",
        "Village consultation council",
    )
    assert worded(report) == [
        ("min_members", True, "error", "There must be at least 20 members: there are 24."),
        ("max_members", True, "error", "There may be at most 50 members: there are 24."),
        (
            "non_party_share",
            False,
            "error",
            "At least half of the members must be non-party: 11 of 24 are (46%).",
        ),
        ("has_chair", True, "error", "There must be a chair: Wang Fang."),
        (
            "leader_also_holds",
            True,
            "warning",
            "The chair is also secretary of a party branch in the same place: Wang Fang.",
        ),
        (
            "has_council_office",
            True,
            "error",
            "It must have a council office: Shangyou Council Office.",
        ),
        (
            "has_supervision_group",
            True,
            "error",
            "It must have a supervision group: Shangyou Supervision Group.",
        ),
    ]
    share = report.findings[2]
    assert (share.expected, share.actual) == ("at least 50%", "11 of 24 (46%)")
    assert report.ok is False
    assert (
        [finding.rule for finding in report.violations]
        == [finding.rule for finding in report.errors]
        == ["non_party_share"]
    )


def test_a_chair_who_is_not_the_branch_secretary_is_a_warning(village):
    report = composition_report(
        village_council(village, non_party=12, party=12, chair_is_secretary=False)
    )
    assert [(f.rule, f.severity, f.message) for f in report.violations] == [
        (
            "leader_also_holds",
            "warning",
            "The chair should also be secretary of a party branch in the same place: Li Lei is not.",
        )
    ]
    assert (report.ok, report.errors) == (False, [])


def test_needed_and_found_are_short_phrases(village):
    council = village_council(village, non_party=12, party=12, chair_is_secretary=False)
    assert [(f.rule, f.expected, f.actual) for f in composition_report(council).findings] == [
        ("min_members", "at least 20", "24"),
        ("max_members", "at most 50", "24"),
        ("non_party_share", "at least 50%", "12 of 24 (50%)"),
        ("has_chair", "a chair", "Li Lei"),
        ("leader_also_holds", "secretary of a party branch", "no"),
        ("has_council_office", "a council office", "Shangyou Council Office"),
        ("has_supervision_group", "a supervision group", "Shangyou Supervision Group"),
    ]
    group = body("workgroup", village, "Legal Aid")
    seat(group)
    (_members, head) = composition_report(group).findings
    assert (head.message, head.expected, head.actual) == (
        "There must be a head, but none is recorded.",
        "a head",
        "none",
    )


def test_a_count_of_one_reads_in_the_singular(village):
    committee = body("village_committee", village)
    seat(committee, role=Role.CHAIR, gender=Gender.FEMALE, party=PartyStatus.FULL)
    messages = [finding.message for finding in composition_report(committee).findings]
    assert messages[:3] == [
        "There must be at least 3 members: there is 1.",
        "There may be at most 7 members: there is 1.",
        "At least 1 member must be a woman: there is 1.",
    ]
    council = body("consultation_council", village)
    seat(council, role=Role.CHAIR, party=PartyStatus.FULL)
    seat(council)
    assert composition_report(council).findings[2].message == (
        "At least half of the members must be non-party: 1 of 2 is (50%)."
    )


def test_the_secretary_of_another_villages_branch_does_not_count(town, village):
    other_village = body("village", town, "Xiayou Village")
    other_branch = body("party_branch", other_village)
    council = body("consultation_council", village)
    chair = seat(council, role=Role.CHAIR, name="Zhao Gang")
    seat(other_branch, role=Role.SECRETARY, person=chair.person)
    assert composition_report(council).findings[4].message == (
        "The chair should also be secretary of a party branch in the same place: Zhao Gang is not."
    )


def test_town_council_chair_is_a_deputy_secretary_of_the_town_party_committee(town):
    committee = body("party_committee", town)
    council = body("consultation_council", town, "Baishuiyang Council")
    chair = seat(council, role=Role.CHAIR, party=PartyStatus.FULL, name="Chen Jie")
    fill(council, 29)
    report = composition_report(council)
    assert report.rule_set == "town_consultation_council"
    assert worded(report)[3:] == [
        ("has_chair", True, "error", "There must be a chair: Chen Jie."),
        (
            "leader_also_holds",
            False,
            "warning",
            "The chair should also be deputy secretary of a party committee in the same place: Chen Jie is not.",
        ),
        ("has_council_office", False, "error", "It must have a council office, but none is recorded."),
    ]
    seat(committee, role=Role.DEPUTY_SECRETARY, person=chair.person)
    body("council_office", council, "Baishuiyang Council Office")
    report = composition_report(council)
    assert report.ok is True
    assert (
        worded(report)[4][3]
        == "The chair is also deputy secretary of a party committee in the same place: Chen Jie."
    )


def test_level_comes_from_the_nearest_place(town, village):
    street = body("street", town.parent)
    community = body("community", street)
    grid = body("grid", village)
    town_party_committee = body("party_committee", town)
    cases = {
        body("consultation_council", town): "town_consultation_council",
        body("consultation_council", street): "town_consultation_council",
        body("consultation_council", village): "village_consultation_council",
        body("consultation_council", community): "village_consultation_council",
        body(
            "consultation_council", town_party_committee
        ): "town_consultation_council",  # under a body, in the town
    }
    for council, code in cases.items():
        assert composition_report(council).rule_set == code
    assert composition_report(body("consultation_council", grid)) is None
    assert composition_report(body("consultation_council", town.parent)) is None


def test_places_and_bodies_without_rules_have_no_report(town, village):
    council = body("consultation_council", village)
    for organisation in (
        town,
        village,
        body("government", town),
        body("council_office", council),
        body("social_organisation", village),
    ):
        assert composition_report(organisation) is None


def test_any_organisation_may_pick_a_rule_set_and_adjust_it(village):
    association = body(
        "social_organisation",
        village,
        "Seniors' Association",
        composition_rule_set="workgroup",
        composition_overrides={"min_members": 3},
    )
    seat(association, role=Role.HEAD, name="Zhou Min")
    fill(association, 1)
    report = composition_report(association)
    assert (report.rule_set, report.rule_set_label) == ("workgroup", "Workgroup")
    assert worded(report) == [
        ("min_members", False, "error", "There must be at least 3 members: there are 2."),
        ("has_head", True, "error", "There must be a head: Zhou Min."),
    ]
    assert report.settings == [("Fewest members", "3"), ("Leading role", "Head")]


def test_a_misconfigured_organisation_gets_a_report_that_says_so(village):
    # Actions refuse such settings; a stored one can still come from before a move or a data import.
    council = OrganisationFactory(
        kind="consultation_council", parent=village, composition_overrides={"min_members": "twenty"}
    )
    report = composition_report(council)
    assert (report.rule_set, report.ok, report.settings) == (
        "village_consultation_council",
        False,
        [],
    )
    assert worded(report) == [
        (
            "settings",
            False,
            "error",
            '“min_members” must be a whole number, or null to switch the rule off; "twenty" is not.',
        )
    ]
    unknown = composition_report(
        OrganisationFactory(kind="workgroup", parent=village, composition_rule_set="workgroups")
    )
    assert (unknown.rule_set, unknown.rule_set_label) == ("workgroups", "workgroups")
    assert unknown.findings[0].message.startswith(
        'There are no composition rules called "workgroups". Choose one of: town_consultation_council,'
    )


def test_only_current_memberships_count(village):
    committee = body("village_committee", village)
    chair = seat(committee, role=Role.CHAIR)
    woman = seat(committee, gender=Gender.FEMALE)
    seat(committee)
    seat(committee, start=datetime.date(2030, 1, 1))  # elected, not yet seated
    end_membership(
        actor=SYSTEM, membership=woman, end_date=datetime.date(2025, 1, 1), reason="Moved away"
    )
    today = composition_report(committee, on=datetime.date(2025, 6, 1))
    assert [(f.rule, f.ok, f.message) for f in today.findings] == [
        ("min_members", False, "There must be at least 3 members: there are 2."),
        ("max_members", True, "There may be at most 7 members: there are 2."),
        ("min_women", False, "At least 1 member must be a woman: there are 0."),
        ("has_chair", True, f"There must be a chair: {chair.person.name_latin}."),
    ]
    last_year = composition_report(committee, on=datetime.date(2024, 6, 1))
    assert [f.ok for f in last_year.findings] == [True, True, True, True]


def test_a_person_with_two_seats_counts_once(village):
    committee = body("village_committee", village)
    chair = seat(committee, role=Role.CHAIR, gender=Gender.FEMALE)
    MembershipFactory(
        person=chair.person, organisation=committee, role=Role.MEMBER, start_date=JAN_1
    )
    seat(committee)
    assert (
        composition_report(committee).findings[0].message
        == "There must be at least 3 members: there are 2."
    )


def test_supervision_group_member_in_the_office_of_the_same_village(town, village):
    council = body("consultation_council", village)
    office = body("council_office", council)
    group = body("supervision_group", council)
    other_office = body("council_office", body("consultation_council", body("village", town)))
    overseer = seat(group, name="Sun Li")
    fill(group, 2)
    seat(other_office, person=fill(group, 1)[0].person)  # the office of another village: allowed
    assert composition_report(group).findings[1].message == (
        "No member may also sit in a council office or a village or neighbourhood committee of the same place: none does."
    )
    office_seat = seat(office, person=overseer.person)
    report = composition_report(group)
    assert (report.findings[1].ok, report.findings[1].message, report.findings[1].actual) == (
        False,
        "No member may also sit in a council office or a village or neighbourhood committee of the same place: Sun Li does.",
        "Sun Li",
    )
    end_membership(actor=SYSTEM, membership=office_seat, end_date=datetime.date(2025, 1, 1))
    assert composition_report(group, on=datetime.date(2025, 6, 1)).ok is True


def test_party_branch_committee_in_words(village):
    branch = body("party_branch", village)
    seat(branch, role=Role.SECRETARY, party=PartyStatus.FULL, name="Wu Qiang")
    seat(branch, role=Role.DEPUTY_SECRETARY, party=PartyStatus.FULL)
    fill(branch, 3, role=Role.COMMITTEE_MEMBER, party=PartyStatus.FULL)
    seat(branch, role=Role.COMMITTEE_MEMBER, party=PartyStatus.PROBATIONARY)
    fill(branch, 2, party=PartyStatus.FULL)
    report = composition_report(branch)
    assert worded(report) == [
        (
            "min_full_members",
            True,
            "error",
            "There must be at least 3 full party members: there are 7.",
        ),
        ("has_secretary", True, "error", "There must be a secretary: Wu Qiang."),
        (
            "committee_size",
            True,
            "error",
            "With 7 or more full members there must be a committee of 3 to 7: "
            "there are 7 full members and the committee has 6.",
        ),
        (
            "committee_normal_size",
            False,
            "warning",
            "A committee normally has at most 5 members: it has 6.",
        ),
        (
            "committee_full_members",
            False,
            "error",
            "Every committee member must be a full party member: 1 of 6 is not.",
        ),
    ]
    full_members = report.findings[-1]
    assert (full_members.expected, full_members.actual) == ("all 6", "5 of 6")


def test_leading_party_group_names_the_organisation_it_answers_to(town):
    committee = body("party_committee", town, "Baishuiyang Party Committee")
    group = body("leading_party_group", town, formation="appointed", approved_by=committee)
    fill(group, 1, role=Role.SECRETARY, party=PartyStatus.FULL)
    fill(group, 2, party=PartyStatus.FULL)
    assert worded(composition_report(group))[2:] == [
        (
            "all_full_members",
            True,
            "error",
            "Every member must be a full party member: 0 of 3 are not.",
        ),
        (
            "answers_to",
            True,
            "error",
            "It must answer to the organisation that approved it: Baishuiyang Party Committee.",
        ),
    ]
    loose = body("leading_party_group", town)
    assert (
        composition_report(loose).findings[-1].message
        == "It must answer to the organisation that approved it, but none is recorded."
    )


def test_a_share_that_rounds_up_to_the_threshold_shows_its_tenth():
    assert reports._share(99, 199, 50) == "49.7%"
    assert reports._share(11, 24, 50) == "46%"
    assert reports._share(1, 2, 50) == "50%"
    assert reports._share(0, 0, 50) == "0%"


def test_a_report_costs_four_queries_however_many_members(village, django_assert_num_queries):
    small = village_council(village, non_party=2, party=2)
    large = body("consultation_council", village)
    fill(large, 40)
    with django_assert_num_queries(4):
        composition_report(small)
    with django_assert_num_queries(4):
        composition_report(large)
    everything = list(Organisation.objects.all())
    with django_assert_num_queries(4):
        assert len(composition_reports(everything)) == 4  # branch, two councils, group
    with django_assert_num_queries(0):
        assert composition_reports([village]) == []


def test_report_as_dict(village):
    group = body("workgroup", village, "Legal Aid")
    seat(group, role=Role.HEAD, name="Ma Lin")
    assert composition_report(group).as_dict() == legal_aid_report(group)


# Choosing and describing rule sets -----------------------------------------------------------


def test_rule_set_choices():
    assert rule_set_choices() == [
        ("town_consultation_council", "Town consultation council"),
        ("village_consultation_council", "Village consultation council"),
        ("village_committee", "Village committee"),
        ("party_branch", "Party branch"),
        ("party_committee", "Party committee"),
        ("workgroup", "Workgroup"),
        ("supervision_group", "Supervision group"),
        ("leading_party_group", "Leading party members' group"),
    ]


def test_describe_rule_set_lists_what_it_checks_with_adjustments():
    assert describe_rule_set(
        "village_consultation_council", {"min_members": 25, "required_bodies": []}
    ) == [
        ("Fewest members", "25"),
        ("Most members", "50"),
        ("Smallest share of non-party members", "50%"),
        ("Leading role", "Chair"),
        ("The leader also holds the role", "Secretary"),
        ("… in a body of the same place of kind", "Party branch"),
        ("Bodies it must have", "not checked"),
    ]
    assert describe_rule_set("supervision_group") == [
        ("Fewest members", "3"),
        ("Members may not sit in the bodies it oversees", "yes"),
        ("Bodies it oversees", "Council office, Village or neighbourhood committee"),
    ]


@pytest.mark.parametrize(
    ("code", "overrides", "message"),
    [
        (
            "nope",
            {},
            'There are no composition rules called "nope". Choose one of: town_consultation_council, village_consultation_council, village_committee, party_branch, party_committee, workgroup, supervision_group, leading_party_group.',
        ),
        (
            "workgroup",
            {"heads": 1},
            "“heads” is not a composition setting. The settings are: "
            + ", ".join(composition.SETTINGS)
            + ".",
        ),
        (
            "workgroup",
            {"min_members": 2.5},
            "“min_members” must be a whole number, or null to switch the rule off; 2.5 is not.",
        ),
        ("workgroup", {"min_members": -2}, "“min_members” cannot be negative; -2 is."),
        (
            "village_consultation_council",
            {"min_non_party_percent": 150},
            "“min_non_party_percent” must lie between 0 and 100; 150 does not.",
        ),
        (
            "supervision_group",
            {"independent_members": "yes"},
            '“independent_members” must be true or false; "yes" is not.',
        ),
        (
            "workgroup",
            {"leader_role": "boss"},
            '“leader_role” names "boss", which is not one of: ' + ", ".join(Role.values) + ".",
        ),
        (
            "village_committee",
            {"min_members": 9},
            "“min_members” (9) cannot be larger than “max_members” (7).",
        ),
        (
            "workgroup",
            ["min_members"],
            'The adjusted composition numbers must be named settings, such as {"min_members": 25}; ["min_members"] is not.',
        ),
    ],
)
def test_describing_bad_settings_is_a_clear_error(code, overrides, message):
    with pytest.raises(ActionError) as refused:
        describe_rule_set(code, overrides)
    assert refused.value.message == message


def test_check_composition_settings_for_actions():
    check_composition_settings(
        kind="consultation_council", level="village", rule_set="", overrides={"min_members": 25}
    )
    check_composition_settings(kind="government", level="town", rule_set="", overrides={})
    check_composition_settings(
        kind="government", level="town", rule_set="workgroup", overrides={"min_members": 4}
    )
    with pytest.raises(ActionError) as refused:
        check_composition_settings(
            kind="government", level="town", rule_set="", overrides={"min_members": 4}
        )
    assert (
        refused.value.message
        == "No composition rules apply to this kind of organisation, so there are no numbers to adjust."
    )
    with pytest.raises(ActionError) as refused:
        check_composition_settings(
            kind="consultation_council", level="town", rule_set="", overrides={"min_members": 61}
        )
    assert refused.value.message == "“min_members” (61) cannot be larger than “max_members” (60)."
