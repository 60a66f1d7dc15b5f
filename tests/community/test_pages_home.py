"""The home page: what Tongxin is, the towns and their villages, the numbers, and a way in."""

import datetime

import pytest

from tests.helpers import SYSTEM, make_account, organisation, page_text
from tongxin.community.actions import add_membership, add_person, update_organisation
from tongxin.community.models import Organisation


@pytest.fixture
def county(town) -> dict[str, Organisation]:
    city, tongxin = town.parent, town
    street = organisation("古城街道", "Gucheng Street", "street", city)
    xiaozhai = organisation("小寨村", "Xiaozhai Village", "village", tongxin)
    organisation("大田村", "Datian Village", "village", tongxin)
    organisation("溪口社区", "Xikou Community", "community", street)
    organisation("第一网格", "Grid One", "grid", xiaozhai)
    council = organisation("小寨村议事会", "Xiaozhai Council", "consultation_council", xiaozhai)
    town_council = organisation("同心镇议事会", "Tongxin Council", "consultation_council", tongxin)
    organisation("法律援助组", "Legal Aid Group", "workgroup", xiaozhai)
    people = [add_person(actor=SYSTEM, name=f"村民{index}", gender="male", home=xiaozhai) for index in range(3)]
    for person in people:
        add_membership(actor=SYSTEM, person=person, organisation=council, obtained="ex_officio")
    # One person on both councils counts once.
    add_membership(actor=SYSTEM, person=people[0], organisation=town_council, obtained="ex_officio")
    return {"city": city, "tongxin": tongxin, "xiaozhai": xiaozhai}


def test_home_says_what_tongxin_is_and_lists_towns_with_their_villages(client, county):
    response = client.get("/")
    text = page_text(response)
    assert response.status_code == 200
    assert (
        "Tongxin gives every resident an open, permanent and safe way to be heard and to get an answer. "
        "Consultation councils deliberate and decide in the open, and everyone can see what was asked, decided and done."
    ) in text
    assert (
        "Towns and their villages Tongxin Town Xiaozhai Village Datian Village Gucheng Street Xikou Community"
    ) in text
    content = response.content.decode()
    assert f'<a href="{county["xiaozhai"].get_absolute_url()}">Xiaozhai Village</a>' in content
    assert "Grid One" not in text


def test_home_counts_villages_councils_council_members_and_workgroups(client, county):
    text = page_text(client.get("/"))
    assert "In numbers Villages and communities 3 Consultation councils 2 Council members 3 Workgroups 1" in text


def test_dissolved_villages_are_neither_listed_nor_counted(client, county):
    update_organisation(actor=SYSTEM, organisation=county["xiaozhai"], dissolved_on=datetime.date(2024, 1, 1))
    text = page_text(client.get("/"))
    assert "Xiaozhai Village" not in text
    assert "Villages and communities 2" in text


def test_home_offers_sign_in_to_visitors_and_my_page_to_members(client, county):
    assert '<a class="button primary" href="/accounts/login/">Sign in</a>' in client.get("/").content.decode()
    client.force_login(make_account("resident"))
    assert '<a class="button primary" href="/accounts/me/">My page</a>' in client.get("/").content.decode()


def test_home_reads_in_chinese(client, county):
    client.cookies["django_language"] = "zh-hans"
    content = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in content
    assert ">小寨村</a>" in content and ">同心镇</a>" in content


def test_an_empty_site_says_so(client, db):
    assert "No towns are recorded yet." in page_text(client.get("/"))


def test_home_stays_within_a_few_queries(client, county, django_assert_max_num_queries):
    for index in range(30):
        organisation(f"村{index}", f"Village {index}", "village", county["tongxin"])
    with django_assert_max_num_queries(6):
        client.get("/")


def test_each_language_is_marked_and_the_switch_is_a_button(client, county):
    content = client.get("/").content.decode()
    assert '<html lang="en">' in content
    # The Chinese name inside the English footer, and the switch to Chinese, are read as Chinese.
    assert 'Tongxin (<span lang="zh-Hans">同心</span>, “of one heart”)' in content
    assert '<button type="submit" name="language" value="zh-hans" lang="zh-Hans">中文</button>' in content
    assert '<a class="brand" href="/" aria-current="page">Tongxin</a>' in content
    assert '<a href="/organisations/">Organisations</a>' in content
    assert '<a href="/organisations/" aria-current="page">Organisations</a>' in client.get("/organisations/").content.decode()
