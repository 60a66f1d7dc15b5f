"""Every change to the duty pool and rotas: one use case a function, one transaction each,
checked against `permissions`, recorded in the audit chain.

The rules of a rota (issue 6) hold in the database after every action, not only after planning:
a replacement, a filled gap, a new unavailable day or a changed home village that would break
one is refused with a message that names the rule.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.community.models import Level, Organisation, Person, RoleGrant, StaffRole
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError
from tongxin.core.notify import notify

from .. import rota as planner
from ..models import (
    OPEN_SWAP_STATUSES,
    DutyGap,
    DutyTurn,
    Rota,
    RotaStatus,
    RotaWeek,
    SwapRequest,
    SwapStatus,
    Unavailability,
    Volunteer,
)
from ..permissions import can_edit_availability, can_manage_duty, week_window
from ..wording import problem_text

MAX_TEAM_SIZE = 12
MAX_TROUBLESHOOTERS = 20
VOLUNTEER_FIELDS = ("home_village", "experienced", "preferences", "joined_on")


def require(allowed: bool) -> None:
    """PermissionDenied unless `allowed`: views answer 403, the API 403, commands exit 2."""
    if not allowed:
        raise PermissionDenied


def villages_of(organisation: Organisation) -> list[Organisation]:
    """The villages and communities whose teams the organisation's rotas staff, in tree order."""
    return list(Organisation.objects.within(organisation).at_level(Level.VILLAGE).active().order_by("path"))


# ---------------------------------------------------------------------------------------------
# The pool


def add_volunteer(
    *,
    actor: Any,
    organisation: Organisation,
    person: Person,
    home_village: Organisation | None = None,
    experienced: bool = False,
    preferences: str = "",
    joined_on: datetime.date | None = None,
) -> Volunteer:
    """Put a person in the organisation's pool; their home village is where they live unless
    another is given. A retired volunteer added again comes back with the new details."""
    require(can_manage_duty(actor, organisation))
    home = home_village if home_village is not None else _home_within(person.home, organisation)
    _check_home(home, organisation)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().filter(organisation=organisation, person=person).first()
        if volunteer is not None and volunteer.active:
            raise ActionError(_("%(name)s is already in the pool.") % {"name": person.display_name}, status=409)
        if volunteer is None:
            volunteer = Volunteer(organisation=organisation, person=person)
        volunteer.home_village = home
        volunteer.experienced = experienced
        volunteer.preferences = preferences.strip()
        volunteer.joined_on = joined_on or timezone.localdate()
        volunteer.active = True
        try:
            with transaction.atomic():
                volunteer.save()
        except IntegrityError:  # added at the same moment by someone else
            raise ActionError(_("%(name)s is already in the pool.") % {"name": person.display_name}, status=409) from None
        record_audit(actor=actor, verb="duty.volunteer.add", target=volunteer, data=_volunteer_data(volunteer))
    return volunteer


def update_volunteer(*, actor: Any, volunteer: Volunteer, **changes: Any) -> Volunteer:
    """Change a volunteer's home village, experience, preferences or joining date."""
    require(can_manage_duty(actor, volunteer.organisation))
    unknown = set(changes) - set(VOLUNTEER_FIELDS)
    if unknown:
        raise TypeError(f"unknown volunteer fields: {sorted(unknown)}")
    if "home_village" in changes:
        _check_home(changes["home_village"], volunteer.organisation)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("organisation", "person").get(pk=volunteer.pk)
        home = changes.get("home_village", volunteer.home_village)
        if home is not None and home.pk != volunteer.home_village_id:
            clash = _turns_to_come(volunteer).filter(village=home, week__rota__avoid_home_village=True).first()
            if clash is not None:
                raise ActionError(
                    _("%(name)s serves on the team of %(village)s in the week of %(week)s, and the rota keeps "
                      "volunteers off their home village's team: replace them there first.")
                    % {"name": volunteer.person.display_name, "village": home.display_name, "week": _day(clash.week.start)},
                    status=409,
                )
        for name, value in changes.items():
            setattr(volunteer, name, value.strip() if isinstance(value, str) else value)
        volunteer.save()
        record_audit(actor=actor, verb="duty.volunteer.update", target=volunteer, data=_volunteer_data(volunteer))
    return volunteer


