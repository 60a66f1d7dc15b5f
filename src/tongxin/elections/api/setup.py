"""Elections as JSON: an organisation's elections, one election, preparing, changing and cancelling."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Organisation
from tongxin.core.api import LimitOffset, error_responses

from ..actions.setup import cancel_election, create_election, update_election
from ..models import Election
from ..permissions import can_run_election, visible_election

router = Router()


class ElectionOut(Schema):
    id: int
    organisation: int
    title: str
    elects: str
    seats: int
    rule_set: str
    rule_overrides: dict[str, Any]
    required_candidates: int
    mode: str
    phase: str
    seconders_required: int
    self_nomination_seconders: int
    assembly_fixes_list: bool
    proxies_allowed: bool
    proxy_limit: int
    roll_published_on: datetime.date | None
    objections_until: datetime.date | None
    objections_decided_by: datetime.date | None
    nominations_until: datetime.date | None
    candidate_list_on: datetime.date | None
    voting_opens_at: datetime.datetime | None
    voting_closes_at: datetime.datetime | None
    assembly_at: datetime.datetime | None
    assembly_place: str
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(election: Election) -> int:
        return election.organisation_id


class ElectionSettingsIn(Schema):
    """Every setting but what is elected; on a change, only the fields sent are changed."""

    title: str | None = None
    seconders_required: int | None = None
    self_nomination_seconders: int | None = None
    assembly_fixes_list: bool | None = None
    proxies_allowed: bool | None = None
    proxy_limit: int | None = None
    rule_overrides: dict[str, Any] | None = None
    roll_published_on: datetime.date | None = None
    objections_until: datetime.date | None = None
    objections_decided_by: datetime.date | None = None
    nominations_until: datetime.date | None = None
    candidate_list_on: datetime.date | None = None
    voting_opens_at: datetime.datetime | None = None
    voting_closes_at: datetime.datetime | None = None
    assembly_at: datetime.datetime | None = None
    assembly_place: str | None = None


class ElectionIn(ElectionSettingsIn):
    title: str
    seats: int
    rule_set: str
    elects: str = "committee"
    mode: str = "online"


class CancelIn(Schema):
    reason: str



@router.get("/organisations/{organisation_id}/elections", response=list[ElectionOut], auth=PUBLIC)
@paginate(LimitOffset)
def list_elections(request: HttpRequest, organisation_id: int) -> Any:
    """The organisation's elections, newest first; drafts only for those who run them."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    elections = Election.objects.of(organisation)
    if not can_run_election(request.auth, organisation):
        elections = elections.public()
    return elections.order_by("-created_at", "-pk")


@router.get("/elections/{pk}", response={200: ElectionOut, **error_responses(404)}, auth=PUBLIC)
def get_election(request: HttpRequest, pk: int) -> Any:
    return visible_election(request.auth, pk)


@router.post("/organisations/{organisation_id}/elections", response={201: ElectionOut, **error_responses(400, 403, 404)})
def post_election(request: HttpRequest, organisation_id: int, body: ElectionIn) -> Any:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    settings = body.dict(exclude_none=True)
    required = {key: settings.pop(key) for key in ("title", "seats", "rule_set", "elects", "mode")}
    return 201, create_election(actor=request.auth, organisation=organisation, **required, **settings)


@router.patch("/elections/{pk}", response={200: ElectionOut, **error_responses(400, 403, 404, 409)})
def patch_election(request: HttpRequest, pk: int, body: ElectionSettingsIn) -> Any:
    election = visible_election(request.auth, pk)
    return update_election(actor=request.auth, election=election, **body.dict(exclude_unset=True))


@router.post("/elections/{pk}/cancel", response={200: ElectionOut, **error_responses(400, 403, 404, 409)})
def post_cancel(request: HttpRequest, pk: int, body: CancelIn) -> Any:
    return cancel_election(actor=request.auth, election=visible_election(request.auth, pk), reason=body.reason)
