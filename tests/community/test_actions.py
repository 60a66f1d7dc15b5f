"""The community actions' rules: every refusal a person can fix, with its exact message, and no trace left."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.helpers import JAN_1, SYSTEM, make_account
from tongxin.community.actions import (
    add_membership,
    add_person,
    create_organisation,
    end_membership,
    grant_role,
    move_organisation,
    revoke_role,
    update_organisation,
    update_person,
)
from tongxin.community.models import Membership, Organisation, Person, RoleGrant, StaffRole
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent


def refusal(action: Callable[..., Any], **kwargs: Any) -> str:
    """The ActionError message of a refused action, after checking that nothing was written."""
    counts = _counts()
    with pytest.raises(ActionError) as caught:
        action(**kwargs)
    assert _counts() == counts
    return str(caught.value.message)


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Organisation, Person, Membership, RoleGrant, AuditEvent))


@pytest.fixture
def person(village) -> Person:
    return add_person(actor=SYSTEM, name="王芳", gender="female", home=village, phone="13800000001")


# Organisations


def test_create_organisation_records_it_in_the_tree_and_the_audit_chain(village):
    branch = create_organisation(
        actor=SYSTEM, name=" 小寨村党支部 ", name_en="Xiaozhai Party Branch", kind="party_branch", parent=village
    )
    assert branch.name == "小寨村党支部"
    assert branch.path == f"{village.path}{branch.pk}/"
    event = AuditEvent.objects.for_target(branch).get()
    assert (event.verb, event.actor_label, event.data) == (
        "organisation.create", "system:test", {"kind": "party_branch", "parent": village.pk}
    )


def test_create_organisation_refusals(village, council):
    dissolved = update_organisation(actor=SYSTEM, organisation=village, dissolved_on=JAN_1)
    create = dict(actor=SYSTEM, name="某组", kind="workgroup", parent=council)
    assert refusal(create_organisation, **{**create, "name": "  "}) == "Give the organisation a name."
    assert refusal(create_organisation, **{**create, "kind": "castle"}) == "Choose a kind of organisation."
    assert refusal(create_organisation, **{**create, "parent": None}) == (
        "The top of the tree must be a place: a city, town or village."
    )
    assert refusal(create_organisation, **{**create, "kind": "grid"}) == "A place can only lie inside another place."
    assert refusal(create_organisation, **{**create, "parent": dissolved}) == "Xiaozhai Village has been dissolved."
    assert refusal(create_organisation, **{**create, "formation": "lottery"}) == "Choose how the organisation is formed."
    assert refusal(create_organisation, **{**create, "formation": "appointed"}) == (
        "An appointed group must name the organisation that approved it."
    )
    assert refusal(create_organisation, **{**create, "composition_rule_set": "nonsense"}).startswith(
        'There are no composition rules called "nonsense".'
    )


def test_only_a_superuser_founds_a_root_and_only_an_admin_adds_below(village):
    admin = make_account()
    RoleGrant.objects.create(user=admin, role=StaffRole.ADMIN, organisation=village)
    with pytest.raises(PermissionDenied):
        create_organisation(actor=admin, name="新市", kind="city", parent=None)
    with pytest.raises(PermissionDenied):
        create_organisation(actor=admin, name="邻村", kind="village", parent=village.parent)
    grid = create_organisation(actor=admin, name="第一网格", kind="grid", parent=village)
    assert grid.parent == village


def test_update_organisation_audits_before_and_after(council):
    update_organisation(actor=SYSTEM, organisation=council, name_en="Xiaozhai Consultation Council", address="村委楼")
    council.refresh_from_db()
    assert (council.name_en, council.address) == ("Xiaozhai Consultation Council", "村委楼")
    event = AuditEvent.objects.for_target(council).filter(verb="organisation.update").get()
    assert event.data == {
        "before": {"name_en": "Xiaozhai Council", "address": ""},
        "after": {"name_en": "Xiaozhai Consultation Council", "address": "村委楼"},
    }


def test_update_organisation_refusals(council):
    assert refusal(update_organisation, actor=SYSTEM, organisation=council, kind="village", parent=None) == (
        "These fields cannot be changed: kind, parent"
    )
    assert refusal(update_organisation, actor=SYSTEM, organisation=council, name=" ") == "Give the organisation a name."
    assert refusal(update_organisation, actor=SYSTEM, organisation=council, approved_by=council) == (
        "An organisation cannot answer to itself."
    )
    assert refusal(update_organisation, actor=SYSTEM, organisation=council, formation="appointed") == (
        "An appointed group must name the organisation that approved it."
    )
    assert refusal(
        update_organisation, actor=SYSTEM, organisation=council, composition_overrides={"min_members": "many"}
    ) == "“min_members” must be a whole number, or null to switch the rule off; \"many\" is not."


def test_move_organisation_refusals(village, council):
    grid = create_organisation(actor=SYSTEM, name="第一网格", kind="grid", parent=village)
    assert refusal(move_organisation, actor=SYSTEM, organisation=village, parent=grid) == (
        "An organisation cannot be moved inside itself."
    )
    assert refusal(move_organisation, actor=SYSTEM, organisation=grid, parent=council) == (
        "A place can only lie inside another place."
    )


# People


def test_add_person_normalises_the_phone_and_audits_without_personal_data(village):
    person = add_person(actor=SYSTEM, name=" 李明 ", gender="male", home=village, phone="+86 138-0000-0002")
    assert (person.name, person.phone) == ("李明", "13800000002")
    event = AuditEvent.objects.for_target(person).get()
    assert (event.verb, event.data) == ("person.add", {"home": village.pk})


def test_add_person_refusals(village, person):
    this_year = timezone.localdate().year
    add = dict(actor=SYSTEM, name="李明", gender="male", home=village)
    assert refusal(add_person, **{**add, "phone": "12345"}) == "A mobile phone number has 11 digits and starts with 1."
    assert refusal(add_person, **{**add, "phone": "138 0000 0001"}) == "Another person already has this phone number."
    assert refusal(add_person, **{**add, "name": " "}) == "Give the person's name."
    assert refusal(add_person, **{**add, "gender": "other"}) == "Choose a gender."
    assert refusal(add_person, **{**add, "party_status": "member"}) == "Choose a party status."
    assert refusal(add_person, **{**add, "birth_year": this_year + 1}) == (
        f"The year of birth must lie between {this_year - 120} and {this_year}."
    )


def test_update_person_names_the_fields_changed_never_their_values(person):
    update_person(actor=SYSTEM, person=person, phone="13800000009", birth_year=1980)
    person.refresh_from_db()
    assert (person.phone, person.birth_year) == ("13800000009", 1980)
    event = AuditEvent.objects.for_target(person).filter(verb="person.update").get()
    assert event.data == {"fields": ["birth_year", "phone"]}


def test_update_person_refusals(village, person):
    other = add_person(actor=SYSTEM, name="李明", gender="male", home=village, phone="13800000002")
    assert refusal(update_person, actor=SYSTEM, person=other, user=None) == "These fields cannot be changed: user"
    assert refusal(update_person, actor=SYSTEM, person=other, phone="13800000001") == (
        "Another person already has this phone number."
    )
    assert refusal(update_person, actor=SYSTEM, person=other, gender="x") == "Choose a gender."


# Memberships


def test_add_membership_refusals(village, council, person):
    group = create_organisation(actor=SYSTEM, name="旧组", name_en="Old Group", kind="workgroup", parent=village)
    dissolved = update_organisation(actor=SYSTEM, organisation=group, dissolved_on=JAN_1)
    seat = dict(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio")
    assert refusal(add_membership, **{**seat, "organisation": village}) == (
        "People are members of bodies, not of places: choose a council, committee or group."
    )
    assert refusal(add_membership, **{**seat, "organisation": dissolved}) == "Old Group has been dissolved."
    assert refusal(add_membership, **{**seat, "role": "king"}) == "Choose a role."
    assert refusal(add_membership, **{**seat, "obtained": "bought"}) == "Say how the seat was obtained."
    assert refusal(add_membership, **{**seat, "obtained": "elected"}) == (
        "Name the organisation that elected, appointed or co-opted this member."
    )
    assert refusal(add_membership, **{**seat, "start_date": JAN_1, "term_end": JAN_1}) == (
        "The term must end after it starts."
    )
    add_membership(**seat)
    assert refusal(add_membership, **seat) == "王芳 already has a seat in Xiaozhai Council."


def test_end_membership_refusals(council, person):
    membership = add_membership(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio", start_date=JAN_1)
    assert refusal(end_membership, actor=SYSTEM, membership=membership, end_date=datetime.date(2023, 12, 31)) == (
        "A membership cannot end before it starts."
    )
    end_membership(actor=SYSTEM, membership=membership, end_date=datetime.date(2024, 6, 30), reason=" Moved away ")
    membership.refresh_from_db()
    assert (membership.end_date, membership.end_reason) == (datetime.date(2024, 6, 30), "Moved away")
    assert refusal(end_membership, actor=SYSTEM, membership=membership) == "This membership has already ended."


# Staff roles


def test_grant_and_revoke_refusals(village):
    account = make_account("li.ming")
    assert refusal(grant_role, actor=SYSTEM, user=account, role="emperor", organisation=village) == "Choose a role."
    grant = grant_role(actor=SYSTEM, user=account, role=StaffRole.HANDLER, organisation=village)
    assert refusal(grant_role, actor=SYSTEM, user=account, role=StaffRole.HANDLER, organisation=village) == (
        "This account already holds this role here."
    )
    revoke_role(actor=SYSTEM, grant=grant)
    assert refusal(revoke_role, actor=SYSTEM, grant=grant) == "This role has already been revoked."
    verbs = list(AuditEvent.objects.filter(verb__startswith="role.").values_list("verb", flat=True))
    assert verbs == ["role.grant", "role.revoke"]


def test_every_action_refuses_an_actor_without_rights(village, council, person):
    outsider = make_account()
    membership = add_membership(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio")
    grant = grant_role(actor=SYSTEM, user=make_account(), role=StaffRole.HANDLER, organisation=village)
    attempts = [
        lambda: create_organisation(actor=outsider, name="组", kind="workgroup", parent=village),
        lambda: update_organisation(actor=outsider, organisation=council, name="改名"),
        lambda: move_organisation(actor=outsider, organisation=council, parent=village.parent),
        lambda: add_person(actor=outsider, name="张三", gender="male", home=village),
        lambda: update_person(actor=outsider, person=person, name="改名"),
        lambda: add_membership(actor=outsider, person=person, organisation=council, obtained="joined"),
        lambda: end_membership(actor=outsider, membership=membership),
        lambda: grant_role(actor=outsider, user=outsider, role=StaffRole.ADMIN, organisation=village),
        lambda: revoke_role(actor=outsider, grant=grant),
    ]
    counts = _counts()
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert _counts() == counts
