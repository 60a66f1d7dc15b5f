"""The elections tests' village: Xiaozhai with its party branch, its villagers and the accounts
that run and take part in elections.

    临海市 └ 同心镇 └ 小寨村 ├ 小寨村党支部 (party branch): 12 full members (secretary 李书记,
                             │   two committee members), 1 probationary member (钱预备)
                             ├ 小寨村村委会 (village committee)
                             └ 30 registered villagers aged 18+ (10 of them the branch's members),
                               one aged 16 (孙少年)

Every member and villager has an account named after the pinyin in `PEOPLE` (`member01` …),
so tests sign in as a voter with `village.account("member03")`. `committee` holds the
ELECTION_COMMITTEE role over the branch; `village_committee_runner` the same over the village
committee; `admin` is ADMIN over the town; `outsider` is a resident of another village.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers import SYSTEM, admin_of, make_account, organisation
from tongxin.community.actions import add_membership, add_person
from tongxin.community.models import (
    Gender,
    Obtained,
    Organisation,
    PartyStatus,
    Person,
    Role,
    StaffRole,
)
from tongxin.elections.actions.setup import create_election
from tongxin.elections.models import Election

START = datetime.date(2021, 1, 1)
# (name, account, gender, birth year) of the branch's twelve full members, first the secretary.
MEMBERS = [
    ("李书记", "member01", Gender.MALE, 1968),
    ("王芳", "member02", Gender.FEMALE, 1975),
    ("张伟", "member03", Gender.MALE, 1980),
    ("刘洋", "member04", Gender.MALE, 1983),
    ("陈静", "member05", Gender.FEMALE, 1979),
    ("杨磊", "member06", Gender.MALE, 1972),
    ("赵敏", "member07", Gender.FEMALE, 1988),
    ("黄强", "member08", Gender.MALE, 1965),
    ("周丽", "member09", Gender.FEMALE, 1990),
    ("吴刚", "member10", Gender.MALE, 1970),
    ("徐红", "member11", Gender.FEMALE, 1985),
    ("孙涛", "member12", Gender.MALE, 1977),
]
COMMITTEE = {"member02", "member03"}  # with the secretary, the branch committee of three


@dataclass
class Village:
    city: Organisation
    town: Organisation
    village: Organisation
    branch: Organisation
    village_office: Organisation
    other_village: Organisation
    committee: Any
    village_committee_runner: Any
    admin: Any
    outsider: Any
    probationary: Person
    minor: Person
    people: dict[str, Person] = field(default_factory=dict)  # by account name

    def account(self, name: str) -> Any:
        return self.people[name].user

    def person(self, name: str) -> Person:
        return self.people[name]

    @property
    def members(self) -> list[Person]:
        """The branch's twelve full members, secretary first."""
        return [self.people[account] for _name, account, _gender, _year in MEMBERS]

    @property
    def secretary(self) -> Person:
        return self.people["member01"]

    def branch_election(self, **settings: Any) -> Election:
        """A party-branch committee election of 3 seats, prepared by the election committee."""
        settings.setdefault("title", "小寨村党支部委员会换届选举")
        settings.setdefault("seats", 3)
        return create_election(
            actor=self.committee, organisation=self.branch, rule_set="party_branch", **settings
        )

    def village_election(self, **settings: Any) -> Election:
        """A village committee election of 3 seats by the village rule."""
        settings.setdefault("title", "小寨村第十二届村民委员会选举")
        settings.setdefault("seats", 3)
        return create_election(
            actor=self.village_committee_runner, organisation=self.village_office,
            rule_set="village_committee", **settings,
        )


