"""Who may do what with the duty rota. Pages, the API and commands all ask here.

The organisation's admin (a staff role over it or above) manages its pool and plans, changes and
publishes its rotas. A volunteer keeps their own unavailable days. A published rota is public,
names included (the village's bulletin shows who is on duty); a draft only to the admins.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from tongxin.community.models import Organisation, Person, StaffRole
from tongxin.community.permissions import has_role, is_signed_in

from .models import Rota, RotaQuerySet, RotaStatus, Volunteer

DUTY_MANAGERS = (StaffRole.ADMIN,)


def person_of(user: Any) -> Person | None:
    """The person an account belongs to, if any (read once per request user)."""
    if not is_signed_in(user):
        return None
    if "_tongxin_person" not in user.__dict__:
        user.__dict__["_tongxin_person"] = Person.objects.filter(user=user).first()
    return user.__dict__["_tongxin_person"]


def can_manage_duty(user: Any, organisation: Organisation) -> bool:
    """Add, change and retire the pool's volunteers; plan, change and publish rotas."""
    return has_role(user, DUTY_MANAGERS, organisation)


def is_volunteer_themselves(user: Any, volunteer: Volunteer) -> bool:
    person = person_of(user)
    return person is not None and person.pk == volunteer.person_id


def can_edit_availability(user: Any, volunteer: Volunteer) -> bool:
    """The volunteer themselves, or whoever manages the pool."""
    return is_volunteer_themselves(user, volunteer) or can_manage_duty(user, volunteer.organisation)


def can_view_rota(user: Any, rota: Rota) -> bool:
    """A published rota is public; a draft only to those who manage it."""
    return rota.status == RotaStatus.PUBLISHED or can_manage_duty(user, rota.organisation)


def visible_rota(user: Any, pk: int) -> Rota:
    """The rota with this id, if the user may see it; Http404 otherwise (a draft is not even
    known to exist outside the organisation's admins)."""
    rota = get_object_or_404(Rota.objects.select_related("organisation"), pk=pk)
    if not can_view_rota(user, rota):
        raise Http404
    return rota


def rotas_visible_to(user: Any, organisation: Organisation) -> RotaQuerySet:
    rotas = Rota.objects.of(organisation)
    return rotas if can_manage_duty(user, organisation) else rotas.published()
