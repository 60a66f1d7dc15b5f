"""Organisations, people, memberships and scoped roles."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from tongxin.core.i18n import localised


class Level(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town or street")
    VILLAGE = "village", _("Village or community")
    GRID = "grid", _("Grid")


class OrganisationKind(models.TextChoices):
    # Places: the tree's spine.
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    STREET = "street", _("Street")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Urban community")
    GRID = "grid", _("Grid")
    # Bodies that sit in a place.
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_BRANCH = "party_branch", _("Party branch")
    GOVERNMENT = "government", _("Government")
    VILLAGE_COMMITTEE = "village_committee", _("Village or neighbourhood committee")
    CONSULTATION_COUNCIL = "consultation_council", _("Consultation council")
    COUNCIL_OFFICE = "council_office", _("Council office")
    SUPERVISION_GROUP = "supervision_group", _("Supervision group")
    WORKGROUP = "workgroup", _("Workgroup")
    LEADING_PARTY_GROUP = "leading_party_group", _("Leading party members' group")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")


PLACE_KINDS = {
    OrganisationKind.CITY: Level.CITY,
    OrganisationKind.TOWN: Level.TOWN,
    OrganisationKind.STREET: Level.TOWN,
    OrganisationKind.VILLAGE: Level.VILLAGE,
    OrganisationKind.COMMUNITY: Level.VILLAGE,
    OrganisationKind.GRID: Level.GRID,
}


def kinds_at_level(level: str) -> list[str]:
    """The kinds of place at one level: towns and streets are both at the town level."""
    return [kind for kind, place_level in PLACE_KINDS.items() if place_level == level]


class Formation(models.TextChoices):
    ELECTED = "elected", _("Elected")
    APPOINTED = "appointed", _("Appointed")
    CONSTITUTED = "constituted", _("Constituted by its members")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(dissolved_on__isnull=True)

    def places(self) -> OrganisationQuerySet:
        return self.filter(kind__in=list(PLACE_KINDS))

    def bodies(self) -> OrganisationQuerySet:
        return self.exclude(kind__in=list(PLACE_KINDS))

    def at_level(self, level: str) -> OrganisationQuerySet:
        """Places of one level: `at_level(Level.TOWN)` gives towns and streets."""
        return self.filter(kind__in=kinds_at_level(level))

    def listed(self) -> OrganisationQuerySet:
        """Only the columns that lists and links show: names, kind, place in the tree, approver."""
        return self.only("name", "name_en", "kind", "parent", "path", "approved_by")

    def parts_or_answering_to(self, organisation: Organisation) -> OrganisationQuerySet:
        """What sits directly in the organisation, and the groups that answer to it."""
        return self.filter(Q(parent=organisation) | Q(approved_by=organisation))

    def within(self, organisation: Organisation) -> OrganisationQuerySet:
        """The organisation and everything below it."""
        return self.filter(path__startswith=organisation.path)

    def within_any(self, organisations: list[Organisation]) -> OrganisationQuerySet:
        if not organisations:
            return self.none()
        condition = Q()
        for organisation in organisations:
            condition |= Q(path__startswith=organisation.path)
        return self.filter(condition)

    def bodies_by_place(self, places: list[Organisation]) -> dict[int, list[Organisation]]:
        """The bodies whose nearest place is each of `places`, keyed by the place's id.

        Walks down one level of bodies per query (a council, then its office), so the cost is
        the nesting depth of bodies, not the number of places.
        """
        found: dict[int, list[Organisation]] = {place.pk: [] for place in places}
        owner = {place.pk: place.pk for place in places}
        parents = list(owner)
        while parents:
            level = list(self.bodies().filter(parent_id__in=parents).order_by("pk"))
            for body in level:
                owner[body.pk] = owner[body.parent_id]
                found[owner[body.pk]].append(body)
            parents = [body.pk for body in level]
        return found


class Organisation(models.Model):
    """A place (city, town, village, grid) or a body in it (party branch, council, workgroup, ...).

    `path` is the chain of ids from the root, "/1/4/17/", so a subtree is one indexed prefix query.
    """

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    formation = models.CharField(_("formed by"), max_length=16, choices=Formation.choices, blank=True)
    approved_by = models.ForeignKey(
        "self",
        verbose_name=_("answers to"),
        help_text=_("For an appointed group: the organisation that approved it and to which it answers."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_groups",
    )
    composition_rule_set = models.CharField(
        _("composition rules"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the default rules for this kind of organisation."),
    )
    composition_overrides = models.JSONField(
        _("adjusted composition numbers"), default=dict, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved"), null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_en)

    @property
    def display_description(self) -> str:
        return localised(self.description, self.description_en)

    def get_absolute_url(self) -> str:
        return reverse("community:organisation", args=[self.pk])

    @property
    def is_place(self) -> bool:
        return self.kind in PLACE_KINDS

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def ancestors(self) -> OrganisationQuerySet:
        return Organisation.objects.filter(pk__in=self.ancestor_ids).order_by("path")

    def place(self) -> Organisation | None:
        """The nearest place at or above this organisation: one query at most per instance and path."""
        if self.is_place:
            return self
        if Organisation.parent.is_cached(self) and self.parent is not None and self.parent.is_place:
            return self.parent  # most bodies sit right in their place, and pages load the parent anyway
        path, place = self.__dict__.get("_nearest_place", ("", None))
        if path != self.path:
            # Keyed by the path, so a move (which changes it) is never answered from before the move.
            place = self.ancestors().filter(kind__in=list(PLACE_KINDS)).order_by("-path").first()
            self.__dict__["_nearest_place"] = (self.path, place)
        return place

    @property
    def level(self) -> str | None:
        """City, town, village or grid: the level of the nearest place."""
        place = self.place()
        return PLACE_KINDS[OrganisationKind(place.kind)] if place else None

    def is_within(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["update_fields"] = ["path"]
        new_path = self._parent_path() + f"{self.pk}/"
        if new_path != self.path:
            old_path = self.path
            if old_path and new_path.startswith(old_path):
                raise ValueError("An organisation cannot be moved inside itself.")
            self.path = new_path
            if old_path:
                self._move_descendants(old_path, new_path)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "path"}
        super().save(*args, **kwargs)

    def _parent_path(self) -> str:
        if self.parent_id is None:
            return "/"
        # Read the parent's path from the database: the parent in memory may predate a move.
        return Organisation.objects.values_list("path", flat=True).get(pk=self.parent_id)

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        # One UPDATE for the whole subtree: a town with a thousand grids moves in one statement.
        Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=models.CharField())
        )


class Sector(models.Model):
    """A part of society a council member may represent (enterprises, veteran cadres, ...)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return localised(self.name, self.name_en)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class PartyStatus(models.TextChoices):
    FULL = "full", _("Full party member")
    PROBATIONARY = "probationary", _("Probationary party member")
    NON_PARTY = "non_party", _("Non-party")


