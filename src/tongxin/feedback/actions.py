"""Every change to a case, one use case a function: intake, handling, answer, verdict, escalation.

Each action checks permission, runs in one transaction with the case row locked, writes one
ledger step per change (chained into the audit log in the same transaction) and tells people
only after the commit.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.validators import EmailValidator, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongxin.community.models import PLACE_KINDS, Organisation, OrganisationKind, StaffRole
from tongxin.consultation.models import Topic, TopicSource
from tongxin.core.actors import SystemActor
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError
from tongxin.core.notify import notify

from .deadlines import Tier
from .models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    STAFF_CHANNELS,
    UNDISPATCHED_STATUSES,
    AttributeType,
    Case,
    CasePhoto,
    CaseStep,
    Category,
    Channel,
    Kind,
    Privacy,
    Status,
    StepKind,
    deadline_text,
)
from .permissions import can_enter_case_for_resident, can_raise_topic, can_view_case, can_work_on_case
from .photos import MAX_PHOTOS_PER_CASE, PhotoRejected, clean_photo
from .policies import (
    OFFICE_KINDS,
    accounts_to_tell,
    answer_due_from,
    case_deadlines,
    nearest_place,
    office_above,
    route_case,
)

SYSTEM = SystemActor("tongxin")
# How a reporter who gave no account appears in the ledger and the audit log: never by name.
REPORTER = SystemActor("reporter")
MAX_DESCRIPTION = 5000
MAX_NOTE = 5000
# An answered case nobody rates is closed after this long.
FEEDBACK_WINDOW = datetime.timedelta(days=15)
HANDLER_ROLES = (StaffRole.HANDLER,)
# Channels where the signed-in account is the resident themselves (an Open311 key is an app's).
ACCOUNT_CHANNELS = frozenset({Channel.WEB, Channel.API, Channel.INTERACTION_DAY})
ESCALATION_ROLES = (StaffRole.HANDLER, StaffRole.ADMIN, StaffRole.SUPERVISOR)

PHOTO_REJECTIONS = {
    "too_large": lambda: _("A photo is larger than 8 MB."),
    "not_an_image": lambda: _("A file is not a photo."),
    "unsupported_format": lambda: _("Photos must be JPEG, PNG or WebP."),
    "too_many_pixels": lambda: _("A photo has too many pixels."),
}


# -- Intake ---------------------------------------------------------------------------------------


def submit_case(
    *,
    actor: Any,
    channel: str,
    category: Category,
    description: str,
    organisation: Organisation,
    privacy: str,
    kind: str = Kind.PROBLEM,
    urgent: bool = False,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    address: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    attributes: dict[str, Any] | None = None,
    photos: Sequence[bytes] = (),
    pin: str = "",
) -> Case:
    """A new case from any channel, routed to its workgroup, with its deadlines set.

    On the reception desk, hotline and duty channels `actor` is the member of staff who types the
    case in for the resident; elsewhere it is the resident (an anonymous visitor or an account).
    An anonymous case keeps no name, contact or account: its tracking code is the only way back.
    """
    on_behalf = channel in STAFF_CHANNELS
    if on_behalf and not can_enter_case_for_resident(actor, organisation):
        raise PermissionDenied
    fields = _intake_fields(
        category=category,
        description=description,
        organisation=organisation,
        privacy=privacy,
        kind=kind,
        channel=channel,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        address=address,
        latitude=latitude,
        longitude=longitude,
        pin=pin,
    )
    fields["attributes"] = clean_attributes(category, attributes or {})
    cleaned_photos = _clean_photos(photos)
    account = _signed_in(actor)
    if privacy != Privacy.ANONYMOUS and channel in ACCOUNT_CHANNELS and account is not None:
        fields["reporter"] = account
        fields["reporter_name"] = fields["reporter_name"] or _person_name(account)
        fields["reporter_email"] = fields["reporter_email"] or account.email
    if privacy != Privacy.ANONYMOUS and not fields["reporter_name"]:
        raise ActionError(_("Give your name, or choose to stay anonymous."))
    now = timezone.now()
    tier = Tier.EMERGENCY if urgent else Tier(category.tier)
    workgroup = route_case(organisation=organisation, category=category)
    deadlines = case_deadlines(organisation=organisation, category=category, tier=tier, start=now)
    with transaction.atomic():
        case = Case.objects.create(
            **fields,
            tier=tier,
            entered_by=account if on_behalf else None,
            language=translation.get_language() or "",
            assigned_to=workgroup,
            submitted_at=now,
            next_escalation_at=deadlines["dispatch_due"],
            **deadlines,
        )
        step = _log(
            case,
            StepKind.SUBMITTED,
            _submitter(case, actor, on_behalf=on_behalf),
            label=None if on_behalf or case.reporter_id is None else str(REPORTER),
            data={"channel": channel, "workgroup": workgroup.pk, "tier": tier.value},
        )
        _store_photos(case, step, cleaned_photos)
        handlers = accounts_to_tell(workgroup, HANDLER_ROLES)
        notify(
            users=handlers,
            subject=_site_language(lambda: _("New case %(code)s: %(title)s") % {"code": case.code, "title": case.title}),
            body=_site_language(lambda: _case_summary(case)),
            url=case.get_absolute_url(),
        )
    _notify_reporter_later(case, "received")
    return case


def _submitter(case: Case, actor: Any, *, on_behalf: bool) -> Any:
    """Who the ledger and the audit log say filed the case.

    Staff who type a case in are recorded; a resident only through the account linked to the
    case. Whoever files anonymously (or signed out) is recorded as "the reporter", never by account.
    """
    if on_behalf:
        return actor
    if case.is_anonymous:
        return REPORTER
    if case.reporter_id is not None:
        return case.reporter
    # An app's account (Open311) or a kiosk's: it brought the case, it is not the resident.
    return _signed_in(actor) or REPORTER


def _intake_fields(
    *,
    category: Category,
    description: str,
    organisation: Organisation,
    privacy: str,
    kind: str,
    channel: str,
    reporter_name: str,
    reporter_phone: str,
    reporter_email: str,
    address: str,
    latitude: Any,
    longitude: Any,
    pin: str,
) -> dict[str, Any]:
    """The checked values of a new case; every problem a reporter can fix is an ActionError."""
    if not category.active:
        raise ActionError(_("This category no longer takes new cases."))
    if organisation.kind not in PLACE_KINDS or organisation.dissolved_on is not None:
        raise ActionError(_("Choose the village, community or grid where it happened."))
    description = description.strip()
    if not description:
        raise ActionError(_("Describe the problem, request or suggestion."))
    if len(description) > MAX_DESCRIPTION:
        raise ActionError(_("The description is longer than %(limit)s characters.") % {"limit": MAX_DESCRIPTION})
    if privacy not in Privacy.values:
        raise ActionError(_("Choose who may see your name."))
    if kind not in Kind.values:
        raise ActionError(_("Choose whether this is a problem, a request or a suggestion."))
    if channel not in Channel.values:
        raise ActionError(_("Unknown channel."))
    reporter_name, reporter_phone, reporter_email = reporter_name.strip(), reporter_phone.strip(), reporter_email.strip()
    if privacy == Privacy.ANONYMOUS and (reporter_name or reporter_phone or reporter_email):
        raise ActionError(
            _("An anonymous case keeps no name or contact: leave them empty, or choose to hide your name instead.")
        )
    if reporter_email:
        try:
            EmailValidator()(reporter_email)
        except ValidationError:
            raise ActionError(_("Enter a valid email address.")) from None
    if len(reporter_name) > 100 or len(reporter_phone) > 20 or len(address.strip()) > 300:
        raise ActionError(_("A name, phone number or address is too long."))
    return {
        "category": category,
        "description": description,
        "organisation": organisation,
        "privacy": privacy,
        "kind": kind,
        "channel": channel,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "reporter_email": reporter_email,
        "address": address.strip(),
        "latitude": _coordinate(latitude, 90),
        "longitude": _coordinate(longitude, 180),
        "pin_hash": _pin_hash(pin),
    }


def _coordinate(value: Any, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ActionError(_("A map point must be given as numbers.")) from None
    if not number.is_finite() or abs(number) > limit:
        raise ActionError(_("The map point is outside the map."))
    return number


def _pin_hash(pin: str) -> str:
    pin = pin.strip()
    if not pin:
        return ""
    if not pin.isascii() or not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise ActionError(_("A PIN is 4 to 8 digits."))
    return make_password(pin)


def clean_attributes(category: Category, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to the category's questions, checked against their types and choices.

    Empty answers count as absent; answers to questions the category does not ask are dropped.
    """
    cleaned: dict[str, Any] = {}
    for attribute in category.attributes.all():
        value = answers.get(attribute.code)
        values = value if isinstance(value, list) else [value]
        values = [str(item).strip() for item in values if item is not None and str(item).strip()]
        if not values:
            if attribute.required:
                raise ActionError(_("Answer the question: %(question)s") % {"question": attribute.display_description})
            continue
        keys = {str(choice.get("key")) for choice in attribute.values}
        if attribute.datatype in (AttributeType.SINGLE, AttributeType.MULTI) and not set(values) <= keys:
            raise ActionError(_("Choose from the list for: %(question)s") % {"question": attribute.display_description})
        if attribute.datatype == AttributeType.NUMBER:
            try:
                [float(item) for item in values]
            except ValueError:
                raise ActionError(
                    _("Give a number for: %(question)s") % {"question": attribute.display_description}
                ) from None
        cleaned[attribute.code] = values if attribute.datatype == AttributeType.MULTI else values[0]
    return cleaned


