"""The demo town: `tongxin demo` builds a plausible, rule-abiding town, idempotently."""

import datetime
import re
import statistics
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import translation

from tests.helpers import SYSTEM
from tongxin.accounts.models import User
from tongxin.community.actions import update_organisation
from tongxin.community.demo import DEFAULT_SECTORS, DEMO_PASSWORD, demo_logins, plan_demo_town
from tongxin.community.demo_names import PINYIN
from tongxin.community.models import (
    Membership,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    Role,
    RoleGrant,
    Sector,
)
from tongxin.community.reports import composition_report
from tongxin.core.audit import verify_chain
from tongxin.core.models import AuditEvent

LOGIN_LINES = [
    "Demo logins, all with the password tongxin-demo-2026:",
    "  admin                Superuser: every organisation and the admin site",
    "  town-admin           Administrator of Baishuiyang Town and all its villages",
    "  village-admin        Administrator of Xikou Village",
    "  council-office       Office of the Xikou Village consultation council",
    "  supervisor           Supervision group of the Xikou Village consultation council",
    "  handler              Case handler: head of the Xikou Village legal aid workgroup",
    "  duty-officer         Duty officer (one-week secretary) for the villages of Baishuiyang Town",
    "  election-committee   Election committee of the Xikou Village party branch",
    "  resident             Resident of Xikou Village and member of its consultation council, no staff role",
    # The feedback app's demo accounts.
    "  xikou-handler        Case handler of Xikou Village: its committee's and workgroups' cases",
    "  shuanggang-handler   Case handler of Shuanggang Village",
    "  zhujiaao-handler     Case handler of Zhujia'ao Village",
    "  town-handler         Case handler of the Baishuiyang Town government: cases referred or escalated to the town",
    # The elections app's: one of the members who voted in the branch's election.
    "  xikou-member-01      A full member of the Xikou Village party branch, who voted in its committee election",
]
VILLAGE_NAMES = ["溪口村", "双港村", "朱家岙村"]
WORKGROUP_NAMES = ["法律援助工作组", "红袖标治安志愿者工作组", "老年人文娱活动工作组"]


