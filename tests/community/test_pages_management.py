"""The management pages, used by an administrator in scope: each calls its action and shows its refusals."""

import datetime

import pytest

from tests.factories import SectorFactory
from tests.helpers import JAN_1, SYSTEM, admin_of, make_account, organisation, page_text, sign_in
from tongxin.community.actions import add_membership, add_person, grant_role
from tongxin.community.models import Membership, Organisation, Person, RoleGrant, StaffRole
from tongxin.core.models import AuditEvent


@pytest.fixture
def resident(places) -> Person:
    return add_person(actor=SYSTEM, name="王芳", gender="female", home=places["xiaozhai"], phone="13800000001", birth_year=1970)


@pytest.fixture
def admin(client, places):
    """The signed-in administrator of Xiaozhai Village."""
    account = admin_of(places["xiaozhai"], "xiaozhai.admin")
    sign_in(client, account)
    return account


def events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb))


# Editing and creating organisations


def test_edit_organisation_saves_names_and_composition_numbers(client, places, admin):
    council = places["council"]
    url = f"/organisations/{council.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200
    assert "Edit Xiaozhai Council" in page_text(form)
    assert "The composition rules now: Village consultation council" in page_text(form)
    response = client.post(url, {
        "name": "小寨村民主协商议事会", "name_en": "Xiaozhai Consultation Council", "formation": "constituted",
        "composition_rule_set": "village_consultation_council", "composition_overrides": "min_members = 25",
    }, follow=True)
    assert response.redirect_chain == [(council.get_absolute_url(), 302)]
    assert "The changes were saved." in page_text(response)
    council.refresh_from_db()
    assert (council.name, council.name_en, council.composition_overrides) == (
        "小寨村民主协商议事会", "Xiaozhai Consultation Council", {"min_members": 25}
    )
    assert events("organisation.update")[0].data["after"]["composition_overrides"] == {"min_members": 25}


def test_edit_organisation_shows_refusals_as_form_errors(client, places, admin):
    url = f"/organisations/{places['council'].pk}/edit/"
    base = {"name": "小寨村议事会", "name_en": "Xiaozhai Council"}
    unreadable = client.post(url, {**base, "composition_overrides": "oops"})
    assert "Write each line as name = value: “oops” is not." in page_text(unreadable)
    refused = client.post(url, {**base, "composition_overrides": "min_members = many"})
    assert refused.status_code == 200
    assert (
        '<div class="form-problem" role="alert"><ul class="errorlist nonfield"><li>'
        "“min_members” must be a whole number, or null to switch the rule off; &quot;many&quot; is not.</li></ul></div>"
    ) in refused.content.decode()
    assert events("organisation.update") == []


def test_saving_an_unchanged_organisation_changes_nothing(client, places, admin):
    response = client.post(f"/organisations/{places['council'].pk}/edit/", {"name": "小寨村议事会", "name_en": "Xiaozhai Council"}, follow=True)
    assert "Nothing was changed." in page_text(response)
    assert events("organisation.update") == []


def test_create_a_body_under_a_village(client, places, admin):
    village = places["xiaozhai"]
    assert "Add a body or place under Xiaozhai Village" in page_text(client.get(f"/organisations/{village.pk}/new/"))
    response = client.post(f"/organisations/{village.pk}/new/", {
        "kind": "workgroup", "name": "法律援助组", "name_en": "Legal Aid Group",
        "formation": "appointed", "approved_by": places["council"].pk,
    }, follow=True)
    group = Organisation.objects.get(name="法律援助组")
    assert response.redirect_chain == [(group.get_absolute_url(), 302)]
    assert "Legal Aid Group was created." in page_text(response)
    assert (group.parent, group.approved_by, group.path) == (village, places["council"], f"{village.path}{group.pk}/")
    assert events("organisation.create")[-1].actor_label == "xiaozhai.admin"


def test_create_shows_the_actions_refusal(client, places, admin):
    count = Organisation.objects.count()
    response = client.post(f"/organisations/{places['council'].pk}/new/", {"kind": "grid", "name": "网格"})
    assert "A place can only lie inside another place." in page_text(response)
    assert Organisation.objects.count() == count


def test_answers_to_offers_only_organisations_around_this_one(client, places, admin):
    content = client.get(f"/organisations/{places['xiaozhai'].pk}/new/").content.decode()
    assert f'<option value="{places["council"].pk}">Xiaozhai Council</option>' in content
    assert f'<option value="{places["town"].pk}">Tongxin Town</option>' in content
    assert "Datian Village</option>" in content  # a sibling under the town: the town's own level
    far = organisation("远村", "Far Village", "village", organisation("远镇", "Far Town", "town", places["town"].parent))
    assert "Far Village" not in client.get(f"/organisations/{places['xiaozhai'].pk}/new/").content.decode()
    assert far.pk


