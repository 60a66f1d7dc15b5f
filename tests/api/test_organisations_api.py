"""Organisations over the API: anyone reads the tree; admins create and change in their scope."""

import datetime

import pytest
from django.test import Client

from tests.factories import OrganisationFactory
from tongxin.community.models import Organisation, OrganisationKind
from tongxin.community.reports import composition_report
from tongxin.core.models import AuditEvent

from .conftest import FORBIDDEN, UNAUTHORISED, Caller, Town

pytestmark = pytest.mark.django_db



def names(response) -> list[str]:
    return [item["display_name"] for item in response.json()["items"]]


def state() -> tuple[int, int, list[tuple]]:
    """What a refused write must leave as it was."""
    return (
        Organisation.objects.count(),
        AuditEvent.objects.count(),
        list(Organisation.objects.values_list("name", "name_en", "description", "parent_id")),
    )


# ---- reading -------------------------------------------------------------------------------


def test_anyone_reads_the_tree_in_order(client: Client, town: Town) -> None:
    response = client.get("/api/v1/organisations")

    assert response.status_code == 200
    assert response.json()["count"] == 4
    assert names(response) == [
        "Qingxi Town",
        "East Village",
        "East Village Consultation Council",
        "West Village",
    ]
    assert response.json()["items"][1] == {
        "id": town.village_a.pk,
        "name": "东村",
        "name_en": "East Village",
        "display_name": "East Village",
        "kind": "village",
        "parent": town.town.pk,
        "formation": None,
        "approved_by": None,
        "composition_rule_set": "",
        "composition_overrides": {},
        "description": "",
        "description_en": "",
        "address": "",
        "founded_on": None,
        "dissolved_on": None,
    }


def test_names_follow_the_readers_language(client: Client, town: Town) -> None:
    response = client.get(
        f"/api/v1/organisations?parent={town.town.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert [item["display_name"] for item in response.json()["items"]] == ["东村", "西村"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=village", ["East Village", "West Village"]),
        ("kind=consultation_council", ["East Village Consultation Council"]),
        ("parent={town}", ["East Village", "West Village"]),
        ("within={village_a}", ["East Village", "East Village Consultation Council"]),
        ("within={village_a}&kind=village", ["East Village"]),
        ("within=999999", []),
        ("q=council", ["East Village Consultation Council"]),
        ("q=西", ["West Village"]),
        (
            "q=%20",
            ["Qingxi Town", "East Village", "East Village Consultation Council", "West Village"],
        ),
    ],
)
def test_filters(client: Client, town: Town, query: str, expected: list[str]) -> None:
    url = "/api/v1/organisations?" + query.format(town=town.town.pk, village_a=town.village_a.pk)

    response = client.get(url)

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_an_unknown_kind_is_a_validation_error(client: Client, town: Town) -> None:
    response = client.get("/api/v1/organisations?kind=castle")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "kind"]


def test_pages_hold_at_most_200(client: Client, town: Town) -> None:
    page = client.get("/api/v1/organisations?limit=2&offset=1").json()
    assert page == {"items": page["items"], "count": 4}
    assert [item["display_name"] for item in page["items"]] == [
        "East Village",
        "East Village Consultation Council",
    ]

    too_many = client.get("/api/v1/organisations?limit=201")
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]


def test_a_long_list_costs_a_fixed_number_of_queries(
    client: Client, town: Town, admin_a: Caller, django_assert_max_num_queries
) -> None:
    for _ in range(250):
        OrganisationFactory(kind=OrganisationKind.GRID, parent=town.village_b)

    with django_assert_max_num_queries(2):  # the count and the page
        anonymous = client.get("/api/v1/organisations?limit=200")
    with django_assert_max_num_queries(4):  # and the token, and noting its use
        signed_in = client.get(
            "/api/v1/organisations?limit=200&offset=100", headers=admin_a.headers
        )

    assert anonymous.json()["count"] == 254 and len(anonymous.json()["items"]) == 200
    assert len(signed_in.json()["items"]) == 154