def _clean_photos(photos: Sequence[bytes]) -> list[Any]:
    if len(photos) > MAX_PHOTOS_PER_CASE:
        raise ActionError(_("At most %(count)s photos at a time.") % {"count": MAX_PHOTOS_PER_CASE})
    cleaned = []
    for data in photos:
        try:
            cleaned.append(clean_photo(data))
        except PhotoRejected as rejection:
            raise ActionError(PHOTO_REJECTIONS.get(rejection.reason, PHOTO_REJECTIONS["not_an_image"])()) from None
    return cleaned


def _store_photos(case: Case, step: CaseStep, photos: list[Any]) -> None:
    for photo in photos:
        stored = CasePhoto(
            case=case,
            step=step,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            byte_size=len(photo.data),
        )
        stored.image.save(f"photo.{photo.extension}", ContentFile(photo.data), save=False)
        stored.save()


# -- Handling -------------------------------------------------------------------------------------


def acknowledge_case(*, case: Case, actor: Any, text: str = "") -> CaseStep:
    """Tell the reporter the case was received and is being looked at."""
    _require(can_work_on_case(actor, case))
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.SUBMITTED, Status.REFERRED):
            raise ActionError(_("This case has been acknowledged already."))
        case.status = Status.ACKNOWLEDGED
        case.acknowledged_at = case.acknowledged_at or timezone.now()
        case.save(update_fields=["status", "acknowledged_at", "updated_at"])
        return _log(case, StepKind.ACKNOWLEDGED, actor, text=_note(text))


