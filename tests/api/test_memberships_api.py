"""Members, memberships and staff roles over the API.

Anyone reads who sits where; personal data of a member appear only to those who may see them,
by the same rule as the pages. Admins seat people, end seats and grant roles in their scope.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import MembershipFactory, PersonFactory, RoleGrantFactory, UserFactory
from tongxin.community.actions import add_membership, end_membership
from tongxin.community.models import (
    Membership,
    Obtained,
    Person,
    Role,
    RoleGrant,
    Sector,
    StaffRole,
)
from tongxin.community.permissions import can_view_personal_data
from tongxin.core.actors import SystemActor
from tongxin.core.models import AuditEvent

from .conftest import FORBIDDEN, UNAUTHORISED, Caller, Town, iso, token_for

pytestmark = pytest.mark.django_db

SETUP = SystemActor("tests")


@pytest.fixture
def seats(town: Town) -> dict[str, Membership]:
    """Village A's council: the resident (from A), the neighbour (from B) and a member who left."""
    enterprises = Sector.objects.get(code="enterprises")
    former = PersonFactory(
        name="刘洋", gender="male", birth_year=1950, phone="13800000003", home=town.village_a
    )
    seats = {
        "resident": add_membership(
            actor=SETUP,
            person=town.resident,
            organisation=town.council_a,
            role=Role.CHAIR,
            obtained=Obtained.ELECTED,
            obtained_from=town.village_a,
            sector=enterprises,
            start_date=datetime.date(2024, 1, 15),
            term_end=datetime.date(2029, 1, 14),
        ),
        "neighbour": add_membership(
            actor=SETUP,
            person=town.neighbour,
            organisation=town.council_a,
            obtained=Obtained.EX_OFFICIO,
            start_date=datetime.date(2024, 1, 15),
        ),
        "former": add_membership(
            actor=SETUP,
            person=former,
            organisation=town.council_a,
            obtained=Obtained.EX_OFFICIO,
            start_date=datetime.date(2020, 1, 1),
        ),
    }
    end_membership(
        actor=SETUP, membership=seats["former"], end_date=datetime.date(2023, 12, 31), reason="搬迁"
    )
    return seats


def resident_seat(town: Town, seat: Membership, *, personal: bool) -> dict:
    return {
        "id": seat.pk,
        "person": {"id": town.resident.pk, "name": "李秀英", "display_name": "Li Xiuying"},
        "role": "chair",
        "sector": {
            "code": "enterprises",
            "name": "企事业单位",
            "name_en": "Enterprises and public institutions",
            "display_name": "Enterprises and public institutions",
        },
        "obtained": "elected",
        "obtained_from": {"id": town.village_a.pk, "display_name": "East Village"},
        "start_date": "2024-01-15",
        "term_end": "2029-01-14",
        "end_date": None,
        "personal": (
            {"gender": "female", "birth_year": 1968, "phone": "13800000001", "party_status": "full"}
            if personal
            else None
        ),
    }


def members(
    client: Client, town: Town, caller: Caller | None, query: str = ""
) -> dict[str, dict | None]:
    response = client.get(
        f"/api/v1/organisations/{town.council_a.pk}/members{query}",
        headers=caller.headers if caller else {},
    )
    assert response.status_code == 200
    return {item["person"]["name"]: item["personal"] for item in response.json()["items"]}


# ---- members -------------------------------------------------------------------------------


def test_anyone_reads_the_current_members_without_personal_data(
    client: Client, town: Town, seats: dict
) -> None:
    response = client.get(f"/api/v1/organisations/{town.council_a.pk}/members")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["items"][0] == resident_seat(town, seats["resident"], personal=False)
    assert body["items"][1]["person"]["name"] == "张伟"
    assert body["items"][1]["personal"] is None


def test_past_members_on_request(client: Client, town: Town, seats: dict) -> None:
    response = client.get(f"/api/v1/organisations/{town.council_a.pk}/members?include_past=true")

    assert [(item["person"]["name"], item["end_date"]) for item in response.json()["items"]] == [
        ("李秀英", None),
        ("刘洋", "2023-12-31"),
        ("张伟", None),
    ]


