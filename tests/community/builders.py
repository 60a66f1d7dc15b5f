"""Builders for the composition tests: bodies in both languages, seats for new people, a council.

Chinese names carry a number from one counter, so what any test builds never collides.
"""

import itertools
from datetime import date

from tests.helpers import JAN_1, SYSTEM
from tongxin.community import models
from tongxin.community.actions import add_membership, add_person, create_organisation
from tongxin.community.models import (
    Gender,
    Obtained,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Role,
)

_numbers = itertools.count(1)


def body(
    kind: str, parent: Organisation | None, name_en: str = "", **fields: object
) -> Organisation:
    """An organisation named in both languages; `name_en` defaults to the kind."""
    number = next(_numbers)
    return create_organisation(
        actor=SYSTEM,
        name=f"组织{number}",
        name_en=name_en or f"{OrganisationKind(kind).label} {number}",
        kind=kind,
        parent=parent,
        **fields,
    )


def seat(
    organisation: Organisation,
    *,
    role: str = Role.MEMBER,
    gender: str = Gender.MALE,
    party: str = PartyStatus.NON_PARTY,
    person: models.Person | None = None,
    name: str = "",
    start: date = JAN_1,
) -> models.Membership:
    """A seat for a new person (named "Member n" in English) or for `person`."""
    if person is None:
        number = next(_numbers)
        person = add_person(
            actor=SYSTEM,
            name=f"成员{number}",
            name_latin=name or f"Member {number}",
            gender=gender,
            party_status=party,
            home=None,
        )
    return add_membership(
        actor=SYSTEM,
        person=person,
        organisation=organisation,
        role=role,
        obtained=Obtained.EX_OFFICIO,
        start_date=start,
    )


def fill(organisation: Organisation, count: int, **kwargs: object) -> list[models.Membership]:
    return [seat(organisation, **kwargs) for _ in range(count)]


def baishuiyang_town() -> Organisation:
    return body("town", body("city", None, "Linhai City"), "Baishuiyang Town")


def shangyou_village(town: Organisation) -> Organisation:
    return body("village", town, "Shangyou Village")


def village_council(
    village: Organisation, *, non_party: int, party: int, chair_is_secretary: bool = True
) -> Organisation:
    """A council with a chair (counted among the party members), an office and a supervision group,
    and a branch of three full members whose secretary is the chair unless told otherwise."""
    branch = body("party_branch", village, "Shangyou Party Branch")
    secretary = seat(
        branch, role=Role.SECRETARY, party=PartyStatus.FULL, name="Wang Fang", gender=Gender.FEMALE
    )
    fill(branch, 2, party=PartyStatus.FULL)
    council = body("consultation_council", village, "Shangyou Council")
    chair = secretary.person if chair_is_secretary else None
    seat(council, role=Role.CHAIR, person=chair, party=PartyStatus.FULL, name="Li Lei")
    fill(council, party - 1, party=PartyStatus.FULL)
    fill(council, non_party)
    body("council_office", council, "Shangyou Council Office")
    fill(body("supervision_group", council, "Shangyou Supervision Group"), 3)
    return council


def legal_aid_report(legal_aid: Organisation) -> dict[str, object]:
    """The report on a workgroup named "Legal Aid" whose one member is its head, Ma Lin."""
    return {
        "organisation": {"id": legal_aid.pk, "name": "Legal Aid", "kind": "workgroup"},
        "rule_set": "workgroup",
        "rule_set_label": "Workgroup",
        "ok": False,
        "findings": [
            {
                "rule": "min_members",
                "ok": False,
                "severity": "error",
                "message": "There must be at least 2 members: there is 1.",
                "expected": "at least 2",
                "actual": "1",
            },
            {
                "rule": "has_head",
                "ok": True,
                "severity": "error",
                "message": "There must be a head: Ma Lin.",
                "expected": "a head",
                "actual": "Ma Lin",
            },
        ],
    }