# People


def test_add_a_person_to_the_village(client, places, admin):
    village = places["xiaozhai"]
    sector = SectorFactory(code="women", name="妇女", name_en="Women")
    response = client.post(f"/organisations/{village.pk}/people/new/", {
        "name": "李秀英", "gender": "female", "party_status": "non_party", "birth_year": "1968",
        "phone": "139 0000 0002", "sectors": [sector.pk],
    }, follow=True)
    person = Person.objects.get(name="李秀英")
    assert response.redirect_chain == [(person.get_absolute_url(), 302)]
    assert "李秀英 was added." in page_text(response)
    assert (person.home, person.phone, person.birth_year, list(person.sectors.all())) == (village, "13900000002", 1968, [sector])
    assert events("person.add")[-1].data == {"home": village.pk}


def test_add_person_shows_a_taken_phone_number(client, places, admin, resident):
    response = client.post(f"/organisations/{places['xiaozhai'].pk}/people/new/", {
        "name": "李秀英", "gender": "female", "party_status": "non_party", "phone": "13800000001",
    })
    assert "Another person already has this phone number." in page_text(response)
    assert not Person.objects.filter(name="李秀英").exists()


def test_a_form_lists_its_problems_first_each_linked_to_its_field(client, places, admin):
    response = client.post(f"/organisations/{places['xiaozhai'].pk}/people/new/", {"party_status": "non_party"})
    content = response.content.decode()
    assert (
        '<div class="form-problem" role="alert">'
        '<p class="field-problem"><a href="#id_name">Name: This field is required.</a></p>'
        '<p class="field-problem"><a href="#id_gender">Gender: This field is required.</a></p></div>'
    ) in content
    # Each field names its own message too, so a screen reader hears it on the field.
    assert 'aria-describedby="id_name_error"' in content and 'aria-invalid="true"' in content
    assert events("person.add") == [] and not Person.objects.exists()


def test_edit_a_person_records_the_fields_changed(client, places, admin, resident):
    url = f"/people/{resident.pk}/edit/"
    form = client.get(url)
    assert 'value="13800000001"' in form.content.decode()
    response = client.post(url, {
        "name": "王芳", "gender": "female", "party_status": "probationary", "birth_year": "1970",
        "phone": "13800000009", "home": places["xiaozhai"].pk,
    }, follow=True)
    assert "The changes were saved." in page_text(response)
    resident.refresh_from_db()
    assert (resident.phone, resident.party_status) == ("13800000009", "probationary")
    assert events("person.update")[-1].data == {"fields": ["party_status", "phone"]}


def test_a_person_can_only_be_moved_to_a_village_the_admin_manages(client, places, admin, resident):
    content = client.get(f"/people/{resident.pk}/edit/").content.decode()
    assert "Datian Village" not in content
    response = client.post(f"/people/{resident.pk}/edit/", {
        "name": "王芳", "gender": "female", "party_status": "non_party", "home": places["datian"].pk,
    })
    assert "Select a valid choice. That choice is not one of the available choices." in page_text(response)
    resident.refresh_from_db()
    assert resident.home == places["xiaozhai"]


# Members


def test_add_member_lists_the_people_of_the_place_and_seats_one(client, places, admin, resident):
    stranger = add_person(actor=SYSTEM, name="赵六", gender="male", home=places["datian"])
    council = places["council"]
    url = f"/organisations/{council.pk}/members/new/"
    form = client.get(url)
    content = form.content.decode()
    assert "Listed: people living here. Search by name or phone to find someone else." in page_text(form)
    assert f'<option value="{resident.pk}">王芳 (1970, Xiaozhai Village)</option>' in content
    assert "赵六" not in content
    response = client.post(url, {
        "person": resident.pk, "role": "member", "obtained": "elected", "obtained_from": places["xiaozhai"].pk,
        "start_date": "2024-01-01", "term_end": "2029-01-01",
    }, follow=True)
    assert response.redirect_chain == [(council.get_absolute_url(), 302)]
    assert "王芳 now sits in Xiaozhai Council." in page_text(response)
    membership = Membership.objects.get(person=resident)
    assert (membership.organisation, membership.obtained_from, membership.term_end) == (
        council, places["xiaozhai"], datetime.date(2029, 1, 1)
    )
    assert events("membership.add")[-1].actor_label == "xiaozhai.admin"
    refused = client.post(url, {"person": stranger.pk, "role": "member", "obtained": "ex_officio"})
    assert "Select a valid choice. That choice is not one of the available choices." in page_text(refused)