def test_personal_data_appear_only_to_those_allowed(
    client: Client, town: Town, seats: dict, resident: Caller, admin_a: Caller, admin_b: Caller
) -> None:
    admin_a_view = client.get(
        f"/api/v1/organisations/{town.council_a.pk}/members", headers=admin_a.headers
    )
    assert admin_a_view.json()["items"][0] == resident_seat(town, seats["resident"], personal=True)

    neighbour = {
        "gender": "male",
        "birth_year": 1975,
        "phone": "13800000002",
        "party_status": "non_party",
    }
    assert members(client, town, None) == {"李秀英": None, "张伟": None}
    assert members(client, town, resident) == {
        "李秀英": {
            "gender": "female",
            "birth_year": 1968,
            "phone": "13800000001",
            "party_status": "full",
        },
        "张伟": None,
    }
    # The admin of village B may see the neighbour, who lives there, but not the resident of A.
    assert members(client, town, admin_b) == {"李秀英": None, "张伟": neighbour}
    assert members(client, town, admin_a)["张伟"] == neighbour


def test_the_list_agrees_with_the_pages_rule_for_every_caller(
    client: Client, town: Town, seats: dict, resident: Caller, admin_a: Caller, admin_b: Caller
) -> None:
    for caller in (resident, admin_a, admin_b):
        shown = members(client, town, caller, "?include_past=true")
        for seat in Membership.objects.filter(organisation=town.council_a).select_related("person"):
            allowed = can_view_personal_data(caller.user, seat.person)
            assert (shown[seat.person.name] is not None) == allowed, (caller.user, seat.person)


def test_a_long_member_list_costs_a_fixed_number_of_queries(
    client: Client, town: Town, admin_a: Caller, admin_b: Caller, django_assert_max_num_queries
) -> None:
    for number in range(250):
        MembershipFactory(
            organisation=town.council_a,
            person=PersonFactory(home=town.village_a if number % 2 else town.village_b),
            sector=Sector.objects.get(code="enterprises"),
            obtained=Obtained.ELECTED,
            obtained_from=town.village_a,
        )
    url = f"/api/v1/organisations/{town.council_a.pk}/members?limit=200"

    with django_assert_max_num_queries(3):  # the organisation, the count, the page
        anonymous = client.get(url)
    # and the token, its use, the caller's scopes
    with django_assert_max_num_queries(6):
        in_scope = client.get(url, headers=admin_a.headers)
    with django_assert_max_num_queries(6):
        other_village = client.get(url, headers=admin_b.headers)

    assert sum(item["personal"] is not None for item in anonymous.json()["items"]) == 0
    assert sum(item["personal"] is not None for item in in_scope.json()["items"]) == 200
    assert sum(item["personal"] is not None for item in other_village.json()["items"]) == 100


def test_the_members_of_an_unknown_organisation_are_404(client: Client, town: Town) -> None:
    response = client.get("/api/v1/organisations/999999/members")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


# ---- seating and ending --------------------------------------------------------------------


def state() -> tuple:
    return (
        AuditEvent.objects.count(),
        list(
            Membership.objects.order_by("pk").values_list(
                "person_id", "organisation_id", "end_date", "end_reason"
            )
        ),
        list(
            RoleGrant.objects.order_by("pk").values_list(
                "user_id", "role", "organisation_id", "revoked_at"
            )
        ),
    )


def new_seat(town: Town, person: Person) -> dict:
    return {
        "person": person.pk,
        "organisation": town.council_a.pk,
        "role": "vice_chair",
        "obtained": "appointed",
        "obtained_from": town.village_a.pk,
        "sector": "veteran_cadres",
        "start_date": "2025-02-01",
        "term_end": "2030-01-31",
    }