def retire_volunteer(*, actor: Any, volunteer: Volunteer) -> Volunteer:
    """Take a volunteer out of the pool; their past turns stay. Refused while they have turns to come."""
    require(can_manage_duty(actor, volunteer.organisation))
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("person").get(pk=volunteer.pk)
        if not volunteer.active:
            raise ActionError(_("%(name)s has already left the pool.") % {"name": volunteer.person.display_name}, status=409)
        waiting = _turns_to_come(volunteer).count()
        if waiting:
            raise ActionError(
                ngettext(
                    "%(name)s still has %(count)d turn to come: replace them in it first.",
                    "%(name)s still has %(count)d turns to come: replace them in them first.",
                    waiting,
                )
                % {"name": volunteer.person.display_name, "count": waiting},
                status=409,
            )
        volunteer.active = False
        volunteer.save(update_fields=["active"])
        record_audit(actor=actor, verb="duty.volunteer.retire", target=volunteer)
    return volunteer


def set_unavailable(*, actor: Any, volunteer: Volunteer, date: datetime.date, reason: str = "") -> Unavailability:
    """Note a day the volunteer cannot serve. Refused when they already serve that week: the
    organisation replaces them first, so that no week is left to chance."""
    require(can_edit_availability(actor, volunteer))
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update().select_related("person").get(pk=volunteer.pk)
        turn = (
            DutyTurn.objects.filter(volunteer=volunteer, week__start__lte=date, week__start__gt=date - datetime.timedelta(days=7))
            .select_related("week")
            .first()
        )
        if turn is not None:
            raise ActionError(
                _("%(name)s is on duty in the week of %(week)s. Ask the organisation to find a replacement first.")
                % {"name": volunteer.person.display_name, "week": _day(turn.week.start)},
                status=409,
            )
        day, created = Unavailability.objects.get_or_create(volunteer=volunteer, date=date, defaults={"reason": reason.strip()})
        if not created:
            day.reason = reason.strip()
            day.save(update_fields=["reason"])
        record_audit(
            actor=actor, verb="duty.unavailable.set", target=volunteer,
            data={"date": date.isoformat(), "reason": day.reason},
        )
    return day


def clear_unavailable(*, actor: Any, volunteer: Volunteer, date: datetime.date) -> None:
    """The volunteer can serve on that day after all."""
    require(can_edit_availability(actor, volunteer))
    with transaction.atomic():
        deleted, _rows = Unavailability.objects.filter(volunteer=volunteer, date=date).delete()
        if not deleted:
            raise ActionError(_("That day was not marked unavailable."), status=404)
        record_audit(actor=actor, verb="duty.unavailable.clear", target=volunteer, data={"date": date.isoformat()})


# ---------------------------------------------------------------------------------------------
# Rotas


