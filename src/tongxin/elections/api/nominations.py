"""Nominations, candidates and questions as JSON: the same actions as the pages.

Reading is public once the election is past its preparation; every change needs a signed-in
caller, and the action decides whether they may make it (403) and whether it can be made now
(400/409).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja import Status as WithStatus

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Person
from tongxin.core.api import error_responses

from ..actions.nominations import (
    accept_nomination,
    answer_question,
    ask_question,
    decline_nomination,
    edit_candidate_profile,
    fix_candidate_list,
    hide_question,
    nominate,
    second_nomination,
    vet_nomination,
    withdraw_nomination,
)
from ..models import Answer, Candidate, Election, Motion, Nomination, Question
from ..permissions import visible_election

router = Router()


# ---- schemas out ----------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class NominationOut(Schema):
    id: int
    election: int
    nominee: PersonRef
    route: str
    proposer: PersonRef | None
    reasons: str
    seconders: int
    status: str
    vetting_reason: str
    vetted_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_election(nomination: Nomination) -> int:
        return nomination.election_id

    @staticmethod
    def resolve_seconders(nomination: Nomination) -> int:
        count = getattr(nomination, "seconder_count", None)
        return count if count is not None else nomination.seconders.count()


class CandidateOut(Schema):
    id: int
    election: int
    person: PersonRef
    position: int
    profile: str
    statement: str

    @staticmethod
    def resolve_election(candidate: Candidate) -> int:
        return candidate.election_id


class AnswerOut(Schema):
    candidate: int
    text: str
    answered_at: datetime.datetime

    @staticmethod
    def resolve_candidate(answer: Answer) -> int:
        return answer.candidate_id


class QuestionOut(Schema):
    id: int
    election: int
    asked_by: PersonRef
    text: str
    asked_at: datetime.datetime
    hidden_reason: str
    answers: list[AnswerOut]

    @staticmethod
    def resolve_election(question: Question) -> int:
        return question.election_id

    @staticmethod
    def resolve_text(question: Question) -> str:
        return "" if question.hidden_reason else question.text

    @staticmethod
    def resolve_answers(question: Question) -> list[Answer]:
        return [] if question.hidden_reason else list(question.answers.all())


# ---- schemas in -----------------------------------------------------------------------------------


class NominateIn(Schema):
    nominee: int
    route: str
    reasons: str = ""


class VetIn(Schema):
    approved: bool
    reason: str = ""


class FixListIn(Schema):
    list_motion: int | None = None


class ProfileIn(Schema):
    profile: str
    statement: str


class TextIn(Schema):
    text: str


class ReasonIn(Schema):
    reason: str


# ---- looking up ------------------------------------------------------------------------------------



def _nomination(request: HttpRequest, pk: int) -> Nomination:
    nomination = get_object_or_404(Nomination.objects.select_related("nominee", "proposer"), pk=pk)
    nomination.election = visible_election(request.auth, nomination.election_id)
    return nomination


def _question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("asked_by"), pk=pk)
    question.election = visible_election(request.auth, question.election_id)
    return question


def _questions(election: Election) -> Any:
    return (
        Question.objects.filter(election=election)
        .select_related("asked_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("candidate__position")))
        .order_by("asked_at", "pk")
    )


# ---- nominations -----------------------------------------------------------------------------------


@router.get("/elections/{pk}/nominations", response={200: list[NominationOut], **error_responses(404)}, auth=PUBLIC)
def list_nominations(request: HttpRequest, pk: int) -> Any:
    """Every nomination of the election, with its route, seconders, status and the committee's reason."""
    election = visible_election(request.auth, pk)
    return (
        Nomination.objects.filter(election=election)
        .select_related("nominee", "proposer")
        .annotate(seconder_count=Count("seconders"))
        .order_by("created_at", "pk")
    )


@router.post("/elections/{pk}/nominations", response={201: NominationOut, **error_responses(400, 403, 404, 409)})
def post_nomination(request: HttpRequest, pk: int, body: NominateIn) -> Any:
    election = visible_election(request.auth, pk)
    nominee = get_object_or_404(Person, pk=body.nominee)
    return WithStatus(201, nominate(actor=request.auth, election=election, nominee=nominee, route=body.route, reasons=body.reasons))


