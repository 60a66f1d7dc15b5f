"""People over the API: a client reads only the records its account may open, and admins
register and correct people in their scope."""

import pytest
from django.test import Client

from tests.factories import MembershipFactory, PersonFactory, RoleGrantFactory, UserFactory
from tongxin.community.models import Gender, Person, StaffRole
from tongxin.core.models import AuditEvent

from .conftest import FORBIDDEN, NOT_FOUND, UNAUTHORISED, Caller, Town, iso, resident_json, token_for

pytestmark = pytest.mark.django_db



def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def state() -> tuple:
    """What a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        list(
            Person.objects.order_by("pk").values_list(
                "name", "phone", "gender", "home_id", "birth_year"
            )
        ),
        list(Person.sectors.through.objects.values_list("person_id", "sector_id")),
    )


@pytest.fixture
def visitor(town: Town) -> Person:
    """Lives in village B, sits on village A's council: both villages' admins may open it."""
    person = PersonFactory(name="陈静", gender=Gender.FEMALE, home=town.village_b)
    MembershipFactory(person=person, organisation=town.council_a)
    return person


# ---- reading -------------------------------------------------------------------------------


def test_anonymous_clients_cannot_list_people(client: Client, town: Town) -> None:
    response = client.get("/api/v1/people")

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


def test_a_resident_sees_only_their_own_record(
    client: Client, town: Town, resident: Caller
) -> None:
    response = client.get("/api/v1/people", headers=resident.headers)

    assert response.status_code == 200
    assert response.json() == {"items": [resident_json(town)], "count": 1}


def test_admins_see_the_people_of_their_scope(
    client: Client, town: Town, admin_a: Caller, admin_b: Caller, visitor: Person
) -> None:
    assert names(client.get("/api/v1/people", headers=admin_a.headers)) == ["李秀英", "陈静"]
    assert names(client.get("/api/v1/people", headers=admin_b.headers)) == ["张伟", "陈静"]


def test_a_town_supervisor_and_a_superuser_see_everyone_below(
    client: Client, town: Town, visitor: Person
) -> None:
    supervisor = token_for(
        RoleGrantFactory(
            user=UserFactory(username="sup"), role=StaffRole.SUPERVISOR, organisation=town.town
        ).user
    )
    superuser = token_for(UserFactory(username="root", is_superuser=True))
    outsider = PersonFactory(name="赵强", home=None)

    assert names(client.get("/api/v1/people", headers=supervisor.headers)) == [
        "张伟",
        "李秀英",
        "陈静",
    ]
    everyone = client.get("/api/v1/people", headers=superuser.headers)
    assert names(everyone) == ["张伟", "李秀英", "赵强", "陈静"]
    assert outsider.name in names(everyone)


def test_a_long_list_costs_a_fixed_number_of_queries(
    client: Client, town: Town, admin_a: Caller, django_assert_max_num_queries
) -> None:
    people = PersonFactory.create_batch(300, home=town.village_a)
    for person in people[:50]:
        MembershipFactory(person=person, organisation=town.council_a)

    # The token and its use, the admin's scopes, the count, the page and the page's sectors.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/people?limit=200", headers=admin_a.headers)

    assert response.json()["count"] == 301
    assert len(response.json()["items"]) == 200


def test_a_record_in_scope_opens(client: Client, town: Town, admin_a: Caller) -> None:
    response = client.get(f"/api/v1/people/{town.resident.pk}", headers=admin_a.headers)

    assert response.status_code == 200
    assert response.json() == resident_json(town)


def test_a_record_out_of_scope_looks_like_no_record(
    client: Client, town: Town, admin_b: Caller
) -> None:
    hidden = client.get(f"/api/v1/people/{town.resident.pk}", headers=admin_b.headers)
    missing = client.get("/api/v1/people/999999", headers=admin_b.headers)

    assert (hidden.status_code, hidden.json()) == (404, NOT_FOUND)
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_anonymous_clients_cannot_open_a_record(client: Client, town: Town) -> None:
    response = client.get(f"/api/v1/people/{town.resident.pk}")

    assert (response.status_code, response.json()) == (401, UNAUTHORISED)


# ---- registering ---------------------------------------------------------------------------

NEW_PERSON = {
    "name": "王芳",
    "gender": "female",
    "birth_year": 1990,
    "phone": "+86 139 0000 0003",
    "party_status": "probationary",
    "sectors": ["youth_league", "enterprises"],
}


def test_an_admin_registers_a_person_in_their_village(
    client: Client, town: Town, admin_a: Caller
) -> None:
    response = client.post(
        "/api/v1/people",
        NEW_PERSON | {"home": town.village_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 201
    person = Person.objects.get(name="王芳")
    assert response.json() == {
        "id": person.pk,
        "name": "王芳",
        "surname": "",
        "name_latin": "",
        "display_name": "王芳",
        "gender": "female",
        "birth_year": 1990,
        "phone": "13900000003",
        "email": "",
        "party_status": "probationary",
        "home": town.village_a.pk,
        "sectors": ["enterprises", "youth_league"],
        "created_at": iso(person.created_at),
        "updated_at": iso(person.updated_at),
    }
    event = AuditEvent.objects.last()
    assert (event.verb, event.actor_id, event.data) == (
        "person.add",
        admin_a.user.pk,
        {"home": town.village_a.pk},
    )


@pytest.mark.parametrize(
    ("caller", "status", "body"),
    [(None, 401, UNAUTHORISED), ("resident", 403, FORBIDDEN), ("admin_b", 403, FORBIDDEN)],
)
def test_others_cannot_register_people_in_the_village(
    client: Client, town: Town, request, caller: str | None, status: int, body: dict
) -> None:
    headers = request.getfixturevalue(caller).headers if caller else {}
    before = state()

    response = client.post(
        "/api/v1/people",
        NEW_PERSON | {"home": town.village_a.pk},
        content_type="application/json",
        headers=headers,
    )

    assert (response.status_code, response.json()) == (status, body)
    assert state() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "12345"}, "A mobile phone number has 11 digits and starts with 1."),
        ({"phone": "13800000001"}, "Another person already has this phone number."),
        ({"sectors": ["castles", "enterprises"]}, "Unknown sectors: castles"),
        ({"birth_year": 1800}, "The year of birth must lie between"),
        ({"name": " "}, "Give the person's name."),
    ],
)
def test_a_registration_the_action_refuses_is_400(
    client: Client, town: Town, admin_a: Caller, change: dict, message: str
) -> None:
    before = state()

    response = client.post(
        "/api/v1/people",
        NEW_PERSON | {"home": town.village_a.pk} | change,
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)
    assert state() == before


# ---- correcting ----------------------------------------------------------------------------


def test_an_admin_corrects_a_record(client: Client, town: Town, admin_a: Caller) -> None:
    response = client.patch(
        f"/api/v1/people/{town.resident.pk}",
        {"phone": "139-0000-0009", "sectors": ["senior_association"]},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 200
    town.resident.refresh_from_db()
    assert response.json() == resident_json(town) | {
        "phone": "13900000009",
        "sectors": ["senior_association"],
    }
    assert town.resident.phone == "13900000009"
    event = AuditEvent.objects.last()
    assert (event.verb, event.actor_id, event.data) == (
        "person.update",
        admin_a.user.pk,
        {"fields": ["phone", "sectors"]},
    )


def test_a_null_gender_is_refused_by_the_action(
    client: Client, town: Town, admin_a: Caller
) -> None:
    before = state()

    response = client.patch(
        f"/api/v1/people/{town.resident.pk}",
        {"gender": None},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert (response.status_code, response.json()) == (400, {"detail": "Choose a gender."})
    assert state() == before


def test_who_may_not_correct_a_record(
    client: Client, town: Town, resident: Caller, admin_b: Caller
) -> None:
    # A supervisor may read the record but only an admin may change it.
    supervisor = token_for(
        RoleGrantFactory(
            user=UserFactory(username="sup"), role=StaffRole.SUPERVISOR, organisation=town.village_a
        ).user
    )
    url = f"/api/v1/people/{town.resident.pk}"
    before = state()

    answers = {
        "anonymous": client.patch(url, {"name": "x"}, content_type="application/json"),
        "resident": client.patch(
            url, {"name": "x"}, content_type="application/json", headers=resident.headers
        ),
        "supervisor": client.patch(
            url, {"name": "x"}, content_type="application/json", headers=supervisor.headers
        ),
        "admin_b": client.patch(
            url, {"name": "x"}, content_type="application/json", headers=admin_b.headers
        ),
    }

    assert {who: (answer.status_code, answer.json()) for who, answer in answers.items()} == {
        "anonymous": (401, UNAUTHORISED),
        "resident": (403, FORBIDDEN),
        "supervisor": (403, FORBIDDEN),
        "admin_b": (404, NOT_FOUND),  # not visible to them: existence is not revealed
    }
    assert state() == before
