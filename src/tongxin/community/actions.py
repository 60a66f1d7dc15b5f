"""Every change to organisations, people, memberships and roles. One use case a function."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.backends import normalise_phone
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .models import (
    PLACE_KINDS,
    Formation,
    Gender,
    Membership,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    Role,
    RoleGrant,
    Sector,
    StaffRole,
)
from .permissions import can_edit_person, can_grant_role, can_manage_organisation
from .reports import check_composition_settings


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def create_organisation(
    *,
    actor: Any,
    name: str,
    kind: str,
    parent: Organisation | None,
    name_en: str = "",
    formation: str = "",
    approved_by: Organisation | None = None,
    description: str = "",
    description_en: str = "",
    address: str = "",
    composition_rule_set: str = "",
    composition_overrides: dict[str, Any] | None = None,
    founded_on: datetime.date | None = None,
) -> Organisation:
    """A new place or body under `parent`; only a root place may have no parent (superusers)."""
    if parent is None:
        _require(bool(actor is not None and getattr(actor, "is_superuser", False)))
    else:
        _require(can_manage_organisation(actor, parent))
    name = name.strip()
    if not name:
        raise ActionError(_("Give the organisation a name."))
    if kind not in OrganisationKind.values:
        raise ActionError(_("Choose a kind of organisation."))
    if parent is None and kind not in PLACE_KINDS:
        raise ActionError(_("The top of the tree must be a place: a city, town or village."))
    if parent is not None and kind in PLACE_KINDS and not parent.is_place:
        raise ActionError(_("A place can only lie inside another place."))
    if parent is not None and parent.dissolved_on is not None:
        raise ActionError(_("%(organisation)s has been dissolved.") % {"organisation": parent})
    _check_formation(formation=formation, approved_by=approved_by)
    check_composition_settings(
        kind=kind,
        level=PLACE_KINDS.get(kind) or (parent.level if parent else None),
        rule_set=composition_rule_set,
        overrides=composition_overrides or {},
    )
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name,
            name_en=name_en.strip(),
            kind=kind,
            parent=parent,
            formation=formation,
            approved_by=approved_by,
            description=description,
            description_en=description_en,
            address=address,
            composition_rule_set=composition_rule_set,
            composition_overrides=composition_overrides or {},
            founded_on=founded_on,
        )
        record_audit(actor=actor, verb="organisation.create", target=organisation, data={"kind": kind, "parent": parent.pk if parent else None})
    return organisation


ORGANISATION_FIELDS = {
    "name", "name_en", "description", "description_en", "address", "founded_on",
    "composition_rule_set", "composition_overrides", "formation", "approved_by", "dissolved_on",
}


def update_organisation(*, actor: Any, organisation: Organisation, **changes: Any) -> Organisation:
    """Change an organisation's descriptive fields or its composition rules."""
    _require(can_manage_organisation(actor, organisation))
    unknown = set(changes) - ORGANISATION_FIELDS
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "name" in changes and not str(changes["name"]).strip():
        raise ActionError(_("Give the organisation a name."))
    if changes.get("approved_by") is not None and changes["approved_by"].pk == organisation.pk:
        raise ActionError(_("An organisation cannot answer to itself."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {field: _plain(getattr(organisation, field)) for field in changes}
        for field, value in changes.items():
            setattr(organisation, field, value)
        _check_formation(formation=organisation.formation, approved_by=organisation.approved_by)
        if {"composition_rule_set", "composition_overrides"} & set(changes):
            check_composition_settings(
                kind=organisation.kind,
                level=organisation.level,
                rule_set=organisation.composition_rule_set,
                overrides=organisation.composition_overrides,
            )
        organisation.save()
        after = {field: _plain(getattr(organisation, field)) for field in changes}
        record_audit(actor=actor, verb="organisation.update", target=organisation, data={"before": before, "after": after})
    return organisation


def move_organisation(*, actor: Any, organisation: Organisation, parent: Organisation) -> Organisation:
    """Put an organisation, with everything below it, under another parent."""
    _require(can_manage_organisation(actor, organisation) and can_manage_organisation(actor, parent))
    if parent.is_within(organisation):
        raise ActionError(_("An organisation cannot be moved inside itself."))
    if organisation.is_place and not parent.is_place:
        raise ActionError(_("A place can only lie inside another place."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = organisation.parent_id
        organisation.parent = parent
        organisation.save()
        record_audit(actor=actor, verb="organisation.move", target=organisation, data={"before": before, "after": parent.pk})
    return organisation


def _check_formation(*, formation: str, approved_by: Organisation | None) -> None:
    if formation and formation not in Formation.values:
        raise ActionError(_("Choose how the organisation is formed."))
    if formation == Formation.APPOINTED and approved_by is None:
        raise ActionError(_("An appointed group must name the organisation that approved it."))


def _plain(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _clean_phone(phone: str | None, *, exclude: Person | None = None) -> str | None:
    if not phone or not phone.strip():
        return None
    digits = normalise_phone(phone)
    if not (len(digits) == 11 and digits.startswith("1")):
        raise ActionError(_("A mobile phone number has 11 digits and starts with 1."))
    taken = Person.objects.filter(phone=digits)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ActionError(_("Another person already has this phone number."))
    return digits


def _check_person_fields(*, name: str, gender: str, party_status: str, birth_year: int | None) -> None:
    if not name.strip():
        raise ActionError(_("Give the person's name."))
    if gender not in Gender.values:
        raise ActionError(_("Choose a gender."))
    if party_status not in PartyStatus.values:
        raise ActionError(_("Choose a party status."))
    this_year = timezone.localdate().year
    if birth_year is not None and not (this_year - 120 <= birth_year <= this_year):
        raise ActionError(_("The year of birth must lie between %(first)s and %(last)s.") % {"first": this_year - 120, "last": this_year})


def add_person(
    *,
    actor: Any,
    name: str,
    gender: str,
    home: Organisation | None,
    party_status: str = PartyStatus.NON_PARTY,
    birth_year: int | None = None,
    phone: str | None = None,
    email: str = "",
    surname: str = "",
    name_latin: str = "",
    sectors: list[Sector] | None = None,
) -> Person:
    """Register a resident or member in a village or community that the actor administers."""
    if home is None:
        _require(bool(getattr(actor, "is_superuser", False)))
    else:
        _require(can_manage_organisation(actor, home))
    _check_person_fields(name=name, gender=gender, party_status=party_status, birth_year=birth_year)
    with transaction.atomic():
        person = Person.objects.create(
            name=name.strip(),
            surname=surname.strip(),
            name_latin=name_latin.strip(),
            gender=gender,
            birth_year=birth_year,
            phone=_clean_phone(phone),
            email=email.strip(),
            party_status=party_status,
            home=home,
        )
        if sectors:
            person.sectors.set(sectors)
        record_audit(actor=actor, verb="person.add", target=person, data={"home": home.pk if home else None})
    return person


PERSON_FIELDS = {"name", "surname", "name_latin", "gender", "birth_year", "phone", "email", "party_status", "home"}


def update_person(*, actor: Any, person: Person, sectors: list[Sector] | None = None, **changes: Any) -> Person:
    """Correct a person's record; the audit entry names the fields changed, never their values."""
    _require(can_edit_person(actor, person))
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise ActionError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "home" in changes and changes["home"] is not None:
        _require(can_manage_organisation(actor, changes["home"]))
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        for field, value in changes.items():
            setattr(person, field, value)
        if "phone" in changes:
            person.phone = _clean_phone(changes["phone"], exclude=person)
        _check_person_fields(
            name=person.name, gender=person.gender, party_status=person.party_status, birth_year=person.birth_year
        )
        person.save()
        changed = sorted(changes)
        if sectors is not None:
            person.sectors.set(sectors)
            changed.append("sectors")
        record_audit(actor=actor, verb="person.update", target=person, data={"fields": changed})
    return person


def add_membership(
    *,
    actor: Any,
    person: Person,
    organisation: Organisation,
    role: str = Role.MEMBER,
    obtained: str,
    obtained_from: Organisation | None = None,
    sector: Sector | None = None,
    start_date: datetime.date | None = None,
    term_end: datetime.date | None = None,
) -> Membership:
    """Seat a person in an organisation for a term."""
    _require(can_manage_organisation(actor, organisation))
    if organisation.is_place:
        raise ActionError(_("People are members of bodies, not of places: choose a council, committee or group."))
    if organisation.dissolved_on is not None:
        raise ActionError(_("%(organisation)s has been dissolved.") % {"organisation": organisation})
    if role not in Role.values:
        raise ActionError(_("Choose a role."))
    if obtained not in Obtained.values:
        raise ActionError(_("Say how the seat was obtained."))
    if obtained in (Obtained.ELECTED, Obtained.APPOINTED, Obtained.CO_OPTED) and obtained_from is None:
        raise ActionError(_("Name the organisation that elected, appointed or co-opted this member."))
    start = start_date or timezone.localdate()
    if term_end is not None and term_end <= start:
        raise ActionError(_("The term must end after it starts."))
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)  # one seat per person, even under races
        if Membership.objects.current(on=start).filter(person=person, organisation=organisation).exists():
            raise ActionError(_("%(person)s already has a seat in %(organisation)s.") % {"person": person, "organisation": organisation})
        membership = Membership.objects.create(
            person=person,
            organisation=organisation,
            role=role,
            obtained=obtained,
            obtained_from=obtained_from,
            sector=sector,
            start_date=start,
            term_end=term_end,
        )
        record_audit(
            actor=actor,
            verb="membership.add",
            target=membership,
            data={"person": person.pk, "organisation": organisation.pk, "role": role, "obtained": obtained},
        )
    return membership


def end_membership(
    *, actor: Any, membership: Membership, end_date: datetime.date | None = None, reason: str = ""
) -> Membership:
    """Close a seat: the term ended, the member resigned or was removed."""
    _require(can_manage_organisation(actor, membership.organisation))
    day = end_date or timezone.localdate()
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.end_date is not None:
            raise ActionError(_("This membership has already ended."))
        if day < membership.start_date:
            raise ActionError(_("A membership cannot end before it starts."))
        membership.end_date = day
        membership.end_reason = reason.strip()
        membership.save(update_fields=["end_date", "end_reason"])
        record_audit(actor=actor, verb="membership.end", target=membership, data={"end_date": day.isoformat(), "reason": membership.end_reason})
    return membership


def grant_role(*, actor: Any, user: Any, role: str, organisation: Organisation) -> RoleGrant:
    """Give an account a staff role over an organisation and everything below it."""
    _require(can_grant_role(actor, organisation))
    if role not in StaffRole.values:
        raise ActionError(_("Choose a role."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                grant = RoleGrant.objects.create(user=user, role=role, organisation=organisation, granted_by=actor if getattr(actor, "pk", None) else None)
        except IntegrityError:
            raise ActionError(_("This account already holds this role here.")) from None
        record_audit(actor=actor, verb="role.grant", target=grant, data={"user": user.pk, "role": role, "organisation": organisation.pk})
    return grant


def revoke_role(*, actor: Any, grant: RoleGrant) -> RoleGrant:
    _require(can_grant_role(actor, grant.organisation))
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise ActionError(_("This role has already been revoked."))
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_audit(actor=actor, verb="role.revoke", target=grant, data={"user": grant.user_id, "role": grant.role})
    return grant
