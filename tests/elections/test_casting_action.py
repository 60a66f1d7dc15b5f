"""`cast_ballot` and `seal_round`: who may cast, what a ballot must say, one ballot per voter,
the receipt, and what is stored (nothing that links the turnout to the ballot)."""

import datetime
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tongxin.core.audit import AuditEvent
from tongxin.core.errors import ActionError
from tongxin.elections import ballots
from tongxin.elections.actions import casting
from tongxin.elections.actions.casting import ballot_content, cast_ballot, seal_round, voter_choices
from tongxin.elections.models import (
    Ballot,
    Election,
    Proxy,
    RollEntry,
    RoundKind,
    RoundStatus,
    Turnout,
    VotingRound,
)

from .conftest import Village, voting_election

pytestmark = pytest.mark.django_db


def first_round(election: Election) -> VotingRound:
    return election.rounds.get(number=1)


def marks_for(election: Election, *letters: str) -> dict[int, str]:
    """Marks for the listed candidates in order: "a" approve, "d" disapprove, "n" abstain."""
    words = {"a": "approve", "d": "disapprove", "n": "abstain"}
    candidates = list(election.candidates.order_by("position"))
    return {candidate.pk: words[letter] for candidate, letter in zip(candidates, letters, strict=True)}


def cast(village: Village, account: str, election: Election, letters: str = "aann", **kwargs: Any) -> str:
    return cast_ballot(
        actor=village.account(account),
        voting_round=first_round(election),
        marks=marks_for(election, *letters),
        write_ins=kwargs.pop("write_ins", []),
        **kwargs,
    )


def refused(village: Village, account: str, election: Election, letters: str = "aann", **kwargs: Any) -> str:
    with pytest.raises(ActionError) as error:
        cast(village, account, election, letters, **kwargs)
    return str(error.value.message)


def stored(election: Election) -> tuple[int, int, int]:
    """Turnout rows, ballots and audit events of votes."""
    voting_round = first_round(election)
    return (
        Turnout.objects.filter(round=voting_round).count(),
        Ballot.objects.filter(round=voting_round).count(),
        AuditEvent.objects.filter(verb="election.vote").count(),
    )


def test_a_ballot_is_stored_with_its_receipt_and_the_turnout_apart(village):
    election = voting_election(village)

    receipt = cast(village, "member04", election, "adnd", write_ins=["  村民 01 "])

    voting_round = first_round(election)
    ballot = Ballot.objects.get(round=voting_round)
    assert ballot.receipt == receipt
    assert len(receipt) == 10
    candidates = [f"c{pk}" for pk in election.candidates.order_by("position").values_list("pk", flat=True)]
    decoded = ballots.decode(ballot.content, candidates)
    assert decoded.marks == dict(zip(candidates, ["approve", "disapprove", "abstain", "disapprove"], strict=True))
    assert decoded.write_ins == ("村民 01",)
    turnout = Turnout.objects.get(round=voting_round)
    assert (turnout.voter.person, turnout.by_proxy) == (village.person("member04"), False)


def test_the_audit_entry_says_who_voted_and_nothing_of_the_ballot(village):
    election = voting_election(village)

    receipt = cast(village, "member04", election)

    event = AuditEvent.objects.get(verb="election.vote")
    voter = RollEntry.objects.get(election=election, person=village.person("member04"))
    assert event.actor_label == "member04"
    assert event.data == {"round": 1, "voter": voter.pk, "by_proxy": False}
    ballot = Ballot.objects.get()
    for value in (receipt, str(ballot.id), ballot.content):
        assert value not in repr(event.data) + event.target_id + event.target_label


def test_every_ballot_of_a_round_has_the_same_length_whatever_it_says(village):
    election = voting_election(village)

    cast(village, "member01", election, "aaaa")
    cast(village, "member04", election, "dddd", write_ins=["欧阳明月", "诸葛孔明先生", "Wang Xiaoming"])
    cast(village, "member06", election, "nnnn")
    cast(village, "member08", election, "dnnn", write_ins=["王" * 20])

    lengths = {len(ballot.content.encode()) for ballot in Ballot.objects.all()}
    assert lengths == {ballots.content_length(4, 3)}


def test_every_candidate_needs_an_explicit_mark(village):
    election = voting_election(village)
    marks = marks_for(election, "a", "a", "n", "n")
    del marks[election.candidates.get(position=3).pk]

    with pytest.raises(ActionError) as error:
        cast_ballot(actor=village.account("member04"), voting_round=first_round(election), marks=marks, write_ins=[])

    assert error.value.message == "Mark every candidate: approve, disapprove or abstain. Not marked: 陈静."
    assert stored(election) == (0, 0, 0)