def test_an_organisation_comes_with_its_composition_report(client: Client, town: Town) -> None:
    response = client.get(f"/api/v1/organisations/{town.council_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "East Village Consultation Council"
    composition = body.pop("composition")
    assert body == client.get("/api/v1/organisations?kind=consultation_council").json()["items"][0]
    assert (composition["rule_set"], composition["rule_set_label"], composition["ok"]) == (
        "village_consultation_council",
        "Village consultation council",
        False,
    )
    assert composition["findings"][0] == {
        "rule": "min_members",
        "ok": False,
        "severity": "error",
        "message": "There must be at least 20 members: there are 0.",
        "expected": "at least 20",
        "actual": "0",
    }
    # Every finding of the site's report, as the organisation's page shows it.
    report = composition_report(town.council_a).as_dict()
    assert composition == {
        key: report[key] for key in ("rule_set", "rule_set_label", "ok", "findings")
    }


def test_a_place_has_no_composition_rules(client: Client, town: Town) -> None:
    response = client.get(f"/api/v1/organisations/{town.village_a.pk}")

    assert response.status_code == 200
    assert response.json()["composition"] is None


def test_an_unknown_organisation_is_404(client: Client, town: Town) -> None:
    response = client.get("/api/v1/organisations/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# ---- creating ------------------------------------------------------------------------------

NEW_WORKGROUP = {
    "name": "东村法律援助组",
    "name_en": "East Village Legal Aid Group",
    "kind": "workgroup",
    "formation": "constituted",
    "description_en": "Free legal advice for residents.",
    "founded_on": "2024-03-01",
}


def test_an_admin_creates_an_organisation_in_their_scope(
    client: Client, town: Town, admin_a: Caller
) -> None:
    response = client.post(
        "/api/v1/organisations",
        NEW_WORKGROUP | {"parent": town.village_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 201
    created = Organisation.objects.get(name="东村法律援助组")
    assert response.json() == {
        "id": created.pk,
        "name": "东村法律援助组",
        "name_en": "East Village Legal Aid Group",
        "display_name": "East Village Legal Aid Group",
        "kind": "workgroup",
        "parent": town.village_a.pk,
        "formation": "constituted",
        "approved_by": None,
        "composition_rule_set": "",
        "composition_overrides": {},
        "description": "",
        "description_en": "Free legal advice for residents.",
        "address": "",
        "founded_on": "2024-03-01",
        "dissolved_on": None,
    }
    assert created.path == f"{town.village_a.path}{created.pk}/"
    assert created.founded_on == datetime.date(2024, 3, 1)
    event = AuditEvent.objects.last()
    assert (event.verb, event.actor_id, event.target_id) == (
        "organisation.create",
        admin_a.user.pk,
        str(created.pk),
    )


@pytest.mark.parametrize(
    ("caller", "status", "body"),
    [(None, 401, UNAUTHORISED), ("resident", 403, FORBIDDEN), ("admin_b", 403, FORBIDDEN)],
)
def test_others_cannot_create_organisations(
    client: Client, town: Town, request, caller: str | None, status: int, body: dict
) -> None:
    headers = request.getfixturevalue(caller).headers if caller else {}
    before = state()

    response = client.post(
        "/api/v1/organisations",
        NEW_WORKGROUP | {"parent": town.village_a.pk},
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == status
    assert response.json() == body
    assert state() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "village", "parent": "council"}, "A place can only lie inside another place."),
        ({"name": "  "}, "Give the organisation a name."),
        ({"parent": 999999}, "parent: there is no organisation 999999."),
        (
            {"formation": "appointed"},
            "An appointed group must name the organisation that approved it.",
        ),
    ],
)
def test_a_request_the_action_refuses_is_400_with_its_message(
    client: Client, town: Town, admin_a: Caller, change: dict, message: str
) -> None:
    body = NEW_WORKGROUP | {"parent": town.village_a.pk} | change
    if body["parent"] == "council":
        body["parent"] = town.council_a.pk
    before = state()

    response = client.post(
        "/api/v1/organisations", body, content_type="application/json", headers=admin_a.headers
    )

    assert response.status_code == 400
    assert response.json() == {"detail": message}
    assert state() == before


# ---- changing ------------------------------------------------------------------------------


def test_an_admin_changes_only_the_fields_sent(client: Client, town: Town, admin_a: Caller) -> None:
    response = client.patch(
        f"/api/v1/organisations/{town.council_a.pk}",
        {"description": "每月十五日为民主日。", "approved_by": town.village_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["name_en"], body["description"], body["approved_by"]) == (
        "East Village Consultation Council",
        "每月十五日为民主日。",
        town.village_a.pk,
    )
    town.council_a.refresh_from_db()
    assert (town.council_a.description, town.council_a.approved_by) == (
        "每月十五日为民主日。",
        town.village_a,
    )
    event = AuditEvent.objects.last()
    assert (event.verb, event.actor_id) == ("organisation.update", admin_a.user.pk)
    assert event.data == {
        "before": {"description": "", "approved_by": None},
        "after": {"description": "每月十五日为民主日。", "approved_by": town.village_a.pk},
    }


@pytest.mark.parametrize(
    ("caller", "status", "body"),
    [(None, 401, UNAUTHORISED), ("resident", 403, FORBIDDEN), ("admin_b", 403, FORBIDDEN)],
)
def test_others_cannot_change_an_organisation(
    client: Client, town: Town, request, caller: str | None, status: int, body: dict
) -> None:
    headers = request.getfixturevalue(caller).headers if caller else {}
    before = state()

    response = client.patch(
        f"/api/v1/organisations/{town.council_a.pk}",
        {"name_en": "Renamed"},
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == status
    assert response.json() == body
    assert state() == before


@pytest.mark.parametrize("name", ["", None])
def test_an_organisation_keeps_a_name(
    client: Client, town: Town, admin_a: Caller, name: str | None
) -> None:
    before = state()

    response = client.patch(
        f"/api/v1/organisations/{town.council_a.pk}",
        {"name": name},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Give the organisation a name."}
    assert state() == before


def test_changing_an_unknown_organisation_is_404(
    client: Client, town: Town, admin_a: Caller
) -> None:
    response = client.patch(
        "/api/v1/organisations/999999",
        {"name_en": "x"},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_misspelt_field_is_refused_not_ignored(
    client: Client, town: Town, admin_a: Caller
) -> None:
    before = state()

    response = client.patch(
        f"/api/v1/organisations/{town.council_a.pk}",
        {"nmae_en": "Typo"},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 422
    assert [(error["loc"], error["type"]) for error in response.json()["detail"]] == [
        (["body", "body", "nmae_en"], "extra_forbidden")
    ]
    assert state() == before
