"""Rounds of voting as JSON: the rounds and the result (public once the election is past its
preparation), and the committee's, tellers' and scrutineers' steps.

The same actions as the pages (`actions.rounds`); errors as everywhere in the API:
ActionError → 400/409 with `detail`, PermissionDenied → 403, an election the caller may not see → 404.
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
from tongxin.community.models import Person
from tongxin.core.api import error_responses
from tongxin.core.errors import ActionError

from ..actions import rounds as actions
from ..models import Duty, Election, Motion, Official, Phase, Teller, VotingRound
from ..permissions import (
    can_enter_paper_ballots,
    can_run_election,
    visible_election,
)
from ..views.rounds import RoundView, next_step_text, round_views

router = Router()
OPTIONAL_SIGN_IN = {"security": [{}]}


# ---- schemas: what comes in ---------------------------------------------------------------------


class RoundAttendanceIn(Schema):
    voters_present: int = Field(ge=0)
    ballots_issued: int = Field(ge=0)


class RoundReturnedIn(Schema):
    ballots_returned: int = Field(ge=0)


class PaperBallotIn(Schema):
    teller: int = Field(ge=1, le=2)
    position: int = Field(ge=1)
    marks: dict[int, str | None] = Field(description="candidate id → approve, disapprove, abstain, or null (unmarked)")
    write_ins: list[str] = Field(default_factory=list)


class PaperReconcileIn(Schema):
    position: int = Field(ge=1)
    marks: dict[int, str | None]
    write_ins: list[str] = Field(default_factory=list)
    note: str = ""


class NextRoundIn(Schema):
    reduce_seats_motion: int | None = Field(None, description="a passed motion reducing the seats, instead of a further round")


class RoundSignIn(Schema):
    remark: str = ""


class OfficialAppointIn(Schema):
    person: int
    duty: str
    approved_by_assembly: bool = False
    declared_not_related: bool = False


class ResultPublishIn(Schema):
    minutes: str


# ---- schemas: what goes out -----------------------------------------------------------------------


class RoundCandidateOut(Schema):
    candidate: int
    label: str


class RoundSignatureOut(Schema):
    scrutineer: str
    signed_at: str
    remark: str


class RoundOut(Schema):
    number: int
    kind: str
    seats: int
    status: str
    voters_due: int
    voters_present: int | None
    ballots_issued: int | None
    ballots_returned: int | None
    candidates: list[RoundCandidateOut]
    result: dict[str, Any] | None = Field(
        description="status, reason {code, params}, ballots {returned, valid, invalid}, tally [{candidate, label, votes}], "
        "elected, tied, unfilled_seats; candidate is null for a written-in name"
    )
    reason: str = Field(description="the result in words")
    quorum: str
    threshold: str
    signatures: list[RoundSignatureOut]


class RoundNextStepOut(Schema):
    code: str
    kind: str
    seats: int
    text: str


class RoundsOut(Schema):
    phase: str
    rounds: list[RoundOut]
    next_step: RoundNextStepOut


class ElectedPersonOut(Schema):
    candidate: int | None
    label: str
    round: int


class ElectionResultOut(Schema):
    election: int
    title: str
    phase: str
    seats: int
    published_at: str | None
    minutes: str
    elected: list[ElectedPersonOut]
    rounds: list[RoundOut]
    scrutineers: list[str]


class PaperEntryOut(Schema):
    round: int
    teller: int
    position: int
    entered: int = Field(description="ballots this teller has entered")
    ballots_returned: int


class PaperMismatchOut(Schema):
    position: int
    first: str | None
    second: str | None
    reconciled: str | None


class ElectionOfficialOut(Schema):
    id: int
    person: int
    name: str
    duty: str
    approved_by_assembly: bool
    declared_not_related: bool


# ---- looking up ---------------------------------------------------------------------------------



def _round(election: Election, number: int) -> VotingRound:
    voting_round = get_object_or_404(VotingRound, election=election, number=number)
    voting_round.election = election
    return voting_round


def _round_out(view: RoundView) -> dict[str, Any]:
    voting_round = view.round
    return {
        "number": voting_round.number,
        "kind": voting_round.kind,
        "seats": voting_round.seats,
        "status": voting_round.status,
        "voters_due": voting_round.voters_due,
        "voters_present": voting_round.voters_present,
        "ballots_issued": voting_round.ballots_issued,
        "ballots_returned": voting_round.ballots_returned,
        "candidates": [
            {"candidate": entry.candidate_id, "label": label}
            for entry, label in zip(voting_round.entries.all(), view.names)
        ],
        "result": view.result,
        "reason": view.reason,
        "quorum": view.quorum,
        "threshold": view.threshold,
        "signatures": [
            {"scrutineer": s.official.person.name, "signed_at": s.signed_at.isoformat(), "remark": s.remark}
            for s in view.signatures
        ],
    }


def _rounds_out(election: Election) -> dict[str, Any]:
    views = round_views(election)
    step = actions.next_step(election, [view.round for view in views])
    return {
        "phase": election.phase,
        "rounds": [_round_out(view) for view in views],
        "next_step": {"code": step.code, "kind": step.kind, "seats": step.seats, "text": next_step_text(election, step)},
    }


def _one_round_out(election: Election, number: int) -> dict[str, Any]:
    for view in round_views(election):
        if view.round.number == number:
            return _round_out(view)
    raise Http404


# ---- reading --------------------------------------------------------------------------------------


@router.get(
    "/elections/{pk}/rounds", response={200: RoundsOut, **error_responses(404)}, auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN, summary="The rounds of voting and what happens next",
)
def list_rounds(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _rounds_out(visible_election(request.auth, pk))


@router.get(
    "/elections/{pk}/rounds/{number}", response={200: RoundOut, **error_responses(404)}, auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN, summary="One round of voting with its count",
)
def get_round(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    election = visible_election(request.auth, pk)
    _round(election, number)
    return _one_round_out(election, number)


@router.get(
    "/elections/{pk}/result", response={200: ElectionResultOut, **error_responses(404)}, auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN, summary="The published result: every round's tally, minutes and signatures",
)
def get_result(request: HttpRequest, pk: int) -> dict[str, Any]:
    """Before publication, only the committee running the election reads it (others get 404)."""
    election = visible_election(request.auth, pk)
    if election.phase != Phase.PUBLISHED and not can_run_election(request.auth, election.organisation):
        raise Http404
    views = round_views(election)
    return {
        "election": election.pk,
        "title": election.title,
        "phase": election.phase,
        "seats": election.seats,
        "published_at": election.published_at.isoformat() if election.published_at else None,
        "minutes": election.minutes if election.phase == Phase.PUBLISHED else "",
        "elected": actions.elected_people([view.round for view in views]),
        "rounds": [_round_out(view) for view in views],
        "scrutineers": list(
            election.officials.filter(duty=Duty.SCRUTINEER).order_by("pk").values_list("person__name", flat=True)
        ),
    }


# ---- the committee's steps ------------------------------------------------------------------------


@router.post(
    "/elections/{pk}/rounds", response={201: RoundOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Open the vote: round 1 with the whole candidate list",
)
def open_voting(request: HttpRequest, pk: int) -> WithStatus[dict[str, Any]]:
    election = visible_election(request.auth, pk)
    voting_round = actions.open_voting(actor=request.auth, election=election)
    return WithStatus(201, _one_round_out(election, voting_round.number))


@router.post(
    "/elections/{pk}/next-round", response={201: RoundOut, 200: RoundsOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Start the round the last result calls for, or reduce the seats by a passed motion",
)
def start_next_round(request: HttpRequest, pk: int, body: NextRoundIn) -> WithStatus[dict[str, Any]]:
    """201 with the new round; 200 with the rounds when the seats were reduced instead."""
    election = visible_election(request.auth, pk)
    motion = None
    if body.reduce_seats_motion is not None:
        motion = Motion.objects.filter(pk=body.reduce_seats_motion).first()
        if motion is None:
            raise Http404
    voting_round = actions.start_next_round(actor=request.auth, election=election, reduce_seats_motion=motion)
    if voting_round is None:
        return WithStatus(200, _rounds_out(election))
    return WithStatus(201, _one_round_out(election, voting_round.number))


def _step(request: HttpRequest, pk: int, number: int, action: Any, **data: Any) -> dict[str, Any]:
    election = visible_election(request.auth, pk)
    action(actor=request.auth, voting_round=_round(election, number), **data)
    return _one_round_out(election, number)


ROUND_ERRORS = error_responses(400, 401, 403, 404, 409)


@router.post("/elections/{pk}/rounds/{number}/start", response={200: RoundOut, **ROUND_ERRORS}, summary="Open a prepared assembly round")
def start_round(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    return _step(request, pk, number, actions.start_assembly_round)


@router.post("/elections/{pk}/rounds/{number}/attendance", response={200: RoundOut, **ROUND_ERRORS}, summary="Record voters present and ballots issued")
def record_attendance(request: HttpRequest, pk: int, number: int, body: RoundAttendanceIn) -> dict[str, Any]:
    return _step(request, pk, number, actions.record_attendance, **body.dict())


@router.post("/elections/{pk}/rounds/{number}/close", response={200: RoundOut, **ROUND_ERRORS}, summary="Close a round")
def close_round(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    return _step(request, pk, number, actions.close_round)


@router.post("/elections/{pk}/rounds/{number}/returned", response={200: RoundOut, **ROUND_ERRORS}, summary="Record the paper ballots found in the box")
def record_returned(request: HttpRequest, pk: int, number: int, body: RoundReturnedIn) -> dict[str, Any]:
    return _step(request, pk, number, actions.record_ballots_returned, **body.dict())


@router.post("/elections/{pk}/rounds/{number}/commit", response={200: RoundOut, **ROUND_ERRORS}, summary="Commit the agreed paper ballots")
def commit_paper(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    return _step(request, pk, number, actions.commit_paper_ballots)


@router.post("/elections/{pk}/rounds/{number}/count", response={200: RoundOut, **ROUND_ERRORS}, summary="Count a closed round")
def count_round(request: HttpRequest, pk: int, number: int) -> dict[str, Any]:
    return _step(request, pk, number, actions.count_round)


@router.post("/elections/{pk}/rounds/{number}/sign", response={201: RoundOut, **ROUND_ERRORS}, summary="Sign a counted round as scrutineer")
def sign_round(request: HttpRequest, pk: int, number: int, body: RoundSignIn) -> WithStatus[dict[str, Any]]:
    return WithStatus(201, _step(request, pk, number, actions.sign_result, remark=body.remark))


@router.post("/elections/{pk}/result/publish", response={200: ElectionResultOut, **ROUND_ERRORS}, summary="Publish the result")
def publish_result(request: HttpRequest, pk: int, body: ResultPublishIn) -> dict[str, Any]:
    election = visible_election(request.auth, pk)
    actions.publish_result(actor=request.auth, election=election, minutes=body.minutes)
    return get_result(request, pk)


# ---- tellers ----------------------------------------------------------------------------------------


@router.post(
    "/elections/{pk}/rounds/{number}/paper", response={201: PaperEntryOut, **ROUND_ERRORS},
    summary="Enter one paper ballot as teller 1 or 2 (again, to correct it)",
)
def enter_paper(request: HttpRequest, pk: int, number: int, body: PaperBallotIn) -> WithStatus[dict[str, Any]]:
    election = visible_election(request.auth, pk)
    voting_round = _round(election, number)
    entry = actions.enter_paper_ballot(
        actor=request.auth, voting_round=voting_round, teller=body.teller, position=body.position,
        marks=body.marks, write_ins=body.write_ins,
    )
    return WithStatus(201, {
        "round": number, "teller": entry.teller, "position": entry.position,
        "entered": voting_round.paper_entries.filter(teller=body.teller).count(),
        "ballots_returned": entry.round.ballots_returned,
    })


@router.get(
    "/elections/{pk}/rounds/{number}/mismatches", response={200: list[PaperMismatchOut], **ROUND_ERRORS},
    summary="Where the tellers' entries differ (once both have finished)",
)
def mismatches(request: HttpRequest, pk: int, number: int) -> list[actions.Mismatch]:
    """Contents as stored (`ballots.py`); 409 until both tellers have entered the whole pile."""
    election = visible_election(request.auth, pk)
    if not (can_enter_paper_ballots(request.auth, election) or can_run_election(request.auth, election.organisation)):
        raise PermissionDenied
    voting_round = _round(election, number)
    if not (actions.teller_finished(voting_round, Teller.FIRST) and actions.teller_finished(voting_round, Teller.SECOND)):
        raise ActionError(_("Both tellers finish entering the pile before differences are settled."), status=409)
    return actions.paper_mismatches(voting_round)


@router.post(
    "/elections/{pk}/rounds/{number}/reconcile", response={201: PaperMismatchOut, **ROUND_ERRORS},
    summary="Record what a paper ballot says, as both tellers agree",
)
def reconcile(request: HttpRequest, pk: int, number: int, body: PaperReconcileIn) -> WithStatus[dict[str, Any]]:
    election = visible_election(request.auth, pk)
    voting_round = _round(election, number)
    actions.reconcile_paper_ballot(
        actor=request.auth, voting_round=voting_round, position=body.position, marks=body.marks,
        write_ins=body.write_ins, note=body.note,
    )
    found = next(m for m in actions.paper_mismatches(voting_round) if m.position == body.position)
    return WithStatus(201, found.__dict__)


# ---- officials -------------------------------------------------------------------------------------


def _official_out(official: Official) -> dict[str, Any]:
    return {
        "id": official.pk, "person": official.person_id, "name": official.person.name, "duty": official.duty,
        "approved_by_assembly": official.approved_by_assembly, "declared_not_related": official.declared_not_related,
    }


@router.get(
    "/elections/{pk}/officials", response={200: list[ElectionOfficialOut], **error_responses(404)}, auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN, summary="The election's tellers and scrutineers",
)
def list_officials(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    election = visible_election(request.auth, pk)
    return [_official_out(o) for o in election.officials.select_related("person").order_by("duty", "pk")]


@router.post("/elections/{pk}/officials", response={201: ElectionOfficialOut, **ROUND_ERRORS}, summary="Appoint a teller or scrutineer")
def appoint_official(request: HttpRequest, pk: int, body: OfficialAppointIn) -> WithStatus[dict[str, Any]]:
    election = visible_election(request.auth, pk)
    person = get_object_or_404(Person, pk=body.person)
    official = actions.appoint_official(
        actor=request.auth, election=election, person=person, duty=body.duty,
        approved_by_assembly=body.approved_by_assembly, declared_not_related=body.declared_not_related,
    )
    return WithStatus(201, _official_out(official))

