"""The admin for community records: lists with filters, and every save going through an action or the audit chain."""

import pytest
from django.contrib.auth import get_user_model

from tests.helpers import SYSTEM, make_account, page_text, sign_in
from tongxin.community.actions import add_membership, add_person, create_organisation, grant_role
from tongxin.community.models import Membership, Organisation, Person, RoleGrant, Sector, StaffRole
from tongxin.core.models import AuditEvent


@pytest.fixture
def root(client, db):
    user = make_account("root", is_staff=True, is_superuser=True)
    sign_in(client, user)
    return user


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


ORGANISATION_FORM = {
    "name_en": "", "formation": "", "approved_by": "", "composition_rule_set": "", "composition_overrides": "{}",
    "description": "", "description_en": "", "address": "", "founded_on": "", "dissolved_on": "", "_save": "Save",
}


@pytest.mark.parametrize("model", ["organisation", "person", "membership", "sector", "rolegrant"])
def test_each_list_opens_with_its_filters(client, root, village, model):
    response = client.get(f"/admin/community/{model}/")
    assert response.status_code == 200
    assert 'id="changelist-search"' in response.content.decode()


def test_adding_an_organisation_goes_through_the_action(client, root, village):
    response = client.post("/admin/community/organisation/add/", {
        **ORGANISATION_FORM, "name": "小寨村议事会", "name_en": "Xiaozhai Council", "kind": "consultation_council",
        "parent": village.pk,
    })
    council = Organisation.objects.get(name="小寨村议事会")
    assert response.status_code == 302
    assert council.path == f"{village.path}{council.pk}/"
    event = last_event()
    assert (event.verb, event.actor_label, event.target_id) == ("organisation.create", "root", str(council.pk))


def test_an_actions_refusal_is_shown_and_nothing_is_saved(client, root, village):
    council = create_organisation(actor=SYSTEM, name="议事会", kind="consultation_council", parent=village)
    count = Organisation.objects.count()
    response = client.post("/admin/community/organisation/add/", {
        **ORGANISATION_FORM, "name": "网格", "kind": "grid", "parent": council.pk,
    }, follow=True)
    assert "A place can only lie inside another place." in page_text(response)
    assert Organisation.objects.count() == count


def test_editing_and_moving_an_organisation_are_audited(client, root, village):
    other_town = create_organisation(actor=SYSTEM, name="东塍镇", kind="town", parent=village.parent.parent)
    grid = create_organisation(actor=SYSTEM, name="网格", kind="grid", parent=village)
    response = client.post(f"/admin/community/organisation/{village.pk}/change/", {
        **ORGANISATION_FORM, "name": "小寨村", "name_en": "Xiaozhai", "parent": other_town.pk,
    })
    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name_en, village.path) == ("Xiaozhai", f"{other_town.path}{village.pk}/")
    assert Organisation.objects.get(pk=grid.pk).path == f"{village.path}{grid.pk}/"
    verbs = [event.verb for event in AuditEvent.objects.order_by("-seq")[:2]]
    assert verbs == ["organisation.update", "organisation.move"]


def test_people_are_added_and_corrected_through_the_actions(client, root, village):
    sector = Sector.objects.create(code="women-test", name="妇女", name_en="Women")
    form = {
        "name": "王芳", "surname": "", "name_latin": "", "gender": "female", "birth_year": "1970",
        "phone": "13800000001", "email": "", "party_status": "non_party", "home": village.pk,
        "sectors": [sector.pk], "user": "", "_save": "Save",
    }
    assert client.post("/admin/community/person/add/", form).status_code == 302
    person = Person.objects.get(name="王芳")
    assert (person.phone, list(person.sectors.all())) == ("13800000001", [sector])
    assert last_event().verb == "person.add"
    client.post(f"/admin/community/person/{person.pk}/change/", {**form, "phone": "13800000009", "sectors": []})
    person.refresh_from_db()
    assert (person.phone, list(person.sectors.all())) == ("13800000009", [])
    assert (last_event().verb, last_event().data) == ("person.update", {"fields": ["phone", "sectors"]})


def test_memberships_are_seated_and_ended_through_the_actions(client, root, village):
    council = create_organisation(actor=SYSTEM, name="议事会", kind="consultation_council", parent=village)
    person = add_person(actor=SYSTEM, name="王芳", gender="female", home=village)
    form = {
        "person": person.pk, "organisation": council.pk, "role": "member", "obtained": "ex_officio",
        "obtained_from": "", "sector": "", "start_date": "2024-01-01", "term_end": "", "end_date": "",
        "end_reason": "", "_save": "Save",
    }
    assert client.post("/admin/community/membership/add/", form).status_code == 302
    membership = Membership.objects.get(person=person)
    assert last_event().verb == "membership.add"
    client.post(f"/admin/community/membership/{membership.pk}/change/", {
        **form, "end_date": "2024-06-30", "end_reason": "Moved away",
    })
    membership.refresh_from_db()
    assert (str(membership.end_date), membership.end_reason) == ("2024-06-30", "Moved away")
    assert last_event().verb == "membership.end"


def test_sectors_have_no_action_but_are_still_audited(client, root):
    client.post("/admin/community/sector/add/", {"code": "veterans", "name": "老干部", "name_en": "Veterans", "_save": "Save"})
    sector = Sector.objects.get(code="veterans")
    event = last_event()
    assert (event.verb, event.target_id, event.data) == (
        "sector.add", str(sector.pk), {"fields": ["code", "name", "name_en"], "via": "admin"}
    )


def test_roles_are_granted_and_revoked_through_the_actions(client, root, village):
    handler = get_user_model().objects.create(username="li.handler")
    response = client.post("/admin/community/rolegrant/add/", {
        "user": handler.pk, "role": "handler", "organisation": village.pk, "_save": "Save",
    })
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=handler)
    assert (grant.granted_by, last_event().verb) == (root, "role.grant")
    response = client.post("/admin/community/rolegrant/", {
        "action": "revoke_selected", "_selected_action": [grant.pk],
    }, follow=True)
    assert "1 role was revoked." in page_text(response)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert last_event().verb == "role.revoke"


def test_nothing_is_deleted_from_the_admin(client, root, village):
    person = add_person(actor=SYSTEM, name="王芳", gender="female", home=village)
    council = create_organisation(actor=SYSTEM, name="议事会", kind="consultation_council", parent=village)
    membership = add_membership(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio")
    grant = grant_role(actor=SYSTEM, user=get_user_model().objects.create(username="h"), role=StaffRole.HANDLER, organisation=village)
    for model, pk in [("organisation", village.pk), ("person", person.pk), ("membership", membership.pk), ("rolegrant", grant.pk)]:
        assert client.get(f"/admin/community/{model}/{pk}/delete/").status_code == 403
    assert Organisation.objects.filter(pk=village.pk).exists()
