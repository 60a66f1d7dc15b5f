"""The duty rota's state: an organisation's pool of volunteers and their unavailable days, and the
rotas planned from it (weeks, turns, the seats left empty).

A rota is planned by `tongxin.duty.rota.plan` (see `actions.plan_rota`); the database keeps what
is cheap to keep there: one turn per volunteer a week, one gap row per week and seat.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import Organisation, Person


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def of(self, organisation: Organisation) -> VolunteerQuerySet:
        return self.filter(organisation=organisation)

    def active(self) -> VolunteerQuerySet:
        return self.filter(active=True)


class Volunteer(models.Model):
    """A person in an organisation's pool of one-week secretaries."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("pool of"), on_delete=models.PROTECT, related_name="duty_volunteers"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="duty_volunteering")
    home_village = models.ForeignKey(
        Organisation,
        verbose_name=_("home village"),
        help_text=_("Kept off this village's team when the rota avoids home villages."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    experienced = models.BooleanField(_("experienced"), default=False)
    preferences = models.TextField(_("preferences"), blank=True)
    joined_on = models.DateField(_("joined the pool"))
    active = models.BooleanField(_("in the pool"), default=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "person__name", "pk"]
        verbose_name = _("duty volunteer")
        verbose_name_plural = _("duty volunteers")
        indexes = [models.Index(fields=["organisation", "active"])]
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="one_volunteer_per_pool")]

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("duty:volunteer", args=[self.pk])