def test_a_mark_is_one_of_three_and_only_for_the_round_s_candidates(village):
    election = voting_election(village)
    marks = marks_for(election, "a", "a", "n", "n")
    wrong = {**marks, next(iter(marks)): "yes"}
    stranger = {**marks, 999999: "approve"}

    for bad, message in (
        (wrong, "A mark is approve, disapprove or abstain."),
        (stranger, "The ballot marks someone who is not a candidate in this round."),
    ):
        with pytest.raises(ActionError) as error:
            cast_ballot(actor=village.account("member04"), voting_round=first_round(election), marks=bad, write_ins=[])
        assert error.value.message == message
    assert stored(election) == (0, 0, 0)


@pytest.mark.parametrize(
    ("letters", "write_ins", "message"),
    [
        ("aann", ["村民01"], "You may write in one person for each candidate you disapprove: you disapprove 0 and wrote in 1."),
        ("dann", ["村民01", "村民02"], "You may write in one person for each candidate you disapprove: you disapprove 1 and wrote in 2."),
        ("dddd", ["村民01", "村民02", "村民03", "村民04"], "At most 3 people may be written in."),
        ("dann", [" 张 伟 "], "“张 伟” is on the candidate list: mark them above instead of writing them in."),
        ("dann", ["张伟"], "“张伟” is on the candidate list: mark them above instead of writing them in."),
        ("ddnn", ["村民01", " 村民01"], "The same person is written in twice."),
        ("dann", ["王" * 21], "A written-in name may have at most 60 bytes (20 Chinese characters)."),
    ],
)
def test_write_in_rules(village, letters, write_ins, message):
    election = voting_election(village)

    assert refused(village, "member04", election, letters, write_ins=write_ins) == message
    assert stored(election) == (0, 0, 0)


def test_blank_write_ins_are_no_write_ins(village):
    election = voting_election(village)

    cast(village, "member04", election, "aann", write_ins=["", "   ", "\u3000"])

    assert ballots.decode(Ballot.objects.get().content, ["a", "b", "c", "d"]).write_ins == ()


def test_write_ins_only_in_the_first_round(village):
    election = voting_election(village)
    voting_round = first_round(election)
    voting_round.kind = RoundKind.TIE_BREAK
    voting_round.save(update_fields=["kind"])

    assert refused(village, "member04", election, "dann", write_ins=["村民01"]) == (
        "Write-ins are allowed only in the first round."
    )
    assert stored(election) == (0, 0, 0)


def test_a_second_ballot_of_the_same_voter_is_refused(village):
    election = voting_election(village)
    cast(village, "member04", election)

    assert refused(village, "member04", election, "dddd") == (
        "You have already voted in this round: each voter casts one ballot."
    )
    assert stored(election) == (1, 1, 1)


def test_two_submissions_racing_past_the_check_meet_the_database_s_constraint(village, monkeypatch):
    """What happens when both submissions of one voter pass the check before either commits."""
    election = voting_election(village)
    cast(village, "member04", election)
    monkeypatch.setattr(casting, "has_voted", lambda voting_round, voter: False)

    assert refused(village, "member04", election, "dddd") == (
        "You have already voted in this round: each voter casts one ballot."
    )
    assert stored(election) == (1, 1, 1)


@pytest.mark.parametrize("account", ["probationary", "villager01", "outsider", "minor"])
def test_those_not_eligible_are_refused_and_nothing_is_stored(village, account):
    election = voting_election(village)
    user = village.outsider if account == "outsider" else village.account(account)

    with pytest.raises(PermissionDenied):
        cast_ballot(
            actor=user, voting_round=first_round(election), marks=marks_for(election, *"aann"), write_ins=[]
        )

    assert stored(election) == (0, 0, 0)


def test_staff_who_run_the_election_cannot_vote_unless_on_the_roll(village):
    election = voting_election(village)

    with pytest.raises(PermissionDenied):
        cast_ballot(
            actor=village.committee, voting_round=first_round(election), marks=marks_for(election, *"aann"), write_ins=[]
        )
    assert stored(election) == (0, 0, 0)


def test_a_round_not_open_takes_no_ballots(village):
    election = voting_election(village)
    voting_round = first_round(election)
    for status in (RoundStatus.PREPARED, RoundStatus.CLOSED, RoundStatus.COUNTED):
        voting_round.status = status
        voting_round.save(update_fields=["status"])

        assert refused(village, "member04", election) == "This round is not open for voting."
    assert stored(election) == (0, 0, 0)


def test_votes_only_inside_the_voting_window(village):
    now = timezone.now()
    election = voting_election(village)
    Election.objects.filter(pk=election.pk).update(
        voting_opens_at=now + datetime.timedelta(hours=1), voting_closes_at=now + datetime.timedelta(hours=5)
    )
    assert refused(village, "member04", election) == "Voting has not started yet."

    Election.objects.filter(pk=election.pk).update(
        voting_opens_at=now - datetime.timedelta(hours=5), voting_closes_at=now - datetime.timedelta(seconds=1)
    )
    assert refused(village, "member04", election) == "Voting has ended."
    assert stored(election) == (0, 0, 0)

    Election.objects.filter(pk=election.pk).update(voting_closes_at=now + datetime.timedelta(hours=1))
    cast(village, "member04", election)
    assert stored(election) == (1, 1, 1)


