"""The rounds API: reading rounds and the result, the committee's, tellers' and scrutineers'
steps, and refusals that change nothing."""

from __future__ import annotations

from tests.api.conftest import token_for
from tests.elections.conftest import voting_election
from tests.elections.test_rounds_actions import (
    OUTRIGHT,
    appoint_tellers,
    cast_all,
    close_and_count,
    current_round,
    scrutineer,
)
from tongxin.core.models import AuditEvent
from tongxin.elections.actions import rounds
from tongxin.elections.models import Mode, Official, PaperEntry, Signature

API = "/api/v1"


def test_anyone_reads_the_rounds_with_the_next_step(client, village):
    election = voting_election(village)
    response = client.get(f"{API}/elections/{election.pk}/rounds")
    assert response.status_code == 200
    body = response.json()
    assert body["phase"] == "voting"
    assert body["next_step"] == {
        "code": "vote", "kind": "", "seats": 0, "text": "Voting is open. The committee closes the round when voting ends.",
    }
    (first,) = body["rounds"]
    assert (first["number"], first["kind"], first["seats"], first["status"], first["voters_due"]) == (1, "first", 3, "open", 12)
    assert [c["label"] for c in first["candidates"]] == ["王芳", "张伟", "陈静", "赵敏"]
    assert first["result"] is None


