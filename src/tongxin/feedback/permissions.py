"""Who may do what with cases. Pages, the API, Open311 and commands all ask here.

Staff roles reach down their organisation's subtree (community.permissions). A case is in
the hands of its place (where it happened), its workgroup and, once escalated, the office above.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tongxin.community.models import Organisation, StaffRole
from tongxin.community.permissions import has_role, is_signed_in, scopes

from .deadlines import Tier
from .models import Case, CaseQuerySet

# Roles that see every case of their scope (and the reporter's name unless anonymous).
CASE_READERS = (StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.OFFICE, StaffRole.HANDLER, StaffRole.DUTY_OFFICER)
# Roles that type a case in for a resident: reception desk, hotline, duty officer.
CASE_TAKERS = (StaffRole.ADMIN, StaffRole.OFFICE, StaffRole.HANDLER, StaffRole.DUTY_OFFICER)
# Roles that work on a case: acknowledge, assign, record steps, answer, merge, refer, decline.
CASE_WORKERS = (StaffRole.ADMIN, StaffRole.HANDLER)
# The floating troubleshooter (a duty officer) may take urgent cases in their villages.
URGENT_TIERS = frozenset({Tier.EMERGENCY, Tier.UTILITIES})


def _case_organisations(case: Case) -> list[Organisation]:
    organisations = [case.organisation]
    for related in ("assigned_to", "escalated_to"):
        if getattr(case, f"{related}_id") is not None:
            organisations.append(getattr(case, related))
    return organisations


def _holds_over_case(user: Any, roles: tuple[str, ...], case: Case) -> bool:
    return any(has_role(user, roles, organisation) for organisation in _case_organisations(case))


def can_view_case(user: Any, case: Case) -> bool:
    """The whole case and its ledger, internal notes included; the reporter's own account too."""
    if is_signed_in(user) and case.reporter_id is not None and case.reporter_id == user.pk:
        return True
    return _holds_over_case(user, CASE_READERS, case)


def can_see_reporter(user: Any, case: Case) -> bool:
    """The reporter's name and contact: staff of the case, unless the reporter stayed anonymous."""
    if case.is_anonymous:
        return False
    return _holds_over_case(user, CASE_READERS, case) or (
        is_signed_in(user) and case.reporter_id is not None and case.reporter_id == user.pk
    )


def can_work_on_case(user: Any, case: Case) -> bool:
    """Acknowledge, assign, record progress, answer, merge, refer, decline, publish or unpublish."""
    if _holds_over_case(user, CASE_WORKERS, case):
        return True
    return case.tier in URGENT_TIERS and has_role(user, [StaffRole.DUTY_OFFICER], case.organisation)


def can_enter_case_for_resident(user: Any, organisation: Organisation) -> bool:
    """Type a case in at the reception desk, from the hotline or as a duty officer.

    Staff of a body in a place (the village committee's reception desk) take cases for the
    whole place, not only for their own body.
    """
    if has_role(user, CASE_TAKERS, organisation):
        return True
    for scope in scopes(user, CASE_TAKERS):
        place = scope if scope.is_place else scope.place()
        if place is not None and organisation.is_within(place):
            return True
    return False


def can_raise_topic(user: Any, case: Case) -> bool:
    """Turn a case (or a group of them) into a topic for the consultation council."""
    return _holds_over_case(user, (StaffRole.ADMIN, StaffRole.HANDLER, StaffRole.OFFICE), case)


def can_manage_feedback_settings(user: Any, organisation: Organisation) -> bool:
    """Categories' routing, deadlines, calendars and response templates of an organisation."""
    return has_role(user, [StaffRole.ADMIN], organisation)


def cases_visible_to(user: Any) -> CaseQuerySet:
    """Cases whose full record the user may open: their scopes' cases and their own reports.

    The scopes' organisations are looked up first and matched by id: a filter on the paths of
    three joined tables, ORed, makes PostgreSQL read every case of a city (bench/README.md).
    """
    cases = Case.objects.all()
    if not is_signed_in(user):
        return cases.none()
    reader_scopes = scopes(user, CASE_READERS)
    if user.is_superuser:
        return cases
    if not reader_scopes:
        return cases.filter(reporter=user)
    ids = list(Organisation.objects.within_any(reader_scopes).values_list("pk", flat=True))
    return cases.filter(
        Q(reporter=user) | Q(organisation_id__in=ids) | Q(assigned_to_id__in=ids) | Q(escalated_to_id__in=ids)
    )


def is_case_staff(user: Any) -> bool:
    """Anyone who works on cases somewhere: they get the handler's workbench."""
    return is_signed_in(user) and (user.is_superuser or bool(scopes(user, CASE_READERS)))
