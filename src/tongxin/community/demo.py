"""The demo town: Linhai City, its pilot town Baishuiyang and three pilot villages, about 300 people.

Built in two stages. `plan_demo_town` decides everything from a seed (plain data, the same plan for
the same seed and day). `build_demo_town` finds what already exists by natural key (organisation by
parent, kind and name; person by phone; account by username) and adds only what is missing,
through the community actions and as `SystemActor("demo")`, so the audit chain records every step.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tongxin.accounts.actions import create_account
from tongxin.accounts.models import User
from tongxin.core.actors import SystemActor
from tongxin.core.audit import record_audit
from tongxin.core.i18n import localised

from .actions import add_membership, add_person, create_organisation, grant_role
from .demo_names import GIVEN_NAMES, MOBILE_PREFIXES, SURNAMES, generation_of, latin_name
from .models import (
    Formation,
    Gender,
    Membership,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    Role,
    Sector,
    StaffRole,
)

# One list of default sectors: the one migration 0002 seeds.
DEFAULT_SECTORS: list[tuple[str, str, str]] = import_module(
    "tongxin.community.migrations.0002_default_sectors"
).DEFAULT_SECTORS

DEMO_PASSWORD = "tongxin-demo-2026"
# 2014: the year Linhai chose Baishuiyang as a pilot town for democratic consultation.
DEFAULT_SEED = 2014
DEMO_ACTOR = SystemActor("demo")

CITY = ("临海市", "Linhai City")
TOWN = ("白水洋镇", "Baishuiyang Town")
PILOT_VILLAGE = ("溪口村", "Xikou Village")

FULL, PROBATIONARY, NON_PARTY = PartyStatus.FULL, PartyStatus.PROBATIONARY, PartyStatus.NON_PARTY
VILLAGE_TERM_YEARS = 5  # village committees and village party branches (RULES.md §1)

# Birth decades weighted like a Zhejiang village's roll (many elderly, young people working away);
# party members skew older.
RESIDENT_DECADES = {1940: 10, 1950: 17, 1960: 20, 1970: 17, 1980: 14, 1990: 13, 2000: 9}
PARTY_DECADES = {1940: 12, 1950: 22, 1960: 26, 1970: 20, 1980: 14, 1990: 6}
LAST_BIRTH_YEAR = 2005
MALE_SHARE = 0.51  # rural Zhejiang, 2020 census
PARTY_MALE_SHARE = 0.72  # most rural party members are men


@dataclass(frozen=True)
class VillageSpec:
    key: str
    name: str
    name_en: str
    residents: int
    full_members: int
    probationary: int
    branch_committee: int
    village_committee: int
    council: int
    supervision_group: int
    workgroup_size: int
    committee_chair_from_branch: bool  # the deputy secretary chairs the village committee


# Fifteen full members is the floor the brief sets for a branch; with ~100 villagers each that makes
# party members about 18% of the town, above the 10-15% a real village has.
VILLAGES = (
    VillageSpec(
        "xikou", *PILOT_VILLAGE, residents=96, full_members=16, probationary=2, branch_committee=5,
        village_committee=5, council=32, supervision_group=5, workgroup_size=4, committee_chair_from_branch=True,
    ),
    VillageSpec(
        "shuanggang", "双港村", "Shuanggang Village", residents=92, full_members=15, probationary=1,
        branch_committee=3, village_committee=3, council=24, supervision_group=3, workgroup_size=3,
        committee_chair_from_branch=False,
    ),
    VillageSpec(
        "zhujiaao", "朱家岙村", "Zhujia'ao Village", residents=100, full_members=15, probationary=2,
        branch_committee=5, village_committee=7, council=34, supervision_group=3, workgroup_size=4,
        committee_chair_from_branch=True,
    ),
)

# The three workgroups of party members the Guizhou source describes.
WORKGROUPS = (
    ("legal_aid", "法律援助工作组", "Legal Aid Workgroup",
     "为村民提供法律咨询和法律援助，开展法治教育讲座。",
     "Legal advice and aid for villagers, and legal education classes."),
    ("red_armband", "红袖标治安志愿者工作组", "Red Armband Security Volunteers",
     "党员志愿者佩戴红袖标巡逻，维护村内治安。",
     "Party member volunteers in red armbands patrol the village and keep it safe."),
    ("elderly", "老年人文娱活动工作组", "Recreation for the Elderly Workgroup",
     "为老年人组织文体娱乐活动。",
     "Cultural and recreational activities for the elderly."),
)

GRIDS = (("第一网格", "Grid 1"), ("第二网格", "Grid 2"), ("第三网格", "Grid 3"))

# Town council seats beyond the chair: (sector, count, who fills them). "village:<group>" draws
# from the villages' rolls, "town:<party status>" adds a resident of the town seat.
TOWN_COUNCIL_SEATS = (
    ("village_organisations", 3, "village:secretary"),
    ("village_organisations", 1, "village:committee_chair"),
    ("party_congress", 2, "village:members"),
    ("peoples_congress", 1, "village:members"),
    ("peoples_congress", 2, "village:residents"),
    ("veteran_cadres", 2, "village:veterans"),
    ("veteran_cadres", 1, f"town:{FULL}"),
    ("cooperatives", 2, "village:cooperatives"),
    ("womens_committee", 2, "village:women"),
    ("youth_league", 1, "village:youth"),
    ("working_elsewhere", 2, "village:elsewhere"),
    ("permanent_residents", 2, "village:residents"),
    ("non_permanent_residents", 1, "village:non_permanent"),
    ("cppcc", 2, f"town:{NON_PARTY}"),
    ("chambers_of_commerce", 3, f"town:{NON_PARTY}"),
    ("trade_unions", 2, f"town:{NON_PARTY}"),
    ("enterprises", 4, f"town:{NON_PARTY}"),
    ("social_organisations", 2, f"town:{NON_PARTY}"),
    ("property_companies", 1, f"town:{NON_PARTY}"),
)

LOGINS = (
    ("admin", gettext_lazy("Superuser: every organisation and the admin site")),
    ("town-admin", gettext_lazy("Administrator of %(town)s and all its villages")),
    ("village-admin", gettext_lazy("Administrator of %(village)s")),
    ("council-office", gettext_lazy("Office of the %(village)s consultation council")),
    ("supervisor", gettext_lazy("Supervision group of the %(village)s consultation council")),
    ("handler", gettext_lazy("Case handler: head of the %(village)s legal aid workgroup")),
    ("duty-officer", gettext_lazy("Duty officer (one-week secretary) for the villages of %(town)s")),
    ("election-committee", gettext_lazy("Election committee of the %(village)s party branch")),
    ("resident", gettext_lazy("Resident of %(village)s and member of its consultation council, no staff role")),
)


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts (all with DEMO_PASSWORD) and what each is for, in the reader's language.

    Other apps add theirs through their AppConfig's `demo_logins` (community imports no app).
    """
    places = {"town": localised(*TOWN), "village": localised(*PILOT_VILLAGE)}
    logins = [*LOGINS]
    for config in apps.get_app_configs():
        logins.extend(getattr(config, "demo_logins", ()))
    return [(username, str(description) % places) for username, description in logins]