def test_add_member_search_and_its_htmx_partial(client, places, admin, resident):
    add_person(actor=SYSTEM, name="王强", gender="male", home=places["xiaozhai"])
    url = f"/organisations/{places['council'].pk}/members/new/"
    text = page_text(client.get(url, {"q": "芳"}))
    assert "1 person matches “芳”." in text
    partial = client.get(url, {"q": "王"}, HTTP_HX_REQUEST="true")
    content = partial.content.decode()
    assert content.strip().startswith('<div id="person-field" class="person-choices">')
    assert "<html" not in content
    assert "2 people match “王”." in page_text(partial)
    by_phone = page_text(client.get(url, {"q": "0000 0001"}))
    assert "1 person matches “0000 0001”." in by_phone


def test_add_member_shows_the_actions_refusal(client, places, admin, resident):
    add_membership(actor=SYSTEM, person=resident, organisation=places["council"], obtained="ex_officio", start_date=JAN_1)
    response = client.post(f"/organisations/{places['council'].pk}/members/new/", {
        "person": resident.pk, "role": "member", "obtained": "ex_officio",
    })
    assert "王芳 already has a seat in Xiaozhai Council." in page_text(response)
    assert Membership.objects.count() == 1


def test_end_a_membership_with_a_reason(client, places, admin, resident):
    membership = add_membership(actor=SYSTEM, person=resident, organisation=places["council"], obtained="ex_officio", start_date=JAN_1)
    url = f"/memberships/{membership.pk}/end/"
    assert "End the seat of 王芳 in Xiaozhai Council" in page_text(client.get(url))
    early = client.post(url, {"end_date": "2023-12-31", "reason": "Moved away"})
    assert "A membership cannot end before it starts." in page_text(early)
    response = client.post(url, {"end_date": "2024-06-30", "reason": "Moved away"}, follow=True)
    assert "王芳 no longer sits in Xiaozhai Council." in page_text(response)
    membership.refresh_from_db()
    assert (membership.end_date, membership.end_reason) == (datetime.date(2024, 6, 30), "Moved away")
    again = client.post(url, {"end_date": "2024-07-01"})
    assert "This membership has already ended." in page_text(again)
    assert len(events("membership.end")) == 1


def test_the_council_page_links_each_seat_to_its_end_page(client, places, admin, resident):
    membership = add_membership(actor=SYSTEM, person=resident, organisation=places["council"], obtained="ex_officio", start_date=JAN_1)
    content = client.get(places["council"].get_absolute_url()).content.decode()
    assert f'<a class="action-link" href="/memberships/{membership.pk}/end/">End membership<span class="visually-hidden"> 王芳</span></a>' in content


# Staff roles


def test_grant_a_role_by_username_and_revoke_it(client, places, admin):
    village = places["xiaozhai"]
    handler = make_account("li.handler")
    url = f"/organisations/{village.pk}/roles/"
    response = client.post(url, {"username": "Li.Handler", "role": "handler"}, follow=True)
    assert "li.handler now holds this role." in page_text(response)
    grant = RoleGrant.objects.get(user=handler)
    assert (grant.role, grant.organisation, grant.granted_by) == ("handler", village, admin)
    assert "li.handler Case handler Xiaozhai Village" in page_text(response)
    duplicate = client.post(url, {"username": "li.handler", "role": "handler"})
    assert "This account already holds this role here." in page_text(duplicate)
    unknown = client.post(url, {"username": "nobody", "role": "handler"})
    assert "No account has the username “nobody”." in page_text(unknown)

    confirm = client.get(f"/roles/{grant.pk}/revoke/")
    assert "li.handler will no longer be Case handler over Xiaozhai Village." in page_text(confirm)
    revoked = client.post(f"/roles/{grant.pk}/revoke/", {"next": url}, follow=True)
    assert revoked.redirect_chain == [(url, 302)]
    assert "The role was revoked." in page_text(revoked)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    again = client.post(f"/roles/{grant.pk}/revoke/")
    assert "This role has already been revoked." in page_text(again)
    assert [event.verb for event in AuditEvent.objects.filter(verb__startswith="role.")].count("role.revoke") == 1


def test_revoke_never_redirects_off_the_site(client, places, admin):
    grant = grant_role(actor=SYSTEM, user=make_account(), role=StaffRole.HANDLER, organisation=places["xiaozhai"])
    response = client.post(f"/roles/{grant.pk}/revoke/", {"next": "https://example.com/"})
    assert response["Location"] == f"/organisations/{places['xiaozhai'].pk}/roles/"


def test_a_town_admin_manages_the_villages_below(client, places, resident):
    account = make_account("town.admin")
    grant_role(actor=SYSTEM, user=account, role=StaffRole.ADMIN, organisation=places["town"])
    sign_in(client, account)
    response = client.post(f"/organisations/{places['datian'].pk}/people/new/", {"name": "赵六", "gender": "male", "party_status": "non_party"})
    assert response.status_code == 302
    assert Person.objects.get(name="赵六").home == places["datian"]
