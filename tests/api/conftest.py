"""A small town for API tests: two villages, a council in the first, and the people who call.

Callers: anonymous, a resident of village A (no role), the admin of village B (another
village) and the admin of village A (in scope). Each signed-in caller has an API token.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from tests.factories import OrganisationFactory, PersonFactory, RoleGrantFactory, UserFactory
from tongxin.accounts.actions import issue_api_token
from tongxin.community.models import (
    Gender,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    StaffRole,
)


@dataclass
class Caller:
    """An API client sending one account's bearer token."""

    user: Any
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@dataclass
class Town:
    town: Organisation
    village_a: Organisation
    village_b: Organisation
    council_a: Organisation
    resident: Person  # lives in village A and has an account
    neighbour: Person  # lives in village B


def token_for(user: Any) -> Caller:
    _, secret = issue_api_token(actor=user, user=user, name="tests")
    return Caller(user=user, secret=secret)


@pytest.fixture
def town(db) -> Town:
    town = OrganisationFactory(name="清溪镇", name_en="Qingxi Town", kind=OrganisationKind.TOWN)
    village_a = OrganisationFactory(
        name="东村", name_en="East Village", kind=OrganisationKind.VILLAGE, parent=town
    )
    village_b = OrganisationFactory(
        name="西村", name_en="West Village", kind=OrganisationKind.VILLAGE, parent=town
    )
    council_a = OrganisationFactory(
        name="东村协商议事会",
        name_en="East Village Consultation Council",
        kind=OrganisationKind.CONSULTATION_COUNCIL,
        parent=village_a,
    )
    resident = PersonFactory(
        name="李秀英",
        name_latin="Li Xiuying",
        gender=Gender.FEMALE,
        birth_year=1968,
        phone="13800000001",
        party_status=PartyStatus.FULL,
        home=village_a,
        user=UserFactory(username="li.xiuying"),
    )
    neighbour = PersonFactory(
        name="张伟",
        name_latin="Zhang Wei",
        gender=Gender.MALE,
        birth_year=1975,
        phone="13800000002",
        home=village_b,
    )
    return Town(town, village_a, village_b, council_a, resident, neighbour)


@pytest.fixture
def resident(town: Town) -> Caller:
    return token_for(town.resident.user)


@pytest.fixture
def admin_b(town: Town) -> Caller:
    grant = RoleGrantFactory(
        user=UserFactory(username="admin.b"), role=StaffRole.ADMIN, organisation=town.village_b
    )
    return token_for(grant.user)


@pytest.fixture
def admin_a(town: Town) -> Caller:
    grant = RoleGrantFactory(
        user=UserFactory(username="admin.a"), role=StaffRole.ADMIN, organisation=town.village_a
    )
    return token_for(grant.user)


def iso(moment: datetime.datetime) -> str:
    """A time as the API writes it."""
    return DjangoJSONEncoder().default(moment)


FORBIDDEN = {"detail": "You are not allowed to do this."}
UNAUTHORISED = {"detail": "Sign in, or send a valid API token."}
NOT_FOUND = {"detail": "Not found."}


def resident_json(town: Town) -> dict:
    """The resident of village A as the people endpoints show them to someone allowed to see them."""
    person = town.resident
    return {
        "id": person.pk,
        "name": "李秀英",
        "surname": "",
        "name_latin": "Li Xiuying",
        "display_name": "Li Xiuying",
        "gender": "female",
        "birth_year": 1968,
        "phone": "13800000001",
        "email": "",
        "party_status": "full",
        "home": town.village_a.pk,
        "sectors": [],
        "created_at": iso(person.created_at),
        "updated_at": iso(person.updated_at),
    }
