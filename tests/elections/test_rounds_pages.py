"""The rounds pages as people use them: the committee's steps, the tellers' paper entry and
reconciliation, the officials, the public result; who may do what, and nothing changed on denial."""

from __future__ import annotations

import re

from django.utils import translation

from tests.elections.conftest import voting_election
from tests.elections.test_rounds_actions import (
    OUTRIGHT,
    TIE,
    appoint_tellers,
    cast_all,
    close_and_count,
    current_round,
    enter,
    scrutineer,
    sign_all,
)
from tests.helpers import page_text, sign_in
from tongxin.core.models import AuditEvent
from tongxin.elections.actions import rounds
from tongxin.elections.models import Mode, Official, PaperEntry, Reconciliation, Signature


def url(election, rest=""):
    return f"/elections/{election.pk}/{rest}"


def test_anyone_reads_the_rounds_page_and_only_the_committee_sees_its_buttons(client, village):
    election = voting_election(village)
    text = page_text(client.get(url(election, "rounds/")))
    assert "Round 1: First round" in text
    assert "Candidates in ballot order: 王芳、张伟、陈静、赵敏" in text
    assert "Voting is open. The committee closes the round when voting ends." in text
    assert "Close the round" not in page_text(client.get(url(election, "rounds/1/")))
    sign_in(client, village.committee)
    assert "Close the round" in page_text(client.get(url(election, "rounds/1/")))


