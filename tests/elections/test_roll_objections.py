"""Objections to the published roll: who may raise them and until when, what a decision does,
and the objections page and API for the objector, the public and the election committee."""

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
from tongxin.elections.actions.roll import decide_objection, raise_objection
from tongxin.elections.models import Election, Exclusion, Objection, ObjectionDecision, RollEntry

from .conftest import Village
from .test_roll_building import (
    branch_election,
    entry,
    pass_objection_period,
    published,
    village_election,
)

pytestmark = pytest.mark.django_db


def objections_url(election: Election) -> str:
    return f"/elections/{election.pk}/objections/"


def object_to(village: Village, election: Election, account: str = "member03", about: str = "probationary",
              ask: str = "add", grounds: str = "他去年已经转为正式党员。") -> Objection:
    return raise_objection(
        actor=village.account(account), election=election, about=village.person(about), ask=ask, grounds=grounds
    )


# ---- raising -------------------------------------------------------------------------------


def test_a_member_objects_and_the_objector_is_their_person(village: Village) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    assert (objection.raised_by, objection.about, objection.ask, objection.decision) == (
        village.person("member03"), village.probationary, "add", ObjectionDecision.PENDING,
    )
    event = AuditEvent.objects.filter(verb="election.objection.raise").get()
    assert event.data == {"election": election.pk, "about": village.probationary.pk, "ask": "add"}


def test_objections_are_raised_until_the_last_day_inclusive(village: Village) -> None:
    election = published(village, branch_election(village))
    Election.objects.filter(pk=election.pk).update(objections_until=timezone.localdate())
    object_to(village, election)
    pass_objection_period(election)
    with pytest.raises(ActionError) as error:
        object_to(village, election, account="member04")
    assert error.value.status == 409
    assert error.value.message.startswith("Objections closed on ")
    assert Objection.objects.count() == 1


def test_no_objection_before_the_roll_is_published(village: Village) -> None:
    election = branch_election(village)
    with pytest.raises(PermissionDenied):
        object_to(village, election)


def test_a_person_of_another_village_may_not_object(village: Village) -> None:
    election = published(village, branch_election(village))
    with pytest.raises(PermissionDenied):
        raise_objection(actor=village.outsider, election=election, about=village.probationary, ask="add", grounds="x")
    assert Objection.objects.count() == 0


def test_a_villager_outside_the_branch_may_not_object_to_its_roll_but_may_to_the_village_roll(
    village: Village,
) -> None:
    branch = published(village, branch_election(village))
    with pytest.raises(PermissionDenied):
        object_to(village, branch, account="villager01")
    village_roll = published(village, village_election(village))
    objection = object_to(village, village_roll, account="villager01", about="minor", grounds="他已满十八岁。")
    assert objection.raised_by == village.person("villager01")


def test_an_objection_must_ask_for_a_change(village: Village) -> None:
    election = published(village, branch_election(village))
    with pytest.raises(ActionError) as error:
        object_to(village, election, about="member05", ask="add")
    assert error.value.message == "陈静 is already on the roll."
    with pytest.raises(ActionError) as error:
        object_to(village, election, about="probationary", ask="remove")
    assert error.value.message == "钱预备 is not on the roll."
    with pytest.raises(ActionError) as error:
        object_to(village, election, about="villager01", ask="add")
    assert error.value.message == "村民01 is neither on the roll nor one of this organisation's people."
    with pytest.raises(ActionError) as error:
        object_to(village, election, grounds="  ")
    assert error.value.message == "Give the grounds for the objection."


def test_the_same_objection_twice_waits_for_one_decision(village: Village) -> None:
    election = published(village, branch_election(village))
    object_to(village, election)
    with pytest.raises(ActionError) as error:
        object_to(village, election)
    assert error.value.message == "Your objection about this person awaits its decision already."


# ---- deciding ------------------------------------------------------------------------------


def test_an_upheld_objection_to_add_puts_the_person_on_the_roll(village: Village) -> None:
    election = published(village, branch_election(village))
    objection = decide_objection(
        actor=village.committee, objection=object_to(village, election), upheld=True, reason="已核实转正材料。"
    )
    assert (objection.decision, objection.decision_reason, objection.decided_by) == (
        ObjectionDecision.UPHELD, "已核实转正材料。", village.committee,
    )
    added = entry(election, village, "probationary")
    assert (added.eligible, added.added_by_objection) == (True, True)
    event = AuditEvent.objects.filter(verb="election.objection.decide").get()
    assert event.data == {
        "election": election.pk, "decision": "upheld", "reason": "已核实转正材料。", "late": False, "proxies_lapsed": [],
    }