def plan_rota(
    *,
    actor: Any,
    organisation: Organisation,
    start: datetime.date,
    weeks: int,
    team_size: int = 3,
    troubleshooters: int = 1,
    avoid_home_village: bool = True,
) -> Rota:
    """A draft rota planned by `tongxin.duty.rota.plan` from the active pool for the
    organisation's villages; every turn and every seat left empty is stored."""
    require(can_manage_duty(actor, organisation))
    problems = []
    if not 1 <= weeks <= planner.MAX_WEEKS:
        problems.append(_("Plan from 1 to %(max)d weeks.") % {"max": planner.MAX_WEEKS})
    if not 1 <= team_size <= MAX_TEAM_SIZE:
        problems.append(_("A village team has from 1 to %(max)d secretaries.") % {"max": MAX_TEAM_SIZE})
    if not 0 <= troubleshooters <= MAX_TROUBLESHOOTERS:
        problems.append(_("A week has from 0 to %(max)d troubleshooters.") % {"max": MAX_TROUBLESHOOTERS})
    if problems:
        raise ActionError(" ".join(problems))
    villages = villages_of(organisation)
    if not villages:
        raise ActionError(_("%(name)s has no villages or communities to send teams to.") % {"name": organisation.display_name})
    pool = list(Volunteer.objects.of(organisation).active().order_by("pk"))
    if not pool:
        raise ActionError(_("The pool has no volunteers yet: add them before planning a rota."))
    end = start + datetime.timedelta(weeks=weeks)
    unavailable: dict[int, set[datetime.date]] = defaultdict(set)
    for volunteer_id, day in Unavailability.objects.filter(volunteer__in=pool, date__gte=start, date__lt=end).values_list(
        "volunteer_id", "date"
    ):
        unavailable[volunteer_id].add(day)
    # Whoever serves the week before `start` in a published rota rests in the first week.
    resting = DutyTurn.objects.filter(
        volunteer__in=pool, week__rota__status=RotaStatus.PUBLISHED, week__start=start - datetime.timedelta(days=7)
    ).values_list("volunteer_id", flat=True)
    for volunteer_id in resting:
        unavailable[volunteer_id].update(start + datetime.timedelta(days=n) for n in range(7))
    served_before = set(
        DutyTurn.objects.filter(volunteer__in=pool, week__rota__status=RotaStatus.PUBLISHED, week__start__lt=start)
        .values_list("volunteer_id", flat=True)
        .distinct()
    )
    by_key = {str(village.pk): village for village in villages}
    try:
        planned = planner.plan(
            start=start,
            weeks=weeks,
            villages=list(by_key),
            team_size=team_size,
            troubleshooters=troubleshooters,
            volunteers=[
                planner.Volunteer(
                    id=str(volunteer.pk),
                    home=str(volunteer.home_village_id) if str(volunteer.home_village_id) in by_key else None,
                    unavailable=frozenset(unavailable[volunteer.pk]),
                    experienced=volunteer.experienced or volunteer.pk in served_before,
                )
                for volunteer in pool
            ],
            avoid_home_village=avoid_home_village,
        )
    except planner.InputError as error:
        raise ActionError(problem_text(error.problem)) from None
    with transaction.atomic():
        rota = Rota.objects.create(
            organisation=organisation, start=start, weeks=weeks, team_size=team_size, troubleshooters=troubleshooters,
            avoid_home_village=avoid_home_village, created_by=_account(actor),
        )
        rota_weeks = RotaWeek.objects.bulk_create(
            RotaWeek(rota=rota, number=number, start=week.start) for number, week in enumerate(planned.weeks, start=1)
        )
        if any(week.pk is None for week in rota_weeks):  # backends that do not return ids
            rota_weeks = list(rota.rota_weeks.order_by("number"))
        week_of = {week.start: week for week in rota_weeks}
        turns = []
        for week, planned_week in zip(rota_weeks, planned.weeks, strict=True):
            for key, team in planned_week.teams.items():
                turns += [DutyTurn(week=week, volunteer_id=int(i), village=by_key[key]) for i in team]
            turns += [DutyTurn(week=week, volunteer_id=int(i), village=None) for i in planned_week.troubleshooters]
        DutyTurn.objects.bulk_create(turns, batch_size=500)
        DutyGap.objects.bulk_create(
            (
                DutyGap(week=week_of[gap.week], village=None if gap.village is None else by_key[gap.village], missing=gap.missing)
                for gap in planned.unfilled
            ),
            batch_size=500,
        )
        record_audit(
            actor=actor, verb="duty.rota.plan", target=rota,
            data={
                "start": start.isoformat(), "weeks": weeks, "team_size": team_size, "troubleshooters": troubleshooters,
                "avoid_home_village": avoid_home_village, "volunteers": len(pool), "villages": len(villages),
                "turns": len(turns), "empty_seats": sum(gap.missing for gap in planned.unfilled),
            },
        )
    return rota