class Unavailability(models.Model):
    """A day a volunteer cannot serve: the whole week around it is kept free."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="unavailable_days"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["volunteer", "date"]
        verbose_name = _("unavailable day")
        verbose_name_plural = _("unavailable days")
        constraints = [models.UniqueConstraint(fields=["volunteer", "date"], name="one_unavailability_per_day")]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.date}"


class RotaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RotaQuerySet(models.QuerySet["Rota"]):
    def of(self, organisation: Organisation) -> RotaQuerySet:
        return self.filter(organisation=organisation)

    def published(self) -> RotaQuerySet:
        return self.filter(status=RotaStatus.PUBLISHED)


class Rota(models.Model):
    """Weeks of duty from `start`: a team per village and floating troubleshooters each week."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="duty_rotas"
    )
    start = models.DateField(_("first week starts"))
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    team_size = models.PositiveSmallIntegerField(_("secretaries per village"))
    troubleshooters = models.PositiveSmallIntegerField(_("troubleshooters per week"))
    avoid_home_village = models.BooleanField(_("keep volunteers off their home village's team"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=RotaStatus.choices, default=RotaStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("planned"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = RotaQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("duty rota")
        verbose_name_plural = _("duty rotas")
        indexes = [models.Index(fields=["organisation", "status", "-start"])]
        constraints = [
            models.CheckConstraint(condition=Q(weeks__gte=1), name="rota_has_weeks"),
            models.CheckConstraint(condition=Q(team_size__gte=1), name="rota_has_teams"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="rota_published_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.start:%Y-%m-%d} · {self.weeks}"

    def get_absolute_url(self) -> str:
        return reverse("duty:rota", args=[self.pk])

    @property
    def end(self) -> datetime.date:
        """The last day of the last week."""
        return self.start + datetime.timedelta(weeks=self.weeks, days=-1)

    @property
    def is_draft(self) -> bool:
        return self.status == RotaStatus.DRAFT


class RotaWeek(models.Model):
    rota = models.ForeignKey(Rota, verbose_name=_("rota"), on_delete=models.CASCADE, related_name="rota_weeks")
    number = models.PositiveSmallIntegerField(_("week"))  # 1, 2, ...
    start = models.DateField(_("starts"))

    class Meta:
        ordering = ["rota", "number"]
        verbose_name = _("rota week")
        verbose_name_plural = _("rota weeks")
        constraints = [models.UniqueConstraint(fields=["rota", "number"], name="one_rota_week_per_number")]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}"

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)


class DutyTurn(models.Model):
    """A volunteer's week on a village's team, or as a troubleshooter (`village` empty).

    `planned_volunteer` is whom the planner chose, kept when the organisation replaces them.
    """

    week = models.ForeignKey(RotaWeek, verbose_name=_("week"), on_delete=models.CASCADE, related_name="turns")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="turns")
    village = models.ForeignKey(
        Organisation, verbose_name=_("village"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("planned volunteer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)
    # The duty-officer role over the village (over the organisation for a troubleshooter) for
    # the week, while the rota is published: see `actions.grant_turn`.
    grant = models.OneToOneField(
        "community.RoleGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="duty_turn"
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)

    class Meta:
        ordering = ["week", "village", "pk"]
        verbose_name = _("duty turn")
        verbose_name_plural = _("duty turns")
        constraints = [models.UniqueConstraint(fields=["week", "volunteer"], name="one_turn_per_volunteer_a_week")]
        indexes = [models.Index(fields=["volunteer", "week"])]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.week}"

    @property
    def is_troubleshooter(self) -> bool:
        return self.village_id is None

    @property
    def was_replaced(self) -> bool:
        return self.planned_volunteer_id is not None and self.planned_volunteer_id != self.volunteer_id


class DutyGap(models.Model):
    """Seats of a week nobody could take: on a village's team, or troubleshooters (`village` empty)."""

    week = models.ForeignKey(RotaWeek, verbose_name=_("week"), on_delete=models.CASCADE, related_name="gaps")
    village = models.ForeignKey(
        Organisation, verbose_name=_("village"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    missing = models.PositiveSmallIntegerField(_("empty seats"))
    alerted_at = models.DateTimeField(_("organisation alerted"), null=True, blank=True)

    class Meta:
        ordering = ["week", "village", "pk"]
        verbose_name = _("empty seat")
        verbose_name_plural = _("empty seats")
        constraints = [
            models.CheckConstraint(condition=Q(missing__gte=1), name="gap_misses_a_seat"),
            models.UniqueConstraint(fields=["week", "village"], name="one_gap_per_team"),
            models.UniqueConstraint(fields=["week"], condition=Q(village__isnull=True), name="one_troubleshooter_gap"),
        ]

    def __str__(self) -> str:
        return f"{self.week} · {self.missing}"


# ---------------------------------------------------------------------------------------------
# A team's week in its village: the morning meetings and the problems heard there (each one a
# case on the duty-officer channel), the same-day follow-ups, the tasks on the bulletin, the
# volunteers' diaries and the handover to the next team. A "team" is (week, village).


class MorningMeeting(models.Model):
    """The team's meeting with villagers one morning of its week: who came, what was raised."""

    week = models.ForeignKey(RotaWeek, verbose_name=_("week"), on_delete=models.PROTECT, related_name="meetings")
    village = models.ForeignKey(Organisation, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    villagers_present = models.PositiveIntegerField(_("villagers who came"), default=0)
    officials_present = models.CharField(_("village officials present"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("morning meeting")
        verbose_name_plural = _("morning meetings")
        constraints = [models.UniqueConstraint(fields=["village", "held_on"], name="one_morning_meeting_a_day")]
        indexes = [models.Index(fields=["week", "village"])]

    def __str__(self) -> str:
        return f"{self.village} · {self.held_on:%Y-%m-%d}"


class MeetingProblem(models.Model):
    """A problem raised at a morning meeting, filed as a case on the duty-officer channel.

    Who raised it lives on the case only (hidden or anonymous as the villager chose), never here.
    """

    meeting = models.ForeignKey(
        MorningMeeting, verbose_name=_("morning meeting"), on_delete=models.PROTECT, related_name="problems"
    )
    case = models.OneToOneField(
        "feedback.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="duty_problem"
    )
    number = models.PositiveSmallIntegerField(_("number"))  # 1, 2, ... within the meeting

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("problem raised")
        verbose_name_plural = _("problems raised")
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="one_problem_per_number")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.number}"


class FollowUp(models.Model):
    """The team taking a problem to the village's officials (the same day, as a rule)."""

    problem = models.ForeignKey(
        MeetingProblem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    held_on = models.DateField(_("followed up on"))
    officials = models.CharField(_("officials met"), max_length=300)
    outcome = models.TextField(_("what was agreed"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["problem", "held_on", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.problem} · {self.held_on:%Y-%m-%d}"


class WeeklyTask(models.Model):
    """A task of a village's team for its week, shown on the bulletin with its progress."""

    week = models.ForeignKey(RotaWeek, verbose_name=_("week"), on_delete=models.PROTECT, related_name="tasks")
    village = models.ForeignKey(Organisation, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("task"), max_length=200)
    progress = models.TextField(_("progress"), blank=True)
    done = models.BooleanField(_("done"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["week", "village", "pk"]
        verbose_name = _("weekly task")
        verbose_name_plural = _("weekly tasks")
        indexes = [models.Index(fields=["week", "village"])]

    def __str__(self) -> str:
        return self.title


class DiaryEntry(models.Model):
    """A volunteer's diary of one day of their turn."""

    turn = models.ForeignKey(DutyTurn, verbose_name=_("turn"), on_delete=models.PROTECT, related_name="diary")
    day = models.DateField(_("day"))
    text = models.TextField(_("what I did"))
    written_at = models.DateTimeField(_("written"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["turn", "day"]
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        constraints = [models.UniqueConstraint(fields=["turn", "day"], name="one_diary_entry_a_day")]

    def __str__(self) -> str:
        return f"{self.turn} · {self.day:%Y-%m-%d}"


class Handover(models.Model):
    """What a village's team leaves the next one; the open problems are carried over on their own."""

    week = models.ForeignKey(RotaWeek, verbose_name=_("week"), on_delete=models.PROTECT, related_name="handovers")
    village = models.ForeignKey(Organisation, verbose_name=_("village"), on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("handover notes"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField(_("written"), auto_now=True)

    class Meta:
        ordering = ["week", "village"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [models.UniqueConstraint(fields=["week", "village"], name="one_handover_per_team")]

    def __str__(self) -> str:
        return f"{self.village} · {self.week}"


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked")
    ACCEPTED = "accepted", _("Agreed by the other volunteer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined by the other volunteer")
    REFUSED = "refused", _("Refused by the organisation")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_SWAP_STATUSES = (SwapStatus.REQUESTED, SwapStatus.ACCEPTED)


class SwapRequest(models.Model):
    """Two volunteers of a published rota exchange turns: one asks, the other agrees, the
    organisation approves (and the rules of the rota still hold)."""

    turn = models.ForeignKey(DutyTurn, verbose_name=_("turn given"), on_delete=models.CASCADE, related_name="swaps_asked")
    other_turn = models.ForeignKey(
        DutyTurn, verbose_name=_("turn taken"), on_delete=models.CASCADE, related_name="swaps_offered"
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=SwapStatus.choices, default=SwapStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            models.CheckConstraint(condition=~Q(turn=models.F("other_turn")), name="swap_between_two_turns"),
            models.UniqueConstraint(
                fields=["turn"], condition=Q(status__in=["requested", "accepted"]), name="one_open_swap_per_turn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.turn} ⇄ {self.other_turn}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SWAP_STATUSES