def test_an_upheld_objection_to_remove_excludes_the_person_for_the_objection(village: Village) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election, about="member08", ask="remove", grounds="他已被留党察看。")
    decide_objection(actor=village.committee, objection=objection, upheld=True, reason="经核实属实。")
    assert entry(election, village, "member08").excluded == Exclusion.OBJECTION


def test_a_dismissed_objection_changes_nothing_on_the_roll(village: Village) -> None:
    election = published(village, branch_election(village))
    before = list(RollEntry.objects.values_list("pk", "excluded", "added_by_objection").order_by("pk"))
    decide_objection(actor=village.committee, objection=object_to(village, election), upheld=False, reason="尚未转正。")
    assert list(RollEntry.objects.values_list("pk", "excluded", "added_by_objection").order_by("pk")) == before


def test_a_decision_needs_a_reason_and_is_taken_once(village: Village) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    with pytest.raises(ActionError) as error:
        decide_objection(actor=village.committee, objection=objection, upheld=True, reason=" ")
    assert error.value.message == "Give the reason for the decision."
    decide_objection(actor=village.committee, objection=objection, upheld=False, reason="尚未转正。")
    with pytest.raises(ActionError) as error:
        decide_objection(actor=village.committee, objection=objection, upheld=True, reason="改判。")
    assert (error.value.status, error.value.message) == (409, "This objection has been decided already.")


