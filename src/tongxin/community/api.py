"""The community API: organisations, their members, people, memberships and staff roles.

Reads go through the same permission predicates as the pages; writes call `actions.py`.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tongxin.accounts.auth import PUBLIC, SIGNED_IN
from tongxin.core.api import LimitOffset, error_responses
from tongxin.core.errors import ActionError

from . import actions
from .models import (
    Membership,
    MembershipQuerySet,
    Organisation,
    OrganisationQuerySet,
    Person,
    PersonQuerySet,
    Role,
    RoleGrant,
    Sector,
)
from .permissions import can_grant_role, people_visible_to
from .schemas import (
    MemberFilters,
    MemberOut,
    MembershipEndIn,
    MembershipIn,
    MembershipOut,
    MeOut,
    OrganisationDetailOut,
    OrganisationFilters,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    RoleGrantIn,
    RoleGrantOut,
)

router = Router(tags=["community"], auth=SIGNED_IN)

# Public endpoints are open to everyone; OpenAPI marks their sign-in as optional with `{}`.
OPTIONAL_SIGN_IN = {"security": [{}]}


# ---- looking up what a request names ---------------------------------------------------------


def _organisation(pk: int, field: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise ActionError(
            _("%(field)s: there is no organisation %(id)s.") % {"field": field, "id": pk}
        )
    return organisation


def _optional_organisation(pk: int | None, field: str) -> Organisation | None:
    return None if pk is None else _organisation(pk, field)


def _person_visible(request: HttpRequest, pk: int, field: str) -> Person:
    # A person the client may not see is reported exactly like one that does not exist.
    person = people_visible_to(request.auth).filter(pk=pk).first()
    if person is None:
        raise ActionError(_("%(field)s: there is no person %(id)s.") % {"field": field, "id": pk})
    return person


def _sector(code: str | None) -> Sector | None:
    if not code:
        return None
    return _sectors([code])[0]


def _sectors(codes: list[str]) -> list[Sector]:
    found = {sector.code: sector for sector in Sector.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ActionError(_("Unknown sectors: %(codes)s") % {"codes": ", ".join(missing)})
    return [found[code] for code in dict.fromkeys(codes)]


def _blank_nulls(changes: dict[str, Any], text_fields: set[str]) -> dict[str, Any]:
    """A null sent for a text field means "empty"; the action then says if empty is not allowed."""
    return {
        field: ("" if value is None and field in text_fields else value)
        for field, value in changes.items()
    }


# ---- organisations -------------------------------------------------------------------------


def _filtered_organisations(filters: OrganisationFilters) -> OrganisationQuerySet:
    organisations = Organisation.objects.all()
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    if filters.parent is not None:
        organisations = organisations.filter(parent_id=filters.parent)
    if filters.within is not None:
        root = Organisation.objects.filter(pk=filters.within).first()
        organisations = organisations.within(root) if root else organisations.none()
    if filters.q and filters.q.strip():
        words = filters.q.strip()
        organisations = organisations.filter(Q(name__icontains=words) | Q(name_en__icontains=words))
    return organisations


@router.get(
    "/organisations",
    response={200: list[OrganisationOut], **error_responses(401)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="List organisations",
)
@paginate(LimitOffset)
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationFilters]
) -> OrganisationQuerySet:
    """`within` is a subtree (the organisation and everything below it); `q` searches both names."""
    return _filtered_organisations(filters)


@router.get(
    "/organisations/{organisation_id}",
    response={200: OrganisationDetailOut, **error_responses(401, 404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Read an organisation and its composition report",
)
def get_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return get_object_or_404(Organisation, pk=organisation_id)


@router.post(
    "/organisations",
    response={201: OrganisationOut, **error_responses(400, 401, 403)},
    summary="Create an organisation",
)
def create_organisation(request: HttpRequest, body: OrganisationIn) -> Status[Organisation]:
    fields = body.dict() | {
        "parent": _optional_organisation(body.parent, "parent"),
        "approved_by": _optional_organisation(body.approved_by, "approved_by"),
        "formation": body.formation or "",
    }
    return Status(201, actions.create_organisation(actor=request.auth, **fields))


ORGANISATION_TEXT_FIELDS = {
    "name",
    "name_en",
    "description",
    "description_en",
    "address",
    "composition_rule_set",
    "formation",
}


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **error_responses(400, 401, 403, 404)},
    summary="Change an organisation",
)
def update_organisation(
    request: HttpRequest, organisation_id: int, body: OrganisationPatch
) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    changes = _blank_nulls(body.dict(exclude_unset=True), ORGANISATION_TEXT_FIELDS)
    if "approved_by" in changes:
        changes["approved_by"] = _optional_organisation(changes["approved_by"], "approved_by")
    if "composition_overrides" in changes and changes["composition_overrides"] is None:
        changes["composition_overrides"] = {}
    return actions.update_organisation(actor=request.auth, organisation=organisation, **changes)


def _members(
    request: HttpRequest, organisation: Organisation, include_past: bool
) -> MembershipQuerySet:
    seats = Membership.objects.in_organisation(organisation)
    if not include_past:
        seats = seats.current()
    # `people_visible_to` is the queryset form of `can_view_personal_data`: one subquery
    # decides for the whole page instead of one question per member.
    visible = people_visible_to(request.auth).filter(pk=OuterRef("person_id"))
    # Seats in the order of Role (secretary first, plain members last), as the page groups them.
    rank = Case(*(When(role=role, then=Value(number)) for number, role in enumerate(Role.values)))
    return (
        seats.select_related("person", "sector", "obtained_from")
        .annotate(personal_visible=Exists(visible), rank=rank)
        .order_by("rank", "person__name", "start_date", "pk")
    )


@router.get(
    "/organisations/{organisation_id}/members",
    response={200: list[MemberOut], **error_responses(401, 404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="List an organisation's members",
)
@paginate(LimitOffset)
def list_members(
    request: HttpRequest, organisation_id: int, filters: Query[MemberFilters]
) -> MembershipQuerySet:
    """Current seats, or every seat with `include_past=true`. A member's personal data appear
    only to readers allowed to see them, as on the organisation's page."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return _members(request, organisation, filters.include_past)