def test_an_admin_seats_a_person(client: Client, town: Town, admin_a: Caller) -> None:
    response = client.post(
        "/api/v1/memberships",
        new_seat(town, town.resident),
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 201
    seat = Membership.objects.get(person=town.resident, organisation=town.council_a)
    assert response.json() == {
        "id": seat.pk,
        "person": town.resident.pk,
        "organisation": town.council_a.pk,
        "role": "vice_chair",
        "obtained": "appointed",
        "obtained_from": town.village_a.pk,
        "sector": "veteran_cadres",
        "start_date": "2025-02-01",
        "term_end": "2030-01-31",
        "end_date": None,
        "end_reason": "",
    }
    event = AuditEvent.objects.last()
    assert (event.verb, event.actor_id, event.target_id) == (
        "membership.add",
        admin_a.user.pk,
        str(seat.pk),
    )


def test_others_cannot_seat_people(
    client: Client, town: Town, resident: Caller, admin_b: Caller
) -> None:
    before = state()
    # The neighbour lives in village B, so its admin sees him; the council belongs to village A.
    body = new_seat(town, town.neighbour)

    answers = {
        "anonymous": client.post("/api/v1/memberships", body, content_type="application/json"),
        "resident": client.post(
            "/api/v1/memberships", body, content_type="application/json", headers=resident.headers
        ),
        "admin_b": client.post(
            "/api/v1/memberships", body, content_type="application/json", headers=admin_b.headers
        ),
    }

    assert {who: (answer.status_code, answer.json()) for who, answer in answers.items()} == {
        "anonymous": (401, UNAUTHORISED),
        "resident": (400, {"detail": f"person: there is no person {town.neighbour.pk}."}),
        "admin_b": (403, FORBIDDEN),
    }
    assert state() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"organisation": "village_a"},
            "People are members of bodies, not of places: choose a council, committee or group.",
        ),
        (
            {"obtained_from": None},
            "Name the organisation that elected, appointed or co-opted this member.",
        ),
        ({"term_end": "2025-01-01"}, "The term must end after it starts."),
        ({"sector": "castles"}, "Unknown sectors: castles"),
        ({"organisation": 999999}, "organisation: there is no organisation 999999."),
    ],
)
def test_a_seat_the_action_refuses_is_400(
    client: Client, town: Town, admin_a: Caller, change: dict, message: str
) -> None:
    body = new_seat(town, town.resident) | change
    if body["organisation"] == "village_a":
        body["organisation"] = town.village_a.pk
    before = state()

    response = client.post(
        "/api/v1/memberships", body, content_type="application/json", headers=admin_a.headers
    )

    assert (response.status_code, response.json()) == (400, {"detail": message})
    assert state() == before


def test_a_second_seat_in_the_same_body_is_refused(
    client: Client, town: Town, admin_a: Caller, seats: dict
) -> None:
    before = state()

    response = client.post(
        "/api/v1/memberships",
        new_seat(town, town.resident),
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Li Xiuying already has a seat in East Village Consultation Council."
    }
    assert state() == before