def test_a_late_decision_is_taken_and_marked_late(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    Election.objects.filter(pk=election.pk).update(
        objections_decided_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    decide_objection(actor=village.committee, objection=objection, upheld=False, reason="尚未转正。")
    assert AuditEvent.objects.filter(verb="election.objection.decide").get().data["late"] is True
    text = page_text(client.get(objections_url(election)))
    assert "钱预备 · Add to the roll · Dismissed decided late" in text


# ---- the objections page -------------------------------------------------------------------


def test_a_member_finds_a_person_and_objects_from_the_page(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    sign_in(client, village.account("member03"))
    found = page_text(client.get(objections_url(election), {"find": "钱"}))
    assert "钱预备" in found
    form = page_text(client.get(objections_url(election), {"about": village.probationary.pk}))
    assert "About: 钱预备" in form
    response = client.post(
        objections_url(election), {"about": village.probationary.pk, "ask": "add", "grounds": "他已转正。"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.raised_by, objection.about, objection.grounds) == (
        village.person("member03"), village.probationary, "他已转正。",
    )


def test_the_public_reads_decisions_but_not_grounds_nor_objectors(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election, grounds="他在外地被拘留过。")
    decide_objection(actor=village.committee, objection=objection, upheld=False, reason="材料不足。")
    public = page_text(client.get(objections_url(election)))
    assert "钱预备 · Add to the roll · Dismissed" in public
    assert "材料不足。" in public
    assert "被拘留" not in public and "张伟" not in public
    sign_in(client, village.account("member03"))
    mine = page_text(client.get(objections_url(election)))
    assert "by 张伟" in mine and "他在外地被拘留过。" in mine


def test_the_committee_decides_from_the_page(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    sign_in(client, village.committee)
    prefix = f"decide-{objection.pk}"
    url = f"/elections/{election.pk}/objections/{objection.pk}/decide/"
    refused = client.post(url, {f"{prefix}-decision": "upheld", f"{prefix}-reason": ""})
    assert refused.status_code == 400
    assert "This field is required." in page_text(refused)
    response = client.post(url, {f"{prefix}-decision": "upheld", f"{prefix}-reason": "已转正。"})
    assert response.status_code == 302
    assert entry(election, village, "probationary").added_by_objection is True


def test_a_member_cannot_decide_from_the_page_and_nothing_changes(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    events = AuditEvent.objects.count()
    sign_in(client, village.account("member01"))  # the secretary is not the election committee
    prefix = f"decide-{objection.pk}"
    response = client.post(
        f"/elections/{election.pk}/objections/{objection.pk}/decide/",
        {f"{prefix}-decision": "upheld", f"{prefix}-reason": "我说了算。"},
    )
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.decision == ObjectionDecision.PENDING
    assert AuditEvent.objects.count() == events
    assert RollEntry.objects.filter(election=election, person=village.probationary).get().excluded == "probationary"


def test_an_outsider_posting_an_objection_gets_403_and_nothing_is_stored(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    sign_in(client, village.outsider)
    response = client.post(
        objections_url(election), {"about": village.probationary.pk, "ask": "add", "grounds": "路过。"}
    )
    assert response.status_code == 403
    assert Objection.objects.count() == 0


def test_the_objections_page_of_a_draft_is_404_for_the_public(village: Village, client: Client) -> None:
    election = branch_election(village)
    assert client.get(objections_url(election)).status_code == 404


def test_opening_nominations_from_the_page_refuses_while_objections_are_pending(
    village: Village, client: Client
) -> None:
    election = published(village, branch_election(village))
    object_to(village, election)
    pass_objection_period(election)
    sign_in(client, village.committee)
    response = client.post(f"/elections/{election.pk}/open-nominations/", follow=True)
    assert "Decide every objection first: 1 still awaiting a decision." in page_text(response)
    election.refresh_from_db()
    assert election.phase == "roll"


# ---- the API -------------------------------------------------------------------------------


def test_objecting_and_deciding_through_the_api(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    member = token_for(village.account("member03"))
    response = client.post(
        f"/api/v1/elections/{election.pk}/objections",
        {"about": village.probationary.pk, "ask": "add", "grounds": "他已转正。"},
        content_type="application/json", headers=member.headers,
    )
    assert response.status_code == 201
    body = response.json()
    objection = Objection.objects.get()
    assert body == {
        "id": objection.pk, "election": election.pk, "about": village.probationary.pk, "about_name": "钱预备",
        "ask": "add", "raised_at": body["raised_at"], "raised_by": village.person("member03").pk,
        "grounds": "他已转正。", "decision": "pending", "decision_reason": "", "decided_at": None, "late": False,
    }
    committee = token_for(village.committee)
    decided = client.post(
        f"/api/v1/objections/{objection.pk}/decision", {"upheld": True, "reason": "已核实。"},
        content_type="application/json", headers=committee.headers,
    )
    assert decided.status_code == 200
    assert (decided.json()["decision"], decided.json()["decision_reason"]) == ("upheld", "已核实。")
    public = client.get(f"/api/v1/elections/{election.pk}/objections").json()
    assert public["count"] == 1
    assert (public["items"][0]["grounds"], public["items"][0]["raised_by"]) == (None, None)


def test_a_member_deciding_through_the_api_gets_403_and_nothing_changes(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    objection = object_to(village, election)
    events = AuditEvent.objects.count()
    member = token_for(village.account("member01"))
    response = client.post(
        f"/api/v1/objections/{objection.pk}/decision", {"upheld": True, "reason": "我说了算。"},
        content_type="application/json", headers=member.headers,
    )
    assert response.status_code == 403
    objection.refresh_from_db()
    assert objection.decision == ObjectionDecision.PENDING
    assert AuditEvent.objects.count() == events + 1  # only the token's issue


def test_a_late_objection_through_the_api_is_409(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    pass_objection_period(election)
    member = token_for(village.account("member03"))
    response = client.post(
        f"/api/v1/elections/{election.pk}/objections",
        {"about": village.probationary.pk, "ask": "add", "grounds": "晚了。"},
        content_type="application/json", headers=member.headers,
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Objections closed on ")
    assert Objection.objects.count() == 0


def test_after_the_last_day_the_page_says_so_and_a_late_post_is_refused(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    pass_objection_period(election)
    sign_in(client, village.account("member03"))
    text = page_text(client.get(objections_url(election)))
    assert "Objections closed on " in text and "Send the objection" not in text
    response = client.post(
        objections_url(election), {"about": village.probationary.pk, "ask": "add", "grounds": "晚了。"}
    )
    assert response.status_code == 400
    assert "Objections closed on " in page_text(response)
    assert Objection.objects.count() == 0


def test_a_villager_outside_the_branch_is_told_who_may_object(village: Village, client: Client) -> None:
    election = published(village, branch_election(village))
    sign_in(client, village.account("villager01"))
    text = page_text(client.get(objections_url(election)))
    assert "Only the people this roll is drawn from may object to it." in text


def test_the_objections_page_costs_the_same_for_many_objections(
    village: Village, client: Client, django_assert_max_num_queries
) -> None:
    election = published(village, branch_election(village))
    for number in range(1, 13):
        object_to(village, election, account=f"member{number:02d}", grounds=f"第{number}条理由。")
    sign_in(client, village.committee)
    with django_assert_max_num_queries(12):
        response = client.get(objections_url(election))
    assert page_text(response).count("Record the decision") == 12
    sign_in(client, village.account("member03"))
    with django_assert_max_num_queries(14):
        client.get(objections_url(election))
