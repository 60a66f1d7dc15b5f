"""Fill an empty database with a city at DESIGN.md's scale: 300 villages and 10,000 council members
(and, with --residents, the people of the city who hold no seat).

Run by bench/organisation_pages.py with the benchmark's environment; prints what the load driver
needs (ids and an API token) as JSON on its last line.

Organisations go through `create_organisation`, as everywhere. People and seats are bulk-inserted:
10,000 of each through the actions would write 20,000 audit events one by one and take minutes,
and none of that is what the benchmark measures.
"""

import argparse
import datetime
import json
import random

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from tongxin.accounts.actions import issue_api_token  # noqa: E402
from tongxin.accounts.models import User  # noqa: E402
from tongxin.community.actions import create_organisation, grant_role  # noqa: E402
from tongxin.community.models import (  # noqa: E402
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
from tongxin.core.actors import SystemActor  # noqa: E402

SYSTEM = SystemActor("bench")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国秀英伟芳敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英"
VILLAGE_SECTORS = [
    "party_branch",
    "village_committee",
    "supervisory_committee",
    "womens_committee",
    "youth_league",
    "senior_association",
    "working_elsewhere",
    "veteran_cadres",
]


def build_places(
    *, towns: int, villages: int
) -> list[tuple[Organisation, Organisation, Organisation]]:
    """The city, its towns and villages, each village with a party branch and a council."""
    city = create_organisation(
        actor=SYSTEM, name="临海市", name_en="Linhai City", kind=OrganisationKind.CITY, parent=None
    )
    built = []
    for t in range(towns):
        town = create_organisation(
            actor=SYSTEM,
            name=f"第{t + 1}镇",
            name_en=f"Town {t + 1}",
            kind=OrganisationKind.TOWN,
            parent=city,
        )
        for v in range(villages // towns + (1 if t < villages % towns else 0)):
            number = f"{t + 1}-{v + 1}"
            village = create_organisation(
                actor=SYSTEM,
                name=f"{number}村",
                name_en=f"Village {number}",
                kind=OrganisationKind.VILLAGE,
                parent=town,
            )
            branch = create_organisation(
                actor=SYSTEM,
                name=f"{number}村党支部",
                name_en=f"Village {number} Party Branch",
                kind=OrganisationKind.PARTY_BRANCH,
                parent=village,
                formation=Formation.ELECTED,
            )
            council = create_organisation(
                actor=SYSTEM,
                name=f"{number}村民主协商议事会",
                name_en=f"Village {number} Consultation Council",
                kind=OrganisationKind.CONSULTATION_COUNCIL,
                parent=village,
                formation=Formation.CONSTITUTED,
            )
            built.append((village, branch, council))
    return built


def seat_members(
    places: list[tuple[Organisation, Organisation, Organisation]], *, members: int
) -> list[Person]:
    """`members` people over the councils: a chair each, at least half non-party, sectors varied."""
    rng = random.Random(20240601)
    sectors = {sector.code: sector for sector in Sector.objects.filter(code__in=VILLAGE_SECTORS)}
    start = datetime.date(2024, 1, 1)
    people, seats = [], []
    for index in range(members):
        village, branch, council = places[index % len(places)]
        first_in_council = index < len(places)
        people.append(
            Person(
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                gender=Gender.FEMALE if index % 2 else Gender.MALE,
                birth_year=rng.randint(1950, 2000),
                phone=f"139{index:08d}",
                party_status=PartyStatus.FULL
                if first_in_council or index % 3 == 0
                else PartyStatus.NON_PARTY,
                home=village,
            )
        )
        seats.append(
            (
                council,
                branch,
                Role.CHAIR if first_in_council else Role.MEMBER,
                VILLAGE_SECTORS[index % len(VILLAGE_SECTORS)],
            )
        )
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
        Membership.objects.bulk_create(
            [
                Membership(
                    person=person,
                    organisation=council,
                    role=role,
                    obtained=Obtained.APPOINTED,
                    obtained_from=branch,
                    sector=sectors[sector],
                    start_date=start,
                )
                for person, (council, branch, role, sector) in zip(people, seats, strict=True)
            ],
            batch_size=2000,
        )
    return people


def settle_residents(
    places: list[tuple[Organisation, Organisation, Organisation]], *, residents: int
) -> None:
    """People who hold no seat, living in the villages in turn: the bulk of a city's records."""
    rng = random.Random(20240602)
    villages = [village for village, _, _ in places]
    for first in range(0, residents, 10_000):
        batch = [
            Person(
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                gender=Gender.FEMALE if index % 2 else Gender.MALE,
                birth_year=rng.randint(1930, 2010),
                party_status=PartyStatus.FULL if index % 12 == 0 else PartyStatus.NON_PARTY,
                home=villages[index % len(villages)],
            )
            for index in range(first, min(first + 10_000, residents))
        ]
        Person.objects.bulk_create(batch, batch_size=2000)


def one_member_per_council(people: list[Person], councils: int) -> list[Person]:
    """A member of each council, chairs and others alike (person i sits in council i % councils)."""
    rounds = max(1, len(people) // councils)
    count = min(councils, len(people))
    return [people[index + councils * (index % rounds)] for index in range(count)]


def city_admin_token(city: Organisation) -> str:
    """An API token of a city administrator, who may read every member's personal data."""
    admin = User.objects.create_user(username="bench.admin", password=None)
    grant_role(actor=SYSTEM, user=admin, role=StaffRole.ADMIN, organisation=city)
    _, secret = issue_api_token(actor=admin, user=admin, name="bench")
    return secret


def gather_statistics() -> None:
    """Give the query planner its statistics, as a production database has them.

    After a bulk load PostgreSQL plans blind until autovacuum analyses the tables, and the CI
    server runs with autovacuum off: without this, plans are chosen for empty tables.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=0, help="people without a seat, besides")
    options = parser.parse_args()
    places = build_places(towns=options.towns, villages=options.villages)
    people = seat_members(places, members=options.members)
    settle_residents(places, residents=options.residents)
    gather_statistics()
    city = Organisation.objects.get(kind=OrganisationKind.CITY)
    print(
        json.dumps(
            {
                "city": city.pk,
                "towns": list(
                    Organisation.objects.filter(kind=OrganisationKind.TOWN).values_list(
                        "pk", flat=True
                    )
                ),
                "villages": [village.pk for village, _, _ in places],
                "councils": [council.pk for _, _, council in places],
                "people": [person.pk for person in one_member_per_council(people, len(places))],
                "organisations": Organisation.objects.count(),
                "token": city_admin_token(city),
            }
        )
    )


if __name__ == "__main__":
    main()