def test_the_committee_closes_and_counts_and_a_voter_is_refused(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    voter, committee = token_for(village.account("member04")), token_for(village.committee)
    before = AuditEvent.objects.count()
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/close", headers=voter.headers)
    assert response.status_code == 403
    assert (current_round(election).status, AuditEvent.objects.count()) == ("open", before)
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/close", headers=committee.headers).status_code == 200
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/count", headers=committee.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "counted"
    assert body["reason"] == "All 3 seats are filled."
    assert body["result"]["ballots"] == {"returned": 10, "valid": 10, "invalid": 0}
    assert [(row["label"], row["votes"]) for row in body["result"]["tally"]] == [("王芳", 10), ("张伟", 8), ("陈静", 6), ("赵敏", 4)]
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/count", headers=committee.headers)
    assert response.status_code == 409
    assert response.json() == {"detail": "This cannot be done now: round 1 is “Counted”."}


def test_the_result_is_published_with_signatures_and_read_by_anyone(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    close_and_count(village, election)
    assert client.get(f"{API}/elections/{election.pk}/result").status_code == 404
    committee = token_for(village.committee)
    official = client.post(
        f"{API}/elections/{election.pk}/officials", headers=committee.headers,
        content_type="application/json", data={"person": village.person("member08").pk, "duty": "scrutineer", "approved_by_assembly": True},
    )
    assert official.status_code == 201
    response = client.post(f"{API}/elections/{election.pk}/result/publish", headers=committee.headers, content_type="application/json", data={"minutes": "记录"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Every scrutineer must sign every round first (round 1)."}
    voter = token_for(village.account("member04"))
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/sign", headers=voter.headers, content_type="application/json", data={}).status_code == 403
    assert Signature.objects.count() == 0
    signer = token_for(village.account("member08"))
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/sign", headers=signer.headers, content_type="application/json", data={"remark": "无异议"}).status_code == 201
    response = client.post(f"{API}/elections/{election.pk}/result/publish", headers=committee.headers, content_type="application/json", data={"minutes": "记录"})
    assert response.status_code == 200
    body = client.get(f"{API}/elections/{election.pk}/result").json()
    assert (body["phase"], body["minutes"], body["scrutineers"]) == ("published", "记录", ["黄强"])
    assert [(row["label"], row["round"]) for row in body["elected"]] == [("王芳", 1), ("张伟", 1), ("陈静", 1)]
    assert body["rounds"][0]["signatures"][0]["scrutineer"] == "黄强"


def test_a_candidate_cannot_be_appointed_scrutineer_through_the_api(client, village):
    election = voting_election(village)
    committee = token_for(village.committee)
    response = client.post(
        f"{API}/elections/{election.pk}/officials", headers=committee.headers,
        content_type="application/json", data={"person": village.person("member02").pk, "duty": "scrutineer"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "王芳 is a candidate and cannot count or scrutinise."}
    assert Official.objects.count() == 0


def test_tellers_enter_paper_ballots_and_others_are_refused(client, village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=10)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    committee = token_for(village.committee)
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/returned", headers=committee.headers, content_type="application/json", data={"ballots_returned": 1})
    assert (response.status_code, response.json()["ballots_returned"]) == (200, 1)
    pks = [e.candidate_id for e in rounds.round_entries(voting_round)]
    ballot = {"teller": 1, "position": 1, "marks": {str(pk): "approve" if pk == pks[0] else "disapprove" for pk in pks}}
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/paper", headers=committee.headers, content_type="application/json", data=ballot).status_code == 403
    assert PaperEntry.objects.count() == 0
    first, second = token_for(village.account("member10")), token_for(village.account("member11"))
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/paper", headers=first.headers, content_type="application/json", data=ballot)
    assert response.status_code == 201
    assert response.json() == {"round": 1, "teller": 1, "position": 1, "entered": 1, "ballots_returned": 1}
    assert client.get(f"{API}/elections/{election.pk}/rounds/1/mismatches", headers=first.headers).status_code == 409
    other = {**ballot, "teller": 2, "marks": {**ballot["marks"], str(pks[3]): None}}
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/paper", headers=second.headers, content_type="application/json", data=other).status_code == 201
    mismatches = client.get(f"{API}/elections/{election.pk}/rounds/1/mismatches", headers=first.headers).json()
    assert [(m["position"], m["first"][:4], m["second"][:4], m["reconciled"]) for m in mismatches] == [(1, "ADDD", "ADD-", None)]
    response = client.post(
        f"{API}/elections/{election.pk}/rounds/1/reconcile", headers=second.headers,
        content_type="application/json", data={"position": 1, "marks": ballot["marks"], "note": "看原票"},
    )
    assert (response.status_code, response.json()["reconciled"][:4]) == (201, "ADDD")
    assert client.post(f"{API}/elections/{election.pk}/rounds/1/commit", headers=committee.headers).status_code == 200
    response = client.post(f"{API}/elections/{election.pk}/rounds/1/count", headers=committee.headers)
    assert response.json()["result"]["ballots"] == {"returned": 1, "valid": 1, "invalid": 0}
    assert response.json()["result"]["status"] == "further_round"  # one approval of ten present


def test_next_round_after_a_tie_through_the_api(client, village):
    from tests.elections.test_rounds_actions import TIE

    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    close_and_count(village, election)
    committee = token_for(village.committee)
    assert client.get(f"{API}/elections/{election.pk}/rounds").json()["next_step"]["kind"] == "tie_break"
    response = client.post(f"{API}/elections/{election.pk}/next-round", headers=committee.headers, content_type="application/json", data={})
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["kind"], body["seats"], [c["label"] for c in body["candidates"]]) == (2, "tie_break", 1, ["陈静", "赵敏"])
    scrutineer(village, election)


def test_a_voter_cannot_open_the_vote_through_the_api(client, village):
    from tests.elections.test_rounds_actions import candidates_election

    election = candidates_election(village)
    voter, committee = token_for(village.account("member04")), token_for(village.committee)
    before = AuditEvent.objects.count()
    assert client.post(f"{API}/elections/{election.pk}/rounds", headers=voter.headers).status_code == 403
    assert (election.rounds.count(), AuditEvent.objects.count()) == (0, before)
    response = client.post(f"{API}/elections/{election.pk}/rounds", headers=committee.headers)
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["status"]) == (1, "open")


def test_the_rounds_endpoint_takes_a_fixed_number_of_queries(client, village, django_assert_max_num_queries):
    from tests.elections.test_rounds_actions import TIE

    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    close_and_count(village, election)
    second = rounds.start_next_round(actor=village.committee, election=election)
    cast_all(village, second, [(6, {"陈静"}), (4, {"赵敏"})])
    close_and_count(village, election)
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/elections/{election.pk}/rounds").status_code == 200
