"""The person page: current public seats for everyone, the personal record only for those allowed."""

import datetime

import pytest

from tests.factories import SectorFactory
from tests.helpers import JAN_1, SYSTEM, admin_of, make_account, organisation, page_text, sign_in
from tongxin.community.actions import add_membership, add_person, end_membership, grant_role
from tongxin.community.models import Organisation, Person, StaffRole

PHONE = "13800000001"


@pytest.fixture
def places(places) -> dict[str, Organisation]:
    """The community places, and the village committee the member once sat on."""
    committee = organisation("小寨村村委会", "Xiaozhai Village Committee", "village_committee", places["xiaozhai"])
    return {**places, "committee": committee}


@pytest.fixture
def member(places) -> Person:
    """A woman on the council now, formerly on the village committee."""
    person = add_person(
        actor=SYSTEM, name="李秀英", gender="female", home=places["xiaozhai"], party_status="non_party",
        birth_year=1968, phone=PHONE, sectors=[SectorFactory(code="women", name="妇女", name_en="Women")],
    )
    add_membership(actor=SYSTEM, person=person, organisation=places["council"], obtained="elected",
                   obtained_from=places["xiaozhai"], start_date=JAN_1)
    old = add_membership(actor=SYSTEM, person=person, organisation=places["committee"], role="vice_chair",
                         obtained="elected", obtained_from=places["xiaozhai"], start_date=datetime.date(2018, 5, 1))
    end_membership(actor=SYSTEM, membership=old, end_date=datetime.date(2021, 5, 1), reason="Term ended")
    return person


def test_the_public_sees_current_seats_only(client, member):
    response = client.get(member.get_absolute_url())
    text = page_text(response)
    assert response.status_code == 200
    assert "李秀英 Current seats Xiaozhai Council Member Tongxin" in text
    content = response.content.decode()
    for private in (PHONE, "1968", "Non-party", "Xiaozhai Village Committee", "Term ended", "Women", "Personal record"):
        assert private not in content


def test_an_admin_in_scope_sees_the_whole_record(client, places, member):
    own_account = make_account("li.xiuying")
    grant_role(actor=SYSTEM, user=own_account, role=StaffRole.HANDLER, organisation=places["xiaozhai"])
    Person.objects.filter(pk=member.pk).update(user=own_account)
    sign_in(client, admin_of(places["xiaozhai"], "xiaozhai.admin"))
    text = page_text(client.get(member.get_absolute_url()))
    assert "Edit this record" in text
    assert (
        "Personal record Shown only to the person and to the staff responsible for them. "
        f"Mobile phone {PHONE} Year of birth 1968 Gender Female Party status Non-party "
        "Home village or community Xiaozhai Village Sectors Women"
    ) in text
    assert (
        "All memberships Organisation Role How obtained Term "
        "Xiaozhai Council Member Elected by Xiaozhai Village since Jan. 1, 2024 "
        "Xiaozhai Village Committee Vice-chair Elected by Xiaozhai Village May 1, 2018 to May 1, 2021 (Term ended)"
    ) in text
    assert "Staff roles Case handler over Xiaozhai Village" in text


def test_the_person_reads_their_own_record(client, member):
    account = make_account("li.xiuying")
    Person.objects.filter(pk=member.pk).update(user=account)
    sign_in(client, account)
    text = page_text(client.get(member.get_absolute_url()))
    assert f"Mobile phone {PHONE}" in text
    assert "Edit this record" not in text
    assert "Staff roles None" in text


def test_an_admin_of_another_village_sees_only_the_public_part(client, places, member):
    sign_in(client, admin_of(places["datian"], "datian.admin"))
    response = client.get(member.get_absolute_url())
    assert response.status_code == 200
    assert PHONE not in response.content.decode()
    assert "Personal record" not in page_text(response)


def test_a_resident_without_a_seat_has_no_public_page(client, places):
    resident = add_person(actor=SYSTEM, name="张三", gender="male", home=places["xiaozhai"], phone="13800000002")
    assert client.get(resident.get_absolute_url()).status_code == 404
    sign_in(client, admin_of(places["datian"], "datian.admin"))
    assert client.get(resident.get_absolute_url()).status_code == 404
    sign_in(client, admin_of(places["town"], "town.admin"))
    response = client.get(resident.get_absolute_url())
    assert response.status_code == 200
    assert "Current seats Holds no seat at present." in page_text(response)
    assert "13800000002" in response.content.decode()


def test_someone_whose_seats_all_ended_has_no_public_page(client, places, member):
    current = member.memberships.get(end_date__isnull=True)
    end_membership(actor=SYSTEM, membership=current, end_date=datetime.date(2024, 6, 1))
    assert client.get(member.get_absolute_url()).status_code == 404


def test_the_other_form_of_the_name_shows_under_it_in_its_own_language(client, places):
    person = add_person(actor=SYSTEM, name="王建国", name_latin="Wang Jianguo", gender="male", home=places["xiaozhai"])
    add_membership(actor=SYSTEM, person=person, organisation=places["council"], obtained="joined", start_date=JAN_1)
    content = client.get(person.get_absolute_url()).content.decode()
    assert '<h1>Wang Jianguo</h1>\n  <p class="other-name" lang="zh-Hans">王建国</p>' in content
    client.cookies["django_language"] = "zh-hans"
    content = client.get(person.get_absolute_url()).content.decode()
    assert '<h1>王建国</h1>\n  <p class="other-name" lang="en">Wang Jianguo</p>' in content


def test_a_name_kept_only_in_chinese_is_marked_as_chinese(client, member):
    content = client.get(member.get_absolute_url()).content.decode()
    assert '<h1 lang="zh-Hans">李秀英</h1>' in content
    assert 'class="other-name"' not in content