def extend_demo(*, town: Organisation, seed: int) -> list[str]:
    """Let every app that has demo data (an AppConfig with `build_demo`) add it to the town; their summary lines."""
    lines: list[str] = []
    for config in apps.get_app_configs():
        if hasattr(config, "build_demo"):
            lines.extend(config.build_demo(town=town, seed=seed))
    return lines


# --- The plan: plain data, decided by the seed --------------------------------------------------


@dataclass
class PersonPlan:
    key: str
    name: str
    surname: str
    name_latin: str
    gender: str
    birth_year: int
    phone: str
    party_status: str
    home: str
    sectors: tuple[str, ...]


@dataclass(frozen=True)
class SeatPlan:
    person: str
    role: str
    obtained: str
    obtained_from: str | None
    sector: str | None
    start_date: datetime.date
    term_end: datetime.date | None


@dataclass
class BodyPlan:
    key: str
    name: str
    name_en: str
    kind: str
    parent: str | None
    formation: str = ""
    approved_by: str | None = None
    description: str = ""
    description_en: str = ""
    address: str = ""
    seats: list[SeatPlan] = field(default_factory=list)


@dataclass(frozen=True)
class LoginPlan:
    username: str
    person: str | None
    role: str | None = None
    scope: str | None = None
    superuser: bool = False


@dataclass
class TownPlan:
    organisations: list[BodyPlan]
    people: list[PersonPlan]
    logins: list[LoginPlan]


Roll = dict[str, list[PersonPlan]]


def plan_demo_town(*, seed: int = DEFAULT_SEED, today: datetime.date) -> TownPlan:
    """Everything the demo town holds; the same seed and day give the same plan."""
    return _Planner(seed=seed, today=today).plan()


