"""Casting over the API: the open ballot, casting it (the answer is the receipt), and a counted
round's published ballots, with the same document `tongxin count-election` reads.

The same action and permissions as the ballot page: a voter casts their own ballot or, as a
registered proxy holder, a principal's; the receipt is in the answer and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as WithStatus
from pydantic import Field

from tongxin.accounts.auth import PUBLIC
from tongxin.core.api import error_responses
from tongxin.core.errors import ActionError

from ..actions.casting import (
    cast_ballot,
    count_input,
    open_round,
    published_ballots,
    round_entries,
    voter_choices,
    write_in_slots,
)
from ..models import Election, RollEntry, VotingRound
from ..permissions import (
    can_see_ballots,
    can_vote_in,
    visible_election,
    voter_entry_of,
)

router = Router()


# ---- output ---------------------------------------------------------------------------------


class BallotCandidateOut(Schema):
    id: int = Field(description="The candidate's id: the key of their mark in a cast ballot.")
    name: str
    position: int


class BallotVoterOut(Schema):
    id: int = Field(
        description="The roll entry; send it as `for_voter` to cast a principal's ballot."
    )
    name: str
    own: bool = Field(description="The caller's own ballot (false: a principal's, by proxy).")


class OpenBallotOut(Schema):
    round: int
    kind: str
    seats: int
    write_in_slots: int = Field(
        description="How many names may be written in (0 after the first round)."
    )
    candidates: list[BallotCandidateOut]
    voters: list[BallotVoterOut] = Field(
        description="Whose ballot the caller may still cast: empty once cast."
    )


class ReceiptOut(Schema):
    receipt: str = Field(
        description="Shown once: the code to find the ballot in the published list."
    )


class PublishedBallotOut(Schema):
    receipt: str
    marks: dict[str, str] = Field(description="Candidate's name → approve, disapprove or abstain.")
    write_ins: list[str]


class PublishedBallotsOut(Schema):
    round: int
    kind: str
    seats: int
    candidates: list[str]
    ballots: list[PublishedBallotOut] = Field(description="In receipt order; no voter, no time.")


class CountBallotOut(Schema):
    marks: dict[str, str]
    write_ins: list[str]


class CountInputOut(Schema):
    """The round as `tongxin count-election FILE.json` reads it."""

    rules: str
    seats: int
    candidates: list[str]
    voters_due: int
    voters_present: int
    ballots: list[CountBallotOut]
    round: str
    adjust: dict[str, Any] | None = None


# ---- input ----------------------------------------------------------------------------------


class BallotIn(Schema):
    marks: dict[int, str] = Field(
        description="One mark for every candidate of the round: candidate id → approve, disapprove or abstain."
    )
    write_ins: list[str] = Field(
        default_factory=list, description="First round only; one per disapproval."
    )
    for_voter: int | None = Field(
        None, description="A principal's roll entry, to cast their ballot by proxy."
    )


# ---- endpoints ------------------------------------------------------------------------------



def _open_round(request: HttpRequest, election: Election) -> VotingRound:
    if not can_vote_in(request.auth, election):
        raise PermissionDenied
    voting_round = open_round(election)
    if voting_round is None:
        raise ActionError(
            _("No round is open for voting in this election now."),
            status=409,
            code="round_not_open",
        )
    return voting_round


@router.get(
    "/elections/{pk}/ballot", response={200: OpenBallotOut, **error_responses(401, 403, 404, 409)}
)
def get_ballot(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The open round's ballot for the caller: its candidates, seats and whose ballot they may cast."""
    election = visible_election(request.auth, pk)
    voting_round = _open_round(request, election)
    own = voter_entry_of(request.auth, election)
    entries = round_entries(voting_round)
    return {
        "round": voting_round.number,
        "kind": voting_round.kind,
        "seats": voting_round.seats,
        "write_in_slots": write_in_slots(voting_round),
        "candidates": [
            {
                "id": entry.candidate_id,
                "name": entry.candidate.person.display_name,
                "position": entry.position,
            }
            for entry in entries
        ],
        "voters": [
            {
                "id": entry.pk,
                "name": entry.person.display_name,
                "own": own is not None and entry.pk == own.pk,
            }
            for entry in voter_choices(request.auth, voting_round)
        ],
    }


@router.post(
    "/elections/{pk}/ballot", response={201: ReceiptOut, **error_responses(400, 401, 403, 404, 409)}
)
def post_ballot(request: HttpRequest, pk: int, body: BallotIn) -> WithStatus[dict[str, str]]:
    """Cast the ballot; the answer holds its receipt, shown this once."""
    election = visible_election(request.auth, pk)
    voting_round = _open_round(request, election)
    for_voter = None
    if body.for_voter is not None:
        for_voter = (
            RollEntry.objects.filter(election=election, pk=body.for_voter)
            .select_related("person")
            .first()
        )
        if for_voter is None:
            raise PermissionDenied
        own = voter_entry_of(request.auth, election)
        if own is not None and own.pk == for_voter.pk:
            for_voter = None  # the caller named themselves
    receipt = cast_ballot(
        actor=request.auth,
        voting_round=voting_round,
        marks=body.marks,
        write_ins=body.write_ins,
        for_voter=for_voter,
    )
    return WithStatus(201, {"receipt": receipt})


def _counted_round(request: HttpRequest, pk: int, number: int) -> VotingRound:
    election = visible_election(request.auth, pk)
    voting_round = get_object_or_404(VotingRound, election=election, number=number)
    voting_round.election = election
    if not can_see_ballots(request.auth, voting_round):
        raise Http404
    return voting_round


@router.get(
    "/elections/{pk}/rounds/{number}/ballots",
    response={200: PublishedBallotsOut, **error_responses(404)},
    auth=PUBLIC,
)
def get_ballots(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    """A counted round's anonymous ballots with their receipts (404 before it is counted)."""
    voting_round = _counted_round(request, pk, number)
    listed = published_ballots(voting_round)
    return {
        "round": voting_round.number,
        "kind": voting_round.kind,
        "seats": voting_round.seats,
        "candidates": listed.candidates,
        "ballots": [
            {"receipt": ballot.receipt, "marks": ballot.marks, "write_ins": list(ballot.write_ins)}
            for ballot in listed.ballots
        ],
    }


@router.get(
    "/elections/{pk}/rounds/{number}/ballots/count-input",
    response={200: CountInputOut, **error_responses(404)},
    auth=PUBLIC,
    exclude_none=True,
)
def get_count_input(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    """A counted round as `tongxin count-election FILE.json` reads it, to recount it."""
    return count_input(_counted_round(request, pk, number))
