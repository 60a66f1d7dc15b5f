"""The ballot page as a voter uses it: every candidate with three choices and none chosen, the
write-in fields, the review step, the receipt shown once; the voted page; proxy holders; finding
a ballot by its receipt; the published ballot list and its download for a recount."""

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.helpers import page_text, sign_in
from tongxin.core.audit import AuditEvent
from tongxin.elections.actions.casting import cast_ballot
from tongxin.elections.models import (
    Ballot,
    Election,
    Proxy,
    RollEntry,
    RoundStatus,
    Turnout,
    VotingRound,
)

from .conftest import Village, voting_election

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r'<p class="receipt-code numbers"[^>]*><span>([0-9A-Z]{5})</span> <span>([0-9A-Z]{5})</span></p>')


def shown_receipt(response) -> str:
    """The receipt as the page shows it, in two groups of five."""
    return "".join(RECEIPT.search(response.content.decode()).groups())


def ballot_url(election: Election) -> str:
    return reverse("elections:ballot", args=[election.pk])


def signed_in(client: Client, village: Village, account: str) -> Client:
    sign_in(client, village.account(account))
    return client


def form_data(election: Election, letters: str, *write_ins: str, voter: RollEntry | None = None, **extra: Any) -> dict[str, str]:
    """What the ballot form sends: every field, one letter per candidate, every write-in field."""
    candidates = list(election.candidates.order_by("position"))
    data = {f"c{candidate.pk}": letter for candidate, letter in zip(candidates, letters, strict=True)}
    for slot in range(1, election.seats + 1):
        data[f"w{slot}"] = write_ins[slot - 1] if slot <= len(write_ins) else ""
    if voter is not None:
        data["voter"] = str(voter.pk)
    return {**data, **extra}


def own_entry(village: Village, election: Election, account: str) -> RollEntry:
    return RollEntry.objects.get(election=election, person=village.person(account))


def counts(election: Election) -> tuple[int, int, int]:
    return (
        Turnout.objects.filter(round__election=election).count(),
        Ballot.objects.filter(round__election=election).count(),
        AuditEvent.objects.filter(verb="election.vote").count(),
    )


def test_the_ballot_lists_every_candidate_with_three_choices_and_none_chosen(client, village):
    election = voting_election(village)

    response = signed_in(client, village, "member04").get(ballot_url(election))

    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "This round fills 3 seats: approve at most 3 candidates, names written in included, or the ballot is invalid." in text
    for position, name in enumerate(["王芳", "张伟", "陈静", "赵敏"], start=1):
        assert f"{position}. {name} Approve Disapprove Abstain About {name}" in text
    assert html.count('type="radio"') == 12
    assert "checked" not in html
    assert html.count("<fieldset") == 5  # four candidates and the write-ins
    assert html.count("<legend") == 5
    assert [f'name="w{slot}"' in html for slot in (1, 2, 3)] == [True, True, True]
    assert "Write-in 1 Write-in 2 Write-in 3" in text


def test_every_mark_is_sent_as_one_letter_and_every_field_always(client, village):
    election = voting_election(village)

    html = signed_in(client, village, "member04").get(ballot_url(election)).content.decode()

    assert sorted(set(re.findall(r'type="radio" name="c\d+" value="(\w+)"', html))) == ["a", "d", "n"]


def test_an_unmarked_candidate_sends_the_voter_back_with_the_name(client, village):
    election = voting_election(village)
    data = form_data(election, "aann", step="review")
    del data[f"c{election.candidates.get(position=2).pk}"]

    response = signed_in(client, village, "member04").post(ballot_url(election), data)

    assert response.status_code == 200
    assert "Choose approve, disapprove or abstain for 张伟." in page_text(response)
    assert counts(election) == (0, 0, 0)


def test_the_review_step_says_what_the_ballot_says_and_stores_nothing(client, village):
    election = voting_election(village)

    response = signed_in(client, village, "member04").post(
        ballot_url(election), form_data(election, "adnd", "村民01", step="review")
    )

    text = page_text(response)
    assert "You approve 王芳 You disapprove 张伟、赵敏 You abstain on 陈静 You write in 村民01" in text
    assert "Cast my ballot" in text and "Change my ballot" in text
    assert "will be counted as invalid" not in text
    html = response.content.decode()
    assert html.count('type="hidden" name="w') == 3  # the empty write-ins go along too
    assert counts(election) == (0, 0, 0)


