"""The organisations list: the tree of places with their bodies by kind, a kind filter, a name search, pages."""

import pytest

from tests.helpers import organisation, page_text
from tongxin.community.models import Organisation


@pytest.fixture
def tree(town) -> dict[str, Organisation]:
    city = town.parent
    organisation("同心镇党委", "Tongxin Party Committee", "party_committee", town)
    village = organisation("小寨村", "Xiaozhai Village", "village", town)
    branch = organisation("小寨村党支部", "Xiaozhai Party Branch", "party_branch", village)
    council = organisation("小寨村议事会", "Xiaozhai Council", "consultation_council", village)
    organisation("议事会办公室", "Council Office", "council_office", council)
    organisation("红袖章志愿队", "Red Armband Volunteers", "workgroup", branch)
    organisation("法律援助组", "Legal Aid Group", "workgroup", village)
    organisation("第一网格", "Grid One", "grid", village)
    organisation("大田村", "Datian Village", "village", town)
    return {"city": city, "town": town, "village": village}


def test_the_tree_nests_places_and_groups_their_bodies_by_kind(client, tree):
    response = client.get("/organisations/")
    assert response.status_code == 200
    assert page_text(response).split("The organisation tree ", 1)[1].startswith(
        "Linhai City City "
        "Tongxin Town Town Party committee Tongxin Party Committee "
        "Xiaozhai Village Village Party branch Xiaozhai Party Branch Consultation council Xiaozhai Council "
        "Council office Council Office Workgroup Legal Aid Group Red Armband Volunteers "
        "Grid One Grid "
        "Datian Village Village "
        "Tongxin"
    )
    content = response.content.decode()
    assert content.count('<ul class="tree">') == 1
    assert f'<a class="place-name" href="/organisations/{tree["village"].pk}/">Xiaozhai Village</a>' in content


def test_the_kind_filter_lists_only_that_kind_with_where_each_lies(client, tree):
    text = page_text(client.get("/organisations/", {"kind": "workgroup"}))
    # Sorted by the Chinese name: 法律援助组 before 红袖章志愿队.
    assert (
        "2 organisations found Legal Aid Group Workgroup Linhai City › Tongxin Town › Xiaozhai Village "
        "Red Armband Volunteers Workgroup Linhai City › Tongxin Town › Xiaozhai Village › Xiaozhai Party Branch Tongxin"
    ) in text
    assert "Datian Village" not in text


def test_the_search_finds_chinese_and_english_names(client, tree):
    assert "1 organisation found Xiaozhai Party Branch Party branch" in page_text(client.get("/organisations/", {"q": "党支部"}))
    text = page_text(client.get("/organisations/", {"q": "council"}))
    assert "2 organisations found" in text and "Xiaozhai Council" in text and "Council Office" in text
    assert "0 organisations found Nothing matches. Try part of the name, or another kind." in page_text(
        client.get("/organisations/", {"q": "不存在"})
    )


def test_search_and_kind_combine_and_an_unknown_kind_shows_the_whole_tree(client, tree):
    text = page_text(client.get("/organisations/", {"q": "Xiaozhai", "kind": "village"}))
    assert "1 organisation found Xiaozhai Village Village Linhai City › Tongxin Town" in text
    assert "The organisation tree" in page_text(client.get("/organisations/", {"kind": "castle"}))


def test_a_large_tree_is_paginated_and_each_page_says_where_it_starts(client, tree):
    for index in range(120):
        organisation(f"网格{index}", f"Grid {index:03d}", "grid", tree["village"])
    first = page_text(client.get("/organisations/"))
    assert "Page 1 of 2 Next page" in first
    second = client.get("/organisations/", {"page": 2})
    text = page_text(second)
    assert "Previous page Page 2 of 2" in text
    assert text.split("The organisation tree ", 1)[1].startswith("In Linhai City › Tongxin Town › Xiaozhai Village Grid ")
    assert 'href="?page=1"' in second.content.decode()


def test_the_filtered_pages_keep_the_filter(client, tree):
    for index in range(60):
        organisation(f"组{index}", f"Group {index}", "workgroup", tree["village"])
    content = client.get("/organisations/", {"kind": "workgroup"}).content.decode()
    assert 'href="?kind=workgroup&amp;page=2"' in content


def test_the_list_costs_the_same_few_queries_however_large(client, tree, django_assert_max_num_queries):
    for town_index in range(5):
        town = organisation(f"镇{town_index}", f"Town {town_index}", "town", tree["city"])
        for village_index in range(10):
            village = organisation(f"村{village_index}", f"Village {village_index}", "village", town)
            council = organisation("议事会", "Council", "consultation_council", village)
            organisation("办公室", "Office", "council_office", council)
            organisation("网格", "Grid", "grid", village)
    with django_assert_max_num_queries(8):
        response = client.get("/organisations/")
    assert "Page 1 of 2" in page_text(response)
    with django_assert_max_num_queries(5):
        client.get("/organisations/", {"kind": "council_office", "page": 2})
