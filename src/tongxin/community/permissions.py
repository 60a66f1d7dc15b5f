"""Who may do what with organisations and people. Views, the API and commands all ask here.

A staff role is held over an organisation and reaches everything below it: a town admin
manages its villages; a village handler sees only the village.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from .models import Membership, Organisation, OrganisationQuerySet, Person, PersonQuerySet, RoleGrant, StaffRole

# Roles that may read residents' personal data (phone, year of birth, party status) in their scope.
PERSONAL_DATA_ROLES = (StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.OFFICE)


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def scopes(user: Any, roles: Iterable[str]) -> list[Organisation]:
    """The organisations over which the user holds any of the roles (grants read once per request user)."""
    if not is_signed_in(user):
        return []
    # One query per request user for all their grants: pages ask about several role sets.
    if "_tongxin_grants" not in user.__dict__:
        grants = RoleGrant.objects.active().filter(user=user).select_related("organisation").order_by("pk")
        user.__dict__["_tongxin_grants"] = [(grant.role, grant.organisation) for grant in grants]
    wanted = set(roles)
    return [organisation for role, organisation in user.__dict__["_tongxin_grants"] if role in wanted]


def has_role(user: Any, roles: Iterable[str], organisation: Organisation) -> bool:
    if is_signed_in(user) and user.is_superuser:
        return True
    return any(organisation.is_within(scope) for scope in scopes(user, roles))


def is_staff_member(user: Any) -> bool:
    """Anyone holding a staff role or admin access: they must sign in with a second factor."""
    if not is_signed_in(user):
        return False
    return user.is_staff or user.is_superuser or RoleGrant.objects.active().filter(user=user).exists()


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Add and end memberships, edit the organisation, create organisations under it."""
    return has_role(user, [StaffRole.ADMIN], organisation)


def organisations_managed_by(user: Any) -> OrganisationQuerySet:
    """Every organisation the user may manage: the subtrees of their admin roles."""
    if not is_signed_in(user):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.within_any(scopes(user, [StaffRole.ADMIN]))


def can_grant_role(user: Any, organisation: Organisation) -> bool:
    return can_manage_organisation(user, organisation)


def can_view_composition_details(user: Any, organisation: Organisation) -> bool:
    return has_role(user, PERSONAL_DATA_ROLES, organisation)


def can_view_audit(user: Any, organisation: Organisation) -> bool:
    return has_role(user, [StaffRole.ADMIN, StaffRole.SUPERVISOR], organisation)


def _person_places(person: Person) -> list[Organisation]:
    places = [membership.organisation for membership in person.memberships.select_related("organisation")]
    if person.home is not None:
        places.append(person.home)
    return places


def can_view_personal_data(user: Any, person: Person) -> bool:
    """The person themselves, or an admin, supervisor or office whose scope holds the person."""
    if not is_signed_in(user):
        return False
    if user.is_superuser or (person.user_id is not None and person.user_id == user.pk):
        return True
    role_scopes = scopes(user, PERSONAL_DATA_ROLES)
    return any(place.is_within(scope) for place in _person_places(person) for scope in role_scopes)


def can_edit_person(user: Any, person: Person) -> bool:
    if not is_signed_in(user):
        return False
    if user.is_superuser:
        return True
    admin_scopes = scopes(user, [StaffRole.ADMIN])
    return any(place.is_within(scope) for place in _person_places(person) for scope in admin_scopes)


def people_visible_to(user: Any) -> PersonQuerySet:
    """People whose personal records the user may open."""
    people = Person.objects.all()
    if not is_signed_in(user):
        return people.none()
    if user.is_superuser:
        return people
    role_scopes = scopes(user, PERSONAL_DATA_ROLES)
    condition = Q(user=user)
    for scope in role_scopes:
        condition |= Q(home__path__startswith=scope.path)
        condition |= Q(
            pk__in=Membership.objects.filter(organisation__path__startswith=scope.path).values("person_id")
        )
    return people.filter(condition)