def run_demo(*args: str) -> list[str]:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """Build the demo town once for this module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
        with translation.override("en"):
            output = run_demo()
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture
def town(first_run, db) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.TOWN, name="白水洋镇")


def current_seats(organisation: Organisation) -> list[Membership]:
    return list(Membership.objects.current().filter(organisation=organisation).select_related("person"))


def non_party_share(seats: list[Membership]) -> float:
    return sum(seat.person.party_status == PartyStatus.NON_PARTY for seat in seats) / len(seats)


def body(parent: Organisation, kind: str) -> Organisation:
    return Organisation.objects.get(parent=parent, kind=kind)


def table_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "accounts": User.objects.count(),
        "role grants": RoleGrant.objects.count(),
        "sectors": Sector.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def test_first_run_reports_what_it_added(first_run, db):
    assert first_run == [
        "Demo town: Baishuiyang Town (Linhai City), 3 villages.",
        "Added — organisations: 42, people: 311, memberships: 261, accounts: 9, staff roles: 7.",
        "Now in the demo town — organisations: 42, people: 311, memberships: 261, demo accounts: 9.",
        # The feedback app adds its part of the demo through its AppConfig.
        "Demo cases: 60 added, 60 in the demo town.",
        # And the elections app its elections, motions and documents.
        "Demo elections and decisions: 2 elections, 4 motions, 1 documents.",
        "Demo duty rota: 36 volunteers in the pool, 130 turns over 13 weeks.",
        *LOGIN_LINES,
    ]


def test_second_run_adds_nothing(town):
    before = table_counts()

    output = run_demo()

    assert output[:3] == [
        "Demo town: Baishuiyang Town (Linhai City), 3 villages.",
        "Nothing was missing: the demo town was already complete.",
        "Now in the demo town — organisations: 42, people: 311, memberships: 261, demo accounts: 9.",
    ]
    assert table_counts() == before


def test_another_seed_on_an_existing_town_adds_nothing(town):
    before = table_counts()

    output = run_demo("--seed", "7")

    assert output[1] == "Nothing was missing: the demo town was already complete."
    assert table_counts() == before


def test_default_sectors_lost_to_a_flush_are_restored(town):
    # A flush empties every table; the sectors migration 0002 seeded are not seeded again by migrate.
    Sector.objects.filter(code__in=["cppcc", "cooperatives"]).update(code=Concat("code", Value("-old")))

    output = run_demo()

    assert output[1] == "Added — organisations: 0, people: 0, memberships: 0, accounts: 0, staff roles: 0, sectors: 2."
    assert Sector.objects.get(code="cppcc").name == "政协委员"
    assert Sector.objects.get(code="cooperatives").name_en == "Farmers' cooperatives"
    assert AuditEvent.objects.filter(verb="sector.create", actor_label="system:demo").count() == 2


def test_every_sector_the_demo_uses_is_a_default_sector():
    plan = plan_demo_town(today=datetime.date(2026, 6, 1))
    used = {code for person in plan.people for code in person.sectors}
    used |= {seat.sector for body in plan.organisations for seat in body.seats if seat.sector}

    assert used <= {code for code, _name, _name_en in DEFAULT_SECTORS}


def test_an_action_refusing_stops_the_command_with_status_2_and_adds_nothing(town):
    # An administrator renamed the town's party committee, then dissolved the town: the demo would
    # add its committee again, and create_organisation refuses to put it in a dissolved town.
    committee = body(town, OrganisationKind.PARTY_COMMITTEE)
    update_organisation(actor=SYSTEM, organisation=committee, name="白水洋镇党委")
    update_organisation(actor=SYSTEM, organisation=town, dissolved_on=datetime.date(2026, 1, 1))
    before = table_counts()

    with pytest.raises(CommandError) as error:
        run_demo()

    assert error.value.returncode == 2
    assert str(error.value) == "Baishuiyang Town has been dissolved."
    assert table_counts() == before


def test_every_step_is_in_the_audit_chain_as_the_demo_loader(town):
    events = AuditEvent.objects.filter(actor_label="system:demo")

    # The feedback demo adds 4 handler accounts with their grants and 12 routing rules; the
    # elections demo 11 accounts for Xikou's branch members to vote with, and Shuanggang's
    # election (created, its roll built and published by the loader; Xikou's by its committee).
    assert events.count() == 42 + 311 + 261 + (9 + 4 + 11) + (7 + 4) + 12 + 3
    assert events.filter(verb="routingrule.add").count() == 12
    assert events.filter(verb="organisation.create").count() == 42
    assert events.filter(verb="person.add").count() == 311
    assert events.filter(verb="membership.add").count() == 261
    assert events.filter(verb="account.create").count() == 9 + 4 + 11
    assert events.filter(verb="role.grant").count() == 7 + 4
    assert verify_chain().problem is None


def test_the_tree_city_town_three_villages_with_grids(town):
    assert town.parent.name == "临海市"
    assert town.parent.name_en == "Linhai City"
    assert town.name_en == "Baishuiyang Town"
    villages = Organisation.objects.filter(parent=town, kind=OrganisationKind.VILLAGE).order_by("pk")
    assert [village.name for village in villages] == VILLAGE_NAMES
    for village in villages:
        grids = Organisation.objects.filter(parent=village, kind=OrganisationKind.GRID)
        assert [grid.name_en for grid in grids.order_by("pk")] == ["Grid 1", "Grid 2", "Grid 3"]


def test_town_party_committee_and_government(town):
    committee = current_seats(body(town, OrganisationKind.PARTY_COMMITTEE))
    assert sorted(seat.role for seat in committee) == sorted(
        [Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.DEPUTY_SECRETARY] + [Role.COMMITTEE_MEMBER] * 4
    )
    assert {seat.person.party_status for seat in committee} == {PartyStatus.FULL}
    government = current_seats(body(town, OrganisationKind.GOVERNMENT))
    head = next(seat.person for seat in government if seat.role == Role.HEAD)
    assert head in [seat.person for seat in committee if seat.role == Role.DEPUTY_SECRETARY]


def test_town_council_is_large_mostly_non_party_chaired_by_a_deputy_secretary(town):
    council = body(town, OrganisationKind.CONSULTATION_COUNCIL)
    seats = current_seats(council)
    committee = current_seats(body(town, OrganisationKind.PARTY_COMMITTEE))

    assert len(seats) == 37
    assert non_party_share(seats) >= 0.5
    chair = next(seat for seat in seats if seat.role == Role.CHAIR)
    assert chair.person in [seat.person for seat in committee if seat.role == Role.DEPUTY_SECRETARY]
    assert all(seat.sector is not None for seat in seats)
    assert {seat.sector.code for seat in seats} >= {
        "village_organisations", "trade_unions", "chambers_of_commerce", "enterprises", "veteran_cadres",
        "party_congress", "peoples_congress", "cppcc",
    }
    office = body(council, OrganisationKind.COUNCIL_OFFICE)
    assert office.approved_by == council
    assert len(current_seats(office)) == 3


@pytest.mark.parametrize("village_name", VILLAGE_NAMES)
def test_village_party_branch(town, village_name):
    village = Organisation.objects.get(parent=town, name=village_name)
    seats = current_seats(body(village, OrganisationKind.PARTY_BRANCH))
    full = [seat for seat in seats if seat.person.party_status == PartyStatus.FULL]
    probationary = [seat for seat in seats if seat.person.party_status == PartyStatus.PROBATIONARY]
    committee = [seat for seat in seats if seat.role in (Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER)]

    assert 15 <= len(full) <= 40
    assert 1 <= len(probationary) <= 2
    assert len(seats) == len(full) + len(probationary)
    assert 3 <= len(committee) <= 5
    assert [seat.role for seat in committee].count(Role.SECRETARY) == 1
    assert [seat.role for seat in committee].count(Role.DEPUTY_SECRETARY) == 1
    assert all(seat in full for seat in committee)
    assert {seat.obtained for seat in committee} == {Obtained.ELECTED}


@pytest.mark.parametrize("village_name", VILLAGE_NAMES)
def test_village_committee_has_a_woman_a_chair_and_a_vice_chair(town, village_name):
    village = Organisation.objects.get(parent=town, name=village_name)
    seats = current_seats(body(village, OrganisationKind.VILLAGE_COMMITTEE))

    assert 3 <= len(seats) <= 7
    assert any(seat.person.gender == "female" for seat in seats)
    assert [seat.role for seat in seats].count(Role.CHAIR) == 1
    assert [seat.role for seat in seats].count(Role.VICE_CHAIR) == 1
    assert {(seat.obtained, seat.obtained_from) for seat in seats} == {(Obtained.ELECTED, village)}


@pytest.mark.parametrize("village_name", VILLAGE_NAMES)
def test_village_council_its_office_and_supervision_group(town, village_name):
    village = Organisation.objects.get(parent=town, name=village_name)
    branch = body(village, OrganisationKind.PARTY_BRANCH)
    council = body(village, OrganisationKind.CONSULTATION_COUNCIL)
    seats = current_seats(council)
    secretary = Membership.objects.current().get(organisation=branch, role=Role.SECRETARY).person

    assert 20 <= len(seats) <= 50
    assert non_party_share(seats) >= 0.5
    assert next(seat.person for seat in seats if seat.role == Role.CHAIR) == secretary
    office = body(council, OrganisationKind.COUNCIL_OFFICE)
    office_people = {seat.person for seat in current_seats(office)}
    assert office.approved_by == council
    assert {seat.obtained_from for seat in current_seats(office)} == {council}
    group = [seat.person for seat in current_seats(body(council, OrganisationKind.SUPERVISION_GROUP))]
    committee_people = {seat.person for seat in current_seats(body(village, OrganisationKind.VILLAGE_COMMITTEE))}
    assert 3 <= len(group) <= 5
    assert not set(group) & (office_people | committee_people)


@pytest.mark.parametrize("village_name", VILLAGE_NAMES)
def test_three_workgroups_appointed_by_the_branch_from_party_members(town, village_name):
    village = Organisation.objects.get(parent=town, name=village_name)
    branch = body(village, OrganisationKind.PARTY_BRANCH)
    workgroups = Organisation.objects.filter(parent=village, kind=OrganisationKind.WORKGROUP).order_by("pk")

    assert [workgroup.name for workgroup in workgroups] == [village_name + name for name in WORKGROUP_NAMES]
    for workgroup in workgroups:
        seats = current_seats(workgroup)
        assert (workgroup.formation, workgroup.approved_by) == ("appointed", branch)
        assert [seat.role for seat in seats].count(Role.HEAD) == 1
        assert len(seats) >= 3
        assert {(seat.obtained, seat.obtained_from) for seat in seats} == {(Obtained.APPOINTED, branch)}
        assert all(seat.person.party_status != PartyStatus.NON_PARTY for seat in seats)


def test_every_demo_organisation_meets_its_composition_rules(town):
    reports = [composition_report(organisation) for organisation in Organisation.objects.within(town.parent)]
    checked = [report for report in reports if report is not None]

    assert len(checked) == 23
    assert [
        (report.organisation.name, finding.message)
        for report in checked
        for finding in report.findings
        if not finding.ok
    ] == []


def test_about_300_residents_with_unique_mobile_numbers(town):
    people = list(Person.objects.filter(home__path__startswith=town.path))
    phones = [person.phone for person in people]

    assert 270 <= len(people) <= 330
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1(3\d|5[0-35-9]|8\d)\d{8}", phone) for phone in phones)
    assert 0.45 <= sum(person.gender == "male" for person in people) / len(people) <= 0.55
    assert all(1940 <= person.birth_year <= 2005 for person in people)
    party = [person for person in people if person.party_status != PartyStatus.NON_PARTY]
    # Fifteen full members per branch is the floor, so 300 residents make the share nearer 19% than 10-15%.
    assert 0.10 <= len(party) / len(people) <= 0.20
    non_party = [person for person in people if person.party_status == PartyStatus.NON_PARTY]
    assert statistics.median(p.birth_year for p in party) < statistics.median(p.birth_year for p in non_party)


def test_names_look_chinese_and_have_pinyin(town):
    people = Person.objects.filter(home__path__startswith=town.path)

    for person in people:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name), person.name
        assert person.name.startswith(person.surname)
        expected_surname = "".join(PINYIN[char] for char in person.surname).capitalize()
        assert person.name_latin.startswith(expected_surname + " "), person.name_latin
        assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z']+", person.name_latin), person.name_latin
    lengths = {len(person.name) for person in people}
    assert {2, 3} <= lengths
    assert any(len(person.surname) == 2 for person in people)


def test_demo_logins_authenticate_with_the_demo_password(town, rf, settings):
    # The town was built before the suite's per-test fast hasher applied: accept the site's hasher too.
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.Argon2PasswordHasher"]
    request = rf.post("/accounts/login/")

    signed_in = [authenticate(request, username=username, password=DEMO_PASSWORD) for username, _ in demo_logins()]

    assert [user and user.username for user in signed_in] == [username for username, _ in demo_logins()]
    assert authenticate(request, username="resident", password="tongxin-demo-2025") is None


def test_demo_logins_hold_their_roles_and_are_linked_to_people(town):
    grants = {
        (grant.user.username, grant.role, grant.organisation.name)
        for grant in RoleGrant.objects.active().filter(ends_at__isnull=True).select_related("user", "organisation")
    }  # the duty rota's week-long grants are the duty demo's (tests/duty/test_demo.py)

    assert grants == {
        ("town-admin", "admin", "白水洋镇"),
        ("village-admin", "admin", "溪口村"),
        ("council-office", "office", "溪口村民主协商议事会"),
        ("supervisor", "supervisor", "溪口村"),
        ("handler", "handler", "溪口村法律援助工作组"),
        ("duty-officer", "duty_officer", "白水洋镇"),
        ("election-committee", "election_committee", "溪口村党支部"),
        ("town-handler", "handler", "白水洋镇人民政府"),
        ("xikou-handler", "handler", "溪口村"),
        ("shuanggang-handler", "handler", "双港村"),
        ("zhujiaao-handler", "handler", "朱家岙村"),
    }
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff) == (True, True)
    linked = Person.objects.filter(user__isnull=False).values_list("user__username", flat=True)
    # The town's handler is an official of the town government, not one of the villages' residents.
    # The members of Xikou's branch have accounts to vote with; one of them is listed.
    voters = [username for username in linked if username.startswith("xikou-member-")]
    assert len(voters) == 11
    assert sorted(set(linked) - set(voters) | {"xikou-member-01"}) == sorted(
        username for username, _ in demo_logins() if username not in ("admin", "town-handler")
    )
    resident = Person.objects.get(user__username="resident")
    assert resident.party_status == PartyStatus.NON_PARTY
    assert resident.memberships.filter(organisation__name="溪口村民主协商议事会").exists()
    assert not User.objects.get(username="resident").is_staff


def test_demo_logins_are_described_in_the_readers_language():
    assert demo_logins()[1] == ("town-admin", "Administrator of Baishuiyang Town and all its villages")
    with translation.override("zh-hans"):
        assert "白水洋镇" in demo_logins()[1][1]


def test_the_plan_is_decided_by_the_seed():
    today = datetime.date(2026, 6, 1)
    plan = plan_demo_town(seed=2014, today=today)
    other = plan_demo_town(seed=7, today=today)

    assert plan == plan_demo_town(seed=2014, today=today)
    assert [person.name for person in plan.people] != [person.name for person in other.people]
    # Same structure and the same phone numbers, whatever the seed: that is what keeps reruns idempotent.
    assert [(body.key, len(body.seats)) for body in plan.organisations] == [
        (body.key, len(body.seats)) for body in other.organisations
    ]
    assert [person.phone for person in plan.people] == [person.phone for person in other.people]
    assert all(seat.start_date <= today for body in plan.organisations for seat in body.seats)
