"""The roll as JSON: the roll itself (paginated), building and publishing it, exclusions by hand,
objections and decisions, proxies, and the move on to nominations.

The same actions as the pages, and the same rule for what is public: an objection's grounds and
objector are read only by the election committee and the objector themselves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja import Status as WithStatus
from ninja.pagination import paginate
from pydantic import Field

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Person
from tongxin.core.api import LimitOffset, error_responses
from tongxin.core.errors import ActionError

from ..actions.roll import (
    build_roll,
    decide_objection,
    exclude_from_roll,
    is_late,
    open_nominations,
    publish_roll,
    raise_objection,
    register_proxy,
    restore_to_roll,
    revoke_proxy,
)
from ..models import Election, Objection, ObjectionAsk, Proxy, RollEntry
from ..permissions import can_run_election, person_of, visible_election

router = Router()


# ---- output ---------------------------------------------------------------------------------


class RollEntryOut(Schema):
    id: int = Field(description="The entry's number on the roll.")
    person: int
    name: str
    eligible: bool
    excluded: str = Field(description="Why the person may not vote (empty when they may).")
    excluded_label: str = Field(description="The reason in the reader's language.")
    added_by_objection: bool

    @staticmethod
    def resolve_person(entry: RollEntry) -> int:
        return entry.person_id

    @staticmethod
    def resolve_name(entry: RollEntry) -> str:
        return entry.person.display_name

    @staticmethod
    def resolve_excluded_label(entry: RollEntry) -> str:
        return entry.get_excluded_display() if entry.excluded else ""


class RollChangesOut(Schema):
    added: int
    updated: int
    removed: int
    kept: int = Field(description="Entries kept as the election committee or an objection decided.")


class RollPhaseOut(Schema):
    id: int
    phase: str
    roll_published_on: datetime.date | None
    objections_until: datetime.date | None


class ObjectionOut(Schema):
    id: int
    election: int
    about: int
    about_name: str
    ask: str
    raised_at: datetime.datetime
    raised_by: int | None = Field(description="Only for the election committee and the objector.")
    grounds: str | None = Field(description="Only for the election committee and the objector.")
    decision: str
    decision_reason: str
    decided_at: datetime.datetime | None
    late: bool = Field(description="Decided (or still pending) after the day set for decisions.")

    @staticmethod
    def resolve_election(objection: Objection) -> int:
        return objection.election_id

    @staticmethod
    def resolve_about(objection: Objection) -> int:
        return objection.about_id

    @staticmethod
    def resolve_about_name(objection: Objection) -> str:
        return objection.about.display_name

    @staticmethod
    def resolve_raised_by(objection: Objection, context: dict[str, Any]) -> int | None:
        return objection.raised_by_id if _private(objection, context["request"]) else None

    @staticmethod
    def resolve_grounds(objection: Objection, context: dict[str, Any]) -> str | None:
        return objection.grounds if _private(objection, context["request"]) else None

    @staticmethod
    def resolve_late(objection: Objection) -> bool:
        return is_late(objection, objection.election)


def _private(objection: Objection, request: HttpRequest) -> bool:
    if can_run_election(request.auth, objection.election.organisation):
        return True
    person = person_of(request.auth)
    return person is not None and person.pk == objection.raised_by_id


class ProxyOut(Schema):
    id: int
    principal: int = Field(description="The principal's roll entry.")
    principal_name: str
    holder: int = Field(description="The holder's roll entry.")
    holder_name: str
    relation: str
    registered_at: datetime.datetime

    @staticmethod
    def resolve_principal(proxy: Proxy) -> int:
        return proxy.principal_id

    @staticmethod
    def resolve_holder(proxy: Proxy) -> int:
        return proxy.holder_id

    @staticmethod
    def resolve_principal_name(proxy: Proxy) -> str:
        return proxy.principal.person.display_name

    @staticmethod
    def resolve_holder_name(proxy: Proxy) -> str:
        return proxy.holder.person.display_name


# ---- input ----------------------------------------------------------------------------------


class RollExcludeIn(Schema):
    reason: str


class ObjectionIn(Schema):
    about: int = Field(description="The person the objection is about.")
    ask: ObjectionAsk
    grounds: str


class ObjectionDecisionIn(Schema):
    upheld: bool
    reason: str


class ProxyIn(Schema):
    principal: int = Field(description="The principal's roll entry.")
    holder: int = Field(description="The holder's roll entry.")
    relation: str


# ---- lookups --------------------------------------------------------------------------------



def _entry(election: Election, pk: int, field: str) -> RollEntry:
    entry = RollEntry.objects.select_related("election__organisation").filter(election=election, pk=pk).first()
    if entry is None:
        raise ActionError(_("%(field)s: there is no entry %(id)s on this roll.") % {"field": field, "id": pk})
    return entry


# ---- the roll -------------------------------------------------------------------------------


@router.get("/elections/{pk}/roll", response=list[RollEntryOut], auth=PUBLIC)
@paginate(LimitOffset)
def list_roll(request: HttpRequest, pk: int, eligible: bool | None = None, name: str = "") -> Any:
    """The roll by name; drafts only for the election committee."""
    entries = RollEntry.objects.filter(election=visible_election(request.auth, pk)).select_related("person")
    if eligible is not None:
        entries = entries.filter(excluded="") if eligible else entries.exclude(excluded="")
    if name.strip():
        entries = entries.filter(person__name__icontains=name.strip())
    return entries.order_by("person__name", "pk")


@router.post("/elections/{pk}/roll/build", response={200: RollChangesOut, **error_responses(400, 403, 404, 409)})
def post_build_roll(request: HttpRequest, pk: int) -> Any:
    return build_roll(actor=request.auth, election=visible_election(request.auth, pk))


@router.post("/elections/{pk}/roll/publish", response={200: RollPhaseOut, **error_responses(403, 404, 409)})
def post_publish_roll(request: HttpRequest, pk: int) -> Any:
    return publish_roll(actor=request.auth, election=visible_election(request.auth, pk))


@router.post(
    "/elections/{pk}/roll/{entry_id}/exclude", response={200: RollEntryOut, **error_responses(400, 403, 404, 409)}
)
def post_exclude(request: HttpRequest, pk: int, entry_id: int, body: RollExcludeIn) -> Any:
    visible_election(request.auth, pk)
    entry = get_object_or_404(RollEntry.objects.select_related("election__organisation"), pk=entry_id, election_id=pk)
    return exclude_from_roll(actor=request.auth, entry=entry, reason=body.reason)


@router.post(
    "/elections/{pk}/roll/{entry_id}/restore", response={200: RollEntryOut, **error_responses(400, 403, 404, 409)}
)
def post_restore(request: HttpRequest, pk: int, entry_id: int) -> Any:
    visible_election(request.auth, pk)
    entry = get_object_or_404(RollEntry.objects.select_related("election__organisation"), pk=entry_id, election_id=pk)
    restored = restore_to_roll(actor=request.auth, entry=entry)
    restored.person = entry.person
    return restored


@router.post("/elections/{pk}/open-nominations", response={200: RollPhaseOut, **error_responses(403, 404, 409)})
def post_open_nominations(request: HttpRequest, pk: int) -> Any:
    return open_nominations(actor=request.auth, election=visible_election(request.auth, pk))


# ---- objections -----------------------------------------------------------------------------


@router.get("/elections/{pk}/objections", response=list[ObjectionOut], auth=PUBLIC)
@paginate(LimitOffset)
def list_objections(request: HttpRequest, pk: int) -> Any:
    election = visible_election(request.auth, pk)
    return (
        Objection.objects.filter(election=election)
        .select_related("about", "election__organisation")
        .order_by("raised_at", "pk")
    )


@router.post("/elections/{pk}/objections", response={201: ObjectionOut, **error_responses(400, 403, 404, 409)})
def post_objection(request: HttpRequest, pk: int, body: ObjectionIn) -> Any:
    election = visible_election(request.auth, pk)
    about = Person.objects.filter(pk=body.about).first()
    if about is None:
        raise ActionError(_("about: there is no person %(id)s.") % {"id": body.about})
    objection = raise_objection(
        actor=request.auth, election=election, about=about, ask=body.ask, grounds=body.grounds
    )
    return WithStatus(201, objection)


@router.post("/objections/{pk}/decision", response={200: ObjectionOut, **error_responses(400, 403, 404, 409)})
def post_decision(request: HttpRequest, pk: int, body: ObjectionDecisionIn) -> Any:
    objection = get_object_or_404(Objection.objects.select_related("election__organisation", "about"), pk=pk)
    visible_election(request.auth, objection.election_id)
    decided = decide_objection(actor=request.auth, objection=objection, upheld=body.upheld, reason=body.reason)
    decided.about, decided.election = objection.about, objection.election
    return decided


# ---- proxies --------------------------------------------------------------------------------


@router.get("/elections/{pk}/proxies", response=list[ProxyOut], auth=PUBLIC)
@paginate(LimitOffset)
def list_proxies(request: HttpRequest, pk: int) -> Any:
    """Every registered proxy, by name: the village rule publishes them."""
    return (
        Proxy.objects.filter(election=visible_election(request.auth, pk))
        .select_related("principal__person", "holder__person")
        .order_by("holder__person__name", "holder_id", "principal__person__name", "pk")
    )


@router.post("/elections/{pk}/proxies", response={201: ProxyOut, **error_responses(400, 403, 404, 409)})
def post_proxy(request: HttpRequest, pk: int, body: ProxyIn) -> Any:
    election = visible_election(request.auth, pk)
    proxy = register_proxy(
        actor=request.auth, election=election, principal=_entry(election, body.principal, "principal"),
        holder=_entry(election, body.holder, "holder"), relation=body.relation,
    )
    return WithStatus(201, Proxy.objects.select_related("principal__person", "holder__person").get(pk=proxy.pk))


@router.delete("/proxies/{pk}", response={204: None, **error_responses(403, 404, 409)})
def delete_proxy(request: HttpRequest, pk: int) -> Any:
    proxy = get_object_or_404(Proxy.objects.select_related("election__organisation"), pk=pk)
    visible_election(request.auth, proxy.election_id)
    revoke_proxy(actor=request.auth, proxy=proxy)
    return WithStatus(204, None)
