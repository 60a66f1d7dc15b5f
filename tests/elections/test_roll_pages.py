"""The roll page and its API twin: public once published, sorted by name, counted with reasons,
paged for a large village, with the election committee's controls; in Chinese as in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.api.conftest import token_for
from tests.helpers import page_text, sign_in
from tongxin.community.models import Gender, Person
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.roll import build_roll, exclude_from_roll
from tongxin.elections.models import Election, Exclusion, Phase, RollEntry

from .conftest import Village
from .test_roll_building import (
    branch_election,
    entry,
    pass_objection_period,
    published,
    village_election,
)

pytestmark = pytest.mark.django_db


def roll_url(election: Election) -> str:
    return f"/elections/{election.pk}/roll/"


def names_in_order(text: str, names: list[str]) -> list[str]:
    return sorted(names, key=text.index)


# ---- reading the roll ------------------------------------------------------------------------


def test_the_published_roll_is_public_sorted_by_name_and_counted(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    response = client.get(roll_url(election))
    assert response.status_code == 200
    text = page_text(response)
    assert "May vote 12 Listed, may not vote 1 Probationary party member: 1" in text
    names = [person.name for person in village.members] + ["钱预备"]
    assert names_in_order(text, names) == sorted(names)
    assert "钱预备 No. " in text and "Probationary party member" in text
    assert "Publish the roll" not in text and "Exclude" not in text


def test_a_draft_roll_is_the_committees_alone(village: Village, client: Client) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    assert client.get(roll_url(election)).status_code == 404
    sign_in(client, village.account("member03"))
    assert client.get(roll_url(election)).status_code == 404
    sign_in(client, village.committee)
    text = page_text(client.get(roll_url(election)))
    assert "The roll is being prepared: only the election committee sees it until it is published." in text
    assert "Rebuild the roll" in text and "Publish the roll" in text


def test_a_voter_sees_their_own_standing(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    sign_in(client, village.account("probationary"))
    text = page_text(client.get(roll_url(election)))
    assert "You are listed, but may not vote: Probationary party member. Object to this" in text
    sign_in(client, village.account("member03"))
    assert "You are on the roll and may vote." in page_text(client.get(roll_url(election)))


def test_the_roll_filters_and_finds_by_name(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    excluded = page_text(client.get(roll_url(election), {"show": "excluded"}))
    assert "钱预备" in excluded and "王芳" not in excluded
    found = page_text(client.get(roll_url(election), {"find": "王"}))
    assert "王芳" in found and "钱预备" not in found


def test_a_roll_of_ten_thousand_villagers_is_paged_at_a_fixed_cost(
    village: Village, client: Client, django_assert_max_num_queries
) -> None:
    Person.objects.bulk_create(
        Person(name=f"村民{number:05d}", gender=Gender.MALE, home=village.village, birth_year=1960 + number % 40)
        for number in range(10_000 - 33)
    )
    election = published(village, village_election(village))
    assert RollEntry.objects.filter(election=election).count() == 10_000
    sign_in(client, village.village_committee_runner)
    with django_assert_max_num_queries(12):
        response = client.get(roll_url(election), {"page": "3"})
    text = page_text(response)
    assert "May vote 10000" in text
    assert "Page 3 of 100" in text
    assert text.count(" No. ") == 100
    sign_in(client, village.account("villager01"))
    with django_assert_max_num_queries(14):
        client.get(roll_url(election))


def test_the_roll_reads_in_chinese(village: Village, client: Client, settings) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    election = published(village, branch_election(village))
    with translation.override("zh-hans"):
        response = client.get(roll_url(election), headers={"accept-language": "zh-hans"})
    assert '<html lang="zh-Hans">' in response.content.decode()
    text = page_text(response)
    assert "小寨村党支部委员会换届选举 · 小寨村党支部" in text
    assert "钱预备" in text and "预备党员" in text
    assert names_in_order(text, ["李书记", "王芳", "张伟"]) == ["张伟", "李书记", "王芳"]  # by code point


# ---- the committee's controls -------------------------------------------------------------


def test_the_committee_builds_excludes_restores_and_publishes_from_the_page(village: Village, client: Client) -> None:
    election = branch_election(village)
    sign_in(client, village.committee)
    built = client.post(f"/elections/{election.pk}/roll/build/", follow=True)
    assert "The roll is built: 13 added, 0 changed, 0 removed, 0 kept" in page_text(built)
    target = entry(election, village, "member05")
    form = page_text(client.get(f"/elections/{election.pk}/roll/{target.pk}/exclude/"))
    assert "Exclude 陈静 from the roll" in form and "Detained or arrested" in form
    response = client.post(f"/elections/{election.pk}/roll/{target.pk}/exclude/", {"reason": Exclusion.DETAINED})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.excluded == Exclusion.DETAINED
    client.post(f"/elections/{election.pk}/roll/{target.pk}/restore/")
    target.refresh_from_db()
    assert target.eligible
    published_page = client.post(f"/elections/{election.pk}/roll/publish/", follow=True)
    assert "The roll is published and open to objection." in page_text(published_page)
    election.refresh_from_db()
    assert election.phase == Phase.ROLL


def test_a_member_posting_the_committees_controls_gets_403_and_nothing_changes(
    village: Village, client: Client
) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    target = entry(election, village, "member05")
    sign_in(client, village.account("member01"))
    assert client.post(f"/elections/{election.pk}/roll/build/").status_code == 404  # a draft is not public
    election = published(village, election)
    events = AuditEvent.objects.count()
    for url, data in (
        (f"/elections/{election.pk}/roll/{target.pk}/exclude/", {"reason": Exclusion.DETAINED}),
        (f"/elections/{election.pk}/roll/{target.pk}/restore/", {}),
        (f"/elections/{election.pk}/roll/publish/", {}),
        (f"/elections/{election.pk}/open-nominations/", {}),
    ):
        assert client.post(url, data).status_code == 403
    target.refresh_from_db()
    election.refresh_from_db()
    assert (target.excluded, election.phase, AuditEvent.objects.count()) == ("", Phase.ROLL, events)


def test_a_publication_that_fails_says_why_on_the_page(village: Village, client: Client) -> None:
    election = branch_election(village)
    sign_in(client, village.committee)
    response = client.post(f"/elections/{election.pk}/roll/publish/", follow=True)
    assert "Nobody on the roll may vote: build the roll first." in page_text(response)


def test_the_committee_opens_nominations_from_the_roll_page(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    pass_objection_period(election)
    sign_in(client, village.committee)
    response = client.post(f"/elections/{election.pk}/open-nominations/", {"back": "roll"})
    assert response["Location"] == roll_url(election)
    election.refresh_from_db()
    assert election.phase == Phase.NOMINATION


# ---- the API -------------------------------------------------------------------------------


def test_the_roll_through_the_api(village: Village, client: Client, django_assert_max_num_queries) -> None:
    election = published(village, branch_election(village))
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/elections/{election.pk}/roll", {"limit": 5})
    body = response.json()
    assert body["count"] == 13
    assert [item["name"] for item in body["items"]] == ["刘洋", "吴刚", "周丽", "孙涛", "张伟"]
    excluded = client.get(f"/api/v1/elections/{election.pk}/roll", {"eligible": "false"}).json()
    probationary = entry(election, village, "probationary")
    assert excluded["items"] == [
        {
            "id": probationary.pk, "person": village.probationary.pk, "name": "钱预备", "eligible": False,
            "excluded": "probationary", "excluded_label": "Probationary party member", "added_by_objection": False,
        }
    ]


def test_a_draft_roll_through_the_api_is_404_for_a_member(village: Village, client: Client) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    member = token_for(village.account("member03"))
    assert client.get(f"/api/v1/elections/{election.pk}/roll", headers=member.headers).status_code == 404


def test_building_and_publishing_through_the_api(village: Village, client: Client) -> None:
    election = branch_election(village)
    committee = token_for(village.committee)
    built = client.post(f"/api/v1/elections/{election.pk}/roll/build", headers=committee.headers)
    assert built.json() == {"added": 13, "updated": 0, "removed": 0, "kept": 0}
    target = entry(election, village, "member06")
    excluded = client.post(
        f"/api/v1/elections/{election.pk}/roll/{target.pk}/exclude", {"reason": "detained"},
        content_type="application/json", headers=committee.headers,
    )
    assert (excluded.json()["excluded"], excluded.json()["excluded_label"]) == ("detained", "Detained or arrested")
    restored = client.post(f"/api/v1/elections/{election.pk}/roll/{target.pk}/restore", headers=committee.headers)
    assert restored.json()["eligible"] is True
    response = client.post(f"/api/v1/elections/{election.pk}/roll/publish", headers=committee.headers)
    assert response.status_code == 200
    assert (response.json()["phase"], response.json()["roll_published_on"]) == (
        "roll", timezone.localdate().isoformat(),
    )
    again = client.post(f"/api/v1/elections/{election.pk}/roll/publish", headers=committee.headers)
    assert again.status_code == 409
    early = client.post(f"/api/v1/elections/{election.pk}/open-nominations", headers=committee.headers)
    assert early.status_code == 409
    pass_objection_period(election)
    opened = client.post(f"/api/v1/elections/{election.pk}/open-nominations", headers=committee.headers)
    assert (opened.status_code, opened.json()["phase"]) == (200, "nomination")


def test_a_member_publishing_through_the_api_gets_403_and_nothing_changes(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    pass_objection_period(election)
    member = token_for(village.account("member01"))
    events = AuditEvent.objects.count()
    target = entry(election, village, "member06")
    assert client.post(f"/api/v1/elections/{election.pk}/open-nominations", headers=member.headers).status_code == 403
    response = client.post(
        f"/api/v1/elections/{election.pk}/roll/{target.pk}/exclude", {"reason": "detained"},
        content_type="application/json", headers=member.headers,
    )
    assert response.status_code == 403
    election.refresh_from_db()
    target.refresh_from_db()
    assert (election.phase, target.excluded, AuditEvent.objects.count()) == (Phase.ROLL, "", events)


def test_excluding_by_hand_on_a_published_roll_is_shown(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    exclude_from_roll(actor=village.committee, entry=entry(election, village, "member06"), reason=Exclusion.DETAINED)
    text = page_text(client.get(roll_url(election)))
    assert "May vote 11 Listed, may not vote 2 Probationary party member: 1 Detained or arrested: 1" in text