def _person(name: str, account: str, gender: str, year: int, home: Organisation, party: str) -> Person:
    person = add_person(actor=SYSTEM, name=name, gender=gender, home=home, party_status=party, birth_year=year)
    person.user = make_account(account, email=f"{account}@example.org")
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def village(db) -> Village:
    city = organisation("临海市", "Linhai City", "city", None)
    town = organisation("同心镇", "Tongxin Town", "town", city)
    xiaozhai = organisation("小寨村", "Xiaozhai Village", "village", town)
    branch = organisation("小寨村党支部", "Xiaozhai Party Branch", "party_branch", xiaozhai)
    village_office = organisation("小寨村村委会", "Xiaozhai Village Committee", "village_committee", xiaozhai)
    datian = organisation("大田村", "Datian Village", "village", town)
    people: dict[str, Person] = {}
    for index, (name, account, gender, year) in enumerate(MEMBERS):
        person = _person(name, account, gender, year, xiaozhai, PartyStatus.FULL)
        role = Role.SECRETARY if index == 0 else Role.COMMITTEE_MEMBER if account in COMMITTEE else Role.MEMBER
        add_membership(actor=SYSTEM, person=person, organisation=branch, role=role, obtained=Obtained.JOINED, start_date=START)
        people[account] = person
    probationary = _person("钱预备", "probationary", Gender.MALE, 1995, xiaozhai, PartyStatus.PROBATIONARY)
    add_membership(actor=SYSTEM, person=probationary, organisation=branch, obtained=Obtained.JOINED, start_date=START)
    people["probationary"] = probationary
    for number in range(1, 21):  # villagers outside the branch: 10 + 20 = 30 adults registered
        account = f"villager{number:02d}"
        gender = Gender.FEMALE if number % 2 else Gender.MALE
        people[account] = _person(f"村民{number:02d}", account, gender, 1950 + number, xiaozhai, PartyStatus.NON_PARTY)
    minor = _person("孙少年", "minor", Gender.MALE, datetime.date.today().year - 16, xiaozhai, PartyStatus.NON_PARTY)
    people["minor"] = minor
    outsider_person = _person("大田人", "outsider", Gender.MALE, 1980, datian, PartyStatus.NON_PARTY)
    return Village(
        city=city,
        town=town,
        village=xiaozhai,
        branch=branch,
        village_office=village_office,
        other_village=datian,
        committee=admin_of(branch, "committee", StaffRole.ELECTION_COMMITTEE),
        village_committee_runner=admin_of(village_office, "village_runner", StaffRole.ELECTION_COMMITTEE),
        admin=admin_of(town, "admin", StaffRole.ADMIN),
        outsider=outsider_person.user,
        probationary=probationary,
        minor=minor,
        people=people,
    )


def voting_election(village: Village, *, candidates: list[str] | None = None, **settings: Any) -> Election:
    """A branch election with its roll (the twelve full members), four candidates on the list and
    the first round open for online voting.

    Built straight into the tables, so that the casting and counting tests do not depend on the
    roll and nomination steps; `tests/elections/test_whole_election.py` goes through every step.
    """
    from django.utils import timezone

    from tongxin.elections.models import (
        Candidate,
        Phase,
        RollEntry,
        RoundCandidate,
        RoundKind,
        RoundStatus,
        VotingRound,
    )

    election = village.branch_election(**settings)
    for person in village.members:
        RollEntry.objects.create(election=election, person=person)
    RollEntry.objects.create(election=election, person=village.probationary, excluded="probationary")
    names = candidates or ["member02", "member03", "member05", "member07"]
    listed = [
        Candidate.objects.create(election=election, person=village.person(name), position=position)
        for position, name in enumerate(names, start=1)
    ]
    election.phase = Phase.VOTING
    election.save(update_fields=["phase"])
    voting_round = VotingRound.objects.create(
        election=election, number=1, kind=RoundKind.FIRST, seats=election.seats, status=RoundStatus.OPEN,
        voters_due=len(village.members), opened_at=timezone.now(),
    )
    RoundCandidate.objects.bulk_create(
        RoundCandidate(round=voting_round, candidate=candidate, position=candidate.position) for candidate in listed
    )
    return election
