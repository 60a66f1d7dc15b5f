"""Written proxies (village rule): where they are allowed, their limits, and their publication."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.api.conftest import token_for
from tests.helpers import page_text, sign_in
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.roll import exclude_from_roll, register_proxy, revoke_proxy
from tongxin.elections.models import Election, Exclusion, Proxy

from .conftest import Village
from .test_roll_building import branch_election, entry, published, village_election

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(village: Village) -> Election:
    """The village committee election, its roll published; each holder may hold 2 proxies."""
    return published(village, village_election(village, proxy_limit=2))


def proxy(village: Village, election: Election, principal: str, holder: str, relation: str = "儿子") -> Proxy:
    return register_proxy(
        actor=village.village_committee_runner, election=election, principal=entry(election, village, principal),
        holder=entry(election, village, holder), relation=relation,
    )


def refused(village: Village, election: Election, principal: str, holder: str) -> ActionError:
    with pytest.raises(ActionError) as error:
        proxy(village, election, principal, holder)
    return error.value


def test_a_proxy_is_registered_and_audited(village: Village, election: Election) -> None:
    registered = proxy(village, election, "villager01", "villager02", relation="配偶")
    assert (registered.principal.person.name, registered.holder.person.name, registered.relation) == (
        "村民01", "村民02", "配偶",
    )
    assert registered.registered_by == village.village_committee_runner
    event = AuditEvent.objects.filter(verb="election.proxy.register").get()
    assert event.data == {
        "proxy": registered.pk, "principal": village.person("villager01").pk,
        "holder": village.person("villager02").pk, "relation": "配偶",
    }


def test_a_holder_holds_no_more_than_the_limit(village: Village, election: Election) -> None:
    proxy(village, election, "villager01", "villager05")
    proxy(village, election, "villager02", "villager05")
    error = refused(village, election, "villager03", "villager05")
    assert (error.status, error.message) == (409, "村民05 holds 2 proxies already, the most this election allows.")
    assert Proxy.objects.count() == 2


def test_one_proxy_per_principal_and_nobody_both_gives_and_holds(village: Village, election: Election) -> None:
    proxy(village, election, "villager01", "villager02")
    assert refused(village, election, "villager01", "villager03").message == "村民01 has given a proxy already."
    assert refused(village, election, "villager02", "villager03").message == "村民02 holds proxies, and so cannot give one."
    assert refused(village, election, "villager04", "villager01").message == (
        "村民01 has given their own proxy, and so cannot hold one."
    )
    assert refused(village, election, "villager04", "villager04").message == "Nobody can hold their own proxy."


def test_both_must_be_eligible(village: Village, election: Election) -> None:
    exclude_from_roll(
        actor=village.village_committee_runner, entry=entry(election, village, "villager03"),
        reason=Exclusion.REGISTERED_ELSEWHERE,
    )
    assert refused(village, election, "villager03", "villager04").message == (
        "村民03 may not vote in this election, so cannot give or hold a proxy."
    )


def test_an_exclusion_lapses_the_proxies_of_the_person(village: Village, election: Election) -> None:
    given = proxy(village, election, "villager01", "villager02")
    exclude_from_roll(
        actor=village.village_committee_runner, entry=entry(election, village, "villager02"), reason=Exclusion.DETAINED,
    )
    assert Proxy.objects.count() == 0
    assert AuditEvent.objects.filter(verb="election.roll.exclude").get().data["proxies_lapsed"] == [given.pk]


def test_a_party_branch_allows_no_proxies(village: Village) -> None:
    election = published(village, branch_election(village))
    with pytest.raises(ActionError) as error:
        register_proxy(
            actor=village.committee, election=election, principal=entry(election, village, "member04"),
            holder=entry(election, village, "member05"), relation="配偶",
        )
    assert (error.value.status, error.value.message) == (409, "This election allows no proxies.")


def test_no_proxy_once_voting_has_opened(village: Village, election: Election) -> None:
    Election.objects.filter(pk=election.pk).update(voting_opens_at=timezone.now() - datetime.timedelta(minutes=1))
    election.refresh_from_db()
    assert refused(village, election, "villager01", "villager02").message == (
        "Voting has opened: proxies can no longer be registered."
    )


def test_only_the_election_committee_registers_and_revokes(village: Village, election: Election) -> None:
    with pytest.raises(PermissionDenied):
        register_proxy(
            actor=village.account("villager01"), election=election, principal=entry(election, village, "villager01"),
            holder=entry(election, village, "villager02"), relation="配偶",
        )
    registered = proxy(village, election, "villager01", "villager02")
    with pytest.raises(PermissionDenied):
        revoke_proxy(actor=village.account("villager01"), proxy=registered)
    revoke_proxy(actor=village.village_committee_runner, proxy=registered)
    assert Proxy.objects.count() == 0
    assert AuditEvent.objects.filter(verb="election.proxy.revoke").count() == 1


# ---- the proxies page and API --------------------------------------------------------------


def test_the_proxies_are_published_by_name(village: Village, election: Election, client: Client) -> None:
    proxy(village, election, "villager01", "villager02", relation="配偶")
    proxy(village, election, "member04", "member05", relation="父亲")
    text = page_text(client.get(f"/elections/{election.pk}/proxies/"))
    assert "Principal Proxy holder Relation 村民01 村民02 配偶 刘洋 陈静 父亲" in text
    assert "Register a written proxy" not in text


def test_the_committee_registers_a_proxy_from_the_page(village: Village, election: Election, client: Client) -> None:
    sign_in(client, village.village_committee_runner)
    principal = entry(election, village, "villager01")
    found = page_text(client.get(f"/elections/{election.pk}/proxies/", {"principal": principal.pk, "find": "村民02"}))
    holder = entry(election, village, "villager02")
    assert f"Principal: 村民01 (No. {principal.pk})" in found
    assert f"村民02 (No. {holder.pk})" in found
    response = client.post(
        f"/elections/{election.pk}/proxies/", {"principal": principal.pk, "holder": holder.pk, "relation": "配偶"}
    )
    assert response.status_code == 302
    assert Proxy.objects.get().holder == holder


def test_a_voter_posting_a_proxy_gets_403_and_nothing_is_stored(
    village: Village, election: Election, client: Client
) -> None:
    sign_in(client, village.account("villager01"))
    response = client.post(
        f"/elections/{election.pk}/proxies/",
        {"principal": entry(election, village, "villager01").pk, "holder": entry(election, village, "villager02").pk,
         "relation": "配偶"},
    )
    assert response.status_code == 403
    assert Proxy.objects.count() == 0


def test_the_proxies_page_of_a_branch_says_there_are_none(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    text = page_text(client.get(f"/elections/{election.pk}/proxies/"))
    assert "This election allows no proxies: every voter casts their own ballot." in text


def test_proxies_through_the_api(village: Village, election: Election, client: Client) -> None:
    committee = token_for(village.village_committee_runner)
    principal, holder = entry(election, village, "villager01"), entry(election, village, "villager02")
    response = client.post(
        f"/api/v1/elections/{election.pk}/proxies",
        {"principal": principal.pk, "holder": holder.pk, "relation": "配偶"},
        content_type="application/json", headers=committee.headers,
    )
    assert response.status_code == 201
    registered = Proxy.objects.get()
    body = response.json()
    assert body == {
        "id": registered.pk, "principal": principal.pk, "principal_name": "村民01", "holder": holder.pk,
        "holder_name": "村民02", "relation": "配偶", "registered_at": body["registered_at"],
    }
    listed = client.get(f"/api/v1/elections/{election.pk}/proxies").json()
    assert (listed["count"], listed["items"][0]["holder_name"]) == (1, "村民02")
    voter = token_for(village.account("villager03"))
    assert client.delete(f"/api/v1/proxies/{registered.pk}", headers=voter.headers).status_code == 403
    assert Proxy.objects.count() == 1
    assert client.delete(f"/api/v1/proxies/{registered.pk}", headers=committee.headers).status_code == 204
    assert Proxy.objects.count() == 0


def test_a_proxy_over_the_limit_through_the_api_is_409(village: Village, election: Election, client: Client) -> None:
    proxy(village, election, "villager01", "villager05")
    proxy(village, election, "villager02", "villager05")
    committee = token_for(village.village_committee_runner)
    response = client.post(
        f"/api/v1/elections/{election.pk}/proxies",
        {"principal": entry(election, village, "villager03").pk, "holder": entry(election, village, "villager05").pk,
         "relation": "邻居"},
        content_type="application/json", headers=committee.headers,
    )
    assert (response.status_code, response.json()) == (
        409, {"detail": "村民05 holds 2 proxies already, the most this election allows."},
    )
    assert Proxy.objects.count() == 2


def test_the_search_offers_only_who_can_still_give_or_hold_a_proxy(
    village: Village, election: Election, client: Client
) -> None:
    proxy(village, election, "villager01", "villager02")
    sign_in(client, village.village_committee_runner)
    principals = page_text(client.get(f"/elections/{election.pk}/proxies/", {"find": "村民0"}))
    assert "村民01" not in principals.split("Registered proxies")[0]
    assert "村民02" not in principals.split("Registered proxies")[0]
    assert "村民03" in principals
    chosen = entry(election, village, "villager03")
    holders = page_text(client.get(f"/elections/{election.pk}/proxies/", {"principal": chosen.pk, "find": "村民0"}))
    offered = holders.split("Proxy holder:")[1].split("Relation to the principal")[0]
    assert "村民02" in offered and "村民01" not in offered and "村民03" not in offered


def test_the_proxies_page_costs_the_same_for_many_proxies(
    village: Village, election: Election, client: Client, django_assert_max_num_queries
) -> None:
    for number in range(1, 11):
        proxy(village, election, f"villager{number:02d}", f"villager{number + 10:02d}")
    with django_assert_max_num_queries(6):
        response = client.get(f"/elections/{election.pk}/proxies/")
    assert page_text(response).count("儿子") == 10