def test_the_review_step_warns_of_a_ballot_that_will_not_count(client, village):
    election = voting_election(village)

    response = signed_in(client, village, "member04").post(ballot_url(election), form_data(election, "aaaa", step="review"))

    assert (
        "This ballot will be counted as invalid: it approves or writes in more people than the 3 seats of this round."
        in page_text(response)
    )


def test_a_rule_broken_shows_at_the_review_step(client, village):
    election = voting_election(village)

    response = signed_in(client, village, "member04").post(
        ballot_url(election), form_data(election, "aann", "村民01", step="review")
    )

    assert (
        "You may write in one person for each candidate you disapprove: you disapprove 0 and wrote in 1."
        in page_text(response)
    )
    assert "Review my ballot" in page_text(response)


def test_changing_the_ballot_brings_the_form_back_filled_in(client, village):
    election = voting_election(village)

    response = signed_in(client, village, "member04").post(ballot_url(election), form_data(election, "dann", "村民01", step="edit"))

    html = response.content.decode()
    assert html.count("checked") == 4
    assert 'value="村民01"' in html
    assert counts(election) == (0, 0, 0)


def test_casting_shows_the_receipt_once_and_keeps_it_nowhere(client, village):
    election = voting_election(village)
    signed_in(client, village, "member04")

    response = client.post(ballot_url(election), form_data(election, "adnd", "村民01", step="cast"))

    assert response.status_code == 200
    receipt = shown_receipt(response)
    assert Ballot.objects.get().receipt == receipt
    assert "no-store" in response["Cache-Control"]
    assert "Write it down or take a photo now" in page_text(response)
    assert receipt not in str(dict(client.session))
    again = client.get(ballot_url(election))
    assert "You have voted in this round" in page_text(again)
    assert receipt not in again.content.decode()
    assert "Review my ballot" not in page_text(again)
    assert counts(election) == (1, 1, 1)


def test_a_second_submission_is_refused_with_the_reason(client, village):
    election = voting_election(village)
    signed_in(client, village, "member04")
    data = form_data(election, "aann", step="cast")
    cast_ballot(
        actor=village.account("member04"),
        voting_round=election.rounds.get(),
        marks={candidate.pk: "abstain" for candidate in election.candidates.all()},
        write_ins=[],
    )

    response = client.post(ballot_url(election), data)

    assert response.status_code == 200
    assert "You have voted in this round" in page_text(response)
    assert counts(election) == (1, 1, 1)


def test_a_double_submission_racing_past_the_page_is_refused(client, village, monkeypatch):
    """The page offered the form to both tabs; the second cast meets the database's refusal."""
    election = voting_election(village)
    signed_in(client, village, "member04")
    data = form_data(election, "aann", step="cast")
    client.post(ballot_url(election), data)
    monkeypatch.setattr("tongxin.elections.views.casting.voter_choices", lambda user, voting_round: [own_entry(village, election, "member04")])

    response = client.post(ballot_url(election), form_data(election, "dddd", step="cast"))

    assert "You have already voted in this round: each voter casts one ballot." in page_text(response)
    assert counts(election) == (1, 1, 1)


@pytest.mark.parametrize("account", ["probationary", "villager01", "outsider"])
def test_those_not_on_the_roll_get_403_and_nothing_changes(client, village, account):
    election = voting_election(village)
    sign_in(client, village.outsider if account == "outsider" else village.account(account))

    assert client.get(ballot_url(election)).status_code == 403
    assert client.post(ballot_url(election), form_data(election, "aann", step="cast")).status_code == 403
    assert counts(election) == (0, 0, 0)


