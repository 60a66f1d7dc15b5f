"""Who may manage what: every management page against every kind of reader, and nothing changes when refused."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.helpers import SYSTEM, make_account, page_text, place, sign_in
from tongxin.community.actions import add_membership, add_person, grant_role
from tongxin.community.models import Membership, Organisation, Person, RoleGrant, StaffRole
from tongxin.community.permissions import (
    can_edit_person,
    can_manage_organisation,
    can_view_personal_data,
    people_visible_to,
)
from tongxin.core.models import AuditEvent


@dataclass
class World:
    town: Organisation
    xiaozhai: Organisation
    council: Organisation
    seated: Person
    unseated: Person
    membership: Membership
    handler_grant: RoleGrant
    accounts: dict[str, Any]


@pytest.fixture
def world(db) -> World:
    town = place("Tongxin Town", "town", place("Linhai City", "city", None))
    xiaozhai = place("Xiaozhai Village", "village", town)
    datian = place("Datian Village", "village", town)
    council = place("Xiaozhai Council", "consultation_council", xiaozhai)
    seated = add_person(actor=SYSTEM, name="王芳", gender="female", home=xiaozhai, phone="13800000001")
    unseated = add_person(actor=SYSTEM, name="李明", gender="male", home=xiaozhai, phone="13800000002")
    membership = add_membership(actor=SYSTEM, person=seated, organisation=council, obtained="ex_officio")
    accounts = {name: make_account(name) for name in ("admin", "town_admin", "sibling_admin", "handler", "resident")}
    grant_role(actor=SYSTEM, user=accounts["admin"], role=StaffRole.ADMIN, organisation=xiaozhai)
    grant_role(actor=SYSTEM, user=accounts["town_admin"], role=StaffRole.ADMIN, organisation=town)
    grant_role(actor=SYSTEM, user=accounts["sibling_admin"], role=StaffRole.ADMIN, organisation=datian)
    handler_grant = grant_role(actor=SYSTEM, user=accounts["handler"], role=StaffRole.HANDLER, organisation=xiaozhai)
    Person.objects.filter(pk=unseated.pk).update(user=accounts["resident"])
    unseated.refresh_from_db()
    return World(town, xiaozhai, council, seated, unseated, membership, handler_grant, accounts)


# Each management page: its address and a valid submission.
PAGES = {
    "edit organisation": lambda w: (f"/organisations/{w.council.pk}/edit/", {"name": "改名"}),
    "create organisation": lambda w: (f"/organisations/{w.xiaozhai.pk}/new/", {"kind": "workgroup", "name": "新组"}),
    "add person": lambda w: (
        f"/organisations/{w.xiaozhai.pk}/people/new/", {"name": "新人", "gender": "male", "party_status": "non_party"}
    ),
    "edit person": lambda w: (
        f"/people/{w.seated.pk}/edit/",
        {"name": "王芳芳", "gender": "female", "party_status": "non_party", "home": w.xiaozhai.pk},
    ),
    "add member": lambda w: (
        f"/organisations/{w.council.pk}/members/new/", {"person": w.unseated.pk, "role": "member", "obtained": "ex_officio"}
    ),
    "end membership": lambda w: (f"/memberships/{w.membership.pk}/end/", {"reason": "Resigned"}),
    "grant role": lambda w: (f"/organisations/{w.xiaozhai.pk}/roles/", {"username": "resident", "role": "office"}),
    "revoke role": lambda w: (f"/roles/{w.handler_grant.pk}/revoke/", {}),
}
DENIED = ["anonymous", "resident", "sibling_admin", "handler"]
ALLOWED = ["admin", "town_admin"]


def everything() -> list[list[dict[str, Any]]]:
    """Every row of every table a management page could touch, to prove a refusal changed nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (Organisation, Person, Membership, RoleGrant, AuditEvent)
    ]


def reader(client: Client, world: World, name: str) -> None:
    if name != "anonymous":
        sign_in(client, world.accounts[name])


@pytest.mark.parametrize("who", DENIED)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_management_page_refuses_everyone_outside_its_scope(client, world, page, who):
    reader(client, world, who)
    url, data = PAGES[page](world)
    before = everything()
    shown = client.get(url)
    sent = client.post(url, data)
    assert (shown.status_code, sent.status_code) == (403, 403)
    assert "Not allowed You do not have permission to do this here. Nothing was changed." in page_text(shown)
    assert everything() == before


def test_the_refusal_offers_a_visitor_the_way_to_sign_in(client, world):
    response = client.get(f"/organisations/{world.council.pk}/edit/")
    assert f'href="/accounts/login/?next=/organisations/{world.council.pk}/edit/"' in response.content.decode()


@pytest.mark.parametrize("who", ALLOWED)
@pytest.mark.parametrize("page", list(PAGES))
def test_a_management_page_serves_the_admins_in_scope(client, world, page, who):
    reader(client, world, who)
    url, data = PAGES[page](world)
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302, page_text(response)
    assert AuditEvent.objects.count() == events + 1


@pytest.mark.parametrize("who", ["anonymous", *DENIED, *ALLOWED])
def test_management_links_appear_only_for_those_allowed(client, world, who):
    reader(client, world, who)
    text = page_text(client.get(world.council.get_absolute_url()))
    links = ("Edit this organisation", "Add a member", "Staff roles", "End membership")
    if who in ALLOWED:
        assert all(link in text for link in links)
    else:
        assert not any(link in text for link in links)
    person_page = page_text(client.get(world.seated.get_absolute_url()))
    assert ("Edit this record" in person_page) == (who in ALLOWED)


@pytest.mark.parametrize("who", ["anonymous", *DENIED, *ALLOWED])
def test_the_predicates_agree_with_the_pages(world, who):
    user = world.accounts.get(who)
    allowed = who in ALLOWED
    assert can_manage_organisation(user, world.council) is allowed
    assert can_edit_person(user, world.seated) is allowed
    assert can_view_personal_data(user, world.seated) is allowed
    visible = set(people_visible_to(user).values_list("name", flat=True))
    expected = {"王芳", "李明"} if allowed else ({"李明"} if who == "resident" else set())
    assert visible == expected