def test_an_admin_ends_a_seat(client: Client, town: Town, admin_a: Caller, seats: dict) -> None:
    seat = seats["neighbour"]

    response = client.post(
        f"/api/v1/memberships/{seat.pk}/end",
        {"end_date": "2025-06-30", "reason": "辞职"},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 200
    assert (response.json()["end_date"], response.json()["end_reason"]) == ("2025-06-30", "辞职")
    seat.refresh_from_db()
    assert (seat.end_date, seat.end_reason) == (datetime.date(2025, 6, 30), "辞职")
    assert AuditEvent.objects.last().verb == "membership.end"

    again = client.post(
        f"/api/v1/memberships/{seat.pk}/end",
        {},
        content_type="application/json",
        headers=admin_a.headers,
    )
    assert (again.status_code, again.json()) == (
        400,
        {"detail": "This membership has already ended."},
    )


def test_a_post_without_a_body_ends_the_seat_today(
    client: Client, town: Town, admin_a: Caller, seats: dict
) -> None:
    response = client.generic(
        "POST", f"/api/v1/memberships/{seats['neighbour'].pk}/end", b"", headers=admin_a.headers
    )

    assert response.status_code == 200
    assert response.json()["end_date"] == timezone.localdate().isoformat()


def test_others_cannot_end_a_seat(
    client: Client, town: Town, resident: Caller, admin_b: Caller, seats: dict
) -> None:
    url = f"/api/v1/memberships/{seats['neighbour'].pk}/end"
    before = state()

    answers = {
        "anonymous": client.post(url, {}, content_type="application/json"),
        "resident": client.post(url, {}, content_type="application/json", headers=resident.headers),
        "admin_b": client.post(url, {}, content_type="application/json", headers=admin_b.headers),
        "unknown": client.post(
            "/api/v1/memberships/999999/end",
            {},
            content_type="application/json",
            headers=admin_b.headers,
        ),
    }

    assert {who: (answer.status_code, answer.json()) for who, answer in answers.items()} == {
        "anonymous": (401, UNAUTHORISED),
        "resident": (403, FORBIDDEN),
        "admin_b": (403, FORBIDDEN),
        "unknown": (404, {"detail": "Not found."}),
    }
    assert state() == before


# ---- staff roles ---------------------------------------------------------------------------


def test_an_admin_grants_and_revokes_a_role_in_their_scope(
    client: Client, town: Town, admin_a: Caller, resident: Caller
) -> None:
    granted = client.post(
        "/api/v1/role-grants",
        {"user": resident.user.pk, "role": "handler", "organisation": town.council_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert granted.status_code == 201
    grant = RoleGrant.objects.get(user=resident.user)
    assert granted.json() == {
        "id": grant.pk,
        "user": resident.user.pk,
        "role": "handler",
        "organisation": {
            "id": town.council_a.pk,
            "display_name": "East Village Consultation Council",
        },
        "granted_by": admin_a.user.pk,
        "granted_at": iso(grant.granted_at),
        "revoked_at": None,
    }
    assert AuditEvent.objects.last().verb == "role.grant"

    twice = client.post(
        "/api/v1/role-grants",
        {"user": resident.user.pk, "role": "handler", "organisation": town.council_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )
    assert (twice.status_code, twice.json()) == (
        400,
        {"detail": "This account already holds this role here."},
    )

    revoked = client.post(f"/api/v1/role-grants/{grant.pk}/revoke", headers=admin_a.headers)
    grant.refresh_from_db()
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] == iso(grant.revoked_at)
    assert AuditEvent.objects.last().verb == "role.revoke"

    again = client.post(f"/api/v1/role-grants/{grant.pk}/revoke", headers=admin_a.headers)
    assert (again.status_code, again.json()) == (
        400,
        {"detail": "This role has already been revoked."},
    )


def test_others_cannot_grant_or_revoke_roles(
    client: Client, town: Town, resident: Caller, admin_b: Caller
) -> None:
    grant = RoleGrantFactory(
        user=UserFactory(username="handler"), role=StaffRole.HANDLER, organisation=town.village_a
    )
    body = {"user": resident.user.pk, "role": "admin", "organisation": town.village_a.pk}
    revoke_url = f"/api/v1/role-grants/{grant.pk}/revoke"
    before = state()

    answers = {
        "anonymous grant": client.post(
            "/api/v1/role-grants", body, content_type="application/json"
        ),
        "resident grant": client.post(
            "/api/v1/role-grants", body, content_type="application/json", headers=resident.headers
        ),
        "admin_b grant": client.post(
            "/api/v1/role-grants", body, content_type="application/json", headers=admin_b.headers
        ),
        "anonymous revoke": client.post(revoke_url),
        "resident revoke": client.post(revoke_url, headers=resident.headers),
        "admin_b revoke": client.post(revoke_url, headers=admin_b.headers),
    }

    assert {who: (answer.status_code, answer.json()) for who, answer in answers.items()} == {
        "anonymous grant": (401, UNAUTHORISED),
        "resident grant": (403, FORBIDDEN),
        "admin_b grant": (403, FORBIDDEN),
        "anonymous revoke": (401, UNAUTHORISED),
        "resident revoke": (403, FORBIDDEN),
        "admin_b revoke": (403, FORBIDDEN),
    }
    assert state() == before


def test_granting_to_an_unknown_account_is_400(client: Client, town: Town, admin_a: Caller) -> None:
    response = client.post(
        "/api/v1/role-grants",
        {"user": 999999, "role": "handler", "organisation": town.village_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "user: there is no account 999999."},
    )


def test_a_caller_without_the_right_cannot_probe_for_accounts(
    client: Client, town: Town, admin_b: Caller
) -> None:
    response = client.post(
        "/api/v1/role-grants",
        {"user": 999999, "role": "handler", "organisation": town.village_a.pk},
        content_type="application/json",
        headers=admin_b.headers,
    )

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_a_new_token_holder_sees_their_new_role(client: Client, town: Town) -> None:
    handler = token_for(UserFactory(username="handler"))
    RoleGrantFactory(user=handler.user, role=StaffRole.HANDLER, organisation=town.village_a)

    roles = client.get("/api/v1/me", headers=handler.headers).json()["roles"]

    assert [(role["role"], role["organisation"]["display_name"]) for role in roles] == [
        ("handler", "East Village")
    ]
