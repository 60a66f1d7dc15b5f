"""The community API's shapes. Input (`...In`, `...Patch`) and output (`...Out`) are kept apart:
what a client may send is never widened by what the server shows."""

import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from tongxin.core.i18n import localised

from .models import Formation, Gender, Obtained, OrganisationKind, PartyStatus, Role, StaffRole
from .reports import composition_report

# ---- output --------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    display_name: str


class PersonRef(Schema):
    id: int
    name: str
    display_name: str


class SectorOut(Schema):
    code: str
    name: str
    name_en: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        return localised(obj.name, obj.name_en)


class OrganisationOut(Schema):
    id: int
    name: str
    name_en: str
    display_name: str
    kind: OrganisationKind
    parent: int | None
    formation: Formation | None
    approved_by: int | None
    composition_rule_set: str
    composition_overrides: dict[str, Any]
    description: str
    description_en: str
    address: str
    founded_on: datetime.date | None
    dissolved_on: datetime.date | None

    @staticmethod
    def resolve_parent(obj: Any) -> int | None:
        return obj.parent_id

    @staticmethod
    def resolve_approved_by(obj: Any) -> int | None:
        return obj.approved_by_id

    @staticmethod
    def resolve_formation(obj: Any) -> str | None:
        return obj.formation or None


class FindingOut(Schema):
    rule: str
    ok: bool
    severity: str
    message: str
    expected: str
    actual: str


class CompositionOut(Schema):
    rule_set: str
    rule_set_label: str
    ok: bool
    findings: list[FindingOut]


class OrganisationDetailOut(OrganisationOut):
    composition: CompositionOut | None = Field(
        description="The composition checked against the organisation's rules; null without rules."
    )

    @staticmethod
    def resolve_composition(obj: Any) -> Any:
        return composition_report(obj)


class PersonalDataOut(Schema):
    gender: Gender
    birth_year: int | None
    phone: str | None
    party_status: PartyStatus


class MemberOut(Schema):
    """A seat as anyone sees it; `personal` only for readers allowed the person's personal data."""

    id: int
    person: PersonRef
    role: Role
    sector: SectorOut | None
    obtained: Obtained
    obtained_from: OrganisationRef | None
    start_date: datetime.date
    term_end: datetime.date | None
    end_date: datetime.date | None
    personal: PersonalDataOut | None = Field(
        description="Null unless the reader may see this person's personal data."
    )

    @staticmethod
    def resolve_personal(obj: Any) -> Any:
        return obj.person if obj.personal_visible else None


class PersonOut(Schema):
    id: int
    name: str
    surname: str
    name_latin: str
    display_name: str
    gender: Gender
    birth_year: int | None
    phone: str | None
    email: str
    party_status: PartyStatus
    home: int | None
    sectors: list[str] = Field(description="Codes of the sectors the person belongs to.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_home(obj: Any) -> int | None:
        return obj.home_id

    @staticmethod
    def resolve_sectors(obj: Any) -> list[str]:
        return [sector.code for sector in obj.sectors.all()]


class MembershipOut(Schema):
    id: int
    person: int
    organisation: int
    role: Role
    obtained: Obtained
    obtained_from: int | None
    sector: str | None = Field(description="Code of the sector represented.")
    start_date: datetime.date
    term_end: datetime.date | None
    end_date: datetime.date | None
    end_reason: str

    @staticmethod
    def resolve_person(obj: Any) -> int:
        return obj.person_id

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_obtained_from(obj: Any) -> int | None:
        return obj.obtained_from_id

    @staticmethod
    def resolve_sector(obj: Any) -> str | None:
        return obj.sector.code if obj.sector_id else None


class RoleGrantOut(Schema):
    id: int
    user: int
    role: StaffRole
    organisation: OrganisationRef
    granted_by: int | None
    granted_at: datetime.datetime
    revoked_at: datetime.datetime | None

    @staticmethod
    def resolve_user(obj: Any) -> int:
        return obj.user_id

    @staticmethod
    def resolve_granted_by(obj: Any) -> int | None:
        return obj.granted_by_id


class MeOut(Schema):
    id: int
    username: str
    is_superuser: bool
    person: PersonOut | None
    roles: list[RoleGrantOut] = Field(description="The staff roles the account holds now.")


# ---- input ---------------------------------------------------------------------------------


class OrganisationFilters(Schema):
    kind: OrganisationKind | None = None
    parent: int | None = Field(None, description="Only the organisations directly under this one.")
    within: int | None = Field(None, description="Only this organisation and everything below it.")
    q: str | None = Field(None, description="Words in the Chinese or the English name.")


class MemberFilters(Schema):
    include_past: bool = Field(False, description="Also list seats that have ended.")


class BodyIn(Schema):
    """A request body: a misspelt field is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class OrganisationIn(BodyIn):
    name: str = Field(max_length=200)
    kind: OrganisationKind
    parent: int | None = Field(
        description="Id of the organisation it lies in; null only for a root place."
    )
    name_en: str = Field("", max_length=200)
    formation: Formation | None = None
    approved_by: int | None = None
    description: str = ""
    description_en: str = ""
    address: str = Field("", max_length=300)
    composition_rule_set: str = Field("", max_length=64)
    composition_overrides: dict[str, Any] = Field(default_factory=dict)
    founded_on: datetime.date | None = None


class OrganisationPatch(BodyIn):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    formation: Formation | None = None
    approved_by: int | None = None
    description: str | None = None
    description_en: str | None = None
    address: str | None = Field(None, max_length=300)
    composition_rule_set: str | None = Field(None, max_length=64)
    composition_overrides: dict[str, Any] | None = None
    founded_on: datetime.date | None = None
    dissolved_on: datetime.date | None = None


class PersonIn(BodyIn):
    name: str = Field(max_length=100)
    gender: Gender
    home: int | None = Field(description="Id of the village or community the person lives in.")
    party_status: PartyStatus = PartyStatus.NON_PARTY
    birth_year: int | None = None
    phone: str | None = Field(None, max_length=20)
    email: str = Field("", max_length=254)
    surname: str = Field("", max_length=10)
    name_latin: str = Field("", max_length=100)
    sectors: list[str] = Field(default_factory=list, description="Sector codes.")


class PersonPatch(BodyIn):
    """Only the fields sent are changed."""

    name: str | None = Field(None, max_length=100)
    gender: Gender | None = None
    home: int | None = None
    party_status: PartyStatus | None = None
    birth_year: int | None = None
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    surname: str | None = Field(None, max_length=10)
    name_latin: str | None = Field(None, max_length=100)
    sectors: list[str] | None = Field(
        None, description="Sector codes; the list replaces the old one."
    )


class MembershipIn(BodyIn):
    person: int
    organisation: int
    role: Role = Role.MEMBER
    obtained: Obtained
    obtained_from: int | None = None
    sector: str | None = Field(None, description="Code of the sector represented.")
    start_date: datetime.date | None = Field(None, description="Today when left out.")
    term_end: datetime.date | None = None


class MembershipEndIn(BodyIn):
    end_date: datetime.date | None = Field(None, description="Today when left out.")
    reason: str = Field("", max_length=200)


class RoleGrantIn(BodyIn):
    user: int
    role: StaffRole
    organisation: int