# ---- people --------------------------------------------------------------------------------


@router.get(
    "/people",
    response={200: list[PersonOut], **error_responses(401)},
    summary="List the people whose records you may open",
)
@paginate(LimitOffset)
def list_people(request: HttpRequest) -> PersonQuerySet:
    return people_visible_to(request.auth).prefetch_related("sectors").order_by("name", "pk")


@router.get(
    "/people/{person_id}",
    response={200: PersonOut, **error_responses(401, 404)},
    summary="Read a person's record",
)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return get_object_or_404(people_visible_to(request.auth), pk=person_id)


@router.post(
    "/people",
    response={201: PersonOut, **error_responses(400, 401, 403)},
    summary="Register a person",
)
def add_person(request: HttpRequest, body: PersonIn) -> Status[Person]:
    fields = body.dict() | {
        "home": _optional_organisation(body.home, "home"),
        "sectors": _sectors(body.sectors),
    }
    return Status(201, actions.add_person(actor=request.auth, **fields))


PERSON_TEXT_FIELDS = {"name", "surname", "name_latin", "email", "gender", "party_status"}


@router.patch(
    "/people/{person_id}",
    response={200: PersonOut, **error_responses(400, 401, 403, 404)},
    summary="Correct a person's record",
)
def update_person(request: HttpRequest, person_id: int, body: PersonPatch) -> Person:
    person = get_object_or_404(people_visible_to(request.auth), pk=person_id)
    changes = _blank_nulls(body.dict(exclude_unset=True), PERSON_TEXT_FIELDS)
    sectors = _sectors(changes.pop("sectors") or []) if "sectors" in changes else None
    if "home" in changes:
        changes["home"] = _optional_organisation(changes["home"], "home")
    return actions.update_person(actor=request.auth, person=person, sectors=sectors, **changes)


# ---- memberships and staff roles -----------------------------------------------------------


@router.post(
    "/memberships",
    response={201: MembershipOut, **error_responses(400, 401, 403)},
    summary="Seat a person in an organisation",
)
def add_membership(request: HttpRequest, body: MembershipIn) -> Status[Membership]:
    membership = actions.add_membership(
        actor=request.auth,
        person=_person_visible(request, body.person, "person"),
        organisation=_organisation(body.organisation, "organisation"),
        role=body.role,
        obtained=body.obtained,
        obtained_from=_optional_organisation(body.obtained_from, "obtained_from"),
        sector=_sector(body.sector),
        start_date=body.start_date,
        term_end=body.term_end,
    )
    return Status(201, membership)


@router.post(
    "/memberships/{membership_id}/end",
    response={200: MembershipOut, **error_responses(400, 401, 403, 404)},
    summary="End a membership",
)
def end_membership(
    request: HttpRequest, membership_id: int, body: MembershipEndIn | None = None
) -> Membership:
    """Without a body the seat ends today."""
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"), pk=membership_id
    )
    ending = body or MembershipEndIn()
    return actions.end_membership(
        actor=request.auth, membership=membership, end_date=ending.end_date, reason=ending.reason
    )


@router.post(
    "/role-grants",
    response={201: RoleGrantOut, **error_responses(400, 401, 403)},
    summary="Give an account a staff role over an organisation",
)
def grant_role(request: HttpRequest, body: RoleGrantIn) -> Status[RoleGrant]:
    organisation = _organisation(body.organisation, "organisation")
    # Asked before the account is looked up, so that no one else can probe which accounts exist.
    if not can_grant_role(request.auth, organisation):
        raise PermissionDenied
    user = get_user_model().objects.filter(pk=body.user).first()
    if user is None:
        raise ActionError(_("user: there is no account %(id)s.") % {"id": body.user})
    grant = actions.grant_role(
        actor=request.auth, user=user, role=body.role, organisation=organisation
    )
    return Status(201, grant)


@router.post(
    "/role-grants/{grant_id}/revoke",
    response={200: RoleGrantOut, **error_responses(400, 401, 403, 404)},
    summary="Revoke a staff role",
)
def revoke_role(request: HttpRequest, grant_id: int) -> RoleGrant:
    grant = get_object_or_404(RoleGrant.objects.select_related("organisation"), pk=grant_id)
    return actions.revoke_role(actor=request.auth, grant=grant)


# ---- the caller ----------------------------------------------------------------------------


@router.get(
    "/me", response={200: MeOut, **error_responses(401)}, summary="Who the request comes from"
)
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.auth
    person = Person.objects.filter(user=user).prefetch_related("sectors").first()
    roles = (
        RoleGrant.objects.active().filter(user=user).select_related("organisation").order_by("pk")
    )
    return {
        "id": user.pk,
        "username": user.get_username(),
        "is_superuser": user.is_superuser,
        "person": person,
        "roles": list(roles),
    }