class PersonQuerySet(models.QuerySet["Person"]):
    def living_in(self, organisation: Organisation) -> PersonQuerySet:
        return self.filter(home__path__startswith=organisation.path)


class Person(models.Model):
    """A resident or member. Personal fields are shown only to those permissions allow."""

    name = models.CharField(_("name"), max_length=100)
    surname = models.CharField(
        _("surname"), max_length=10, blank=True, help_text=_("Empty: the first character of the name.")
    )
    name_latin = models.CharField(_("name in Latin letters"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, null=True, blank=True, unique=True)
    email = models.EmailField(_("email"), blank=True)
    party_status = models.CharField(
        _("party status"), max_length=16, choices=PartyStatus.choices, default=PartyStatus.NON_PARTY
    )
    home = models.ForeignKey(
        Organisation,
        verbose_name=_("home village or community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["home", "name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localised(self.name, self.name_latin)

    @property
    def family_name(self) -> str:
        return self.surname or self.name[:1]

    def get_absolute_url(self) -> str:
        return reverse("community:person", args=[self.pk])

    def age_on(self, day: datetime.date) -> int | None:
        return day.year - self.birth_year if self.birth_year else None


class Role(models.TextChoices):
    """What a member does in an organisation."""

    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    HEAD = "head", _("Head")
    DEPUTY_HEAD = "deputy_head", _("Deputy head")
    MEMBER = "member", _("Member")


LEADING_ROLES = {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.CHAIR, Role.VICE_CHAIR, Role.HEAD, Role.DEPUTY_HEAD}
COMMITTEE_ROLES = {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER}


class Obtained(models.TextChoices):
    ELECTED = "elected", _("Elected")
    APPOINTED = "appointed", _("Appointed")
    CO_OPTED = "co_opted", _("Co-opted")
    EX_OFFICIO = "ex_officio", _("By office")
    JOINED = "joined", _("Joined")


# Kept as msgids (translated when used) so that makemessages still finds each one.
OBTAINED_FROM_PHRASES = {
    Obtained.ELECTED: gettext_noop("Elected by %(body)s"),
    Obtained.APPOINTED: gettext_noop("Appointed by %(body)s"),
    Obtained.CO_OPTED: gettext_noop("Co-opted by %(body)s"),
    Obtained.JOINED: gettext_noop("Joined through %(body)s"),
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: datetime.date | None = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))

    def in_organisation(self, organisation: Organisation) -> MembershipQuerySet:
        return self.filter(organisation=organisation)


class Membership(models.Model):
    """A person's seat in an organisation for a term: role, how it was obtained, the sector represented."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.MEMBER)
    obtained = models.CharField(_("how obtained"), max_length=16, choices=Obtained.choices)
    obtained_from = models.ForeignKey(
        Organisation,
        verbose_name=_("elected or appointed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector represented"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("from"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    end_date = models.DateField(_("left on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "role", "person__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["organisation", "end_date"]), models.Index(fields=["person", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.organisation}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    def term_phrase(self) -> str:
        """The seat's term in words: until it ended, else until its term ends, else open."""
        start = date_format(self.start_date, "DATE_FORMAT")
        end = self.end_date or self.term_end
        if end is None:
            return gettext("since %(start)s") % {"start": start}
        return gettext("%(start)s to %(end)s") % {"start": start, "end": date_format(end, "DATE_FORMAT")}

    def obtained_phrase(self) -> str:
        """How the seat was obtained, and from which body, as one phrase ("Elected by ...")."""
        body = self.obtained_from.display_name if self.obtained_from_id else ""
        if self.obtained == Obtained.EX_OFFICIO:
            if body:
                return gettext("Because of their post in %(body)s") % {"body": body}
            return gettext("Because of their post")
        if not body:
            return self.get_obtained_display()
        phrase = OBTAINED_FROM_PHRASES.get(self.obtained, OBTAINED_FROM_PHRASES[Obtained.JOINED])
        return gettext(phrase) % {"body": body}


class StaffRole(models.TextChoices):
    """What an account may do, over an organisation and everything below it."""

    ADMIN = "admin", _("Organisation administrator")
    OFFICE = "office", _("Council office")
    SUPERVISOR = "supervisor", _("Supervision")
    HANDLER = "handler", _("Case handler")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    ELECTION_COMMITTEE = "election_committee", _("Election committee")


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self, at: datetime.datetime | None = None) -> RoleGrantQuerySet:
        """Grants in force at `at` (now): not revoked, and within their window if they have one."""
        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=moment), Q(ends_at__isnull=True) | Q(ends_at__gt=moment)
        )


class RoleGrant(models.Model):
    """An account holds a staff role over an organisation's subtree until the grant is revoked.

    A grant may also hold for a window only: a one-week secretary is the village's duty officer
    from the Monday of their week to the Monday after (the duty app grants it with the rota).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=32, choices=StaffRole.choices)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("over"), on_delete=models.PROTECT, related_name="role_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(revoked_at__isnull=True, ends_at__isnull=True),
                name="one_active_grant_per_role_and_scope",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="grant_window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
