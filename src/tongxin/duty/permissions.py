"""Who may do what with the duty rota. Pages, the API and commands all ask here.

The organisation's admin (a staff role over it or above) manages its pool and plans, changes and
publishes its rotas. A volunteer keeps their own unavailable days. A published rota is public,
names included (the village's bulletin shows who is on duty); a draft only to the admins.

A team is a village's volunteers of one week of a published rota; the week's troubleshooters
belong to every team of that week. The team keeps its week's record (meetings, follow-ups, task
progress, the handover) from the week's first day until `GRACE_DAYS` after its last, and each
volunteer their own diary; the record is read by the team, the teams that follow in the village,
the organisation's managers and the village's staff. What the village's bulletin shows is public.
While their week lasts the team also hold the duty-officer role over the village
(`actions.rota.grant_turn`): entering a villager's problem as a case is the feedback app's rule.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tongxin.community.models import Level, Organisation, Person, StaffRole
from tongxin.community.permissions import has_role, is_signed_in

from .models import DutyTurn, Rota, RotaQuerySet, RotaStatus, RotaWeek, SwapRequest, Volunteer

DUTY_MANAGERS = (StaffRole.ADMIN,)
# Staff of a village who read its teams' records (and see who raised what, through the cases).
VILLAGE_RECORD_READERS = (StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.OFFICE)
GRACE_DAYS = 7


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


# -- A team's week ----------------------------------------------------------------------------


def published_turns() -> Any:
    return DutyTurn.objects.filter(week__rota__status=RotaStatus.PUBLISHED)


def turns_of(user: Any) -> Any:
    """The user's turns in published rotas (none for a user without a person)."""
    person = person_of(user)
    if person is None:
        return DutyTurn.objects.none()
    return published_turns().filter(volunteer__person=person)


def team_of(week: RotaWeek, village: Organisation) -> Any:
    """The volunteers serving `village` in `week`, with the week's troubleshooters."""
    return DutyTurn.objects.filter(week=week).filter(village=village) | DutyTurn.objects.filter(
        week=week, village__isnull=True
    )


def is_on_team(user: Any, week: RotaWeek, village: Organisation) -> bool:
    if week.rota.status != RotaStatus.PUBLISHED:
        return False
    person = person_of(user)
    return person is not None and team_of(week, village).filter(volunteer__person=person).exists()


def week_window(week: RotaWeek) -> tuple[datetime.datetime, datetime.datetime]:
    """From the week's Monday midnight to the next Monday's, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(week.start, datetime.time(0), tzinfo=zone)
    return start, datetime.datetime.combine(week.start + datetime.timedelta(days=7), datetime.time(0), tzinfo=zone)


def record_open(week: RotaWeek, today: datetime.date | None = None) -> bool:
    """A team keeps its record from its week's first day until GRACE_DAYS after the last."""
    day = today or timezone.localdate()
    return week.start <= day <= week.end + datetime.timedelta(days=GRACE_DAYS)


def can_keep_team_record(user: Any, week: RotaWeek, village: Organisation) -> bool:
    """Log the morning meetings and follow-ups, set and update tasks, write the handover."""
    if can_manage_duty(user, week.rota.organisation):
        return True
    return record_open(week) and is_on_team(user, week, village)


def can_view_team_record(user: Any, week: RotaWeek, village: Organisation) -> bool:
    """The team's ledger, meetings, follow-ups, diaries and handover: the team, volunteers who
    serve the village later (they take the open items over), managers and the village's staff."""
    if can_manage_duty(user, week.rota.organisation) or has_role(user, VILLAGE_RECORD_READERS, village):
        return True
    if week.rota.status != RotaStatus.PUBLISHED:
        return False
    person = person_of(user)
    if person is None:
        return False
    return is_on_team(user, week, village) or turns_of(user).filter(village=village, week__start__gt=week.start).exists()


def is_team_village(week: RotaWeek, village: Organisation) -> bool:
    """Whether the rota's organisation sends teams to `village` (a village or community in it)."""
    return village.is_place and village.level == Level.VILLAGE and village.is_within(week.rota.organisation)


def visible_team(user: Any, week_id: int, village_id: int) -> tuple[RotaWeek, Organisation]:
    """The week and village of a team whose record the user may read; Http404 otherwise (like
    `visible_rota`, a record is not known to exist outside its readers)."""
    week = get_object_or_404(RotaWeek.objects.select_related("rota__organisation"), pk=week_id)
    village = get_object_or_404(Organisation, pk=village_id)
    if not is_team_village(week, village) or not can_view_team_record(user, week, village):
        raise Http404
    return week, village


def can_read_diary(user: Any, turn: DutyTurn) -> bool:
    """A village team's diaries are part of its record; a troubleshooter's, who belongs to no
    single village, is read by them and the organisation's managers."""
    if turn.village is None:
        return is_volunteer_themselves(user, turn.volunteer) or can_manage_duty(user, turn.week.rota.organisation)
    return can_view_team_record(user, turn.week, turn.village)


def can_view_duty_statistics(user: Any, organisation: Organisation) -> bool:
    """The organisation's managers, supervisors and office."""
    return has_role(user, VILLAGE_RECORD_READERS, organisation)


def can_write_diary(user: Any, turn: DutyTurn) -> bool:
    """Only the volunteer themselves, while their record is open."""
    return (
        turn.week.rota.status == RotaStatus.PUBLISHED
        and is_volunteer_themselves(user, turn.volunteer)
        and record_open(turn.week)
    )


# -- Swaps ------------------------------------------------------------------------------------


def can_ask_swap(user: Any, turn: DutyTurn) -> bool:
    """A volunteer offers their own turn of a published rota, before its week starts."""
    return (
        turn.week.rota.status == RotaStatus.PUBLISHED
        and turn.week.start > timezone.localdate()
        and is_volunteer_themselves(user, turn.volunteer)
    )


def can_answer_swap(user: Any, swap: SwapRequest) -> bool:
    """The volunteer whose turn is asked for agrees or declines."""
    return is_volunteer_themselves(user, swap.other_turn.volunteer)


def can_decide_swap(user: Any, swap: SwapRequest) -> bool:
    return can_manage_duty(user, swap.turn.week.rota.organisation)


def can_withdraw_swap(user: Any, swap: SwapRequest) -> bool:
    """Only whoever asked, while the swap is open."""
    return is_signed_in(user) and swap.requested_by_id == user.pk


def can_view_swap(user: Any, swap: SwapRequest) -> bool:
    return (
        is_volunteer_themselves(user, swap.turn.volunteer)
        or can_answer_swap(user, swap)
        or can_decide_swap(user, swap)
    )
