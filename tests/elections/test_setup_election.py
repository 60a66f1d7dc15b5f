"""Preparing an election: its rule set and numbers, the timeline the rules give, who may prepare
it, and how it reads on its page and in the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tests.helpers import page_text, sign_in
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.setup import cancel_election, create_election, update_election
from tongxin.elections.models import Election, Phase

VOTE_AT = datetime.datetime(2027, 3, 21, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_a_branch_election_takes_the_party_rules_defaults(village):
    election = village.branch_election(voting_opens_at=VOTE_AT)
    assert (election.rule_set, election.seats, election.phase) == ("party_branch", 3, Phase.DRAFT)
    assert election.required_candidates == 4
    assert (election.assembly_fixes_list, election.proxies_allowed, election.seconders_required) == (True, False, 4)
    assert AuditEvent.objects.filter(verb="election.create", target_id=str(election.pk)).count() == 1


def test_empty_dates_come_from_the_day_of_the_vote(village):
    election = village.village_election(voting_opens_at=VOTE_AT)
    assert election.roll_published_on == datetime.date(2027, 3, 1)  # 20 days before
    assert election.objections_until == datetime.date(2027, 3, 6)  # 5 days after publication
    assert election.objections_decided_by == datetime.date(2027, 3, 9)  # decided within 3 days
    assert election.nominations_until == datetime.date(2027, 3, 11)  # 10 days before
    assert election.candidate_list_on == datetime.date(2027, 3, 16)  # 5 days before
    assert (election.proxies_allowed, election.proxy_limit, election.assembly_fixes_list) == (True, 3, False)


def test_a_village_timeline_shorter_than_the_law_is_refused(village):
    with translation.override("en"), pytest.raises(ActionError) as error:
        village.village_election(voting_opens_at=VOTE_AT, roll_published_on=datetime.date(2027, 3, 10))
    assert "the roll's publication comes at least 20 days before the vote" in error.value.message
    assert Election.objects.count() == 0


def test_steps_out_of_order_are_refused_for_every_rule_set(village):
    with translation.override("en"), pytest.raises(ActionError) as error:
        village.branch_election(
            voting_opens_at=VOTE_AT, nominations_until=datetime.date(2027, 3, 20), candidate_list_on=datetime.date(2027, 3, 1)
        )
    assert "The candidate list's publication cannot come before the end of nominations." in error.value.message


def test_adjusted_numbers_are_kept_as_fractions_and_used(village):
    election = village.branch_election(rule_overrides={"quorum_strict": False, "candidate_ratio": "3/2"})
    assert election.rule_overrides == {"quorum_strict": False, "candidate_ratio": "3/2"}
    assert election.rules.quorum_strict is False
    assert election.required_candidates == 5  # 3 seats × 1.5, rounded up


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"quorum": "6/5"}, "The rule “quorum” cannot be 6/5."),
        ({"quorum": "lots"}, "The rule “quorum” cannot be lots."),
        ({"weight_of_secretary": 2}, "These rule numbers cannot be adjusted: weight_of_secretary."),
    ],
)
def test_bad_rule_numbers_are_refused_and_nothing_is_saved(village, overrides, message):
    with translation.override("en"), pytest.raises(ActionError) as error:
        village.branch_election(rule_overrides=overrides)
    assert message in error.value.message
    assert Election.objects.count() == 0


def test_only_the_election_committee_or_an_admin_prepares_an_election(village):
    with pytest.raises(PermissionDenied):
        create_election(actor=village.account("member03"), organisation=village.branch, title="x", seats=3, rule_set="party_branch")
    assert create_election(actor=village.admin, organisation=village.branch, title="由镇管理员", seats=3, rule_set="party_branch")
    with pytest.raises(PermissionDenied):  # the branch's committee does not run the village committee's elections
        create_election(actor=village.committee, organisation=village.village_office, title="x", seats=3, rule_set="village_committee")


def test_after_the_roll_is_published_only_the_title_and_dates_change(village):
    election = village.branch_election(voting_opens_at=VOTE_AT)
    Election.objects.filter(pk=election.pk).update(phase=Phase.ROLL)
    with translation.override("en"), pytest.raises(ActionError) as error:
        update_election(actor=village.committee, election=election, seats=5)
    assert error.value.status == 409
    assert Election.objects.get(pk=election.pk).seats == 3
    later = VOTE_AT + datetime.timedelta(days=1)
    update_election(actor=village.committee, election=election, voting_opens_at=later, title="新标题")
    assert Election.objects.get(pk=election.pk).voting_opens_at == later


def test_cancelling_keeps_the_reason_in_the_minutes(village):
    election = village.branch_election()
    with translation.override("en"), pytest.raises(ActionError):
        cancel_election(actor=village.committee, election=election, reason="  ")
    cancel_election(actor=village.committee, election=election, reason="上级党委通知推迟换届")
    election.refresh_from_db()
    assert (election.phase, election.minutes) == (Phase.CANCELLED, "上级党委通知推迟换届")
    with pytest.raises(ActionError):
        cancel_election(actor=village.committee, election=election, reason="again")


# Pages ----------------------------------------------------------------------------------------


def _form(**changes):
    data = {
        "title": "小寨村党支部委员会换届选举", "elects": "committee", "seats": "5", "rule_set": "party_branch",
        "mode": "online", "seconders_required": "4", "self_nomination_seconders": "0", "proxy_limit": "3",
        "voting_opens_at": "2027-03-21T09:00", "voting_closes_at": "2027-03-21T17:00",
    }
    data.update(changes)
    return data


def test_the_committee_prepares_an_election_on_the_page(client, village):
    sign_in(client, village.committee)
    assert client.get(f"/organisations/{village.branch.pk}/elections/new/").status_code == 200
    response = client.post(f"/organisations/{village.branch.pk}/elections/new/", _form())
    election = Election.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/elections/{election.pk}/"
    assert election.required_candidates == 6  # 5 seats × 1.2
    text = page_text(client.get(f"/elections/{election.pk}/", headers={"accept-language": "en"}))
    assert "小寨村党支部委员会换届选举" in text
    assert "Candidates needed, at least 6" in text


def test_the_page_says_how_the_election_is_decided_in_english(client, village):
    election = village.branch_election(voting_opens_at=VOTE_AT)
    Election.objects.filter(pk=election.pk).update(phase=Phase.ROLL)
    text = page_text(client.get(f"/elections/{election.pk}/", headers={"accept-language": "en"}))
    assert "Voters present: more than four fifths of the voters due" in text
    assert "Approvals from more than half of the voters present" in text
    assert "Candidates needed, at least 4" in text
    assert "The assembly fixes the candidate list by vote." in text
    assert "None: every voter casts their own ballot." in text


def test_a_bad_number_on_the_form_is_shown_and_nothing_is_saved(client, village):
    sign_in(client, village.committee)
    response = client.post(
        f"/organisations/{village.branch.pk}/elections/new/", _form(quorum="9/5"), headers={"accept-language": "en"}
    )
    assert response.status_code == 200
    assert "The rule “quorum” cannot be 9/5." in page_text(response)
    assert Election.objects.count() == 0


def test_a_member_cannot_prepare_or_change_an_election(client, village):
    election = village.branch_election()
    sign_in(client, village.account("member03"))
    events = AuditEvent.objects.count()
    assert client.get(f"/organisations/{village.branch.pk}/elections/new/").status_code == 403
    assert client.post(f"/organisations/{village.branch.pk}/elections/new/", _form()).status_code == 403
    assert client.post(f"/elections/{election.pk}/settings/", _form(title="改名")).status_code == 403
    assert client.post(f"/elections/{election.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert (Election.objects.count(), AuditEvent.objects.count()) == (1, events)
    assert Election.objects.get().title == "小寨村党支部委员会换届选举"


def test_a_draft_is_hidden_from_the_public_until_the_roll_is_published(client, village):
    election = village.branch_election()
    assert client.get(f"/elections/{election.pk}/").status_code == 404
    assert "小寨村党支部委员会换届选举" not in page_text(client.get(f"/organisations/{village.branch.pk}/elections/"))
    Election.objects.filter(pk=election.pk).update(phase=Phase.ROLL)
    assert client.get(f"/elections/{election.pk}/").status_code == 200
    assert "小寨村党支部委员会换届选举" in page_text(client.get(f"/organisations/{village.branch.pk}/elections/"))


def test_the_committee_cancels_with_a_reason_on_the_page(client, village):
    election = village.branch_election()
    sign_in(client, village.committee)
    response = client.post(f"/elections/{election.pk}/cancel/", {"reason": "推迟换届"})
    assert response.status_code == 302
    assert Election.objects.get().phase == Phase.CANCELLED


# API ------------------------------------------------------------------------------------------


def test_the_api_prepares_reads_and_changes_an_election(client, village):
    sign_in(client, village.committee)
    body = {"title": "支部选举", "seats": 3, "rule_set": "party_branch", "voting_opens_at": "2027-03-21T09:00:00+08:00"}
    response = client.post(f"/api/v1/organisations/{village.branch.pk}/elections", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["phase"], data["required_candidates"], data["roll_published_on"]) == ("draft", 4, "2027-02-28")
    patched = client.patch(f"/api/v1/elections/{data['id']}", {"seats": 5}, content_type="application/json")
    assert patched.json()["seats"] == 3  # what is elected is fixed when the election is created
    patched = client.patch(f"/api/v1/elections/{data['id']}", {"title": "支部换届"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["title"] == "支部换届"


def test_the_api_refuses_a_member_and_changes_nothing(client, village):
    sign_in(client, village.account("member03"))
    events = AuditEvent.objects.count()
    body = {"title": "支部选举", "seats": 3, "rule_set": "party_branch"}
    response = client.post(f"/api/v1/organisations/{village.branch.pk}/elections", body, content_type="application/json")
    assert response.status_code == 403
    assert (Election.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_the_api_words_a_bad_number(client, village):
    sign_in(client, village.committee)
    body = {"title": "支部选举", "seats": 3, "rule_set": "party_branch", "rule_overrides": {"threshold": "2"}}
    response = client.post(
        f"/api/v1/organisations/{village.branch.pk}/elections", body, content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The rule “threshold” cannot be 2."}


def test_a_draft_is_not_found_in_the_api_for_the_public(client, village):
    election = village.branch_election()
    assert client.get(f"/api/v1/elections/{election.pk}").status_code == 404
    assert client.get(f"/api/v1/organisations/{village.branch.pk}/elections").json()["items"] == []
    sign_in(client, village.committee)
    assert client.get(f"/api/v1/elections/{election.pk}").json()["title"] == "小寨村党支部委员会换届选举"


def test_the_branch_page_lists_its_elections(client, village):
    election = village.branch_election()
    assert "小寨村党支部委员会换届选举" not in page_text(client.get(village.branch.get_absolute_url()))  # a draft
    Election.objects.filter(pk=election.pk).update(phase=Phase.ROLL)
    response = client.get(village.branch.get_absolute_url(), headers={"accept-language": "en"})
    assert "Elections 小寨村党支部委员会换届选举 Roll published, open to objection All elections" in page_text(response)
    sign_in(client, village.committee)
    assert "Prepare an election" in page_text(client.get(village.branch.get_absolute_url(), headers={"accept-language": "en"}))
