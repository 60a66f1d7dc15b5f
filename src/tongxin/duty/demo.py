"""The demo town's duty rota, built through the duty actions.

- Baishuiyang's pool: thirty-six full party members of its three villages, the older half marked
  experienced (the retired members the Nanjing source describes).
- A quarter's rota (13 weeks, teams of three, one floating troubleshooter) that began two weeks
  ago, published; the `duty-officer` demo login serves on a village's team this week.
- The weeks lived so far: morning meetings whose problems became cases (some answered), the
  same-day follow-ups, the tasks on each village's bulletin, diaries and handovers.

Running it again on a town that has a rota adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.community.models import Organisation, PartyStatus, Person

from .actions.rota import add_volunteer, candidates_for, override_turn, plan_rota, publish_rota
from .models import DutyTurn, Rota, RotaStatus, Volunteer

ADMIN_LOGIN = "town-admin"
DUTY_LOGIN = "duty-officer"
POOL_SIZE = 36
WEEKS = 13
WEEKS_LIVED = 2  # the rota began this many weeks before this week


@dataclass
class DutySummary:
    volunteers: int
    weeks: int
    turns: int


def build_demo_duty(*, town: Organisation, rng: random.Random) -> DutySummary:
    """Add the pool, the published rota and its weeks lived, unless the town has a rota."""
    if not Rota.objects.of(town).exists() and User.objects.filter(username=ADMIN_LOGIN).exists():
        admin = User.objects.get(username=ADMIN_LOGIN)
        _pool(town, admin, rng)
        monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
        rota = plan_rota(
            actor=admin, organisation=town, start=monday - datetime.timedelta(weeks=WEEKS_LIVED), weeks=WEEKS,
            team_size=3, troubleshooters=1,
        )
        _duty_login_serves_this_week(rota, admin)
        publish_rota(actor=admin, rota=rota)
    return DutySummary(
        volunteers=Volunteer.objects.of(town).active().count(),
        weeks=sum(Rota.objects.of(town).filter(status=RotaStatus.PUBLISHED).values_list("weeks", flat=True)),
        turns=DutyTurn.objects.filter(week__rota__organisation=town).count(),
    )


def _pool(town: Organisation, admin: User, rng: random.Random) -> list[Volunteer]:
    """The eldest full members of the town's villages (and the duty-officer login's person)."""
    members = list(
        Person.objects.filter(home__path__startswith=town.path, party_status=PartyStatus.FULL, birth_year__isnull=False)
        .order_by("birth_year", "pk")[:POOL_SIZE]
    )
    duty_person = Person.objects.filter(user__username=DUTY_LOGIN).first()
    if duty_person is not None and duty_person not in members:
        members[-1] = duty_person
    joined = timezone.localdate() - datetime.timedelta(days=400)
    volunteers = []
    for rank, person in enumerate(members):
        volunteers.append(
            add_volunteer(
                actor=admin, organisation=town, person=person, experienced=rank < len(members) // 2,
                joined_on=joined + datetime.timedelta(days=rng.randrange(300)),
            )
        )
    return volunteers


def _duty_login_serves_this_week(rota: Rota, admin: User) -> None:
    """The demo's duty officer is on a village's team this week, so their pages have a week to show."""
    volunteer = Volunteer.objects.filter(organisation=rota.organisation, person__user__username=DUTY_LOGIN).first()
    week = rota.rota_weeks.get(number=WEEKS_LIVED + 1)
    if volunteer is None or DutyTurn.objects.filter(week=week, volunteer=volunteer, village__isnull=False).exists():
        return
    # First free them from this week and the weeks either side (nobody serves two weeks running).
    nearby = DutyTurn.objects.filter(week__rota=rota, volunteer=volunteer, week__number__range=(week.number - 1, week.number + 1))
    for turn in nearby.select_related("week", "village"):
        stand_in = next(
            (candidate.volunteer for candidate in candidates_for(rota, turn.week, turn.village)
             if candidate.volunteer != volunteer),
            None,
        )
        if stand_in is None:
            return
        override_turn(actor=admin, turn=turn, volunteer=stand_in)
    for turn in DutyTurn.objects.filter(week=week, village__isnull=False).select_related("village", "week").order_by("pk"):
        if any(candidate.volunteer == volunteer for candidate in candidates_for(rota, week, turn.village)):
            override_turn(actor=admin, turn=turn, volunteer=volunteer)
            return