def assign_case(
    *, case: Case, actor: Any, workgroup: Organisation | None = None, handler: Any = None, text: str = ""
) -> CaseStep:
    """Send the case to a workgroup, or to a handler in it (dispatching it: the dispatch deadline is met)."""
    _require(can_work_on_case(actor, case))
    if workgroup is None and handler is None:
        raise ActionError(_("Choose a workgroup or a handler."))
    if workgroup is not None and (workgroup.kind in PLACE_KINDS or workgroup.dissolved_on is not None):
        raise ActionError(_("Cases go to a workgroup or an office, not to a place."))
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        moved = workgroup is not None and workgroup.pk != case.assigned_to_id
        if moved:
            case.assigned_to = workgroup
            case.handler = None
        if handler is not None:
            if not can_work_on_case(handler, case):
                raise ActionError(_("%(name)s cannot handle cases of this workgroup.") % {"name": _person_name(handler)})
            case.handler = handler
        _mark_dispatched(case, dispatched=case.handler is not None)
        case.save(update_fields=["assigned_to", "handler", "status", "assigned_at", "next_escalation_at", "updated_at"])
        step = _log(
            case,
            StepKind.ASSIGNED,
            actor,
            text=_note(text),
            data={"workgroup": case.assigned_to_id, "handler": case.handler_id},
        )
        _tell_new_holders(case, handler=handler if handler is not None and handler != actor else None, moved=moved)
    return step


