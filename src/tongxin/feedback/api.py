"""The cases API: categories, reporting a case, following it by tracking code, the handlers'
list and the steps of the work.

Every change goes through `actions.py` and every permission through `permissions.py`, as on
the pages. Who sees what: the staff of a case and the reporter's own account get the full case;
whoever else holds the tracking code (and the PIN, when the case has one) gets the public view
that the tracking page shows, with no reporter data and only the steps shown to the reporter.
"""


import base64
import binascii
import datetime
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja import Status as WithStatus
from ninja.pagination import paginate

from tongxin.accounts.auth import PUBLIC, SIGNED_IN
from tongxin.community.models import Organisation
from tongxin.core.api import LimitOffset, error_responses
from tongxin.core.errors import ActionError

from . import actions
from .models import (
    OPEN_STATUSES,
    Case,
    CasePhoto,
    CaseQuerySet,
    CaseStep,
    Category,
    CategoryQuerySet,
    Channel,
    Status,
    normalise_tracking_code,
)
from .permissions import can_view_case, can_work_on_case, cases_visible_to
from .photos import MAX_PHOTOS_PER_CASE
from .schemas import (
    CaseFilters,
    CaseIn,
    CaseOut,
    CaseView,
    CategoryOut,
    FeedbackIn,
    PinQuery,
    StepIn,
    StepOut,
)

router = Router(tags=["feedback"], auth=SIGNED_IN)

# Public endpoints are open to everyone; OpenAPI marks their sign-in as optional with `{}`.
OPTIONAL_SIGN_IN = {"security": [{}]}
TRACKING_CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}")


# ---- looking up what a request names ---------------------------------------------------------


def _category(code: str) -> Category:
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise ActionError(_("category: there is no category %(code)s.") % {"code": code})
    return category


def _organisation(pk: int, field: str) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise ActionError(
            _("%(field)s: there is no organisation %(id)s.") % {"field": field, "id": pk}
        )
    return organisation


def _account(pk: int) -> Any:
    account = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if account is None:
        raise ActionError(_("handler: there is no account %(id)s.") % {"id": pk})
    return account


def _decoded_photos(photos: list[str]) -> list[bytes]:
    """The photos' bytes; whether they are photos at all is the action's question."""
    if len(photos) > MAX_PHOTOS_PER_CASE:
        raise ActionError(_("At most %(count)s photos at a time.") % {"count": MAX_PHOTOS_PER_CASE})
    decoded = []
    for number, text in enumerate(photos, start=1):
        # A `data:image/jpeg;base64,` prefix is what a browser's FileReader produces.
        payload = text.split(",", 1)[1] if text.startswith("data:") else text
        try:
            decoded.append(base64.b64decode("".join(payload.split()), validate=True))
        except (binascii.Error, ValueError):
            raise ActionError(
                _("Photo %(number)s is not base64: send each photo's bytes base64-encoded.")
                % {"number": number}
            ) from None
    return decoded


def _case_for_code_holder(request: HttpRequest, code: str, pin: str) -> Case:
    """The case behind a tracking code: staff need no PIN, everyone else needs it if it has one."""
    return actions.open_case_for_reporter(code=code, pin=pin, actor=request.auth)


def _case_view(request: HttpRequest, case: Case) -> Case:
    """The case marked with the view the caller gets (`CaseView` picks its schema by `view`)."""
    view = "full" if can_view_case(request.auth, case) else "public"
    case.view = view  # type: ignore[attr-defined]
    return case


# ---- categories ----------------------------------------------------------------------------