def test_signed_out_visitors_are_sent_to_sign_in(client, village):
    election = voting_election(village)

    response = client.get(ballot_url(election))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_no_open_round_says_so(client, village):
    election = voting_election(village)
    VotingRound.objects.filter(election=election).update(status=RoundStatus.CLOSED)

    response = signed_in(client, village, "member04").get(ballot_url(election))

    assert "No round is open for voting in this election now." in page_text(response)
    assert "<form" not in response.content.decode().split("<main", 1)[1]


def with_proxy(village: Village, election: Election) -> RollEntry:
    Election.objects.filter(pk=election.pk).update(proxies_allowed=True)
    principal = own_entry(village, election, "member06")
    Proxy.objects.create(election=election, principal=principal, holder=own_entry(village, election, "member04"), relation="配偶")
    return principal


def test_a_proxy_holder_chooses_whose_ballot_and_casts_both(client, village):
    election = voting_election(village)
    principal = with_proxy(village, election)
    signed_in(client, village, "member04")

    text = page_text(client.get(ballot_url(election)))
    assert "Whose ballot are you casting? My own ballot 杨磊's ballot (I hold their proxy)" in text

    review = client.post(ballot_url(election), form_data(election, "dddd", voter=principal, step="review"))
    assert "You are casting 杨磊's ballot, as their proxy holder." in page_text(review)
    cast = client.post(ballot_url(election), form_data(election, "dddd", voter=principal, step="cast"))
    assert "You cast 杨磊's ballot as their proxy holder: give them this receipt code." in page_text(cast)

    own = client.get(ballot_url(election))
    assert 'type="hidden" name="voter"' in own.content.decode()
    assert "as their proxy holder" not in page_text(own)
    client.post(ballot_url(election), form_data(election, "aann", voter=own_entry(village, election, "member04"), step="cast"))
    assert "You have voted in this round" in page_text(client.get(ballot_url(election)))
    assert set(Turnout.objects.values_list("voter__person__name", "by_proxy")) == {("杨磊", True), ("刘洋", False)}


def test_without_a_choice_of_voter_a_proxy_holder_is_asked(client, village):
    election = voting_election(village)
    with_proxy(village, election)

    response = signed_in(client, village, "member04").post(ballot_url(election), form_data(election, "aann", step="cast"))

    assert "Choose whose ballot you are casting." in page_text(response)
    assert counts(election) == (0, 0, 0)


def count_round(election: Election) -> VotingRound:
    """What the rounds area does when it has counted the round (the count itself is theirs)."""
    VotingRound.objects.filter(election=election, number=1).update(status=RoundStatus.COUNTED)
    return election.rounds.get(number=1)


def cast_some(village: Village, election: Election) -> list[str]:
    voting_round = election.rounds.get(number=1)
    candidates = list(election.candidates.order_by("position"))
    words = {"a": "approve", "d": "disapprove", "n": "abstain"}
    receipts = []
    for account, letters, write_ins in (
        ("member01", "aann", []),
        ("member04", "adnd", ["村民01"]),
        ("member06", "aaan", []),
    ):
        marks = {candidate.pk: words[letter] for candidate, letter in zip(candidates, letters, strict=True)}
        receipts.append(
            cast_ballot(actor=village.account(account), voting_round=voting_round, marks=marks, write_ins=write_ins)
        )
    return receipts


def test_a_receipt_finds_its_ballot_once_the_round_is_counted(client, village):
    election = voting_election(village)
    receipts = cast_some(village, election)
    url = reverse("elections:receipt", args=[election.pk])

    before = page_text(client.get(url, {"code": receipts[1]}))
    assert "No published ballot has this receipt code." in before

    count_round(election)
    typed = f" {receipts[1][:5].lower()}-{receipts[1][5:]} "
    after = page_text(client.get(url, {"code": typed}))
    assert f"Your ballot in round 1 {receipts[1]} Approves 王芳 Disapproves 张伟、赵敏 Abstains on 陈静 Writes in 村民01" in after
    assert "No published ballot" not in after
    assert "No published ballot has this receipt code." in page_text(client.get(url, {"code": "ZZZZZZZZZZ"}))