def take_case(*, case: Case, actor: Any) -> CaseStep:
    """A handler (or the floating troubleshooter, for urgent cases) takes the case in hand."""
    _require(can_work_on_case(actor, case))
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        if case.handler_id == getattr(actor, "pk", None) and case.status != Status.REOPENED:
            raise ActionError(_("You already hold this case."))
        case.handler = actor
        _mark_dispatched(case, dispatched=True)
        case.save(update_fields=["handler", "status", "assigned_at", "next_escalation_at", "updated_at"])
        return _log(case, StepKind.TAKEN, actor, data={"handler": actor.pk})


def record_progress(
    *, case: Case, actor: Any, text: str, public: bool = True, photos: Sequence[bytes] = ()
) -> CaseStep:
    """A step of the work, with photos if any. Public steps show on the tracking page; others are internal notes."""
    _require(can_work_on_case(actor, case))
    text = _note(text)
    if not text and not photos:
        raise ActionError(_("Write what was done, or add a photo."))
    cleaned_photos = _clean_photos(photos)
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        if public and case.status != Status.IN_PROGRESS:
            case.status = Status.IN_PROGRESS
            if case.handler_id is None:
                case.handler = actor
            _mark_dispatched(case, dispatched=True, status=Status.IN_PROGRESS)
            case.save(update_fields=["status", "handler", "assigned_at", "next_escalation_at", "updated_at"])
        step = _log(case, StepKind.PROGRESS if public else StepKind.NOTE, actor, text=text, public=public)
        _store_photos(case, step, cleaned_photos)
    return step


def answer_case(*, case: Case, actor: Any, text: str, photos: Sequence[bytes] = ()) -> CaseStep:
    """The handler's answer goes to the reporter (and the reporters of merged cases); the case awaits their verdict."""
    _require(can_work_on_case(actor, case))
    text = _note(text)
    if not text:
        raise ActionError(_("Write the answer to the reporter."))
    cleaned_photos = _clean_photos(photos)
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        now = timezone.now()
        case.status, case.answer, case.answered_at, case.next_escalation_at = Status.ANSWERED, text, now, None
        case.handler = case.handler or actor
        case.assigned_at = case.assigned_at or now
        case.save(update_fields=["status", "answer", "answered_at", "next_escalation_at", "handler", "assigned_at", "updated_at"])
        step = _log(case, StepKind.ANSWERED, actor, text=text)
        _store_photos(case, step, cleaned_photos)
        merged_here = list(case.merged.select_for_update().filter(status=Status.MERGED))
        answered = _pass_answer(case, merged_here, actor)
    for merged in answered:
        _notify_reporter_later(merged, "answered")
    _notify_reporter_later(case, "answered")
    return step


def _pass_answer(source: Case, cases: list[Case], actor: Any) -> list[Case]:
    """`cases` (merged into `source`) and every case merged into them, however deep, get its answer."""
    answered: list[Case] = []
    while cases:
        for merged in cases:
            merged.answer, merged.answered_at = source.answer, source.answered_at
            merged.save(update_fields=["answer", "answered_at", "updated_at"])
            _log(merged, StepKind.ANSWERED, actor, text=source.answer, data={"answered_with": source.code})
        answered += cases
        parents = [merged.pk for merged in cases]
        cases = list(Case.objects.select_for_update().filter(merged_into__in=parents, status=Status.MERGED))
    return answered


