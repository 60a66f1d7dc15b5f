"""The cases API's shapes. Input (`...In`) and output (`...Out`) are kept apart: what a client
may send is never widened by what the server shows.

A case has two outputs. `CaseOut` is the full record, for the staff of the case and the
reporter's own account; `CasePublicOut` is what the tracking page shows to whoever holds the
tracking code: no reporter data and only the steps shown to the reporter. The `view` field
says which one a client received.
"""


import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema
from pydantic import ConfigDict, Field

from tongxin.community.schemas import OrganisationRef
from tongxin.core.i18n import localised

from .models import (
    AttributeType,
    Case,
    CasePhoto,
    Kind,
    Privacy,
    Status,
    StepKind,
    TierChoices,
)
from .permissions import can_see_reporter

# ---- output --------------------------------------------------------------------------------


class AttributeValueOut(Schema):
    key: str
    name: str


class CategoryAttributeOut(Schema):
    """An extra question the category asks (an Open311 attribute)."""

    code: str
    datatype: AttributeType
    required: bool
    description: str = Field(description="The question, in the reader's language.")
    values: list[AttributeValueOut] = Field(description="The choices of the list types.")

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return obj.display_description

    @staticmethod
    def resolve_values(obj: Any) -> list[dict[str, str]]:
        return [
            {
                "key": str(choice.get("key", "")),
                "name": localised(str(choice.get("name", "")), str(choice.get("name_en", ""))),
            }
            for choice in obj.values
        ]


class CategoryOut(Schema):
    code: str
    name: str = Field(description="In the reader's language.")
    group: str
    tier: TierChoices = Field(description="Sets the case's deadlines.")
    notice: str
    attributes: list[CategoryAttributeOut]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.display_name

    @staticmethod
    def resolve_attributes(obj: Any) -> list[Any]:
        return list(obj.attributes.all())


class AccountRef(Schema):
    id: int
    display_name: str

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        person = getattr(obj, "person", None)
        if person is not None:
            return person.display_name
        return obj.get_full_name() or obj.get_username()


class ReporterOut(Schema):
    name: str
    phone: str
    email: str


def _request(context: Any) -> HttpRequest | None:
    return (context or {}).get("request")


def _photo_url(context: Any, code: str, photo: CasePhoto) -> str:
    path = reverse("feedback:photo", args=[code, photo.pk])
    request = _request(context)
    return request.build_absolute_uri(path) if request is not None else path


class StepOut(Schema):
    """One entry of the ledger."""

    kind: StepKind
    status: Status = Field(description="The case's status after this step.")
    text: str
    public: bool = Field(description="Shown to the reporter; false for internal notes.")
    actor: str = Field(
        description="Who took the step: the reporter and the system by role; staff by name for the "
        "case's staff, by the unit handling the case for a code holder."
    )
    created_at: datetime.datetime
    photos: list[str] = Field(description="Addresses of the photos attached to this step.")

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        # The reporter's own steps are labelled by role in the ledger itself (actions._log).
        if getattr(obj, "for_reporter", False):
            return obj.public_actor_display(obj.case)
        return obj.actor_display

    @staticmethod
    def resolve_photos(obj: Any, context: Any) -> list[str]:
        return [_photo_url(context, obj.case.code, photo) for photo in obj.photos.all()]


class CaseCommon(Schema):
    """What both views of a case show."""

    code: str = Field(description="The tracking code: the reporter's key to the case.")
    kind: Kind
    category: str = Field(description="The category's code.")
    category_name: str
    tier: TierChoices
    status: Status
    description: str
    organisation: OrganisationRef = Field(description="Where it happened.")
    address: str
    latitude: float | None
    longitude: float | None
    privacy: Privacy
    public_reporter_name: str = Field(description="The reporter's name when they let it be shown.")
    reporter: ReporterOut | None = Field(
        description="Name and contact: only for callers allowed to see them; "
        "never for anonymous cases."
    )
    has_pin: bool
    submitted_at: datetime.datetime
    acknowledge_due: datetime.datetime
    dispatch_due: datetime.datetime
    answer_due: datetime.datetime
    overdue: bool
    acknowledged_at: datetime.datetime | None
    answered_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    answer: str
    awaits_feedback: bool = Field(description="Answered, and waiting for the reporter's verdict.")
    solved: bool | None
    satisfied: bool | None
    merged_into: str | None = Field(description="The tracking code of the case this one joined.")

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Any) -> str:
        return obj.category.display_name

    @staticmethod
    def resolve_latitude(obj: Any) -> float | None:
        return _number(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Any) -> float | None:
        return _number(obj.longitude)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_merged_into(obj: Any) -> str | None:
        return obj.merged_into.code if obj.merged_into_id else None


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class CaseOut(CaseCommon):
    """The full case: for its staff and for the reporter's own account."""

    view: Literal["full"] = "full"
    channel: str
    reporter: ReporterOut | None = Field(
        description="Name and contact: only for callers allowed to see them; "
        "never for anonymous cases."
    )
    attributes: dict[str, Any] = Field(description="Answers to the category's questions, by code.")
    assigned_to: OrganisationRef | None = Field(
        description="The workgroup or office holding the case."
    )
    handler: AccountRef | None
    escalated_to: OrganisationRef | None
    escalation_level: int
    published: bool = Field(description="Listed on the public board and in open data.")
    assigned_at: datetime.datetime | None
    feedback_at: datetime.datetime | None
    updated_at: datetime.datetime
    photos: list[str] = Field(description="Addresses of every photo of the case.")

    @staticmethod
    def resolve_reporter(obj: Any, context: Any) -> dict[str, str] | None:
        request = _request(context)
        if request is None or not can_see_reporter(request.auth, obj):
            return None
        return {"name": obj.reporter_name, "phone": obj.reporter_phone, "email": obj.reporter_email}

    @staticmethod
    def resolve_photos(obj: Any, context: Any) -> list[str]:
        return [_photo_url(context, obj.code, photo) for photo in obj.photos.all()]


