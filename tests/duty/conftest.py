"""The duty tests' town: 同心镇 with three villages and a pool of 24 one-week secretaries.

    临海市 └ 同心镇 ├ 东村 ├ 西村 ├ 南村 (8 volunteers live in each; vol01 … vol24)
                   └ 同心镇党委 (a body: no team goes there)
           └ 远山镇 └ 远山村 (another town, with its own admin)

`admin` is ADMIN over 同心镇; `other_admin` over 远山镇. Every volunteer has an account named as
in `town.account("vol03")`; vol01, vol05, … (every fourth) are marked experienced. `resident` is
a villager of 东村 with an account, not in the pool.

`serving` (built on `town`) is a rota published by the admin that started on this week's Monday
(three weeks, teams of three, one troubleshooter): `serving.week` is the week under way,
`serving.team("东村")` the turns of a village's team this week, `serving.troubleshooter` this
week's troubleshooter turn. Each turn's volunteer holds the duty-officer role over the village
for the week.

`violations(rota)` is the checker the rota tests trust: written apart from the planner and the
actions, it reads the rows and names every rule of issue 6 that they break.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from tests.helpers import SYSTEM, admin_of, make_account, organisation
from tongxin.community.actions import add_person
from tongxin.community.models import Gender, Organisation, Person
from tongxin.duty.actions.rota import add_volunteer, plan_rota, publish_rota
from tongxin.duty.models import DutyGap, DutyTurn, Rota, RotaWeek, Unavailability, Volunteer

MONDAY = datetime.date(2027, 1, 4)
VILLAGES = [("东村", "East Village"), ("西村", "West Village"), ("南村", "South Village")]


@dataclass
class Town:
    city: Organisation
    town: Organisation
    villages: list[Organisation]
    committee: Organisation
    other_town: Organisation
    admin: Any
    other_admin: Any
    resident: Person
    volunteers: dict[str, Volunteer] = field(default_factory=dict)  # by account name

    def account(self, name: str) -> Any:
        return self.volunteers[name].person.user

    def volunteer(self, name: str) -> Volunteer:
        return self.volunteers[name]

    def village(self, name: str) -> Organisation:
        return next(village for village in self.villages if village.name == name)


def person_with_account(name: str, account: str, home: Organisation | None, *, year: int = 1958) -> Person:
    person = add_person(actor=SYSTEM, name=name, gender=Gender.MALE if len(name) % 2 else Gender.FEMALE, home=home, birth_year=year)
    person.user = make_account(account, email=f"{account}@example.org")
    person.save(update_fields=["user"])
    return person


def fill_pool(town_org: Organisation, villages: list[Organisation], admin: Any, count: int, *, prefix: str = "vol") -> dict[str, Volunteer]:
    """`count` volunteers living round the villages in turn, every fourth experienced."""
    pool = {}
    for number in range(1, count + 1):
        account = f"{prefix}{number:02d}" if count < 100 else f"{prefix}{number:03d}"
        person = person_with_account(f"志愿者{number:03d}", account, villages[(number - 1) % len(villages)])
        pool[account] = add_volunteer(
            actor=admin, organisation=town_org, person=person, experienced=number % 4 == 1,
            joined_on=datetime.date(2026, 1, 1),
        )
    return pool


@pytest.fixture
def town(db) -> Town:
    city = organisation("临海市", "Linhai City", "city", None)
    tongxin = organisation("同心镇", "Tongxin Town", "town", city)
    villages = [organisation(name, name_en, "village", tongxin) for name, name_en in VILLAGES]
    committee = organisation("同心镇党委", "Tongxin Town Party Committee", "party_committee", tongxin)
    yuanshan = organisation("远山镇", "Yuanshan Town", "town", city)
    organisation("远山村", "Yuanshan Village", "village", yuanshan)
    admin = admin_of(tongxin, "admin")
    town = Town(
        city=city, town=tongxin, villages=villages, committee=committee, other_town=yuanshan, admin=admin,
        other_admin=admin_of(yuanshan, "other_admin"),
        resident=person_with_account("东村居民", "resident", villages[0]),
    )
    town.volunteers = fill_pool(tongxin, villages, admin, 24)
    return town


@dataclass
class Serving:
    town: Town
    rota: Rota
    week: RotaWeek

    def team(self, village_name: str) -> list[DutyTurn]:
        village = self.town.village(village_name)
        return list(DutyTurn.objects.filter(week=self.week, village=village).select_related("volunteer__person__user").order_by("pk"))

    @property
    def troubleshooter(self) -> DutyTurn:
        return DutyTurn.objects.select_related("volunteer__person__user").get(week=self.week, village__isnull=True)

    def stranger(self, village_name: str) -> Any:
        """The account of a volunteer on another village's team this week who serves
        `village_name`'s team in no week of the rota (later teams read a village's record)."""
        village = self.town.village(village_name)
        serving_there = DutyTurn.objects.filter(week__rota=self.rota, village=village).values("volunteer_id")
        turn = (
            DutyTurn.objects.filter(week=self.week, village__isnull=False).exclude(village=village)
            .exclude(volunteer_id__in=serving_there).select_related("volunteer__person__user").order_by("pk").first()
        )
        assert turn is not None, f"everyone on duty this week serves {village_name} some week"
        return turn.volunteer.person.user

    def week_number(self, number: int) -> RotaWeek:
        return self.rota.rota_weeks.get(number=number)


def this_monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday())


@pytest.fixture
def serving(town: Town) -> Serving:
    rota = plan_rota(actor=town.admin, organisation=town.town, start=this_monday(), weeks=3, team_size=3, troubleshooters=1)
    publish_rota(actor=town.admin, rota=rota)
    rota.refresh_from_db()
    return Serving(town=town, rota=rota, week=rota.rota_weeks.get(number=1))


# --- The independent checker ----------------------------------------------------------------


def violations(rota: Rota) -> list[str]:
    """Every rule of issue 6 that the stored rota breaks, in words; [] when it keeps them all.

    Reads the rows only: the weeks, the turns, the gaps, the pool's homes and unavailable days.
    """
    found: list[str] = []
    rota = Rota.objects.get(pk=rota.pk)
    weeks = list(rota.rota_weeks.order_by("number"))
    if [week.number for week in weeks] != list(range(1, rota.weeks + 1)):
        found.append(f"weeks numbered {[week.number for week in weeks]}")
    for index, week in enumerate(weeks):
        if week.start != rota.start + datetime.timedelta(weeks=index):
            found.append(f"week {week.number} starts {week.start}")
    villages = set(
        Organisation.objects.filter(path__startswith=rota.organisation.path, kind__in=["village", "community"])
        .values_list("pk", flat=True)
    )
    homes = dict(Volunteer.objects.filter(organisation=rota.organisation).values_list("pk", "home_village_id"))
    away: dict[int, set[datetime.date]] = defaultdict(set)
    for volunteer_id, day in Unavailability.objects.filter(volunteer__organisation=rota.organisation).values_list("volunteer_id", "date"):
        away[volunteer_id].add(day)
    served: dict[int, set[int]] = defaultdict(set)  # week number → volunteers
    for week in weeks:
        turns = list(DutyTurn.objects.filter(week=week).values_list("volunteer_id", "village_id", "volunteer__organisation_id"))
        gaps = {village: missing for village, missing in DutyGap.objects.filter(week=week).values_list("village_id", "missing")}
        people = Counter(volunteer for volunteer, _village, _org in turns)
        for volunteer, times in people.items():
            if times > 1:
                found.append(f"week {week.number}: volunteer {volunteer} serves {times} times")
        seats: Counter[int | None] = Counter()
        for volunteer, village, org in turns:
            seats[village] += 1
            if org != rota.organisation_id:
                found.append(f"week {week.number}: volunteer {volunteer} is from another pool")
            days = {week.start + datetime.timedelta(days=n) for n in range(7)}
            if away[volunteer] & days:
                found.append(f"week {week.number}: volunteer {volunteer} is unavailable")
            if volunteer in served[week.number - 1]:
                found.append(f"week {week.number}: volunteer {volunteer} served the week before")
            if rota.avoid_home_village and village is not None and homes[volunteer] == village:
                found.append(f"week {week.number}: volunteer {volunteer} serves in their home village")
            if village is not None and village not in villages:
                found.append(f"week {week.number}: a team in {village}, not a village of the organisation")
            served[week.number].add(volunteer)
        for village in [*villages, None]:
            size = rota.team_size if village is not None else rota.troubleshooters
            if seats[village] > size:
                found.append(f"week {week.number}: {seats[village]} seats taken in {village}")
            if size - seats[village] != gaps.get(village, 0):
                found.append(
                    f"week {week.number}: {village} has {seats[village]} of {size}, gap says {gaps.get(village, 0)}"
                )
    return found
