"""Casting over the API: the open ballot, a cast answered with the receipt, the refusals, and the
published ballots of a counted round in the shape `tongxin count-election` reads."""

import io
import json
import secrets
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.api.conftest import Caller
from tongxin.accounts.actions import issue_api_token
from tongxin.core.audit import AuditEvent
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


def caller(user: Any) -> Caller:
    """A fresh token for the account (each under its own name: a name is used once)."""
    _, secret = issue_api_token(actor=user, user=user, name=f"casting tests {secrets.token_hex(4)}")
    return Caller(user=user, secret=secret)


def call(client: Client, method: str, path: str, user: Any = None, body: dict | None = None):
    headers = caller(user).headers if user is not None else {}
    if method == "get":
        return client.get(path, headers=headers)
    return client.post(path, body or {}, content_type="application/json", headers=headers)


def marks(election: Election, letters: str) -> dict[str, str]:
    words = {"a": "approve", "d": "disapprove", "n": "abstain"}
    candidates = election.candidates.order_by("position")
    return {str(candidate.pk): words[letter] for candidate, letter in zip(candidates, letters, strict=True)}


def counts(election: Election) -> tuple[int, int, int]:
    return (
        Turnout.objects.filter(round__election=election).count(),
        Ballot.objects.filter(round__election=election).count(),
        AuditEvent.objects.filter(verb="election.vote").count(),
    )


def entry(village: Village, election: Election, account: str) -> RollEntry:
    return RollEntry.objects.get(election=election, person=village.person(account))


def test_the_open_ballot(client, village):
    election = voting_election(village)

    response = call(client, "get", f"/api/v1/elections/{election.pk}/ballot", village.account("member04"))

    assert response.status_code == 200
    candidates = list(election.candidates.order_by("position"))
    assert response.json() == {
        "round": 1,
        "kind": "first",
        "seats": 3,
        "write_in_slots": 3,
        "candidates": [
            {"id": candidate.pk, "name": name, "position": position}
            for candidate, name, position in zip(candidates, ["王芳", "张伟", "陈静", "赵敏"], [1, 2, 3, 4], strict=True)
        ],
        "voters": [{"id": entry(village, election, "member04").pk, "name": "刘洋", "own": True}],
    }


def test_casting_answers_with_the_receipt_and_a_second_cast_is_refused(client, village):
    election = voting_election(village)
    user = village.account("member04")
    path = f"/api/v1/elections/{election.pk}/ballot"

    first = call(client, "post", path, user, {"marks": marks(election, "adnd"), "write_ins": ["村民01"]})

    assert first.status_code == 201
    assert first.json() == {"receipt": Ballot.objects.get().receipt}
    second = call(client, "post", path, user, {"marks": marks(election, "aaaa")})
    assert second.status_code == 409
    assert second.json() == {"detail": "You have already voted in this round: each voter casts one ballot."}
    assert call(client, "get", path, user).json()["voters"] == []
    assert counts(election) == (1, 1, 1)


@pytest.mark.parametrize(
    ("letters", "write_ins", "detail"),
    [
        ("aan", [], "Mark every candidate: approve, disapprove or abstain. Not marked: 赵敏."),
        ("aann", ["张伟"], "You may write in one person for each candidate you disapprove: you disapprove 0 and wrote in 1."),
        ("dann", ["张伟"], "“张伟” is on the candidate list: mark them above instead of writing them in."),
    ],
)
def test_a_ballot_breaking_a_rule_gets_400_and_nothing_is_stored(client, village, letters, write_ins, detail):
    election = voting_election(village)
    body = {"marks": dict(list(marks(election, "aaaa").items())[: len(letters)]), "write_ins": write_ins}
    body["marks"] = {key: {"a": "approve", "d": "disapprove", "n": "abstain"}[letter] for key, letter in zip(body["marks"], letters, strict=True)}

    response = call(client, "post", f"/api/v1/elections/{election.pk}/ballot", village.account("member04"), body)

    assert response.status_code == 400
    assert response.json() == {"detail": detail}
    assert counts(election) == (0, 0, 0)