class CasePublicOut(CaseCommon):
    """The case as the tracking page shows it to whoever holds its code."""

    view: Literal["public"] = "public"
    reporter: None = Field(None, description="Always null in the public view.")
    photos: list[str] = Field(
        description="Addresses of the photos of the steps shown to the reporter."
    )

    @staticmethod
    def resolve_reporter(obj: Any) -> None:
        return None

    @staticmethod
    def resolve_photos(obj: Any, context: Any) -> list[str]:
        return [
            _photo_url(context, obj.code, photo)
            for photo in obj.photos.all()
            if photo.step_id is None or photo.step.public
        ]


# One of the two views, told apart by `view`.
CaseView = Annotated[CaseOut | CasePublicOut, Field(discriminator="view")]


# ---- input ---------------------------------------------------------------------------------


class BodyIn(Schema):
    """A request body: a misspelt field is refused (422) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


PHOTOS_FIELD = Field(
    default_factory=list,
    description="Up to 4 photos, each a base64-encoded JPEG, PNG or WebP "
    "(a `data:` URL is accepted too).",
)


class CaseIn(BodyIn):
    category: str = Field(description="The category's code (see /categories).")
    description: str
    organisation: int = Field(description="Id of the village, community or grid where it happened.")
    privacy: Privacy = Field(
        description="public: the name may be shown; hidden: only staff see it; "
        "anonymous: no name or contact is kept."
    )
    kind: Kind = Kind.PROBLEM
    urgent: bool = Field(
        False, description="Danger to life or property: the emergency deadlines apply."
    )
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the category's questions, by code."
    )
    photos: list[str] = PHOTOS_FIELD
    pin: str = Field("", description="Optional: 4 to 8 digits, then needed with the tracking code.")


StepAction = Literal[
    "acknowledge",
    "take",
    "assign",
    "progress",
    "note",
    "answer",
    "reopen",
    "close",
    "merge",
    "refer",
    "decline",
    "publish",
    "unpublish",
]


class StepIn(BodyIn):
    """A step of the work. `workgroup` and `handler` go with assign, `into` with merge, `to` with
    refer, `photos` with progress, note and answer."""

    action: StepAction
    text: str = ""
    workgroup: int | None = Field(None, description="assign: id of the workgroup or office.")
    handler: int | None = Field(None, description="assign: account id of the handler.")
    into: str | None = Field(None, description="merge: tracking code of the case this one repeats.")
    to: int | None = Field(
        None, description="refer: id of the organisation above; the office above when left out."
    )
    photos: list[str] = PHOTOS_FIELD


class FeedbackIn(BodyIn):
    """The reporter's verdict on the answer: not solved reopens the case."""

    solved: bool
    satisfied: bool
    comment: str = ""
    pin: str = Field("", description="The case's PIN, when it has one.")


class CaseFilters(Schema):
    status: list[str] = Field(
        default_factory=list,
        description='Repeat the parameter or separate with commas; "open" means every open status.',
    )
    category: str | None = Field(None, description="A category's code.")
    organisation: int | None = Field(None, description="Cases in this place or anywhere below it.")
    assigned_to: int | None = Field(None, description="Cases held by this workgroup or office.")
    handler: str | None = Field(None, description='An account id, or "me".')
    tier: TierChoices | None = None
    submitted_after: datetime.datetime | None = None
    submitted_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = Field(
        None, description="Changed after this moment: for keeping a copy in step."
    )
    q: str | None = Field(
        None, description="A tracking code, or words in the description or address."
    )


class PinQuery(Schema):
    pin: str = Field("", description="The case's PIN, when it has one and you are not its staff.")
