"""The duty API's shapes: what comes in, and what goes out, kept apart."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class VolunteerIn(Schema):
    person: int
    home_village: int | None = Field(None, description="Empty: the village where the person lives, if it is one of the organisation's.")
    experienced: bool = False
    preferences: str = ""
    joined_on: datetime.date | None = None


class PlanIn(Schema):
    start: datetime.date
    weeks: int
    team_size: int = 3
    troubleshooters: int = 1
    avoid_home_village: bool = True


class OverrideIn(Schema):
    volunteer: int


class VolunteerOut(Schema):
    id: int
    person: int
    name: str
    home_village: int | None
    experienced: bool
    preferences: str
    joined_on: datetime.date
    active: bool

    @staticmethod
    def resolve_person(volunteer: Any) -> int:
        return volunteer.person_id

    @staticmethod
    def resolve_name(volunteer: Any) -> str:
        return volunteer.person.display_name

    @staticmethod
    def resolve_home_village(volunteer: Any) -> int | None:
        return volunteer.home_village_id


class TurnOut(Schema):
    id: int
    volunteer: int
    name: str
    village: int | None = Field(description="Empty for a troubleshooter.")
    replaced: bool


class GapOut(Schema):
    id: int
    village: int | None = Field(description="Empty: troubleshooters' seats.")
    missing: int


class WeekOut(Schema):
    number: int
    start: datetime.date
    turns: list[TurnOut]
    gaps: list[GapOut]


class RotaFields(Schema):
    id: int
    organisation: int
    start: datetime.date
    weeks: int
    team_size: int
    troubleshooters: int
    avoid_home_village: bool
    status: str
    published_at: datetime.datetime | None


class RotaSummaryOut(RotaFields):
    @staticmethod
    def resolve_organisation(rota: Any) -> int:
        return rota.organisation_id


class VillageOut(Schema):
    id: int
    name: str


class RotaOut(RotaFields):
    villages: list[VillageOut]
    schedule: list[WeekOut]
