"""The duty rota as JSON: the pool, planning, a rota, replacing a volunteer, publishing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from tongxin.accounts.auth import PUBLIC
from tongxin.community.models import Organisation, Person
from tongxin.core.api import LimitOffset, error_responses
from tongxin.core.errors import ActionError

from ..actions.rota import add_volunteer, override_turn, plan_rota, publish_rota
from ..models import DutyGap, DutyTurn, Rota, Volunteer
from ..permissions import can_manage_duty, visible_rota
from ..schemas import (
    OverrideIn,
    PlanIn,
    RotaOut,
    RotaSummaryOut,
    TurnOut,
    VolunteerIn,
    VolunteerOut,
)

router = Router()


def _turn_out(turn: DutyTurn) -> dict[str, Any]:
    return {
        "id": turn.pk, "volunteer": turn.volunteer_id, "name": turn.volunteer.person.display_name,
        "village": turn.village_id, "replaced": turn.was_replaced,
    }


def _summary(rota: Rota) -> dict[str, Any]:
    return {
        "id": rota.pk, "organisation": rota.organisation_id, "start": rota.start, "weeks": rota.weeks,
        "team_size": rota.team_size, "troubleshooters": rota.troubleshooters,
        "avoid_home_village": rota.avoid_home_village, "status": rota.status, "published_at": rota.published_at,
    }


def _rota_out(rota: Rota) -> dict[str, Any]:
    turns: dict[int, list[DutyTurn]] = defaultdict(list)
    for turn in DutyTurn.objects.filter(week__rota=rota).select_related("volunteer__person").order_by("pk"):
        turns[turn.week_id].append(turn)
    gaps: dict[int, list[DutyGap]] = defaultdict(list)
    for gap in DutyGap.objects.filter(week__rota=rota).order_by("pk"):
        gaps[gap.week_id].append(gap)
    village_ids = {turn.village_id for week in turns.values() for turn in week} | {gap.village_id for week in gaps.values() for gap in week}
    villages = Organisation.objects.filter(pk__in=village_ids - {None}).order_by("path")
    return _summary(rota) | {
        "villages": [{"id": village.pk, "name": village.display_name} for village in villages],
        "schedule": [
            {
                "number": week.number, "start": week.start,
                "turns": [_turn_out(turn) for turn in turns[week.pk]],
                "gaps": [{"id": gap.pk, "village": gap.village_id, "missing": gap.missing} for gap in gaps[week.pk]],
            }
            for week in rota.rota_weeks.order_by("number")
        ],
    }


def _managed(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_manage_duty(request.auth, organisation):
        raise PermissionDenied
    return organisation


@router.get("/organisations/{organisation_id}/duty/volunteers", response={200: list[VolunteerOut], **error_responses(403, 404)})
@paginate(LimitOffset)
def list_volunteers(request: HttpRequest, organisation_id: int) -> Any:
    """The organisation's pool, active volunteers only, by name (for its admins)."""
    organisation = _managed(request, organisation_id)
    return Volunteer.objects.of(organisation).active().select_related("person").order_by("person__name", "pk")


@router.post("/organisations/{organisation_id}/duty/volunteers", response={201: VolunteerOut, **error_responses(400, 403, 404, 409)})
def post_volunteer(request: HttpRequest, organisation_id: int, body: VolunteerIn) -> Any:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    person = get_object_or_404(Person, pk=body.person)
    home = None
    if body.home_village is not None:
        home = Organisation.objects.filter(pk=body.home_village).first()
        if home is None:
            raise ActionError(_("There is no such village."))
    volunteer = add_volunteer(
        actor=request.auth, organisation=organisation, person=person, home_village=home,
        experienced=body.experienced, preferences=body.preferences, joined_on=body.joined_on,
    )
    return Status(201, volunteer)


@router.post("/organisations/{organisation_id}/duty/rotas", response={201: RotaOut, **error_responses(400, 403, 404)})
def post_rota(request: HttpRequest, organisation_id: int, body: PlanIn) -> Any:
    """Plan a draft rota from the active pool for the organisation's villages."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    rota = plan_rota(actor=request.auth, organisation=organisation, **body.dict())
    return Status(201, _rota_out(rota))


@router.get("/organisations/{organisation_id}/duty/rotas", response=list[RotaSummaryOut], auth=PUBLIC)
@paginate(LimitOffset)
def list_rotas(request: HttpRequest, organisation_id: int) -> Any:
    """The organisation's rotas, latest first; drafts only for its admins."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    rotas = Rota.objects.of(organisation)
    if not can_manage_duty(request.auth, organisation):
        rotas = rotas.published()
    return rotas.order_by("-start", "-pk")


@router.get("/duty/rotas/{pk}", response={200: RotaOut, **error_responses(404)}, auth=PUBLIC)
def get_rota(request: HttpRequest, pk: int) -> Any:
    """A rota, week by week: its turns and its empty seats. A draft is found only by its admins."""
    return _rota_out(visible_rota(request.auth, pk))


@router.post("/duty/turns/{pk}/override", response={200: TurnOut, **error_responses(400, 403, 404, 409)})
def post_override(request: HttpRequest, pk: int, body: OverrideIn) -> Any:
    """Someone else serves this turn; 409 naming the rule a choice would break."""
    turn = get_object_or_404(DutyTurn.objects.select_related("week__rota__organisation"), pk=pk)
    visible_rota(request.auth, turn.week.rota_id)
    volunteer = get_object_or_404(Volunteer, pk=body.volunteer)
    turn = override_turn(actor=request.auth, turn=turn, volunteer=volunteer)
    return _turn_out(DutyTurn.objects.select_related("volunteer__person").get(pk=turn.pk))


@router.post("/duty/rotas/{pk}/publish", response={200: RotaSummaryOut, **error_responses(403, 404, 409)})
def post_publish(request: HttpRequest, pk: int) -> Any:
    """Publish a draft: it becomes public and every volunteer on it is told their weeks."""
    return publish_rota(actor=request.auth, rota=visible_rota(request.auth, pk))