def give_feedback(*, case: Case, solved: bool, satisfied: bool, comment: str = "", actor: Any = None) -> CaseStep:
    """The reporter's verdict on the answer: solved closes the case, not solved reopens it.

    Whoever holds the tracking code (and PIN) may give it; the caller checks that. On a merged
    case the verdict is recorded there and an unsolved one reopens the case it was merged into.
    """
    comment = _note(comment)
    with transaction.atomic():
        if case.merged_into_id is not None:
            # The case it was merged into first: answer_case locks in that order too.
            _locked(Case(pk=case.merged_into_id))
        case = _locked(case)
        merged_answer = case.status == Status.MERGED and bool(case.answered_at) and case.feedback_at is None
        if case.status != Status.ANSWERED and not merged_answer:
            raise ActionError(_("This case has no answer waiting for your verdict."))
        now = timezone.now()
        case.solved, case.satisfied, case.feedback_at = solved, satisfied, now
        fields = ["solved", "satisfied", "feedback_at", "updated_at"]
        if not merged_answer:
            if solved:
                case.status, case.closed_at = Status.CLOSED, now
            else:
                _reopen(case, now)
            fields += ["status", "closed_at", "answer_due", "next_escalation_at"]
        case.save(update_fields=fields)
        verdict = {"solved": solved, "satisfied": satisfied}
        step = _log(
            case, StepKind.FEEDBACK, _reporter_actor(case, actor), text=comment, data=verdict, label=str(REPORTER)
        )
        if not solved and not merged_answer:
            _log(case, StepKind.REOPENED, SYSTEM, data={"because": "not_solved"})
        main = _locked(case.merged_into) if merged_answer and not solved else None
        if main is not None and main.status in (Status.ANSWERED, Status.CLOSED):
            _reopen(main, now)
            main.save(update_fields=["status", "closed_at", "answer_due", "next_escalation_at", "updated_at"])
            _log(main, StepKind.REOPENED, SYSTEM, data={"because": "merged_case_not_solved", "case": case.code})
        if case.handler_id is not None:
            notify(
                users=[case.handler],
                subject=_site_language(lambda: _verdict_subject(case)),
                body=comment,
                url=case.get_absolute_url(),
            )
    return step


def _verdict_subject(case: Case) -> str:
    if case.solved:
        return _("Case %(code)s: the reporter says it is solved.") % {"code": case.code}
    return _("Case %(code)s: the reporter says it is not solved; it is open again.") % {"code": case.code}


def reopen_case(*, case: Case, actor: Any, text: str) -> CaseStep:
    """Staff take up an answered or closed case again (a reporter reopens by their verdict)."""
    _require(can_work_on_case(actor, case))
    text = _note(text)
    if not text:
        raise ActionError(_("Say why the case is reopened."))
    with transaction.atomic():
        case = _locked(case)
        if case.status not in (Status.ANSWERED, Status.CLOSED):
            raise ActionError(_("Only an answered or closed case can be reopened."))
        _reopen(case, timezone.now())
        case.save(update_fields=["status", "closed_at", "answer_due", "next_escalation_at", "updated_at"])
        return _log(case, StepKind.REOPENED, actor, text=text)


def close_case(*, case: Case, actor: Any, text: str) -> CaseStep:
    """Close an answered case whose reporter gave no verdict (or cannot be reached)."""
    _require(can_work_on_case(actor, case))
    with transaction.atomic():
        case = _locked(case)
        if case.status != Status.ANSWERED:
            raise ActionError(_("Only an answered case can be closed; answer it first."))
        return _close(case, actor, _note(text))


def _close(case: Case, actor: Any, text: str, *, now: datetime.datetime | None = None) -> CaseStep:
    case.status, case.closed_at, case.next_escalation_at = Status.CLOSED, now or timezone.now(), None
    case.save(update_fields=["status", "closed_at", "next_escalation_at", "updated_at"])
    return _log(case, StepKind.CLOSED, actor, text=text)


def merge_case(*, case: Case, into: Case, actor: Any, text: str = "") -> CaseStep:
    """A duplicate joins the case it repeats; its reporter will get that case's answer."""
    _require(can_work_on_case(actor, case) and can_work_on_case(actor, into))
    if case.pk == into.pk:
        raise ActionError(_("A case cannot be merged into itself."))
    with transaction.atomic():
        # Lock both in a fixed order, so two merges in opposite directions cannot deadlock.
        first, second = sorted([case, into], key=lambda item: item.pk)
        locked = {item.pk: _locked(item) for item in (first, second)}
        case, into = locked[case.pk], locked[into.pk]
        if case.status not in OPEN_STATUSES:
            raise ActionError(_("Only an open case can be merged."))
        if into.status in FINISHED_STATUSES:
            raise ActionError(_("Merge into a case that is still open or answered."))
        case.status, case.merged_into, case.next_escalation_at = Status.MERGED, into, None
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "merged_into", "next_escalation_at", "closed_at", "updated_at"])
        step = _log(case, StepKind.MERGED, actor, text=_note(text), data={"into": into.code})
        _log(into, StepKind.MERGED, actor, public=False, data={"merged": case.code})
        # Already answered: the newcomer (and any case merged into it before) has its answer now.
        answered = _pass_answer(into, [case], actor) if into.status == Status.ANSWERED else []
    for merged in answered:
        _notify_reporter_later(merged, "answered")
    return step


