"""Motions and documents as JSON: an organisation's decisions with every vote by name, tabling,
recording and deciding a motion; documents, drafting and publishing them with a passed motion.

Decided motions and published documents are public; the rest is for those who record the
organisation's motions (a 404 to anyone else, as on the pages). Every change goes through
`actions.motions`.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja import Status as WithStatus
from ninja.pagination import paginate
from pydantic import Field

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Organisation
from tongxin.core.api import LimitOffset, error_responses

from ..actions import motions as actions
from ..models import Body, Document, DocumentKind, DocumentStatus, Motion
from ..permissions import can_record_motion, can_view_document, can_view_motion

router = Router()

OPTIONAL_SIGN_IN = {"security": [{}]}


# ---- output ------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    name: str
    display_name: str


class MotionVoteOut(Schema):
    member: MemberOut
    attendance: str
    choice: str
    dissent: str

    @staticmethod
    def resolve_member(vote: Any) -> Any:
        return vote.person


class ReasonOut(Schema):
    code: str
    params: dict[str, Any]
    text: str = Field(description="The reason in words, in the reader's language.")


class MotionSummaryOut(Schema):
    id: int
    organisation: int
    body: str
    title: str
    meeting_on: datetime.date
    status: str
    members_due: int
    counts_households: bool
    present: int
    yes: int
    no: int
    abstain: int
    needed: int
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(motion: Motion) -> int:
        return motion.organisation_id


class MotionOut(MotionSummaryOut):
    text: str
    reason: ReasonOut | None
    minutes: str
    recorded_at: datetime.datetime | None
    votes: list[MotionVoteOut] = Field(description="Every member by name, for a meeting that votes by name.")
    dissent: list[MotionVoteOut] = Field(description="The members who voted no, as minuted.")

    @staticmethod
    def resolve_reason(motion: Motion) -> dict[str, Any] | None:
        if not motion.reason:
            return None
        return {**motion.reason, "text": motion.result_text}

    @staticmethod
    def resolve_votes(motion: Motion) -> list[Any]:
        return list(motion.votes.select_related("person"))

    @staticmethod
    def resolve_dissent(motion: Motion) -> list[Any]:
        return [vote for vote in motion.votes.select_related("person") if vote.choice == "no"]


class DocumentOut(Schema):
    id: int
    organisation: int
    kind: str
    title: str
    body: str
    status: str
    motion: MotionSummaryOut | None = Field(description="The passed motion that approved it, once published.")
    created_at: datetime.datetime
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(document: Document) -> int:
        return document.organisation_id


# ---- input -------------------------------------------------------------------------------------


class MotionIn(Schema):
    title: str
    text: str
    meeting_on: datetime.date
    body: Body | None = Field(None, description="Empty: the default for the kind of organisation.")
    members_due: int | None = Field(
        None, ge=1, description="Only for a villagers' or representatives' assembly: how many are due."
    )
    counts_households: bool = False


class VoteIn(Schema):
    attendance: Literal["present", "absent"]
    choice: Literal["yes", "no", "abstain", "not_voting", ""] = ""
    dissent: str = ""


class VotesIn(Schema):
    votes: dict[int, VoteIn] = Field(description="Every member of the body, by person id.")
    minutes: str | None = None


class TallyIn(Schema):
    present: int = Field(ge=0)
    yes: int = Field(ge=0)
    no: int = Field(ge=0)
    abstain: int = Field(ge=0)
    minutes: str | None = None


class DocumentIn(Schema):
    kind: DocumentKind
    title: str
    body: str


class DocumentPatch(Schema):
    kind: DocumentKind | None = None
    title: str | None = None
    body: str | None = None


class PublishIn(Schema):
    motion: int = Field(description="A passed motion of the document's organisation.")


# ---- motions -----------------------------------------------------------------------------------


def _motion(request: HttpRequest, pk: int) -> Motion:
    motion = get_object_or_404(Motion.objects.select_related("organisation"), pk=pk)
    if not can_view_motion(request.auth, motion):
        raise Http404
    return motion


@router.get(
    "/organisations/{org_id}/motions",
    response={200: list[MotionSummaryOut], **error_responses(404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="List an organisation's motions",
)
@paginate(LimitOffset)
def list_motions(request: HttpRequest, org_id: int) -> Any:
    """Decided motions, newest meeting first; those who record motions also see open ones."""
    organisation = get_object_or_404(Organisation, pk=org_id)
    motions = Motion.objects.filter(organisation=organisation)
    return motions if can_record_motion(request.auth, organisation) else motions.decided()


@router.get(
    "/motions/{pk}",
    response={200: MotionOut, **error_responses(404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Read a motion with every vote by name",
)
def get_motion(request: HttpRequest, pk: int) -> Motion:
    return _motion(request, pk)


@router.post(
    "/organisations/{org_id}/motions",
    response={201: MotionOut, **error_responses(400, 401, 403, 404)},
    summary="Table a motion",
)
def post_motion(request: HttpRequest, org_id: int, body: MotionIn) -> WithStatus[Motion]:
    organisation = get_object_or_404(Organisation, pk=org_id)
    motion = actions.table_motion(
        actor=request.auth, organisation=organisation, title=body.title, text=body.text,
        meeting_on=body.meeting_on, body=body.body or "", members_due=body.members_due,
        counts_households=body.counts_households,
    )
    return WithStatus(201, motion)


@router.post(
    "/motions/{pk}/votes",
    response={200: MotionOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Record every member's attendance, vote and dissent",
)
def post_votes(request: HttpRequest, pk: int, body: VotesIn) -> Motion:
    votes = {person: vote.dict() for person, vote in body.votes.items()}
    return actions.record_votes(actor=request.auth, motion=_motion(request, pk), votes=votes, minutes=body.minutes)


@router.post(
    "/motions/{pk}/tally",
    response={200: MotionOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Record an assembly's numbers",
)
def post_tally(request: HttpRequest, pk: int, body: TallyIn) -> Motion:
    return actions.record_tally(actor=request.auth, motion=_motion(request, pk), **body.dict())


@router.post(
    "/motions/{pk}/decide",
    response={200: MotionOut, **error_responses(401, 403, 404, 409)},
    summary="Decide a motion by its body's rules",
)
def post_decide(request: HttpRequest, pk: int) -> Motion:
    return actions.decide_motion(actor=request.auth, motion=_motion(request, pk))


# ---- documents ---------------------------------------------------------------------------------


def _document(request: HttpRequest, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("organisation", "motion"), pk=pk)
    if not can_view_document(request.auth, document):
        raise Http404
    return document


@router.get(
    "/organisations/{org_id}/documents",
    response={200: list[DocumentOut], **error_responses(404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="List the documents issued in an organisation's name",
)
@paginate(LimitOffset)
def list_documents(request: HttpRequest, org_id: int) -> Any:
    """Published documents with their approving motion; those who issue documents also see drafts."""
    organisation = get_object_or_404(Organisation, pk=org_id)
    documents = Document.objects.filter(organisation=organisation).select_related("motion")
    if not can_record_motion(request.auth, organisation):
        documents = documents.filter(status=DocumentStatus.PUBLISHED)
    return documents


@router.get(
    "/documents/{pk}",
    response={200: DocumentOut, **error_responses(404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Read a document",
)
def get_document(request: HttpRequest, pk: int) -> Document:
    return _document(request, pk)


@router.post(
    "/organisations/{org_id}/documents",
    response={201: DocumentOut, **error_responses(400, 401, 403, 404)},
    summary="Draft a document in an organisation's name",
)
def post_document(request: HttpRequest, org_id: int, body: DocumentIn) -> WithStatus[Document]:
    organisation = get_object_or_404(Organisation, pk=org_id)
    document = actions.draft_document(
        actor=request.auth, organisation=organisation, kind=body.kind, title=body.title, body=body.body
    )
    return WithStatus(201, document)


@router.patch(
    "/documents/{pk}",
    response={200: DocumentOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Edit a draft document",
)
def patch_document(request: HttpRequest, pk: int, body: DocumentPatch) -> Document:
    changes = body.dict(exclude_none=True)
    return actions.edit_document(actor=request.auth, document=_document(request, pk), **changes)


@router.post(
    "/documents/{pk}/publish",
    response={200: DocumentOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Publish a document with the passed motion that approved it",
)
def post_publish(request: HttpRequest, pk: int, body: PublishIn) -> Document:
    document = _document(request, pk)
    motion = get_object_or_404(Motion, pk=body.motion)
    return actions.publish_document(actor=request.auth, document=document, motion=motion)