@router.post("/nominations/{pk}/second", response={200: NominationOut, **error_responses(400, 403, 404, 409)})
def post_second(request: HttpRequest, pk: int) -> Any:
    return second_nomination(actor=request.auth, nomination=_nomination(request, pk))


@router.post("/nominations/{pk}/accept", response={200: NominationOut, **error_responses(400, 403, 404, 409)})
def post_accept(request: HttpRequest, pk: int) -> Any:
    return accept_nomination(actor=request.auth, nomination=_nomination(request, pk))


@router.post("/nominations/{pk}/decline", response={200: NominationOut, **error_responses(400, 403, 404, 409)})
def post_decline(request: HttpRequest, pk: int) -> Any:
    return decline_nomination(actor=request.auth, nomination=_nomination(request, pk))


@router.post("/nominations/{pk}/withdraw", response={200: NominationOut, **error_responses(400, 403, 404, 409)})
def post_withdraw(request: HttpRequest, pk: int) -> Any:
    return withdraw_nomination(actor=request.auth, nomination=_nomination(request, pk))


@router.post("/nominations/{pk}/vet", response={200: NominationOut, **error_responses(400, 403, 404, 409)})
def post_vet(request: HttpRequest, pk: int, body: VetIn) -> Any:
    return vet_nomination(actor=request.auth, nomination=_nomination(request, pk), approved=body.approved, reason=body.reason)


# ---- candidates ------------------------------------------------------------------------------------


@router.get("/elections/{pk}/candidates", response={200: list[CandidateOut], **error_responses(404)}, auth=PUBLIC)
def list_candidates(request: HttpRequest, pk: int) -> Any:
    """The candidate list in its official order (surname strokes); apps rotate it for display."""
    election = visible_election(request.auth, pk)
    return Candidate.objects.filter(election=election).select_related("person").order_by("position", "pk")


@router.post("/elections/{pk}/candidates", response={201: list[CandidateOut], **error_responses(400, 403, 404, 409)})
def post_candidate_list(request: HttpRequest, pk: int, body: FixListIn) -> Any:
    """Fix the candidate list from the approved nominations (the election committee)."""
    election = visible_election(request.auth, pk)
    motion = get_object_or_404(Motion, pk=body.list_motion) if body.list_motion is not None else None
    candidates = fix_candidate_list(actor=request.auth, election=election, list_motion=motion)
    return WithStatus(201, Candidate.objects.filter(pk__in=[c.pk for c in candidates]).select_related("person").order_by("position"))


@router.put("/candidates/{pk}/profile", response={200: CandidateOut, **error_responses(400, 403, 404, 409)})
def put_profile(request: HttpRequest, pk: int, body: ProfileIn) -> Any:
    candidate = get_object_or_404(Candidate.objects.select_related("person"), pk=pk)
    candidate.election = visible_election(request.auth, candidate.election_id)
    return edit_candidate_profile(actor=request.auth, candidate=candidate, profile=body.profile, statement=body.statement)


# ---- questions -------------------------------------------------------------------------------------


@router.get("/elections/{pk}/questions", response={200: list[QuestionOut], **error_responses(404)}, auth=PUBLIC)
def list_questions(request: HttpRequest, pk: int) -> Any:
    """Every question with the answers given; a hidden question shows only the committee's reason."""
    return _questions(visible_election(request.auth, pk))


@router.post("/elections/{pk}/questions", response={201: QuestionOut, **error_responses(400, 403, 404, 409)})
def post_question(request: HttpRequest, pk: int, body: TextIn) -> Any:
    question = ask_question(actor=request.auth, election=visible_election(request.auth, pk), text=body.text)
    return WithStatus(201, _questions(question.election).get(pk=question.pk))


@router.put("/questions/{pk}/answer", response={200: QuestionOut, **error_responses(400, 403, 404, 409)})
def put_answer(request: HttpRequest, pk: int, body: TextIn) -> Any:
    """The calling candidate's answer: the first call publishes it, a later one replaces it."""
    question = _question(request, pk)
    answer_question(actor=request.auth, question=question, text=body.text)
    return _questions(question.election).get(pk=question.pk)


@router.post("/questions/{pk}/hide", response={200: QuestionOut, **error_responses(400, 403, 404, 409)})
def post_hide(request: HttpRequest, pk: int, body: ReasonIn) -> Any:
    question = _question(request, pk)
    hide_question(actor=request.auth, question=question, reason=body.reason)
    return _questions(question.election).get(pk=question.pk)