def refer_case(*, case: Case, actor: Any, text: str, to: Organisation | None = None) -> CaseStep:
    """Send the case up to the office above (or a named organisation above), with the reason."""
    _require(can_work_on_case(actor, case))
    text = _note(text)
    if not text:
        raise ActionError(_("Say why the case goes up."))
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        holder = case.assigned_to or case.organisation
        target = to or office_above(holder)
        if target is None or (to is not None and not _is_above(to, holder)):
            raise ActionError(_("There is no level above to refer this case to."))
        now = timezone.now()
        case.status, case.assigned_to, case.handler, case.assigned_at = Status.REFERRED, target, None, None
        case.answer_due = answer_due_from(organisation=case.organisation, category=case.category, tier=case.tier, start=now)
        case.next_escalation_at = case.answer_due
        case.save(
            update_fields=["status", "assigned_to", "handler", "assigned_at", "answer_due", "next_escalation_at", "updated_at"]
        )
        step = _log(case, StepKind.REFERRED, actor, text=text, data={"to": target.pk})
        _tell_new_holders(case, handler=None, moved=True)
    return step


def _is_above(upper: Organisation, lower: Organisation) -> bool:
    """`upper` is a body that answers for more than `lower` does: a town's bodies are above its
    villages, and a village's office is above the village's workgroups. Never a place, a
    dissolved body, `lower` itself, a body beside it or below it."""
    if upper.is_place or upper.dissolved_on is not None or upper.pk == lower.pk:
        return False
    upper_place, lower_place = nearest_place(upper), nearest_place(lower)
    if lower_place.pk != upper_place.pk:
        return lower_place.is_within(upper_place)
    return upper.kind in OFFICE_KINDS and lower.kind not in OFFICE_KINDS


def decline_case(*, case: Case, actor: Any, text: str) -> CaseStep:
    """Refuse the case with a reason the reporter reads (not ours to handle, not a real problem, ...)."""
    _require(can_work_on_case(actor, case))
    text = _note(text)
    if not text:
        raise ActionError(_("Give the reporter the reason."))
    with transaction.atomic():
        case = _locked(case)
        _require_open(case)
        case.status, case.answer, case.closed_at, case.next_escalation_at = Status.DECLINED, text, timezone.now(), None
        case.save(update_fields=["status", "answer", "closed_at", "next_escalation_at", "updated_at"])
        step = _log(case, StepKind.DECLINED, actor, text=text)
    _notify_reporter_later(case, "declined")
    return step


def set_published(*, case: Case, actor: Any, published: bool, text: str = "") -> CaseStep:
    """Keep a case off the public board (or put it back), e.g. when its description would identify someone."""
    _require(can_work_on_case(actor, case))
    with transaction.atomic():
        case = _locked(case)
        if case.published == published:
            raise ActionError(
                _("The case is on the public board already.")
                if published
                else _("The case is off the public board already.")
            )
        case.published = published
        case.save(update_fields=["published", "updated_at"])
        return _log(case, StepKind.NOTE, actor, text=_note(text), public=False, data={"published": published})