@pytest.mark.parametrize("account", ["probationary", "villager01", "outsider"])
def test_those_not_on_the_roll_get_403_and_nothing_changes(client, village, account):
    election = voting_election(village)
    user = village.outsider if account == "outsider" else village.account(account)
    path = f"/api/v1/elections/{election.pk}/ballot"

    assert call(client, "get", path, user).status_code == 403
    assert call(client, "post", path, user, {"marks": marks(election, "aann")}).status_code == 403
    assert counts(election) == (0, 0, 0)


def test_anonymous_callers_get_401(client, village):
    election = voting_election(village)

    assert call(client, "post", f"/api/v1/elections/{election.pk}/ballot", None, {"marks": {}}).status_code == 401
    assert counts(election) == (0, 0, 0)


def test_no_open_round_gets_409(client, village):
    election = voting_election(village)
    VotingRound.objects.filter(election=election).update(status=RoundStatus.CLOSED)

    response = call(client, "post", f"/api/v1/elections/{election.pk}/ballot", village.account("member04"), {"marks": marks(election, "aann")})

    assert response.status_code == 409
    assert counts(election) == (0, 0, 0)


def test_a_proxy_holder_casts_for_the_principal(client, village):
    election = voting_election(village)
    Election.objects.filter(pk=election.pk).update(proxies_allowed=True)
    principal = entry(village, election, "member06")
    Proxy.objects.create(election=election, principal=principal, holder=entry(village, election, "member04"), relation="配偶")
    path = f"/api/v1/elections/{election.pk}/ballot"
    holder = village.account("member04")

    assert [voter["name"] for voter in call(client, "get", path, holder).json()["voters"]] == ["刘洋", "杨磊"]
    response = call(client, "post", path, holder, {"marks": marks(election, "dddd"), "for_voter": principal.pk})

    assert response.status_code == 201
    assert Turnout.objects.get().voter == principal
    stranger = call(client, "post", path, village.account("member05"), {"marks": marks(election, "dddd"), "for_voter": entry(village, election, "member07").pk})
    assert stranger.status_code == 403
    assert counts(election) == (1, 1, 1)


def counted(village: Village, client: Client) -> tuple[Election, list[str]]:
    election = voting_election(village)
    path = f"/api/v1/elections/{election.pk}/ballot"
    receipts = [
        call(client, "post", path, village.account(account), {"marks": marks(election, letters), "write_ins": write_ins}).json()["receipt"]
        for account, letters, write_ins in (("member01", "aann", []), ("member04", "adnd", ["村民01"]))
    ]
    return election, receipts


def test_the_ballots_of_a_round_are_published_once_it_is_counted(client, village, django_assert_max_num_queries):
    election, receipts = counted(village, client)
    path = f"/api/v1/elections/{election.pk}/rounds/1/ballots"
    assert client.get(path).status_code == 404
    assert client.get(f"{path}/count-input").status_code == 404

    VotingRound.objects.filter(election=election).update(status=RoundStatus.COUNTED)
    with django_assert_max_num_queries(6):
        response = client.get(path)

    assert response.status_code == 200
    by_receipt = {
        receipts[0]: {"marks": {"王芳": "approve", "张伟": "approve", "陈静": "abstain", "赵敏": "abstain"}, "write_ins": []},
        receipts[1]: {"marks": {"王芳": "approve", "张伟": "disapprove", "陈静": "abstain", "赵敏": "disapprove"}, "write_ins": ["村民01"]},
    }
    assert response.json() == {
        "round": 1,
        "kind": "first",
        "seats": 3,
        "candidates": ["王芳", "张伟", "陈静", "赵敏"],
        "ballots": [{"receipt": receipt, **by_receipt[receipt]} for receipt in sorted(receipts)],
    }


def test_the_count_input_is_what_the_command_reads(client, village, tmp_path):
    election, _receipts = counted(village, client)
    VotingRound.objects.filter(election=election).update(status=RoundStatus.COUNTED)

    response = client.get(f"/api/v1/elections/{election.pk}/rounds/1/ballots/count-input")

    document = response.json()
    assert {key: value for key, value in document.items() if key != "ballots"} == {
        "rules": "party_branch",
        "seats": 3,
        "candidates": ["王芳", "张伟", "陈静", "赵敏"],
        "voters_due": 12,
        "voters_present": 2,
        "round": "first",
    }
    path = tmp_path / "round.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("count_election", str(path), stdout=out)
    assert json.loads(out.getvalue())["ballots"]["returned"] == 2