def test_the_committee_closes_and_counts_a_round_from_the_page(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    sign_in(client, village.committee)
    assert client.post(url(election, "rounds/1/close/")).status_code == 302
    assert client.post(url(election, "rounds/1/count/")).status_code == 302
    text = page_text(client.get(url(election, "rounds/1/")))
    assert "All 3 seats are filled." in text
    assert "王芳 10 Elected 张伟 8 Elected 陈静 6 Elected 赵敏 4 —" in text
    assert "Ballots returned 10 Valid ballots 10 Invalid ballots 0" in text
    assert "Quorum: more than four fifths of the 12 voters due present, that is at least 10." in text
    assert "To be elected: more than half of the 10 voters present, that is at least 6 votes." in text


def test_a_voter_cannot_close_a_round_and_nothing_changes(client, village):
    election = voting_election(village)
    sign_in(client, village.account("member04"))
    before = AuditEvent.objects.count()
    assert client.post(url(election, "rounds/1/close/")).status_code == 403
    assert client.post(url(election, "rounds/next/")).status_code == 403
    assert current_round(election).status == "open"
    assert AuditEvent.objects.count() == before


def test_a_tie_says_plainly_that_a_further_vote_among_the_tied_decides(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    close_and_count(village, election)
    sign_in(client, village.committee)
    text = page_text(client.get(url(election, "rounds/")))
    assert "Tied at the cut-off: 陈静、赵敏." in text
    assert "Next: a further vote among the tied, for 1 seat." in text
    assert client.post(url(election, "rounds/next/")).status_code == 302
    assert "Round 2: Further vote among the tied" in page_text(client.get(url(election, "rounds/")))


def test_the_result_page_in_chinese_with_every_round_minutes_and_signatures(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    close_and_count(village, election)
    second = rounds.start_next_round(actor=village.committee, election=election)
    cast_all(village, second, [(6, {"陈静"}), (4, {"赵敏"})])
    close_and_count(village, election)
    scrutineer(village, election, "member08")
    sign_all(village, election)
    rounds.publish_result(actor=village.committee, election=election, minutes="2026年11月25日支部党员大会选举，监票人黄强。")
    response = client.get(url(election, "result/"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page_text(response)
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()
    elected = re.search(r'<ol class="elected-names">(.*?)</ol>', response.content.decode(), flags=re.DOTALL).group(1)
    assert re.findall(r"<strong>(.*?)</strong>", elected) == ["王芳", "张伟", "陈静"]
    assert "候选人在当选线上得票相等：由这2名得票相等的候选人再次投票，决定1个名额。" in text
    assert "2026年11月25日支部党员大会选举，监票人黄强。" in text
    assert "陈静、赵敏" in text
    assert "黄强 ·" in text  # the scrutineer's signature on each round
    with translation.override("en"):
        text = page_text(client.get(url(election, "result/"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "王芳 10 Elected 张伟 8 Elected 陈静 6 Tied: a further vote decides 赵敏 6 Tied: a further vote decides" in text
    assert "Candidates are tied at the cut-off: a further vote among the 2 tied candidates decides 1 seat." in text
    assert "陈静 6 Elected 赵敏 4 —" in text
    assert "Among the tied, the most votes win." in text


def test_the_result_is_not_shown_to_the_public_before_it_is_published(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    close_and_count(village, election)
    text = page_text(client.get(url(election, "result/")))
    assert "The result is not published yet." in text
    assert "王芳 10" not in text


def test_publishing_needs_every_signature_and_shows_why_not(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    close_and_count(village, election)
    scrutineer(village, election)
    sign_in(client, village.committee)
    response = client.post(url(election, "result/publish/"), {"minutes": "记录"})
    assert response.status_code == 400
    assert "Every scrutineer must sign every round first (round 1)." in page_text(response)
    election.refresh_from_db()
    assert election.phase == "voting"


def test_a_scrutineer_signs_from_the_round_page(client, village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    close_and_count(village, election)
    scrutineer(village, election)
    sign_in(client, village.account("member04"))
    assert client.post(url(election, "rounds/1/sign/"), {"remark": ""}).status_code == 403
    assert Signature.objects.count() == 0
    sign_in(client, village.account("member08"))
    assert "Sign the result of this round" in page_text(client.get(url(election, "rounds/1/")))
    assert client.post(url(election, "rounds/1/sign/"), {"remark": "无异议"}).status_code == 302
    assert Signature.objects.get().remark == "无异议"
    assert "You have signed this round." in page_text(client.get(url(election, "rounds/1/")))


def test_the_committee_appoints_officials_but_never_a_candidate(client, village):
    election = voting_election(village)
    sign_in(client, village.account("member04"))
    form = {"person": village.person("member08").pk, "duty": "scrutineer", "approved_by_assembly": "on"}
    assert client.post(url(election, "officials/"), form).status_code == 403
    assert Official.objects.count() == 0
    sign_in(client, village.committee)
    assert client.post(url(election, "officials/"), form).status_code == 302
    response = client.post(url(election, "officials/"), {**form, "person": village.person("member02").pk})
    assert response.status_code == 400
    assert "王芳 is a candidate and cannot count or scrutinise." in page_text(response)
    text = page_text(client.get(url(election, "officials/")))
    assert "黄强 Scrutineer Yes" in text
    assert Official.objects.count() == 1


def _assembly_round(village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    voting_round = current_round(election)
    appoint_tellers(village, election)
    rounds.record_attendance(actor=village.committee, voting_round=voting_round, voters_present=10, ballots_issued=10)
    rounds.close_round(actor=village.committee, voting_round=voting_round)
    return election, rounds.record_ballots_returned(actor=village.committee, voting_round=voting_round, ballots_returned=2)


def test_a_teller_enters_one_paper_ballot_at_a_time(client, village):
    election, voting_round = _assembly_round(village)
    sign_in(client, village.account("member10"))
    page = url(election, "rounds/1/paper/1/")
    text = page_text(client.get(page))
    assert "0 of 2 ballots entered" in text
    assert "Ballot 1" in text
    pks = [e.candidate_id for e in rounds.round_entries(voting_round)]
    form = {f"mark_{pks[0]}": "approve", f"mark_{pks[1]}": "approve", f"mark_{pks[2]}": "disapprove",
            f"mark_{pks[3]}": "unmarked", "write_in_1": "村民01", "position": "1"}
    response = client.post(page, form)
    assert response.status_code == 302
    text = page_text(client.get(page))
    assert "1 of 2 ballots entered" in text
    assert "Ballot 2" in text
    entry = PaperEntry.objects.get()
    assert (entry.teller, entry.position, entry.content[:4]) == (1, 1, "AAD-")
    # To correct ballot 1, the teller opens it again and finds their own reading.
    response = client.get(page, {"position": "1"})
    assert response.context["form"].initial == {
        f"mark_{pks[0]}": "approve", f"mark_{pks[1]}": "approve", f"mark_{pks[2]}": "disapprove",
        f"mark_{pks[3]}": "unmarked", "write_in_1": "村民01",
    }
    assert client.post(page, {**form, f"mark_{pks[3]}": "abstain"}).status_code == 302
    assert PaperEntry.objects.get().content[:4] == "AADN"


def test_only_tellers_enter_paper_ballots(client, village):
    election, _voting_round = _assembly_round(village)
    sign_in(client, village.committee)
    assert client.get(url(election, "rounds/1/paper/1/")).status_code == 403
    assert client.post(url(election, "rounds/1/paper/1/"), {"position": "1"}).status_code == 403
    assert PaperEntry.objects.count() == 0


def test_the_reconciliation_page_shows_the_tellers_readings_side_by_side(client, village):
    election, voting_round = _assembly_round(village)
    enter(village, voting_round, "member10", 1, 1, {"王芳"})
    sign_in(client, village.account("member10"))
    assert "The differences are shown once both tellers have entered the whole pile" in page_text(
        client.get(url(election, "rounds/1/reconcile/"))
    )
    enter(village, voting_round, "member10", 1, 2, {"王芳"})
    enter(village, voting_round, "member11", 2, 1, {"王芳"})
    enter(village, voting_round, "member11", 2, 2, {"张伟"})
    text = page_text(client.get(url(election, "rounds/1/reconcile/")))
    assert "Ballot 2 Teller 1 王芳 Approve 张伟 Disapprove" in text
    assert "Teller 2 王芳 Disapprove 张伟 Approve" in text
    pks = [e.candidate_id for e in rounds.round_entries(voting_round)]
    form = {f"mark_{pk}": "disapprove" for pk in pks} | {f"mark_{pks[0]}": "approve", "position": "2", "note": "原票勾选王芳"}
    assert client.post(url(election, "rounds/1/reconcile/"), form).status_code == 302
    assert Reconciliation.objects.get().note == "原票勾选王芳"
    sign_in(client, village.committee)
    assert client.post(url(election, "rounds/1/reconcile/"), form).status_code == 403
    assert client.post(url(election, "rounds/1/commit/")).status_code == 302
    assert client.post(url(election, "rounds/1/count/")).status_code == 302
    assert current_round(election).result["ballots"] == {"returned": 2, "valid": 2, "invalid": 0}


def test_the_rounds_and_result_pages_take_a_fixed_number_of_queries(client, village, django_assert_max_num_queries):
    election = voting_election(village)
    cast_all(village, current_round(election), TIE)
    close_and_count(village, election)
    second = rounds.start_next_round(actor=village.committee, election=election)
    cast_all(village, second, [(6, {"陈静"}), (4, {"赵敏"})])
    close_and_count(village, election)
    scrutineer(village, election, "member08")
    scrutineer(village, election, "member09")
    sign_all(village, election)
    rounds.publish_result(actor=village.committee, election=election, minutes="记录")
    sign_in(client, village.committee)
    with django_assert_max_num_queries(20):
        assert client.get(url(election, "rounds/")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(url(election, "result/")).status_code == 200


def test_the_committee_opens_the_vote_from_the_rounds_page_and_a_voter_cannot(client, village):
    from tests.elections.test_rounds_actions import candidates_election

    election = candidates_election(village)
    sign_in(client, village.account("member04"))
    assert "Open the vote" not in page_text(client.get(url(election, "rounds/")))
    assert client.post(url(election, "rounds/open/")).status_code == 403
    assert election.rounds.count() == 0
    sign_in(client, village.committee)
    text = page_text(client.get(url(election, "rounds/")))
    assert "The candidate list is fixed: the committee opens the vote." in text
    assert client.post(url(election, "rounds/open/")).status_code == 302
    text = page_text(client.get(url(election, "rounds/")))
    assert "Voting is open." in text
    assert "Round 1: First round" in text


def test_the_assembly_attendance_form_refuses_more_ballots_than_voters(client, village):
    election = voting_election(village, mode=Mode.ASSEMBLY)
    sign_in(client, village.committee)
    assert "Counted at the hall" in page_text(client.get(url(election, "rounds/1/")))
    response = client.post(url(election, "rounds/1/attendance/"), {"voters_present": "10", "ballots_issued": "11"})
    assert response.status_code == 400
    assert "11 ballots issued is more than the 10 voters present: one ballot per voter." in page_text(response)
    assert current_round(election).voters_present is None
    response = client.post(url(election, "rounds/1/attendance/"), {"voters_present": "10", "ballots_issued": "10"})
    assert response.status_code == 302
    text = page_text(client.get(url(election, "rounds/1/")))
    assert "Voters present 10 Ballots issued 10" in text


def test_only_tellers_and_the_committee_see_the_differences(client, village):
    election, _voting_round = _assembly_round(village)
    sign_in(client, village.account("member04"))
    assert client.get(url(election, "rounds/1/reconcile/")).status_code == 403
    sign_in(client, village.committee)
    assert client.get(url(election, "rounds/1/reconcile/")).status_code == 200
    client.logout()
    assert client.get(url(election, "rounds/1/paper/1/")).status_code == 302  # to sign in
