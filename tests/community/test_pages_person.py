"""The person page: current public seats for everyone, the personal record only for those allowed."""

import datetime
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.community.actions import add_membership, add_person, create_organisation, end_membership, grant_role
from tongxin.community.models import Organisation, Person, StaffRole
from tongxin.core.actors import SystemActor
from tests.factories import SectorFactory

SYSTEM = SystemActor("test")


def make_account(username: str = ""):
    """An account without a password: tests sign in with force_login, and skip the slow hashing."""
    User = get_user_model()
    return User.objects.create(username=username or f"account{User.objects.count() + 1}")
JAN_1 = datetime.date(2024, 1, 1)
PHONE = "13800000001"


def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, whitespace collapsed."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def sign_in(client: Client, user) -> None:
    """A session as after password and second factor: staff pages need both."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def organisation(name: str, name_en: str, kind: str, parent: Organisation | None) -> Organisation:
    return create_organisation(actor=SYSTEM, name=name, name_en=name_en, kind=kind, parent=parent)


@pytest.fixture
def places(db) -> dict[str, Organisation]:
    city = organisation("临海市", "Linhai City", "city", None)
    town = organisation("同心镇", "Tongxin Town", "town", city)
    xiaozhai = organisation("小寨村", "Xiaozhai Village", "village", town)
    return {
        "town": town,
        "xiaozhai": xiaozhai,
        "datian": organisation("大田村", "Datian Village", "village", town),
        "council": organisation("小寨村议事会", "Xiaozhai Council", "consultation_council", xiaozhai),
        "committee": organisation("小寨村村委会", "Xiaozhai Village Committee", "village_committee", xiaozhai),
    }


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


def admin_of(place: Organisation, username: str):
    account = make_account(username)
    grant_role(actor=SYSTEM, user=account, role=StaffRole.ADMIN, organisation=place)
    return account


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