def raise_topic(*, cases: Sequence[Case], actor: Any, council: Organisation, title: str, description: str = "") -> Topic:
    """Turn a recurring problem (one or several cases) into a topic for the consultation council."""
    if not cases:
        raise ActionError(_("Choose the cases behind the topic."))
    _require(all(can_raise_topic(actor, case) for case in cases))
    if council.kind != OrganisationKind.CONSULTATION_COUNCIL:
        raise ActionError(_("Topics go to a consultation council."))
    title = title.strip()
    if not title or len(title) > 200:
        raise ActionError(_("Give the topic a title of at most 200 characters."))
    with transaction.atomic():
        topic = Topic.objects.create(
            council=council,
            title=title,
            description=description.strip(),
            source=TopicSource.CASES,
            proposed_by=_signed_in(actor),
        )
        topic.cases.set(cases)
        record_audit(actor=actor, verb="topic.raise", target=topic, data={"cases": [case.code for case in cases]})
        for case in cases:
            _log(case, StepKind.TOPIC, actor, text=title, data={"topic": topic.pk})
    return topic


# -- Time-driven ----------------------------------------------------------------------------------


def escalate_overdue_cases(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Escalate every open case whose deadline passed; returns how many were escalated.

    Each case is escalated in its own transaction under a lock, so two workers (or a handler
    acting at the same moment) never escalate the same deadline twice.
    """
    now = now or timezone.now()
    escalated = 0
    ids = list(Case.objects.due_for_escalation(now).order_by("next_escalation_at").values_list("pk", flat=True)[:batch_size])
    for case_id in ids:
        if escalate_case(case=Case(pk=case_id), now=now) is not None:
            escalated += 1
    return escalated


def escalate_case(*, case: Case, now: datetime.datetime) -> CaseStep | None:
    """One level up: the office above is told and answers for the case too. None if nothing was due."""
    with transaction.atomic():
        case = _locked(case)
        if case.status not in OPEN_STATUSES or case.next_escalation_at is None or case.next_escalation_at > now:
            return None
        # The dispatch deadline is missed once: after that escalation the next one is the answer's.
        undispatched = case.status in UNDISPATCHED_STATUSES and case.next_escalation_at <= case.dispatch_due
        missed = "dispatch" if undispatched else "answer"
        target = office_above(case.escalated_to or case.assigned_to or case.organisation)
        case.escalation_level += 1
        if target is not None:
            case.escalated_to = target
            case.next_escalation_at = answer_due_from(
                organisation=case.organisation, category=case.category, tier=case.tier, start=now
            )
        else:
            case.next_escalation_at = None  # nobody is above: the supervisors have been told
        case.save(update_fields=["escalation_level", "escalated_to", "next_escalation_at", "updated_at"])
        step = _log(
            case,
            StepKind.ESCALATED,
            SYSTEM,
            data={"missed": missed, "level": case.escalation_level, "to": target.pk if target else None},
        )
        told = accounts_to_tell(target, ESCALATION_ROLES) if target else []
        told += accounts_to_tell(case.organisation, (StaffRole.SUPERVISOR,))
        if case.handler_id is not None:
            told.append(case.handler)
        notify(
            users=told,
            subject=_site_language(
                lambda: _("Case %(code)s is overdue and has been escalated.") % {"code": case.code}
            ),
            body=_site_language(lambda: _case_summary(case)),
            url=case.get_absolute_url(),
        )
    return step


def close_unrated_cases(*, now: datetime.datetime | None = None) -> int:
    """Answered cases whose reporter gave no verdict within the feedback window are closed."""
    now = now or timezone.now()
    closed = 0
    ids = Case.objects.filter(status=Status.ANSWERED, answered_at__lt=now - FEEDBACK_WINDOW).values_list("pk", flat=True)
    for case_id in list(ids[:500]):
        with transaction.atomic():
            case = _locked(Case(pk=case_id))
            if case.status == Status.ANSWERED:
                _close(case, SYSTEM, "", now=now)
                closed += 1
    return closed


# -- Shared steps ---------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_open(case: Case) -> None:
    if case.status not in OPEN_STATUSES:
        raise ActionError(_("This case is %(status)s: it cannot be changed now.") % {"status": case.get_status_display()})


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("category", "organisation").get(pk=case.pk)


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise ActionError(_("The text is longer than %(limit)s characters.") % {"limit": MAX_NOTE})
    return text


def _mark_dispatched(case: Case, *, dispatched: bool, status: str = Status.ASSIGNED) -> None:
    """A case with a handler is dispatched: from then on only the answer deadline runs."""
    if not dispatched:
        if case.status in (Status.ASSIGNED, Status.IN_PROGRESS):
            case.status = Status.ACKNOWLEDGED if case.acknowledged_at else Status.SUBMITTED
        return
    if case.status != Status.IN_PROGRESS or status == Status.IN_PROGRESS:
        case.status = status
    case.assigned_at = case.assigned_at or timezone.now()
    if case.next_escalation_at is not None and case.next_escalation_at <= case.dispatch_due:
        case.next_escalation_at = max(case.answer_due, case.next_escalation_at)


def _reopen(case: Case, now: datetime.datetime) -> None:
    case.status, case.closed_at = Status.REOPENED, None
    case.answer_due = answer_due_from(organisation=case.organisation, category=case.category, tier=case.tier, start=now)
    case.next_escalation_at = case.answer_due


def _signed_in(actor: Any) -> Any:
    """The actor's account, or None for an anonymous visitor or the system."""
    return actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None


def _person_name(user: Any) -> str:
    person = getattr(user, "person", None) if user is not None else None
    return person.display_name if person is not None else (user.get_full_name() or user.get_username())


def _reporter_actor(case: Case, actor: Any) -> Any:
    """The reporter's own steps carry their account only when the case is theirs and not anonymous."""
    account = _signed_in(actor)
    if account is not None and case.reporter_id == account.pk and not case.is_anonymous:
        return account
    return REPORTER


def _log(
    case: Case,
    kind: str,
    actor: Any,
    *,
    text: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
    label: str | None = None,
) -> CaseStep:
    """Append a step to the ledger and chain it into the audit log, in the caller's transaction.

    `label` replaces the actor's name where readers see it: the reporter's own steps read
    "Reporter", so that a hidden name never shows on the tracking page.
    """
    account = _signed_in(actor)
    if label is None:
        label = _person_name(account) if account is not None else str(actor or "")
    step = CaseStep.objects.create(
        case=case,
        kind=kind,
        actor=account,
        actor_label=label[:200],
        status=case.status,
        text=text,
        public=public,
        data=data or {},
    )
    record_audit(
        actor=actor,
        verb=f"case.{kind}",
        target=case,
        data={
            "step": step.pk,
            "status": case.status,
            "public": public,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            **(data or {}),
        },
    )
    return step


def _tell_new_holders(case: Case, *, handler: Any, moved: bool) -> None:
    users = [handler] if handler is not None else []
    if moved and case.assigned_to_id is not None:
        users += accounts_to_tell(case.assigned_to, HANDLER_ROLES)
    if users:
        notify(
            users=users,
            subject=_site_language(
                lambda: _("Case %(code)s is assigned to you: %(title)s") % {"code": case.code, "title": case.title}
            ),
            body=_site_language(lambda: _case_summary(case)),
            url=case.get_absolute_url(),
        )


def _case_summary(case: Case) -> str:
    return _("%(category)s in %(place)s, to be answered by %(due)s.\n\n%(description)s") % {
        "category": case.category.display_name,
        "place": case.organisation.display_name,
        "due": deadline_text(case.answer_due),
        "description": case.description,
    }


def _site_language(render: Any) -> str:
    """Words for other people are written in the site's language, not the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(render())


def _notify_reporter_later(case: Case, event: str) -> None:
    """After commit, tell the reporter (by email, and in the app if they have an account)."""
    if case.is_anonymous or not (case.reporter_email or case.reporter_id):
        return
    from .tasks import notify_reporter

    transaction.on_commit(lambda: notify_reporter.enqueue(case_id=case.pk, event=event))


def open_case_for_reporter(*, code: str, pin: str = "", actor: Any = None) -> Case:
    """The case behind a tracking code, for whoever holds it (and its PIN, when it has one)."""
    from .models import normalise_tracking_code

    case = Case.objects.select_related("category", "organisation", "assigned_to").filter(
        code=normalise_tracking_code(code)
    ).first()
    if case is None:
        raise ActionError(_("No case has this tracking code."), status=404, code="not_found")
    if case.has_pin and not case.check_pin(pin) and not can_view_case(actor, case):
        raise ActionError(_("The PIN does not match this case."), status=403, code="wrong_pin")
    return case