def override_turn(*, actor: Any, turn: DutyTurn, volunteer: Volunteer) -> DutyTurn:
    """Someone else serves this turn. Refused, naming the rule, when they may not take it."""
    rota = turn.week.rota
    require(can_manage_duty(actor, rota.organisation))
    with transaction.atomic():
        rota = _lock(rota)  # two changes to one rota never check the weeks against each other's past
        turn = DutyTurn.objects.select_related("week", "village", "volunteer__person").get(pk=turn.pk)
        volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("person", "home_village").get(pk=volunteer.pk)
        if volunteer.pk == turn.volunteer_id:
            raise ActionError(_("%(name)s already serves this turn.") % {"name": volunteer.person.display_name})
        refusal = refusal_for(rota, turn.week, turn.village, volunteer)
        if refusal:
            raise ActionError(refusal, status=409)
        before = turn.volunteer
        if turn.planned_volunteer_id is None:
            turn.planned_volunteer_id = before.pk
        turn.volunteer = volunteer
        turn.changed_by, turn.changed_at = _account(actor), timezone.now()
        turn.reminded_at = None  # the new volunteer is reminded before the week, as anyone is
        turn.save(update_fields=["volunteer", "planned_volunteer", "changed_by", "changed_at", "reminded_at"])
        _close_open_swaps(turn, actor)
        record_audit(
            actor=actor, verb="duty.turn.override", target=rota,
            data={"turn": turn.pk, "week": turn.week.start.isoformat(), "village": turn.village_id, "from": before.pk, "to": volunteer.pk},
        )
        if rota.status == RotaStatus.PUBLISHED:
            grant_turn(turn, actor=actor)
            _tell_turns(volunteer, [turn], rota)
            _tell_released(before, turn, rota)
    return turn


def fill_gap(*, actor: Any, gap: DutyGap, volunteer: Volunteer) -> DutyTurn:
    """A volunteer takes one of a week's empty seats, if every rule allows it."""
    rota = gap.week.rota
    require(can_manage_duty(actor, rota.organisation))
    with transaction.atomic():
        rota = _lock(rota)
        gap = DutyGap.objects.select_related("week", "village").filter(pk=gap.pk).first()
        if gap is None:
            raise ActionError(_("That seat has been filled already."), status=409)
        volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("person", "home_village").get(pk=volunteer.pk)
        refusal = refusal_for(rota, gap.week, gap.village, volunteer)
        if refusal:
            raise ActionError(refusal, status=409)
        turn = DutyTurn.objects.create(
            week=gap.week, volunteer=volunteer, village=gap.village, changed_by=_account(actor), changed_at=timezone.now()
        )
        if gap.missing > 1:
            gap.missing -= 1
            gap.save(update_fields=["missing"])
        else:
            gap.delete()
        record_audit(
            actor=actor, verb="duty.gap.fill", target=rota,
            data={"turn": turn.pk, "week": gap.week.start.isoformat(), "village": gap.village_id, "to": volunteer.pk},
        )
        if rota.status == RotaStatus.PUBLISHED:
            grant_turn(turn, actor=actor)
            _tell_turns(volunteer, [turn], rota)
    return turn


def publish_rota(*, actor: Any, rota: Rota) -> Rota:
    """The draft becomes the rota: public, and every volunteer on it is told their weeks."""
    require(can_manage_duty(actor, rota.organisation))
    with transaction.atomic():
        rota = _lock(rota)
        if rota.status != RotaStatus.DRAFT:
            raise ActionError(_("This rota is published already."), status=409)
        rota.status = RotaStatus.PUBLISHED
        rota.published_at = timezone.now()
        rota.save(update_fields=["status", "published_at"])
        turns = (
            DutyTurn.objects.filter(week__rota=rota)
            .select_related("week", "village", "volunteer__person__user")
            .order_by("week__number", "pk")
        )
        by_volunteer: dict[int, list[DutyTurn]] = defaultdict(list)
        for turn in turns:
            by_volunteer[turn.volunteer_id].append(turn)
        for mine in by_volunteer.values():
            for turn in mine:
                grant_turn(turn, actor=actor)
        told = sum(_tell_turns(mine[0].volunteer, mine, rota) for mine in by_volunteer.values())
        gaps = DutyGap.objects.filter(week__rota=rota).count()
        record_audit(
            actor=actor, verb="duty.rota.publish", target=rota,
            data={"volunteers": len(by_volunteer), "told": told, "weeks_with_empty_seats": gaps},
        )
    return rota