def _phone_numbers() -> list[str]:
    # The same numbers for every seed: a second run with another seed finds the people it made.
    rng = random.Random("tongxin-demo-phones")
    numbers: list[str] = []
    seen: set[str] = set()
    while len(numbers) < 1000:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in seen:
            seen.add(number)
            numbers.append(number)
    return numbers


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Planner:
    def __init__(self, *, seed: int, today: datetime.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.phones = iter(_phone_numbers())
        self.people: list[PersonPlan] = []
        self.men = 0
        self.names: set[str] = set()
        self.bodies: list[BodyPlan] = []
        self.seat_counts: Counter[str] = Counter()
        # Last year's elections and appointments: every term is current whenever the demo is built.
        year = today.year - 1
        self.elected_on = datetime.date(year, 3, 15)
        self.constituted_on = datetime.date(year, 5, 10)
        self.appointed_on = datetime.date(year, 6, 1)

    def plan(self) -> TownPlan:
        city = self.body("city", *CITY, OrganisationKind.CITY, parent=None)
        town = self.body("town", *TOWN, OrganisationKind.TOWN, parent=city.key, address="浙江省临海市白水洋镇")
        town_people = self.plan_town_bodies(town)
        rolls = [self.plan_village(spec, town) for spec in VILLAGES]
        self.plan_town_council(town, town_people, rolls)
        logins = self.plan_logins(town_people, rolls[0])
        return TownPlan(organisations=self.bodies, people=self.people, logins=logins)

    # People.

    def person(
        self,
        home: str,
        party_status: str = NON_PARTY,
        *,
        gender: str | None = None,
        born: tuple[int, int] | None = None,
        sectors: tuple[str, ...] = ("permanent_residents",),
    ) -> PersonPlan:
        gender = gender or self.gender(party_status)
        birth_year = self.rng.randint(*born) if born else self.birth_year(
            RESIDENT_DECADES if party_status == NON_PARTY else PARTY_DECADES
        )
        surname, given_name = self.unique_name(gender, birth_year)
        person = PersonPlan(
            key=f"person-{len(self.people) + 1}",
            name=surname + given_name,
            surname=surname,
            name_latin=latin_name(surname, given_name),
            gender=gender,
            birth_year=birth_year,
            phone=next(self.phones),
            party_status=party_status,
            home=home,
            sectors=sectors,
        )
        self.people.append(person)
        self.men += gender == Gender.MALE
        return person

    def gender(self, party_status: str) -> str:
        if party_status != NON_PARTY:
            return Gender.MALE if self.rng.random() < PARTY_MALE_SHARE else Gender.FEMALE
        # Residents lean towards whichever gender is short of the town's share, so that chance
        # never leaves the demo town lopsided.
        behind = self.men < MALE_SHARE * max(1, len(self.people))
        return Gender.MALE if self.rng.random() < (0.65 if behind else 0.35) else Gender.FEMALE

    def birth_year(self, decades: dict[int, int]) -> int:
        decade = self.rng.choices(list(decades), weights=list(decades.values()))[0]
        return self.rng.randint(decade, min(decade + 9, LAST_BIRTH_YEAR))

    def unique_name(self, gender: str, birth_year: int) -> tuple[str, str]:
        # A real village has namesakes; the demo avoids them so that every name finds one person.
        pool = GIVEN_NAMES[(generation_of(birth_year), gender)]
        for _attempt in range(100):
            surname = self.rng.choices(list(SURNAMES), weights=list(SURNAMES.values()))[0]
            given_name = self.rng.choice(pool)
            if surname + given_name not in self.names:
                break
        self.names.add(surname + given_name)
        return surname, given_name

    def youth_years(self) -> tuple[int, int]:
        # Youth League members are 14 to 28; council members are adults.
        first = min(max(1990, self.today.year - 28), LAST_BIRTH_YEAR)
        return first, max(first, min(LAST_BIRTH_YEAR, self.today.year - 18))

    # Bodies and seats.

    def body(self, key: str, name: str, name_en: str, kind: str, *, parent: str | None, **extra: str) -> BodyPlan:
        body = BodyPlan(key=key, name=name, name_en=name_en, kind=kind, parent=parent, **extra)
        self.bodies.append(body)
        return body

    def seat(
        self,
        body: BodyPlan,
        person: PersonPlan,
        *,
        role: str = Role.MEMBER,
        obtained: str,
        by: BodyPlan | None = None,
        sector: str | None = None,
        start: datetime.date,
        term_years: int | None = VILLAGE_TERM_YEARS,
    ) -> None:
        term_end = _add_years(start, term_years) if term_years else None
        body.seats.append(
            SeatPlan(person.key, role, obtained, by.key if by else None, sector, start, term_end)
        )
        self.seat_counts[person.key] += 1

    def pick(self, candidates: list[PersonPlan], count: int) -> list[PersonPlan]:
        """`count` candidates, those with the fewest seats first, ties broken by the seed."""
        ranked = sorted(candidates, key=lambda person: (self.seat_counts[person.key], self.rng.random()))
        return ranked[:count]

    # The town's own bodies.

    def plan_town_bodies(self, town: BodyPlan) -> Roll:
        people: Roll = {
            "committee": [self.person(town.key, FULL, born=(1968, 1980), sectors=("town_government",))]
            + [self.person(town.key, FULL, born=(1972, 1990), sectors=("town_government",)) for _ in range(6)],
            "deputy_head": [self.person(town.key, born=(1975, 1986), sectors=("town_government",))],
        }
        committee = self.body(
            "town-party-committee", "中共白水洋镇委员会", "Baishuiyang Town Committee of the CPC",
            OrganisationKind.PARTY_COMMITTEE, parent=town.key, formation=Formation.ELECTED,
        )
        roles = [Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.DEPUTY_SECRETARY] + [Role.COMMITTEE_MEMBER] * 4
        for person, role in zip(people["committee"], roles, strict=True):
            self.seat(committee, person, role=role, obtained=Obtained.ELECTED, by=town, start=self.elected_on)
        government = self.body(
            "town-government", "白水洋镇人民政府", "Baishuiyang Town People's Government",
            OrganisationKind.GOVERNMENT, parent=town.key, formation=Formation.ELECTED,
        )
        # The town head is the first deputy secretary; one deputy head is not a party member.
        heads = [people["committee"][1], people["committee"][5], people["committee"][6], people["deputy_head"][0]]
        for person, role in zip(heads, [Role.HEAD] + [Role.DEPUTY_HEAD] * 3, strict=True):
            self.seat(government, person, role=role, obtained=Obtained.ELECTED, by=town, start=self.elected_on)
        return people

    def plan_town_council(self, town: BodyPlan, town_people: Roll, rolls: list[Roll]) -> None:
        council = self.body(
            "town-council", "白水洋镇民主协商议事会", "Baishuiyang Town Democratic Consultation Council",
            OrganisationKind.CONSULTATION_COUNCIL, parent=town.key, formation=Formation.APPOINTED,
            approved_by="town-party-committee",
            description="由村级组织、工会、商会、企事业单位、老干部、党代表、人大代表和政协委员等各界代表组成，"
            "每月确定一天为镇务民主日。",
            description_en="Representatives of village organisations, unions, chambers of commerce, enterprises, "
            "veteran cadres, and party congress, people's congress and CPPCC members; one day a month is the "
            "town affairs democracy day.",
        )
        party_committee = self.find_body("town-party-committee")
        # The chair is the deputy secretary of the town party committee who does not head the government.
        self.seat(council, town_people["committee"][2], role=Role.CHAIR, obtained=Obtained.EX_OFFICIO,
                  sector="town_government", start=self.constituted_on)
        town_reps: list[PersonPlan] = []
        for sector, count, source in TOWN_COUNCIL_SEATS:
            for person in self.town_council_members(town, rolls, sector, count, source):
                self.seat(council, person, obtained=Obtained.APPOINTED, by=party_committee, sector=sector,
                          start=self.constituted_on)
                if source.startswith("town:") and person.party_status == NON_PARTY:
                    town_reps.append(person)
        self.office(
            council, town_reps[:3],
            description="负责镇议事会协商活动的组织和网络平台的日常运行。",
            description_en="Organises the town council's consultations and runs its online platform day to day.",
        )

    def town_council_members(
        self, town: BodyPlan, rolls: list[Roll], sector: str, count: int, source: str
    ) -> list[PersonPlan]:
        kind, _sep, detail = source.partition(":")
        if kind == "town":
            born = (1946, 1956) if sector == "veteran_cadres" else (1962, 1988)
            return [self.person(town.key, detail, born=born, sectors=(sector,)) for _ in range(count)]
        candidates = [person for roll in rolls for person in roll[detail]]
        return self.pick(candidates, count)

    def find_body(self, key: str) -> BodyPlan:
        return next(body for body in self.bodies if body.key == key)

    def office(
        self, council: BodyPlan, members: list[PersonPlan], *, description: str, description_en: str
    ) -> None:
        office = self.body(
            f"{council.key}-office", council.name.replace("民主协商议事会", "议事会办公室"),
            f"Office of the {council.name_en.replace(' Democratic Consultation Council', ' Council')}",
            OrganisationKind.COUNCIL_OFFICE, parent=council.key, formation=Formation.APPOINTED,
            approved_by=council.key, description=description, description_en=description_en,
        )
        for index, person in enumerate(members):
            self.seat(office, person, role=Role.HEAD if index == 0 else Role.MEMBER, obtained=Obtained.APPOINTED,
                      by=council, start=self.constituted_on)

    # A village.

    def plan_village(self, spec: VillageSpec, town: BodyPlan) -> Roll:
        village = self.body(spec.key, spec.name, spec.name_en, OrganisationKind.VILLAGE, parent=town.key,
                            address=f"浙江省临海市白水洋镇{spec.name}")
        for number, (name, name_en) in enumerate(GRIDS, start=1):
            self.body(f"{spec.key}-grid-{number}", name, name_en, OrganisationKind.GRID, parent=village.key)
        roll = self.village_roll(spec, village.key)
        branch = self.plan_branch(spec, village, roll)
        committee = self.plan_village_committee(spec, village, roll)
        self.plan_village_council(spec, village, branch, committee, roll)
        self.plan_workgroups(spec, village, branch, roll)
        return roll

    def village_roll(self, spec: VillageSpec, home: str) -> Roll:
        """The villagers, grouped by what the plan will ask of them."""
        person = self.person
        roll: Roll = {
            "secretary": [person(home, FULL, born=(1966, 1982))],
            "branch_committee": [person(home, FULL, born=(1966, 1988)) for _ in range(spec.branch_committee - 1)],
            "veterans": [person(home, FULL, born=(1940, 1955), sectors=("permanent_residents", "veteran_cadres"))
                         for _ in range(3)],
        }
        roll["members"] = [person(home, FULL) for _ in range(spec.full_members - spec.branch_committee - 3)]
        roll["probationary"] = [person(home, PROBATIONARY, born=(1992, 2003)) for _ in range(spec.probationary)]
        roll["committee_chair"] = (
            [] if spec.committee_chair_from_branch else [person(home, born=(1968, 1985))]
        )
        # A vice-chair, the director for women's affairs (a woman, as every committee needs), members.
        roll["village_committee"] = [
            person(home, born=(1972, 1990)),
            person(home, gender=Gender.FEMALE, born=(1975, 1992)),
            *[person(home, born=(1965, 1992)) for _ in range(spec.village_committee - 3)],
        ]
        roll |= self.represented_groups(home)
        roll["residents"] = [person(home) for _ in range(spec.residents - self.count_at(home))]
        return roll

    def represented_groups(self, home: str) -> Roll:
        person = self.person

        def group(count: int, sector: str, born: tuple[int, int], gender: str | None = None) -> list[PersonPlan]:
            sectors = (sector,) if sector in ("working_elsewhere", "non_permanent_residents") else (
                "permanent_residents", sector)
            return [person(home, gender=gender, born=born, sectors=sectors) for _ in range(count)]

        return {
            "supervisory": group(3, "supervisory_committee", (1955, 1985)),
            "women": group(2, "womens_committee", (1965, 1995), Gender.FEMALE),
            "youth": group(2, "youth_league", self.youth_years()),
            "senior": group(3, "senior_association", (1940, 1955)),
            "elsewhere": group(3, "working_elsewhere", (1975, 1998)),
            "cooperatives": group(1, "cooperatives", (1965, 1985)),
            "governance": group(1, "comprehensive_governance", (1965, 1990)),
            "non_permanent": group(2, "non_permanent_residents", (1980, 2000)),
        }

    def count_at(self, home: str) -> int:
        return sum(1 for person in self.people if person.home == home)

    def plan_branch(self, spec: VillageSpec, village: BodyPlan, roll: Roll) -> BodyPlan:
        branch = self.body(
            f"{spec.key}-branch", f"{spec.name}党支部", f"{spec.name_en} Party Branch",
            OrganisationKind.PARTY_BRANCH, parent=village.key, formation=Formation.CONSTITUTED,
        )
        committee = roll["secretary"] + roll["branch_committee"]
        roles = [Role.SECRETARY, Role.DEPUTY_SECRETARY] + [Role.COMMITTEE_MEMBER] * (len(committee) - 2)
        for person, role in zip(committee, roles, strict=True):
            self.seat(branch, person, role=role, obtained=Obtained.ELECTED, by=branch, start=self.elected_on)
        for person in roll["veterans"] + roll["members"]:
            self.seat(branch, person, obtained=Obtained.JOINED, start=self.joined_on(person), term_years=None)
        for person in roll["probationary"]:
            joined = self.today - datetime.timedelta(days=self.rng.randint(60, 330))
            self.seat(branch, person, obtained=Obtained.JOINED, start=joined, term_years=None)
        return branch

    def joined_on(self, person: PersonPlan) -> datetime.date:
        # 1 July, the party's founding day, is when most branches admit new members.
        last = min(person.birth_year + 40, self.today.year - 2)
        return datetime.date(self.rng.randint(min(person.birth_year + 20, last), last), 7, 1)

    def plan_village_committee(self, spec: VillageSpec, village: BodyPlan, roll: Roll) -> BodyPlan:
        committee = self.body(
            f"{spec.key}-committee", f"{spec.name}村民委员会", f"{spec.name_en} Committee",
            OrganisationKind.VILLAGE_COMMITTEE, parent=village.key, formation=Formation.ELECTED,
        )
        chair = roll["branch_committee"][0] if spec.committee_chair_from_branch else roll["committee_chair"][0]
        members = [chair] + roll["village_committee"]
        roles = [Role.CHAIR, Role.VICE_CHAIR] + [Role.MEMBER] * (len(members) - 2)
        # Villagers elect their committee directly: the village itself is the electing body.
        for person, role in zip(members, roles, strict=True):
            self.seat(committee, person, role=role, obtained=Obtained.ELECTED, by=village, start=self.elected_on)
        return committee

    def plan_village_council(
        self, spec: VillageSpec, village: BodyPlan, branch: BodyPlan, committee: BodyPlan, roll: Roll
    ) -> None:
        council = self.body(
            f"{spec.key}-council", f"{spec.name}民主协商议事会",
            f"{spec.name_en} Democratic Consultation Council",
            OrganisationKind.CONSULTATION_COUNCIL, parent=village.key, formation=Formation.APPOINTED,
            approved_by=branch.key,
            description="在村党组织领导下，由村党支部、村委会、村务监督委员会、妇女、青年、老年人协会和在外人士等代表组成，"
            "每月确定一天为村务民主日。",
            description_en="Under the leadership of the village party branch: members of the branch, the village "
            "committee and the supervisory committee, women, youth, the senior citizens' association and villagers "
            "working elsewhere; one day a month is the village affairs democracy day.",
        )
        self.seat(council, roll["secretary"][0], role=Role.CHAIR, obtained=Obtained.EX_OFFICIO,
                  sector="party_branch", start=self.constituted_on)
        committee_people = {seat.person for seat in committee.seats}
        seated = [
            *[("party_branch", p) for p in roll["branch_committee"] if p.key not in committee_people],
            *[("village_committee", p) for p in self.people_of(committee)],
            *[("supervisory_committee", p) for p in roll["supervisory"]],
            *[("veteran_cadres", p) for p in roll["veterans"][:2]],
            *[(sector, p) for sector, group in COUNCIL_GROUPS for p in roll[group]],
        ]
        extra = self.pick(roll["residents"], max(0, spec.council - 1 - len(seated)))
        seated += [("permanent_residents", p) for p in extra]
        for sector, person in seated:
            self.seat(
                council, person, obtained=Obtained.APPOINTED, by=branch, sector=sector,
                start=self.constituted_on,
            )
        office_members = [roll["branch_committee"][-1], roll["youth"][0], *(extra[:1] or roll["women"][:1])]
        self.office(
            council, office_members,
            description="负责村议事会协商活动的组织和平台的日常运行。",
            description_en="Organises the village council's consultations and runs its platform day to day.",
        )
        self.plan_supervision_group(spec, council, roll)

    def people_of(self, body: BodyPlan) -> list[PersonPlan]:
        by_key = {person.key: person for person in self.people}
        return [by_key[seat.person] for seat in body.seats]

    def plan_supervision_group(self, spec: VillageSpec, council: BodyPlan, roll: Roll) -> None:
        group = self.body(
            f"{council.key}-supervision", f"{spec.name}议事会监督小组", f"{spec.name_en} Council Supervision Group",
            OrganisationKind.SUPERVISION_GROUP, parent=council.key, formation=Formation.ELECTED,
            description="对协商议事的全过程进行监督，跟踪每项决定的落实。",
            description_en="Oversees the whole consultation process and follows every decision to its "
            "implementation.",
        )
        # Never a member of the office or the village committee: the group supervises them.
        members = (roll["supervisory"] + roll["veterans"][:1] + roll["senior"])[: spec.supervision_group]
        for index, person in enumerate(members):
            self.seat(group, person, role=Role.HEAD if index == 0 else Role.MEMBER, obtained=Obtained.ELECTED,
                      by=council, start=self.constituted_on)

    def plan_workgroups(self, spec: VillageSpec, village: BodyPlan, branch: BodyPlan, roll: Roll) -> None:
        pool = roll["branch_committee"] + roll["veterans"] + roll["members"] + roll["probationary"]
        self.rng.shuffle(pool)
        chosen: dict[str, list[PersonPlan]] = {}
        # The groups with the narrowest preferences choose first; legal aid takes the rest.
        for code in ("elderly", "red_armband", "legal_aid"):
            chosen[code] = sorted(pool, key=WORKGROUP_PREFERENCES[code])[: spec.workgroup_size]
            pool = [person for person in pool if person not in chosen[code]]
        for code, name, name_en, description, description_en in WORKGROUPS:
            workgroup = self.body(
                f"{spec.key}-{code}", spec.name + name, f"{spec.name_en.removesuffix(' Village')} {name_en}",
                OrganisationKind.WORKGROUP, parent=village.key, formation=Formation.APPOINTED,
                approved_by=branch.key, description=description, description_en=description_en,
            )
            # The head is a full member: probationary members do not lead.
            members = sorted(chosen[code], key=lambda person: person.party_status != FULL)
            for index, person in enumerate(members):
                self.seat(workgroup, person, role=Role.HEAD if index == 0 else Role.MEMBER,
                          obtained=Obtained.APPOINTED, by=branch, start=self.appointed_on, term_years=None)

    # Demo logins, all in the first pilot village or over the town.

    def plan_logins(self, town_people: Roll, roll: Roll) -> list[LoginPlan]:
        spec = VILLAGES[0]
        office_head = self.find_body(f"{spec.key}-council-office").seats[0].person
        supervisor = self.find_body(f"{spec.key}-council-supervision").seats[0].person
        handler = self.find_body(f"{spec.key}-legal_aid").seats[0].person
        taken = {office_head, supervisor, handler}
        members = [person.key for person in roll["members"] if person.key not in taken]
        council_members = {seat.person for seat in self.find_body(f"{spec.key}-council").seats}
        office_members = {seat.person for seat in self.find_body(f"{spec.key}-council-office").seats}
        resident = next(
            person.key for person in roll["residents"]
            if person.key in council_members and person.key not in office_members
        )
        return [
            LoginPlan("admin", None, superuser=True),
            LoginPlan("town-admin", town_people["committee"][3].key, StaffRole.ADMIN, "town"),
            LoginPlan("village-admin", roll["village_committee"][0].key, StaffRole.ADMIN, spec.key),
            LoginPlan("council-office", office_head, StaffRole.OFFICE, f"{spec.key}-council"),
            LoginPlan("supervisor", supervisor, StaffRole.SUPERVISOR, spec.key),
            LoginPlan("handler", handler, StaffRole.HANDLER, f"{spec.key}-legal_aid"),
            LoginPlan("duty-officer", members[0], StaffRole.DUTY_OFFICER, "town"),
            LoginPlan("election-committee", members[1], StaffRole.ELECTION_COMMITTEE, f"{spec.key}-branch"),
            LoginPlan("resident", resident, None, None),
        ]


# Village council seats filled by whole groups of the roll: (sector represented, group).
COUNCIL_GROUPS = (
    ("womens_committee", "women"),
    ("youth_league", "youth"),
    ("senior_association", "senior"),
    ("working_elsewhere", "elsewhere"),
    ("cooperatives", "cooperatives"),
    ("comprehensive_governance", "governance"),
    ("non_permanent_residents", "non_permanent"),
)

# Sort keys: who each workgroup asks first. Legal aid wants the younger members, the patrols want
# able-bodied men, recreation for the elderly wants women and the retired.
WORKGROUP_PREFERENCES: dict[str, Callable[[PersonPlan], tuple[bool, ...]]] = {
    "legal_aid": lambda person: (person.birth_year < 1970,),
    "red_armband": lambda person: (person.gender != Gender.MALE, not 1955 <= person.birth_year <= 1990),
    "elderly": lambda person: (person.gender != Gender.FEMALE and person.birth_year >= 1960,),
}


# --- Building: find by natural key, add only what is missing ------------------------------------


@dataclass
class DemoSummary:
    town: Organisation
    villages: int
    added: Counter[str]
    organisations: int
    people: int
    memberships: int
    accounts: int


def build_demo_town(*, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Add whatever of the demo town is missing, in one transaction; running it again adds nothing."""
    plan = plan_demo_town(seed=seed, today=timezone.localdate())
    added: Counter[str] = Counter()
    with transaction.atomic():
        sectors = _default_sectors(added)
        organisations = _build_organisations(plan, added)
        people = _build_people(plan, organisations, sectors, added)
        _build_seats(plan, organisations, people, sectors, added)
        _build_logins(plan, organisations, people, added)
    city = organisations["city"]
    return DemoSummary(
        town=organisations["town"],
        villages=len(VILLAGES),
        added=added,
        organisations=Organisation.objects.within(city).count(),
        people=Person.objects.filter(home__path__startswith=city.path).count(),
        memberships=Membership.objects.filter(organisation__path__startswith=city.path).count(),
        accounts=User.objects.filter(username__in=[login.username for login in plan.logins]).count(),
    )


def _default_sectors(added: Counter[str]) -> dict[str, Sector]:
    """The default sectors, restoring any that are missing: migration 0002 seeds them, but a
    flushed database (`tongxin flush`, or a transactional test) has lost them."""
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    for code, name, name_en in DEFAULT_SECTORS:
        if code not in sectors:
            sectors[code] = Sector.objects.create(code=code, name=name, name_en=name_en)
            record_audit(actor=DEMO_ACTOR, verb="sector.create", target=sectors[code], data={"code": code})
            added["sectors"] += 1
    return sectors


def _build_organisations(plan: TownPlan, added: Counter[str]) -> dict[str, Organisation]:
    built: dict[str, Organisation] = {}
    for body in plan.organisations:
        parent = built[body.parent] if body.parent else None
        existing = Organisation.objects.filter(parent=parent, kind=body.kind, name=body.name).first()
        if existing is None:
            existing = create_organisation(
                actor=DEMO_ACTOR, name=body.name, name_en=body.name_en, kind=body.kind, parent=parent,
                formation=body.formation, approved_by=built[body.approved_by] if body.approved_by else None,
                description=body.description, description_en=body.description_en, address=body.address,
            )
            added["organisations"] += 1
        built[body.key] = existing
    return built


def _build_people(
    plan: TownPlan, organisations: dict[str, Organisation], sectors: dict[str, Sector], added: Counter[str]
) -> dict[str, Person]:
    existing = {person.phone: person for person in Person.objects.filter(phone__in=[p.phone for p in plan.people])}
    built: dict[str, Person] = {}
    for person in plan.people:
        if person.phone not in existing:
            existing[person.phone] = add_person(
                actor=DEMO_ACTOR, name=person.name, surname=person.surname, name_latin=person.name_latin,
                gender=person.gender, birth_year=person.birth_year, phone=person.phone,
                party_status=person.party_status, home=organisations[person.home],
                sectors=[sectors[code] for code in person.sectors],
            )
            added["people"] += 1
        built[person.key] = existing[person.phone]
    return built


def _build_seats(
    plan: TownPlan,
    organisations: dict[str, Organisation],
    people: dict[str, Person],
    sectors: dict[str, Sector],
    added: Counter[str],
) -> None:
    seated = set(
        Membership.objects.filter(organisation__in=list(organisations.values()))
        .values_list("organisation_id", flat=True)
    )
    for body in plan.organisations:
        organisation = organisations[body.key]
        # A body that has had members is left alone: its people may have been changed on purpose since.
        if not body.seats or organisation.pk in seated:
            continue
        for seat in body.seats:
            add_membership(
                actor=DEMO_ACTOR, person=people[seat.person], organisation=organisation, role=seat.role,
                obtained=seat.obtained,
                obtained_from=organisations[seat.obtained_from] if seat.obtained_from else None,
                sector=sectors[seat.sector] if seat.sector else None,
                start_date=seat.start_date, term_end=seat.term_end,
            )
            added["memberships"] += 1


def _build_logins(
    plan: TownPlan, organisations: dict[str, Organisation], people: dict[str, Person], added: Counter[str]
) -> None:
    usernames = [login.username for login in plan.logins]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    for login in plan.logins:
        if login.username in existing:
            continue
        person = people[login.person] if login.person else None
        user = _open_account(login=login, person=person)
        added["accounts"] += 1
        if login.role and login.scope:
            grant_role(actor=DEMO_ACTOR, user=user, role=login.role, organisation=organisations[login.scope])
            added["role_grants"] += 1


def _open_account(*, login: LoginPlan, person: Person | None) -> User:
    return create_account(
        actor=DEMO_ACTOR,
        username=login.username,
        password=DEMO_PASSWORD,
        person=person,
        is_staff=login.superuser,
        is_superuser=login.superuser,
    )