def test_the_ballot_list_is_published_only_once_the_round_is_counted(client, village):
    election = voting_election(village)
    cast_some(village, election)
    url = reverse("elections:ballots", args=[election.pk, 1])

    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "json"}).status_code == 404
    VotingRound.objects.filter(election=election).update(status=RoundStatus.CLOSED)
    assert client.get(url).status_code == 404
    count_round(election)
    assert client.get(url).status_code == 200


def test_the_ballot_list_shows_every_ballot_in_receipt_order(client, village, django_assert_max_num_queries):
    election = voting_election(village)
    receipts = cast_some(village, election)
    count_round(election)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("elections:ballots", args=[election.pk, 1]))

    text = page_text(response)
    assert "3 ballots, without names, in the order of their receipt codes." in text
    html = response.content.decode()
    assert re.findall(r'class="ballot-receipt-code numbers">(\w+)<', html) == sorted(receipts)
    assert "Writes in 村民01" in text
    for name in ["李书记", "刘洋", "杨磊"]:
        assert name not in text


def test_the_download_recounts_with_the_command(client, village, tmp_path):
    election = voting_election(village)
    cast_some(village, election)
    abstain = {candidate.pk: "abstain" for candidate in election.candidates.all()}
    for account in ("member02", "member03", "member05", "member07", "member08", "member09", "member10"):
        cast_ballot(actor=village.account(account), voting_round=election.rounds.get(), marks=abstain, write_ins=[])
    count_round(election)

    response = client.get(reverse("elections:ballots", args=[election.pk, 1]), {"format": "json"})

    assert response["Content-Disposition"] == f'attachment; filename="election-{election.pk}-round-1-ballots.json"'
    document = json.loads(response.content)
    ballots = document.pop("ballots")
    assert document == {
        "rules": "party_branch",
        "seats": 3,
        "candidates": ["王芳", "张伟", "陈静", "赵敏"],
        "voters_due": 12,
        "voters_present": 10,
        "round": "first",
    }
    assert sorted(ballots, key=json.dumps) == sorted(
        [
            *[{"marks": {"王芳": "abstain", "张伟": "abstain", "陈静": "abstain", "赵敏": "abstain"}, "write_ins": []}] * 7,
            {"marks": {"王芳": "approve", "张伟": "approve", "陈静": "abstain", "赵敏": "abstain"}, "write_ins": []},
            {"marks": {"王芳": "approve", "张伟": "disapprove", "陈静": "abstain", "赵敏": "disapprove"}, "write_ins": ["村民01"]},
            {"marks": {"王芳": "approve", "张伟": "approve", "陈静": "approve", "赵敏": "abstain"}, "write_ins": []},
        ],
        key=json.dumps,
    )
    path = tmp_path / "ballots.json"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("count_election", str(path), stdout=out)
    result = json.loads(out.getvalue())
    assert result["ballots"] == {"returned": 10, "valid": 10, "invalid": 0}
    assert result["tally"] == {"王芳": 3, "张伟": 2, "陈静": 1, "赵敏": 0, "村民01": 1}


def test_a_holder_who_has_voted_is_told_the_ballot_left_is_the_principal_s(client, village):
    election = voting_election(village)
    principal = with_proxy(village, election)
    signed_in(client, village, "member04")
    client.post(ballot_url(election), form_data(election, "aann", voter=own_entry(village, election, "member04"), step="cast"))

    response = client.get(ballot_url(election))

    assert "You are casting 杨磊's ballot, as their proxy holder." in page_text(response)
    client.post(ballot_url(election), form_data(election, "dddd", step="cast"))
    assert Turnout.objects.get(voter=principal).by_proxy is True
    assert counts(election) == (2, 2, 2)


def test_a_later_round_has_no_write_in_fields(client, village):
    election = voting_election(village)
    VotingRound.objects.filter(election=election).update(kind="tie_break")

    response = signed_in(client, village, "member04").get(ballot_url(election))

    html = response.content.decode()
    assert 'name="w1"' not in html
    assert "Write in someone else" not in page_text(response)
    cast = client.post(ballot_url(election), {**form_data(election, "adnd"), "step": "cast"})
    assert RECEIPT.search(cast.content.decode()) is not None
    assert counts(election) == (1, 1, 1)
