"""What Open311 shows of categories, cases and their steps: public fields only, never the reporter.

Each function turns model objects into the plain records `formats.render` spells. The
querysets here are the only way Open311 reads cases, so nothing unpublished or merged leaks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tongxin.core.i18n import localised

from ..models import (
    OPEN_STATUSES,
    Case,
    CasePhoto,
    CaseQuerySet,
    CaseStep,
    Category,
    Privacy,
    Status,
    StepKind,
)
from .formats import coordinate, w3c

OPEN = "open"
CLOSED = "closed"
# Whose text an update may show: the reporter's own verdict comment stays off the open feed.
PRIVATE_TEXT_STEPS = frozenset({StepKind.FEEDBACK})

# Builds the absolute address of a photo from (case code, photo id); the view knows the host.
PhotoUrl = Callable[[str, int], str]


def open311_status(status: str) -> str:
    """Open311 knows two states: someone still owes an answer (open), or not (closed)."""
    return OPEN if status in OPEN_STATUSES else CLOSED


def service(category: Category, *, has_attributes: bool) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": category.display_description,
        "metadata": has_attributes,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def service_definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": "",
                "order": position,  # the specification counts from 1
                "description": attribute.display_description,
                "values": [
                    {
                        "key": str(choice.get("key", "")),
                        "name": localised(str(choice.get("name", "")), str(choice.get("name_en", ""))),
                    }
                    for choice in attribute.values
                ],
            }
            for position, attribute in enumerate(category.attributes.all(), start=1)
        ],
    }


def published_requests() -> CaseQuerySet:
    """Cases Open311 may show, with what their records need, in one query."""
    return (
        Case.objects.published()
        .select_related("category", "assigned_to")
        .annotate(first_photo_id=_first_photo(case=OuterRef("pk")))
        .order_by("-submitted_at", "-pk")
    )


def service_request(case: Case, photo_url: PhotoUrl) -> dict[str, Any]:
    """A case as Open311 shows it (from `published_requests`): no name, contact or account, ever."""
    status = open311_status(case.status)
    return {
        "service_request_id": case.code,
        "status": status,
        "status_notes": case.answer if status == CLOSED else "",
        "service_name": case.category.display_name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.assigned_to.display_name if case.assigned_to_id else "",
        "service_notice": case.category.notice,
        "requested_datetime": w3c(timezone.localtime(case.submitted_at)),
        "updated_datetime": w3c(timezone.localtime(case.updated_at)),
        "expected_datetime": w3c(timezone.localtime(case.answer_due)),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": coordinate(case.latitude),
        "long": coordinate(case.longitude),
        "media_url": _media_url(case, getattr(case, "first_photo_id", None), photo_url),
    }


def public_updates() -> Any:
    """Public ledger steps of the cases Open311 may show, oldest first, in one query."""
    return (
        # The join spelling of Case.objects.published(): published and not merged.
        CaseStep.objects.filter(public=True, case__published=True)
        .exclude(case__status=Status.MERGED)
        .select_related("case")
        .annotate(first_photo_id=_first_photo(step=OuterRef("pk")))
        .order_by("created_at", "pk")
    )


def request_update(step: CaseStep, photo_url: PhotoUrl) -> dict[str, Any]:
    """A public step of a case (from `public_updates`), with our richer status as an extension."""
    case = step.case
    return {
        "update_id": str(step.pk),
        "service_request_id": case.code,
        "status": open311_status(step.status),
        "updated_datetime": w3c(timezone.localtime(step.created_at)),
        "description": "" if step.kind in PRIVATE_TEXT_STEPS else step.text,
        "media_url": _media_url(case, getattr(step, "first_photo_id", None), photo_url),
        "external_status_code": step.status,
    }


def _first_photo(**link: Any) -> Subquery:
    return Subquery(CasePhoto.objects.filter(**link).order_by("created_at", "pk").values("pk")[:1])


def _media_url(case: Case, photo_id: int | None, photo_url: PhotoUrl) -> str:
    # The photo page shows photos of name-public cases only; others would be a broken link.
    return photo_url(case.code, photo_id) if photo_id and case.privacy == Privacy.PUBLIC else ""


def window(
    start: datetime.datetime | None, end: datetime.datetime | None, default: datetime.timedelta
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """The time range a list covers: without a start, `default` back from the end (or now).

    Without an end the range stays open, so nothing filed during the request is cut off.
    """
    if start is None:
        start = (end or timezone.now()) - default
    return start, end
