"""Resident feedback: categories, routing and deadline settings, the case and its ledger."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import Organisation
from tongxin.core.i18n import localised

from .deadlines import Tier, Unit


class TierChoices(models.TextChoices):
    EMERGENCY = Tier.EMERGENCY.value, _("Emergency (danger to life or property)")
    UTILITIES = Tier.UTILITIES.value, _("Utilities (water, power, gas, heating)")
    GENERAL = Tier.GENERAL.value, _("General")
    COMPLEX = Tier.COMPLEX.value, _("Complex")


class UnitChoices(models.TextChoices):
    HOURS = Unit.HOURS.value, _("hours")
    DAYS = Unit.DAYS.value, _("days")
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")


class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)


class Category(models.Model):
    """What a case is about; an Open311 service. Its tier sets the default deadlines."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    group = models.CharField(_("group"), max_length=100, blank=True, help_text=_("Shown as a heading in lists."))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    tier = models.CharField(_("deadline tier"), max_length=16, choices=TierChoices.choices, default=Tier.GENERAL)
    notice = models.CharField(
        _("notice to reporters"), max_length=300, blank=True, help_text=_("Shown with each case, e.g. usual response times.")
    )
    active = models.BooleanField(_("accepting cases"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return localised(self.description, self.description_en)


class AttributeType(models.TextChoices):
    """The Open311 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One choice from a list")
    MULTI = "multivaluelist", _("Several choices from a list")


class CategoryAttribute(models.Model):
    """An extra question a category asks (Open311 service definition attribute).

    `values` is a list of {"key": ..., "name": ..., "name_en": ...} for the list types.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=50)
    description = models.CharField(_("question"), max_length=200)
    description_en = models.CharField(_("English question"), max_length=200, blank=True)
    datatype = models.CharField(_("answer type"), max_length=16, choices=AttributeType.choices)
    required = models.BooleanField(_("required"), default=False)
    values = models.JSONField(_("choices"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["category", "order", "code"]
        verbose_name = _("category question")
        verbose_name_plural = _("category questions")
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="one_attribute_code_per_category")]

    def __str__(self) -> str:
        return self.display_description

    @property
    def display_description(self) -> str:
        return localised(self.description, self.description_en)


class DeadlinePolicy(models.Model):
    """Dispatch and answer periods of a tier, for an organisation's subtree and/or a category.

    The most specific policy wins (see `deadline_rule`); with none, the defaults of RULES.md §3.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tier = models.CharField(_("deadline tier"), max_length=16, choices=TierChoices.choices)
    dispatch_amount = models.PositiveIntegerField(_("dispatch within"))
    dispatch_unit = models.CharField(_("unit"), max_length=16, choices=UnitChoices.choices)
    answer_amount = models.PositiveIntegerField(_("answer within"))
    answer_unit = models.CharField(_("unit"), max_length=16, choices=UnitChoices.choices)

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            # Coalesce: "site-wide" (NULL) counts as one scope on every database, SQLite included.
            models.UniqueConstraint(
                Coalesce("organisation", 0), Coalesce("category", 0), "tier", name="one_deadline_policy_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.organisation or '*'} · {self.category or '*'}"


class CalendarDay(models.Model):
    """A day that breaks the usual week: a public holiday, or a weekend day made a working day.

    With no organisation it applies everywhere; an organisation's days apply to its subtree.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    working = models.BooleanField(_("working day"), help_text=_("Ticked: a make-up working day. Unticked: a holiday."))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        constraints = [
            models.UniqueConstraint(Coalesce("organisation", 0), "day", name="one_calendar_entry_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class RoutingRule(models.Model):
    """Cases of a category (or of any category) in an organisation's subtree go to a workgroup."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("for cases in"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        help_text=_("Empty: every category."),
    )
    workgroup = models.ForeignKey(
        Organisation, verbose_name=_("handled by"), on_delete=models.CASCADE, related_name="routed_here"
    )
    priority = models.SmallIntegerField(_("priority"), default=0, help_text=_("Higher wins between equal rules."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation", "-priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.category or '*'} → {self.workgroup}"


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    KIOSK = "kiosk", _("Community screen")
    RECEPTION = "reception", _("Reception desk")
    DUTY = "duty", _("Duty officer")
    HOTLINE = "hotline", _("Hotline")
    INTERACTION_DAY = "interaction_day", _("Online interaction day")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311 application")


# Channels where a member of staff types the case in for the resident.
STAFF_CHANNELS = {Channel.RECEPTION, Channel.DUTY, Channel.HOTLINE}


class Privacy(models.TextChoices):
    PUBLIC = "public", _("My name may be shown")
    HIDDEN = "hidden", _("Hide my name from the public")
    ANONYMOUS = "anonymous", _("Anonymous")


class Kind(models.TextChoices):
    PROBLEM = "problem", _("Problem")
    REQUEST = "request", _("Request")
    SUGGESTION = "suggestion", _("Suggestion")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")
    REFERRED = "referred", _("Referred up")
    DECLINED = "declined", _("Declined")


# Someone still owes the reporter an answer.
OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REOPENED, Status.REFERRED}
)
# Not yet in a workgroup's hands: the dispatch deadline still runs.
UNDISPATCHED_STATUSES = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED, Status.REFERRED})
FINISHED_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.DECLINED})

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


def new_tracking_code() -> str:
    """"7K3M-9QPA": 40 bits of randomness, in two groups a resident can read to a handler."""
    chars = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise_tracking_code(text: str) -> str:
    """Accept the code as people type it: "7k3m9qpa", "7K3M 9QPA", "7K3M－9QPA" are all "7K3M-9QPA"."""
    chars = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    return f"{chars[:4]}-{chars[4:]}" if len(chars) == 8 else chars


def deadline_text(moment: datetime.datetime | None) -> str:
    """A deadline in local time, as people read it; one at midnight is the end of the day before.

    Working-day deadlines fall at the midnight after their last day: "Dec. 4, 2026, end of the
    day" says what "Dec. 5, 2026, midnight" leaves the reader to work out.
    """
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.time() == datetime.time(0):
        last_day = local.date() - datetime.timedelta(days=1)
        return gettext("%(day)s, end of the day") % {"day": date_format(last_day, "DATE_FORMAT")}
    return date_format(local, "DATETIME_FORMAT")


class CaseQuerySet(models.QuerySet["Case"]):
    def within(self, organisation: Organisation) -> CaseQuerySet:
        """Cases whose place is the organisation or anything below it."""
        return self.filter(organisation__path__startswith=organisation.path)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def published(self) -> CaseQuerySet:
        """What the public board and the open data may list (public fields only, still)."""
        return self.filter(published=True).exclude(status=Status.MERGED)

    def submitted_between(self, start: datetime.datetime, end: datetime.datetime) -> CaseQuerySet:
        return self.filter(submitted_at__gte=start, submitted_at__lt=end)

    def due_for_escalation(self, now: datetime.datetime) -> CaseQuerySet:
        return self.filter(next_escalation_at__lte=now, status__in=OPEN_STATUSES)

    def overdue(self, now: datetime.datetime | None = None) -> CaseQuerySet:
        return self.open().filter(answer_due__lt=now or timezone.now())

    def handled_by(self, organisation: Organisation) -> CaseQuerySet:
        return self.filter(Q(assigned_to=organisation) | Q(escalated_to=organisation))


class Case(models.Model):
    """A problem, request or suggestion from a resident, from any channel, followed to its answer.

    Reporter fields are empty for an anonymous case: nothing links it to anyone, and the
    tracking code (with the optional PIN) is the only way back to it.
    """

    code = models.CharField(_("tracking code"), max_length=16, unique=True, default=new_tracking_code)
    pin_hash = models.CharField(max_length=128, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROBLEM)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases")
    tier = models.CharField(_("deadline tier"), max_length=16, choices=TierChoices.choices)
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("answers to the category's questions"), default=dict, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("place"), on_delete=models.PROTECT, related_name="cases"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    privacy = models.CharField(_("privacy"), max_length=16, choices=Privacy.choices)
    reporter_name = models.CharField(_("reporter's name"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_cases",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    assigned_to = models.ForeignKey(
        Organisation,
        verbose_name=_("workgroup"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_cases",
    )
    escalated_to = models.ForeignKey(
        Organisation,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_cases",
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    language = models.CharField(_("reporter's language"), max_length=10, blank=True)
    published = models.BooleanField(
        _("on the public board"), default=True, help_text=_("Unticked: kept off the public board and open data.")
    )
    answer = models.TextField(_("answer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    dispatch_due = models.DateTimeField(_("dispatch by"))
    answer_due = models.DateTimeField(_("answer by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    next_escalation_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "-submitted_at"]),
            models.Index(fields=["assigned_to", "status", "-submitted_at"]),
            models.Index(fields=["escalated_to", "status"]),
            models.Index(fields=["category", "-submitted_at"]),
            models.Index(fields=["-submitted_at", "-id"]),
            models.Index(fields=["updated_at"]),
            models.Index(fields=["reporter", "-submitted_at"]),
            models.Index(
                fields=["next_escalation_at"], name="case_escalation_due", condition=Q(next_escalation_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(privacy="anonymous")
                | (Q(reporter_name="") & Q(reporter_phone="") & Q(reporter_email="") & Q(reporter__isnull=True)),
                name="anonymous_case_has_no_reporter",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("feedback:case", args=[self.code])

    def get_tracking_url(self) -> str:
        return reverse("feedback:track", args=[self.code])

    @property
    def title(self) -> str:
        """The first line of the description, cut to a headline."""
        first_line = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first_line if len(first_line) <= 40 else first_line[:39] + "…"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymous(self) -> bool:
        return self.privacy == Privacy.ANONYMOUS

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def check_pin(self, pin: str) -> bool:
        return not self.pin_hash or check_password(pin.strip(), self.pin_hash)

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        return self.is_open and self.answer_due < (now or timezone.now())

    @property
    def public_reporter_name(self) -> str:
        """What the public may read about who reported: the name only when the reporter allowed it."""
        return self.reporter_name if self.privacy == Privacy.PUBLIC else ""

    @property
    def awaits_feedback(self) -> bool:
        return self.status == Status.ANSWERED and self.feedback_at is None


class StepKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    TAKEN = "taken", _("Taken up")
    PROGRESS = "progress", _("Progress")
    NOTE = "note", _("Internal note")
    ANSWERED = "answered", _("Answered")
    FEEDBACK = "feedback", _("Reporter's verdict")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    REFERRED = "referred", _("Referred up")
    DECLINED = "declined", _("Declined")
    ESCALATED = "escalated", _("Escalated")
    TOPIC = "topic", _("Raised as a consultation topic")
    PHOTO = "photo", _("Photo added")


class CaseStep(models.Model):
    """One entry of a case's ledger: who, when, what, a note, attachments. Never changed or deleted.

    The database refuses UPDATE and DELETE on this table, and each step is chained into the
    audit log (with a digest of its text) in the transaction that writes it.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=16, choices=StepKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # the ledger outlives accounts, like the audit chain
    )
    actor_label = models.CharField(_("by"), max_length=200, blank=True)
    status = models.CharField(_("status after"), max_length=16, choices=Status.choices)
    text = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the reporter"), default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_kind_display()}"

    @property
    def actor_display(self) -> str:
        """Who took the step, as staff read it: the reporter and the system by role, staff by name."""
        return {"system:reporter": gettext("Reporter"), "system:tongxin": gettext("Tongxin (automatic)")}.get(
            self.actor_label, self.actor_label
        )

    def public_actor_display(self, case: Case) -> str:
        """Who took the step, as the reporter reads it: staff by the unit handling the case, not by name."""
        if self.actor_label.startswith("system:") or self.actor_id is None:
            return self.actor_display
        return case.assigned_to.display_name if case.assigned_to_id else gettext("Case handler")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Case steps are never changed.")
        super().save(*args, **kwargs)


def photo_path(instance: CasePhoto, filename: str) -> str:
    # A random name: a photo's address reveals nothing and cannot be guessed from another's.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "jpg"
    return f"cases/{timezone.now():%Y/%m}/{secrets.token_urlsafe(16)}.{extension}"


class CasePhoto(models.Model):
    """A picture attached to a case or a step, re-encoded without location or camera data."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos")
    step = models.ForeignKey(CaseStep, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name

    def get_absolute_url(self) -> str:
        return reverse("feedback:photo", args=[self.case.code, self.pk])


class ResponseTemplate(models.Model):
    """A reusable answer or note for handlers, for an organisation's subtree and optionally a category."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title