def discard_rota(*, actor: Any, rota: Rota) -> None:
    """Throw a draft away (to plan again); a published rota stays."""
    require(can_manage_duty(actor, rota.organisation))
    with transaction.atomic():
        rota = _lock(rota)
        if rota.status != RotaStatus.DRAFT:
            raise ActionError(_("A published rota cannot be thrown away: change its turns instead."), status=409)
        record_audit(actor=actor, verb="duty.rota.discard", target=rota, data={"start": rota.start.isoformat(), "weeks": rota.weeks})
        DutyGap.objects.filter(week__rota=rota).delete()
        DutyTurn.objects.filter(week__rota=rota).delete()
        rota.delete()


# ---------------------------------------------------------------------------------------------
# The duty-officer role for the week of a turn


def grant_turn(turn: DutyTurn, *, actor: Any) -> RoleGrant | None:
    """Make the turn's volunteer the duty officer of its village (of the rota's organisation for
    a troubleshooter) for its week, replacing the grant of whoever held the turn before.

    The grant is how a one-week secretary may enter villagers' problems as cases, see the
    village's cases and (as a troubleshooter) take urgent ones: the feedback app's own rules
    for duty officers, in force for that week only. A volunteer without an account gets none.
    """
    revoke_turn_grant(turn)
    user = turn.volunteer.person.user if turn.volunteer.person.user_id else None
    if user is None:
        return None
    starts_at, ends_at = week_window(turn.week)
    grant = RoleGrant.objects.create(
        user=user,
        role=StaffRole.DUTY_OFFICER,
        organisation=turn.village or turn.week.rota.organisation,
        granted_by=_account(actor),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    turn.grant = grant
    turn.save(update_fields=["grant"])
    return grant


def revoke_turn_grant(turn: DutyTurn) -> None:
    if turn.grant_id is not None:
        RoleGrant.objects.filter(pk=turn.grant_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
        turn.grant = None
        turn.save(update_fields=["grant"])


# ---------------------------------------------------------------------------------------------
# The rules, for one volunteer and for the whole pool


def refusal_for(rota: Rota, week: RotaWeek, village: Organisation | None, volunteer: Volunteer) -> str:
    """Why `volunteer` may not take a seat of `week` (on `village`'s team, or as a
    troubleshooter): the first rule it would break, worded; "" if none."""
    name = volunteer.person.display_name
    if volunteer.organisation_id != rota.organisation_id or not volunteer.active:
        return _("%(name)s is not in this organisation's pool.") % {"name": name}
    day = Unavailability.objects.filter(volunteer=volunteer, date__range=(week.start, week.end)).order_by("date").first()
    if day is not None:
        return _("%(name)s is unavailable on %(day)s, in that week.") % {"name": name, "day": _day(day.date)}
    starts = set(turns_near(rota, week).filter(volunteer=volunteer).values_list("week__start", flat=True))
    if week.start in starts:
        return _("%(name)s already serves in that week.") % {"name": name}
    if starts:
        return _("%(name)s serves in the week before or after: nobody serves two weeks running.") % {"name": name}
    if rota.avoid_home_village and village is not None and volunteer.home_village_id == village.pk:
        return _("%(name)s lives in %(village)s, and this rota keeps volunteers off their home village's team.") % {
            "name": name, "village": village.display_name,
        }
    return ""


def turns_near(rota: Rota, week: RotaWeek) -> QuerySet[DutyTurn]:
    """Turns in `week` and the weeks either side: of this rota, and of the organisation's
    published rotas (the last week of the rota before is the week before this one's first)."""
    return DutyTurn.objects.filter(
        Q(week__rota=rota) | Q(week__rota__organisation=rota.organisation_id, week__rota__status=RotaStatus.PUBLISHED),
        week__start__range=(week.start - datetime.timedelta(days=7), week.start + datetime.timedelta(days=7)),
    )


@dataclass(frozen=True)
class Candidate:
    volunteer: Volunteer
    turns: int  # in this rota


def candidates_for(rota: Rota, week: RotaWeek, village: Organisation | None) -> list[Candidate]:
    """Everyone in the pool who may take a seat of `week`, fewest turns in the rota first:
    four queries whatever the size of the pool."""
    busy = turns_near(rota, week).values("volunteer_id")
    away = Unavailability.objects.filter(date__range=(week.start, week.end)).values("volunteer_id")
    pool = (
        Volunteer.objects.of(rota.organisation).active()
        .exclude(pk__in=busy).exclude(pk__in=away)
        .select_related("person", "home_village")
        .annotate(rota_turns=Count("turns", filter=Q(turns__week__rota=rota)))
    )
    if rota.avoid_home_village and village is not None:
        pool = pool.exclude(home_village=village)
    return sorted(
        (Candidate(volunteer, volunteer.rota_turns) for volunteer in pool),
        key=lambda candidate: (candidate.turns, candidate.volunteer.person.name, candidate.volunteer.pk),
    )


# ---------------------------------------------------------------------------------------------
# Helpers


def _lock(rota: Rota) -> Rota:
    return Rota.objects.select_for_update().select_related("organisation").get(pk=rota.pk)


def _account(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _home_within(home: Organisation | None, organisation: Organisation) -> Organisation | None:
    """The village a person lives in (theirs, or the one their grid is part of), if it is one of
    the organisation's; None if they live elsewhere."""
    if home is None or not home.is_within(organisation):
        return None
    if home.is_place and home.level == Level.VILLAGE:
        return home
    village = home.ancestors().at_level(Level.VILLAGE).order_by("-path").first()
    return village if village is not None and village.is_within(organisation) else None


def _check_home(home: Organisation | None, organisation: Organisation) -> None:
    if home is None:
        return
    if not home.is_within(organisation) or home.level != Level.VILLAGE or not home.is_place:
        raise ActionError(
            _("The home village must be a village or community of %(name)s.") % {"name": organisation.display_name}
        )


def _turns_to_come(volunteer: Volunteer) -> Any:
    """Turns in weeks not yet over, in any rota."""
    return DutyTurn.objects.filter(
        volunteer=volunteer, week__start__gt=timezone.localdate() - datetime.timedelta(days=7)
    ).select_related("week")


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _volunteer_data(volunteer: Volunteer) -> dict[str, Any]:
    return {
        "person": volunteer.person_id, "home_village": volunteer.home_village_id, "experienced": volunteer.experienced,
        "joined_on": volunteer.joined_on.isoformat(), "preferences": volunteer.preferences,
    }


def _turn_line(turn: DutyTurn) -> str:
    where = (
        _("troubleshooter") if turn.village is None
        else _("the team of %(village)s") % {"village": turn.village.display_name}
    )
    return _("%(start)s to %(end)s: %(where)s") % {"start": _day(turn.week.start), "end": _day(turn.week.end), "where": where}


def _tell_turns(volunteer: Volunteer, turns: Iterable[DutyTurn], rota: Rota) -> int:
    """Tell a volunteer with an account their turns in a published rota; 1 if told."""
    user = volunteer.person.user if volunteer.person.user_id else None
    if user is None:
        return 0
    lines = "\n".join(f"- {_turn_line(turn)}" for turn in turns)
    notify(
        users=[user],
        subject=_("Your duty weeks for %(name)s") % {"name": rota.organisation.display_name},
        body=_("You are a one-week secretary in these weeks:\n%(lines)s") % {"lines": lines},
        url=reverse("duty:mine"),
    )
    return 1


def _close_open_swaps(turn: DutyTurn, actor: Any) -> None:
    """A turn given to someone else by the organisation ends the swaps asked on it."""
    SwapRequest.objects.filter(Q(turn=turn) | Q(other_turn=turn), status__in=OPEN_SWAP_STATUSES).update(
        status=SwapStatus.REFUSED, decided_by=_account(actor), decided_at=timezone.now(),
        decision_note=_("The organisation gave one of the two turns to someone else."),
    )


def _tell_released(volunteer: Volunteer, turn: DutyTurn, rota: Rota) -> None:
    user = volunteer.person.user if volunteer.person.user_id else None
    if user is not None:
        notify(
            users=[user],
            subject=_("A duty week of yours has changed"),
            body=_("Someone else now serves this turn of yours:\n- %(line)s") % {"line": _turn_line(turn)},
            url=reverse("duty:mine"),
        )