@router.get(
    "/categories",
    response={200: list[CategoryOut], **error_responses(401)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="List the categories that take new cases",
)
def list_categories(request: HttpRequest) -> CategoryQuerySet:
    """With each category's extra questions (`attributes`), as the report form asks them."""
    return Category.objects.active().prefetch_related("attributes")


# ---- reporting and following a case --------------------------------------------------------


@router.post(
    "/cases",
    response={201: CaseView, **error_responses(400, 401, 403)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Report a case",
)
def create_case(request: HttpRequest, body: CaseIn) -> WithStatus[Case]:
    """Anyone may report. With a token the case is linked to the caller's account (unless it is
    anonymous) and the answer is the full case; otherwise it is the public view. Keep the
    tracking `code`: it is the way back to the case."""
    case = actions.submit_case(
        actor=request.auth,
        channel=Channel.API,
        category=_category(body.category),
        description=body.description,
        organisation=_organisation(body.organisation, "organisation"),
        privacy=body.privacy,
        kind=body.kind,
        urgent=body.urgent,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        reporter_email=body.reporter_email,
        address=body.address,
        latitude=body.latitude,
        longitude=body.longitude,
        attributes=body.attributes,
        photos=_decoded_photos(body.photos),
        pin=body.pin,
    )
    # Read back as stored, so its times are written like every other answer's (in UTC).
    case = Case.objects.select_related("category", "organisation", "assigned_to").get(pk=case.pk)
    return WithStatus(201, _case_view(request, case))


@router.get(
    "/cases/{code}",
    response={200: CaseView, **error_responses(401, 403, 404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Read a case by its tracking code",
)
def get_case(request: HttpRequest, code: str, params: Query[PinQuery]) -> Case:
    """Its staff and the reporter's account get the full case (`view: "full"`); anyone else
    holding the code gets the public view (`view: "public"`), and for a case with a PIN only
    when `pin` is sent too (403 otherwise)."""
    return _case_view(request, _case_for_code_holder(request, code, params.pin))


@router.get(
    "/cases/{code}/steps",
    response={200: list[StepOut], **error_responses(401, 403, 404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Read a case's ledger",
)
def list_steps(request: HttpRequest, code: str, params: Query[PinQuery]) -> Any:
    """Every step for the case's staff; the steps shown to the reporter for a code holder."""
    case = _case_for_code_holder(request, code, params.pin)
    steps = case.steps.select_related("case__assigned_to").prefetch_related("photos")
    if can_view_case(request.auth, case):
        return steps
    public_steps = list(steps.filter(public=True))
    for step in public_steps:
        step.for_reporter = True  # staff steps signed by their unit, as on the tracking page
    return public_steps


@router.post(
    "/cases/{code}/feedback",
    response={201: StepOut, **error_responses(400, 401, 403, 404)},
    auth=PUBLIC,
    openapi_extra=OPTIONAL_SIGN_IN,
    summary="Give the reporter's verdict on the answer",
)
def give_feedback(request: HttpRequest, code: str, body: FeedbackIn) -> WithStatus[CaseStep]:
    """Whoever holds the tracking code (and the PIN) may say whether the answer solved the
    problem; not solved reopens the case."""
    case = _case_for_code_holder(request, code, body.pin)
    step = actions.give_feedback(
        case=case,
        solved=body.solved,
        satisfied=body.satisfied,
        comment=body.comment,
        actor=request.auth,
    )
    return WithStatus(201, step)


# ---- the handlers' side --------------------------------------------------------------------


def _statuses(values: list[str]) -> set[str]:
    """ "open,answered" and repeated parameters alike; "open" stands for every open status."""
    words = {word.strip() for value in values for word in value.split(",") if word.strip()}
    unknown = sorted(words - set(Status.values) - {"open"})
    if unknown:
        raise ActionError(_("Unknown statuses: %(statuses)s") % {"statuses": ", ".join(unknown)})
    return (words - {"open"}) | (set(OPEN_STATUSES) if "open" in words else set())


def _handler_id(user: Any, value: str) -> int:
    if value == "me":
        return int(user.pk)
    if not value.isdigit():
        raise ActionError(_('handler: give an account id or "me".'))
    return int(value)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time sent without an offset is read in the site's time zone."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _filtered_cases(user: Any, filters: CaseFilters) -> CaseQuerySet:
    cases = cases_visible_to(user)
    statuses = _statuses(filters.status)
    if statuses:
        cases = cases.filter(status__in=statuses)
    if filters.category:
        cases = cases.filter(category__code=filters.category)
    if filters.organisation is not None:
        root = Organisation.objects.filter(pk=filters.organisation).first()
        cases = cases.within(root) if root else cases.none()
    if filters.assigned_to is not None:
        cases = cases.filter(assigned_to_id=filters.assigned_to)
    if filters.handler:
        cases = cases.filter(handler_id=_handler_id(user, filters.handler))
    if filters.tier:
        cases = cases.filter(tier=filters.tier)
    if filters.submitted_after is not None:
        cases = cases.filter(submitted_at__gte=_aware(filters.submitted_after))
    if filters.submitted_before is not None:
        cases = cases.filter(submitted_at__lt=_aware(filters.submitted_before))
    if filters.updated_after is not None:
        cases = cases.filter(updated_at__gt=_aware(filters.updated_after))
    if filters.q and filters.q.strip():
        words = filters.q.strip()
        condition = Q(description__icontains=words) | Q(address__icontains=words)
        code = normalise_tracking_code(words)
        if TRACKING_CODE.fullmatch(code):
            condition |= Q(code=code)
        cases = cases.filter(condition)
    return cases


@router.get(
    "/cases",
    response={200: list[CaseOut], **error_responses(400, 401)},
    summary="List the cases you may open",
)
@paginate(LimitOffset)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> CaseQuerySet:
    """Newest first. The cases of your scopes and your own reports; filters combine with AND."""
    return (
        _filtered_cases(request.auth, filters)
        .select_related(
            "category",
            "organisation",
            "assigned_to",
            "escalated_to",
            "merged_into",
            "handler__person",
        )
        .prefetch_related(Prefetch("photos", queryset=CasePhoto.objects.select_related("step")))
        .order_by("-submitted_at", "-id")
    )


# Which optional fields each step uses; anything else sent is refused, not silently dropped.
STEP_FIELDS = {
    "assign": {"workgroup", "handler"},
    "merge": {"into"},
    "refer": {"to"},
    "progress": {"photos"},
    "note": {"photos"},
    "answer": {"photos"},
}
OPTIONAL_STEP_FIELDS = ("workgroup", "handler", "into", "to", "photos")


def _refuse_unused_fields(body: StepIn) -> None:
    sent = {field for field in OPTIONAL_STEP_FIELDS if getattr(body, field)}
    unused = sorted(sent - STEP_FIELDS.get(body.action, set()))
    if unused:
        raise ActionError(
            _("%(fields)s: not used when the action is %(action)s.")
            % {"fields": ", ".join(unused), "action": body.action}
        )


def _merge_target(user: Any, code: str | None) -> Case:
    # A case the caller may not open is reported exactly like one that does not exist.
    into = cases_visible_to(user).filter(code=normalise_tracking_code(code or "")).first()
    if into is None:
        raise ActionError(_("into: there is no case %(code)s.") % {"code": code or ""})
    return into


def _set_published(case: Case, actor: Any, body: StepIn, published: bool) -> CaseStep:
    return actions.set_published(case=case, actor=actor, published=published, text=body.text)


StepTaker = Callable[[Case, Any, StepIn], CaseStep]

STEP_ACTIONS: dict[str, StepTaker] = {
    "acknowledge": lambda case, actor, body: actions.acknowledge_case(
        case=case, actor=actor, text=body.text
    ),
    "take": lambda case, actor, body: actions.take_case(case=case, actor=actor),
    "assign": lambda case, actor, body: actions.assign_case(
        case=case,
        actor=actor,
        workgroup=None if body.workgroup is None else _organisation(body.workgroup, "workgroup"),
        handler=None if body.handler is None else _account(body.handler),
        text=body.text,
    ),
    "progress": lambda case, actor, body: actions.record_progress(
        case=case, actor=actor, text=body.text, photos=_decoded_photos(body.photos)
    ),
    "note": lambda case, actor, body: actions.record_progress(
        case=case, actor=actor, text=body.text, public=False, photos=_decoded_photos(body.photos)
    ),
    "answer": lambda case, actor, body: actions.answer_case(
        case=case, actor=actor, text=body.text, photos=_decoded_photos(body.photos)
    ),
    "reopen": lambda case, actor, body: actions.reopen_case(case=case, actor=actor, text=body.text),
    "close": lambda case, actor, body: actions.close_case(case=case, actor=actor, text=body.text),
    "merge": lambda case, actor, body: actions.merge_case(
        case=case, into=_merge_target(actor, body.into), actor=actor, text=body.text
    ),
    "refer": lambda case, actor, body: actions.refer_case(
        case=case,
        actor=actor,
        text=body.text,
        to=None if body.to is None else _organisation(body.to, "to"),
    ),
    "decline": lambda case, actor, body: actions.decline_case(
        case=case, actor=actor, text=body.text
    ),
    "publish": lambda case, actor, body: _set_published(case, actor, body, True),
    "unpublish": lambda case, actor, body: _set_published(case, actor, body, False),
}


@router.post(
    "/cases/{code}/steps",
    response={201: StepOut, **error_responses(400, 401, 403, 404)},
    summary="Take a step of the work on a case",
)
def add_step(request: HttpRequest, code: str, body: StepIn) -> WithStatus[CaseStep]:
    """acknowledge, take, assign (`workgroup` and/or `handler`), progress and note (with
    `photos`), answer, reopen, close, merge (`into`), refer (`to`), decline, publish, unpublish.
    A case you may not open is 404; one you may open but not work on is 403."""
    case = get_object_or_404(
        cases_visible_to(request.auth).select_related("category", "organisation"),
        code=normalise_tracking_code(code),
    )
    # Asked before anything the body names is looked up, so no one else can probe for it.
    if not can_work_on_case(request.auth, case):
        raise PermissionDenied
    _refuse_unused_fields(body)
    return WithStatus(201, STEP_ACTIONS[body.action](case, request.auth, body))