def proxy(village: Village, election: Election, principal: str, holder: str) -> RollEntry:
    Election.objects.filter(pk=election.pk).update(proxies_allowed=True)
    election.refresh_from_db()
    entry = RollEntry.objects.get(election=election, person=village.person(principal))
    Proxy.objects.create(
        election=election,
        principal=entry,
        holder=RollEntry.objects.get(election=election, person=village.person(holder)),
        relation="配偶",
    )
    return entry


def test_a_proxy_holder_casts_the_principal_s_ballot_and_their_own(village):
    election = voting_election(village)
    principal = proxy(village, election, "member06", "member04")
    assert [entry.person.name for entry in voter_choices(village.account("member04"), first_round(election))] == [
        "刘洋",
        "杨磊",
    ]

    cast(village, "member04", election, "dddd", for_voter=principal)
    cast(village, "member04", election, "aann")

    turnout = {(row.voter.person.name, row.by_proxy) for row in Turnout.objects.select_related("voter__person")}
    assert turnout == {("杨磊", True), ("刘洋", False)}
    assert voter_choices(village.account("member04"), first_round(election)) == []
    assert refused(village, "member04", election, for_voter=principal) == (
        "杨磊's ballot has already been cast in this round."
    )
    assert stored(election) == (2, 2, 2)


def test_the_principal_who_votes_first_leaves_nothing_for_the_holder(village):
    election = voting_election(village)
    principal = proxy(village, election, "member06", "member04")
    cast(village, "member06", election)

    assert refused(village, "member04", election, for_voter=principal) == (
        "杨磊's ballot has already been cast in this round."
    )
    assert stored(election) == (1, 1, 1)


def test_nobody_but_the_registered_holder_casts_a_principal_s_ballot(village):
    election = voting_election(village)
    principal = proxy(village, election, "member06", "member04")

    for account in ("member05", "member06", "villager01"):
        with pytest.raises(PermissionDenied):
            cast(village, account, election, for_voter=principal)
    assert stored(election) == (0, 0, 0)


def test_no_proxy_votes_where_the_rule_set_allows_none(village):
    election = voting_election(village)
    principal = proxy(village, election, "member06", "member04")
    Election.objects.filter(pk=election.pk).update(proxies_allowed=False)

    with pytest.raises(PermissionDenied):
        cast(village, "member04", election, for_voter=principal)
    assert stored(election) == (0, 0, 0)


def test_turnout_and_ballot_share_no_value_but_the_round(village):
    election = voting_election(village)
    for account in ("member01", "member02", "member03"):
        cast(village, account, election)

    ballot_values = {str(value) for row in Ballot.objects.values_list("id", "receipt", "content") for value in row}
    turnout_values = {str(value) for row in Turnout.objects.values_list("id", "voter_id", "by_proxy") for value in row}
    assert ballot_values.isdisjoint(turnout_values)
    assert [field.name for field in Ballot._meta.concrete_fields] == ["id", "round", "receipt", "content"]
    assert [field.name for field in Turnout._meta.concrete_fields] == ["id", "round", "voter", "by_proxy"]


def test_sealing_keeps_every_ballot_as_cast(village):
    election = voting_election(village)
    for account, letters in (("member01", "aaaa"), ("member02", "dddd"), ("member03", "nnnn")):
        cast(village, account, election, letters)
    before = set(Ballot.objects.values_list("id", "receipt", "content"))

    with transaction.atomic():
        seal_round(first_round(election))

    assert set(Ballot.objects.values_list("id", "receipt", "content")) == before



NAMES = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Lo", "Lu", "Ll", "Nd", "Zs"]), min_size=1, max_size=20
).filter(lambda name: name.strip() and len(" ".join(name.split()).encode()) <= ballots.WRITE_IN_BYTES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(letters=st.lists(st.sampled_from("adn"), min_size=4, max_size=4), names=st.lists(NAMES, max_size=3))
def test_any_ballot_the_rules_allow_is_stored_at_one_length_and_reads_back(village_election, letters, names):
    voting_round, candidates = village_election
    keys = {same_person(name) for name in names}
    assume(len(names) <= letters.count("d") and len(keys) == len(names))
    assume(keys.isdisjoint(same_person(name) for name in ["王芳", "张伟", "陈静", "赵敏"]))
    words = {"a": "approve", "d": "disapprove", "n": "abstain"}
    marks = {candidate.pk: words[letter] for candidate, letter in zip(candidates, letters, strict=True)}

    content = ballot_content(voting_round, marks, names)

    assert len(content.encode()) == ballots.content_length(4, 3)
    decoded = ballots.decode(content, [f"c{candidate.pk}" for candidate in candidates])
    assert list(decoded.marks.values()) == [words[letter] for letter in letters]
    assert decoded.write_ins == tuple(" ".join(name.split()) for name in names)


def same_person(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


@pytest.fixture
def village_election(village):
    election = voting_election(village)
    return first_round(election), list(election.candidates.order_by("position"))
