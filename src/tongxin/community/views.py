"""The community pages: home, organisations, people, and the management forms that call the actions."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Choices, Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.accounts.backends import normalise_phone
from tongxin.core.errors import ActionError
from tongxin.core.i18n import prefers_english

from . import reports
from .actions import (
    add_membership,
    add_person,
    create_organisation,
    end_membership,
    grant_role,
    revoke_role,
    update_organisation,
    update_person,
)
from .forms import (
    ORGANISATION_EDIT_FIELDS,
    PERSON_CHOICES_SHOWN,
    PERSON_EDIT_FIELDS,
    MembershipAddForm,
    MembershipEndForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    OrganisationFilterForm,
    PersonEditForm,
    PersonForm,
    PersonSearchForm,
    RoleGrantForm,
    related_organisations,
)
from .models import (
    Gender,
    Level,
    Membership,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
    PersonQuerySet,
    Role,
    RoleGrant,
    kinds_at_level,
)
from .permissions import (
    can_edit_person,
    can_grant_role,
    can_manage_organisation,
    can_view_personal_data,
    organisations_managed_by,
    people_visible_to,
)

PLACES_PER_PAGE = 100
RESULTS_PER_PAGE = 50
GRANTS_PER_PAGE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def chinese_lang(shown: str, chinese: str) -> str:
    """The `lang` a stored name needs when an English page falls back to its Chinese form, else ""."""
    return "zh-Hans" if prefers_english() and shown == chinese else ""


# What the rows of a page share is worked out once per request, not once per row: a council page
# lists dozens of people and the tree hundreds of organisations, and per row the template engine,
# `reverse`, `get_FOO_display` (which builds and hashes every choice on each call) and the active
# language cost more than the database does.


@dataclass(frozen=True)
class Link:
    """An organisation or person as a page links to it; `lang` is "zh-Hans" when an English page
    shows a name in Chinese."""

    url: str
    name: str
    lang: str = ""


def _address_of(view_name: str) -> Callable[[int], str]:
    """`reverse(view_name, args=[pk])` for many ids at the price of one reverse: only the id changes."""
    head, tail = reverse(view_name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def _labels(choices: type[Choices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


class Wording:
    """The reader's language, the labels of choices and the shape of addresses, for one request."""

    def __init__(self) -> None:
        self.english = prefers_english()
        # A council's members mostly share a term and were seated by the same body: word each once.
        self._terms: dict[tuple[datetime.date, datetime.date | None], str] = {}
        self._obtained: dict[tuple[str, int | None], str] = {}

    @cached_property
    def organisation_url(self) -> Callable[[int], str]:
        return _address_of("community:organisation")

    @cached_property
    def person_url(self) -> Callable[[int], str]:
        return _address_of("community:person")

    @cached_property
    def membership_end_url(self) -> Callable[[int], str]:
        return _address_of("community:membership_end")

    @cached_property
    def kinds(self) -> dict[str, str]:
        return _labels(OrganisationKind)

    @cached_property
    def roles(self) -> dict[str, str]:
        return _labels(Role)

    @cached_property
    def party_statuses(self) -> dict[str, str]:
        return _labels(PartyStatus)

    def name(self, chinese: str, english: str) -> str:
        """As `localised`, without asking for the active language again."""
        return english if english and self.english else chinese

    def organisation(self, organisation: Organisation) -> Link:
        name = self.name(organisation.name, organisation.name_en)
        return Link(self.organisation_url(organisation.pk), name)

    def person(self, person: Person) -> Link:
        name = self.name(person.name, person.name_latin)
        lang = "zh-Hans" if self.english and name == person.name else ""
        return Link(self.person_url(person.pk), name, lang)

    def with_kind(self, organisation: Organisation) -> tuple[Link, str]:
        return self.organisation(organisation), self.kinds[organisation.kind]

    def term(self, membership: Membership) -> str:
        key = (membership.start_date, membership.end_date or membership.term_end)
        if key not in self._terms:
            self._terms[key] = membership.term_phrase()
        return self._terms[key]

    def obtained(self, membership: Membership) -> str:
        key = (membership.obtained, membership.obtained_from_id)
        if key not in self._obtained:
            self._obtained[key] = membership.obtained_phrase()
        return self._obtained[key]

    def by_kind(self, bodies: Iterable[Organisation]) -> list[tuple[str, list[Link]]]:
        """Links to the bodies under their kind's label, kinds in their usual order (party branch first)."""
        grouped: dict[str, list[Link]] = defaultdict(list)
        for body in bodies:
            grouped[body.kind].append(self.organisation(body))
        return [(label, grouped[kind]) for kind, label in self.kinds.items() if kind in grouped]


# Public pages


@dataclass(frozen=True)
class SiteCounts:
    villages: int
    councils: int
    council_members: int
    workgroups: int


def _site_counts() -> SiteCounts:
    organisations = Organisation.objects.active().aggregate(
        villages=Count("pk", filter=Q(kind__in=kinds_at_level(Level.VILLAGE))),
        councils=Count("pk", filter=Q(kind=OrganisationKind.CONSULTATION_COUNCIL)),
        workgroups=Count("pk", filter=Q(kind=OrganisationKind.WORKGROUP)),
    )
    # People, not seats: one person may sit on a village council and the town council.
    council_members = (
        Membership.objects.current()
        .filter(organisation__kind=OrganisationKind.CONSULTATION_COUNCIL, organisation__dissolved_on__isnull=True)
        .values("person_id")
        .distinct()
        .count()
    )
    return SiteCounts(council_members=council_members, **organisations)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    wording = Wording()
    towns = list(Organisation.objects.active().at_level(Level.TOWN).listed().order_by("pk"))
    villages = Organisation.objects.active().at_level(Level.VILLAGE).filter(parent__in=towns).listed()
    villages_of: dict[int, list[Link]] = defaultdict(list)
    for village in villages.order_by("pk"):
        villages_of[village.parent_id].append(wording.organisation(village))
    context = {
        "towns": [(wording.organisation(town), villages_of[town.pk]) for town in towns],
        "counts": _site_counts(),
    }
    return render(request, "community/home.html", context)


@dataclass
class PlaceNode:
    """A place in the organisation tree, its bodies grouped by kind, and the places under it."""

    place: Organisation
    link: Link
    kind: str
    bodies: list[tuple[str, list[Link]]]
    children: list[PlaceNode] = field(default_factory=list)
    trail: list[Link] = field(default_factory=list)


def ancestors_of(organisations: Iterable[Organisation]) -> dict[int, list[Organisation]]:
    """Each organisation's ancestors from the root down, fetched in one query for the whole list."""
    organisations = list(organisations)
    wanted = {pk for organisation in organisations for pk in organisation.ancestor_ids}
    known = {ancestor.pk: ancestor for ancestor in Organisation.objects.filter(pk__in=wanted).listed()}
    return {
        organisation.pk: [known[pk] for pk in organisation.ancestor_ids if pk in known]
        for organisation in organisations
    }


def _place_tree(places: list[Organisation], wording: Wording) -> list[PlaceNode]:
    bodies = Organisation.objects.active().listed().bodies_by_place(places)
    nodes = {
        place.pk: PlaceNode(
            place=place,
            link=wording.organisation(place),
            kind=wording.kinds[place.kind],
            bodies=wording.by_kind(bodies[place.pk]),
        )
        for place in places
    }
    roots: list[PlaceNode] = []
    for place in places:  # in path order, so a parent's node exists before its children's
        parent = nodes.get(place.parent_id)
        if parent is not None:
            parent.children.append(nodes[place.pk])
        else:
            roots.append(nodes[place.pk])
    for node in nodes.values():
        # Paths sort as text ("/10/" before "/8/"): list siblings in the order they were recorded.
        node.children.sort(key=lambda child: child.place.pk)
    # A page may start deep in the tree: say where its first places lie.
    trails = ancestors_of(root.place for root in roots)
    for root in roots:
        root.trail = [wording.organisation(ancestor) for ancestor in trails[root.place.pk]]
    return roots


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET)
    form.is_valid()
    kind, query = form.cleaned_data.get("kind", ""), form.cleaned_data.get("q", "")
    organisations = Organisation.objects.active().listed()
    wording = Wording()
    context: dict[str, Any] = {"form": form, "filtered": bool(kind or query)}
    if kind or query:
        if kind:
            organisations = organisations.filter(kind=kind)
        if query:
            organisations = organisations.filter(Q(name__icontains=query) | Q(name_en__icontains=query))
        page = Paginator(organisations.order_by("name", "pk"), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        trails = ancestors_of(page.object_list)
        context["results"] = [
            (
                wording.organisation(organisation),
                wording.kinds[organisation.kind],
                [wording.name(ancestor.name, ancestor.name_en) for ancestor in trails[organisation.pk]],
            )
            for organisation in page.object_list
        ]
    else:
        page = Paginator(organisations.places().order_by("path"), PLACES_PER_PAGE).get_page(request.GET.get("page"))
        context["tree"] = _place_tree(list(page.object_list), wording)
    context["page"] = page
    return render(request, "community/organisation_list.html", context)


@dataclass(frozen=True)
class SeatRow:
    """A membership as a row of a table, every cell already worded; `personal` says whether the
    reader may see the person's data."""

    person: Link
    role: str
    sector: str
    obtained: str
    term: str
    end_reason: str  # why a seat that ended ended, if anyone said
    personal: bool
    phone: str
    born: str
    party: str
    end_url: str  # where a manager ends the seat


@dataclass(frozen=True)
class HeldSeat:
    """A membership as a person's page lists it."""

    organisation: Link
    role: str
    obtained: str
    term: str
    end_reason: str


@dataclass(frozen=True)
class SeatCounts:
    """The public make-up of a body: counts only, never who."""

    total: int
    party: int
    non_party: int
    women: int
    men: int

    @property
    def summary(self) -> str:
        """The counts as one sentence, each number with its own plural: "32 members: 7 in the party, ..."."""
        members = ngettext("%(count)d member", "%(count)d members", self.total)
        party = ngettext("%(count)d in the party", "%(count)d in the party", self.party)
        non_party = ngettext("%(count)d not in the party", "%(count)d not in the party", self.non_party)
        women = ngettext("%(count)d woman", "%(count)d women", self.women)
        men = ngettext("%(count)d man", "%(count)d men", self.men)
        return _("%(members)s: %(party)s, %(non_party)s; %(women)s, %(men)s.") % {
            "members": members % {"count": self.total},
            "party": party % {"count": self.party},
            "non_party": non_party % {"count": self.non_party},
            "women": women % {"count": self.women},
            "men": men % {"count": self.men},
        }


def _seat_counts(memberships: list[Membership]) -> SeatCounts:
    people = [membership.person for membership in memberships]
    non_party = sum(person.party_status == PartyStatus.NON_PARTY for person in people)
    women = sum(person.gender == Gender.FEMALE for person in people)
    return SeatCounts(
        total=len(people),
        party=len(people) - non_party,
        non_party=non_party,
        women=women,
        men=sum(person.gender == Gender.MALE for person in people),
    )


def _seat_row(membership: Membership, personal: bool, wording: Wording) -> SeatRow:
    person, sector = membership.person, membership.sector
    return SeatRow(
        person=wording.person(person),
        role=wording.roles[membership.role],
        sector=wording.name(sector.name, sector.name_en) if sector else "—",
        obtained=wording.obtained(membership),
        term=wording.term(membership),
        end_reason=membership.end_reason if membership.end_date else "",
        personal=personal,
        phone=person.phone or "—",
        born=str(person.birth_year) if person.birth_year else "—",
        party=wording.party_statuses[person.party_status],
        end_url=wording.membership_end_url(membership.pk),
    )


def _rows_by_role(
    current: list[Membership], readable: set[int], wording: Wording
) -> list[tuple[str, list[SeatRow]]]:
    grouped: dict[str, list[SeatRow]] = defaultdict(list)
    for membership in current:
        grouped[membership.role].append(_seat_row(membership, membership.person_id in readable, wording))
    return [(label, grouped[role]) for role, label in wording.roles.items() if role in grouped]


def _personal_data_readable(user: Any, people_ids: Iterable[int]) -> set[int]:
    """Of these people, whose personal data the reader may see: one query, the rule of can_view_personal_data."""
    ids = set(people_ids)
    if not ids:
        return set()
    return set(people_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


# The columns a table of seats shows, and nothing else (people's records also carry addresses,
# accounts and timestamps; bodies their descriptions and settings).
SEAT_COLUMNS = (
    "organisation", "role", "obtained", "start_date", "term_end", "end_date", "end_reason",
    "person__name", "person__name_latin", "person__gender", "person__party_status", "person__phone",
    "person__birth_year", "sector__name", "sector__name_en", "obtained_from__name", "obtained_from__name_en",
)  # fmt: skip


def _seats_shown(organisation: Organisation) -> list[Membership]:
    """Every seat of the organisation, current and past, with the columns its page shows."""
    if organisation.is_place:
        return []  # people are members of bodies, never of places (add_membership refuses them)
    seats = organisation.memberships.select_related("person", "sector", "obtained_from").only(*SEAT_COLUMNS)
    return list(seats.order_by("start_date", "pk"))


def _seating(user: Any, current: list[Membership], past: list[Membership], wording: Wording) -> dict[str, Any]:
    """The organisation's members for the page: current by role, past, public counts, and whose data shows."""
    readable = _personal_data_readable(user, (membership.person_id for membership in current + past))
    return {
        "seats_by_role": _rows_by_role(current, readable, wording),
        "past_seats": [_seat_row(membership, membership.person_id in readable, wording) for membership in past],
        "shows_personal_data": bool(readable),
        # Only councils seat members for a sector: elsewhere the column would be a row of dashes.
        "shows_sector": any(membership.sector_id for membership in current),
        "counts": _seat_counts(current),
    }


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("parent", "approved_by"), pk=pk)
    wording = Wording()
    ancestors = list(organisation.ancestors().listed())
    place = organisation if organisation.is_place else next((a for a in reversed(ancestors) if a.is_place), None)
    related = list(Organisation.objects.active().parts_or_answering_to(organisation).listed().order_by("pk"))
    children = [other for other in related if other.parent_id == organisation.pk]
    bodies_here = Organisation.objects.active().listed().bodies_by_place([place])[place.pk] if place else []
    can_manage = can_manage_organisation(request.user, organisation)
    seats, today = _seats_shown(organisation), timezone.localdate()
    current = [seat for seat in seats if seat.is_current(today)]
    past = [seat for seat in seats if seat.end_date is not None and seat.end_date <= today]
    seating = _seating(request.user, current, past, wording)
    context = {
        **seating,
        "organisation": organisation,
        "here": wording.organisation(organisation),
        "other_name": organisation.name_en if organisation.display_name == organisation.name else organisation.name,
        "name_lang": chinese_lang(organisation.display_name, organisation.name),
        "description_lang": chinese_lang(organisation.display_description, organisation.description),
        "ancestors": [wording.organisation(ancestor) for ancestor in ancestors],
        "place": place,
        "sub_places": [wording.organisation(child) for child in children if child.is_place],
        # A place's bodies are all listed under "bodies in the place"; a body lists its own groups.
        "sub_bodies": [] if organisation.is_place else [wording.with_kind(child) for child in children],
        "bodies_here": wording.by_kind(bodies_here),
        "answering_groups": [wording.with_kind(group) for group in related if group.approved_by_id == organisation.pk],
        "seat_columns": 3 + seating["shows_sector"] + 3 * seating["shows_personal_data"] + can_manage,
        "report": reports.composition_report(organisation, today, current_seats=current),
        "can_manage": can_manage,
        "can_add_people": can_manage and organisation.is_place,
        "can_add_members": can_manage and not organisation.is_place and organisation.dissolved_on is None,
        "can_grant_roles": can_grant_role(request.user, organisation),
        "app_sections": app_sections(organisation, request.user),
    }
    return render(request, "community/organisation_detail.html", context)


def app_sections(organisation: Organisation, user: Any) -> list[str]:
    """What other apps show on an organisation's page: an AppConfig's `organisation_sections`
    returns its sections as rendered HTML (community imports no app)."""
    sections: list[str] = []
    for config in apps.get_app_configs():
        if hasattr(config, "organisation_sections"):
            sections.extend(config.organisation_sections(organisation, user))
    return sections


def _held_seat(membership: Membership, wording: Wording) -> HeldSeat:
    return HeldSeat(
        organisation=wording.organisation(membership.organisation),
        role=wording.roles[membership.role],
        obtained=wording.obtained(membership),
        term=wording.term(membership),
        end_reason=membership.end_reason if membership.end_date else "",
    )


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("home", "user"), pk=pk)
    wording = Wording()
    memberships = list(
        person.memberships.select_related("organisation", "sector", "obtained_from").order_by("-start_date", "pk")
    )
    today = timezone.localdate()
    seats = [membership for membership in memberships if membership.is_current(today)]
    personal = can_view_personal_data(request.user, person)
    if not seats and not personal:
        # Residents who hold no office have no public page.
        raise Http404
    grants = []
    if personal and person.user is not None:
        grants = list(person.user.role_grants.active().select_related("organisation").order_by("organisation__path"))
    context = {
        "person": person,
        "name_lang": chinese_lang(person.display_name, person.name),
        "other_name": person.name_latin if person.display_name == person.name else person.name,
        "seats": [(wording.organisation(m.organisation), wording.roles[m.role]) for m in seats],
        "personal": personal,
        "memberships": [_held_seat(membership, wording) for membership in memberships] if personal else [],
        "sectors": list(person.sectors.all()) if personal else [],
        "grants": grants,
        "can_edit": can_edit_person(request.user, person),
    }
    return render(request, "community/person_detail.html", context)


# Management pages: each checks permission first, then calls one action and shows its ActionError.


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = get_object_or_404(Organisation, pk=pk)
    _require(can_manage_organisation(request.user, parent))
    form = OrganisationCreateForm(
        request.POST or None, relatives=related_organisations(parent), rule_sets=reports.rule_set_choices()
    )
    if form.is_valid():
        try:
            organisation = create_organisation(actor=request.user, parent=parent, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(organisation)s was created.") % {"organisation": organisation})
            return redirect(organisation)
    return render(
        request,
        "community/manage_form.html",
        {
            "title": _("Add a body or place under %(organisation)s") % {"organisation": parent},
            "organisation": parent,
            "form": form,
            "submit_label": _("Create"),
            "cancel_url": parent.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    _require(can_manage_organisation(request.user, organisation))
    form = OrganisationEditForm(
        request.POST or None,
        initial=OrganisationEditForm.initial_for(organisation),
        relatives=related_organisations(organisation).exclude(pk=organisation.pk),
        rule_sets=reports.rule_set_choices(),
    )
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in ORGANISATION_EDIT_FIELDS if name in form.changed_data}
        try:
            if changes:
                update_organisation(actor=request.user, organisation=organisation, **changes)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The changes were saved.") if changes else _("Nothing was changed."))
            return redirect(organisation)
    return render(
        request,
        "community/organisation_edit.html",
        {
            "title": _("Edit %(organisation)s") % {"organisation": organisation},
            "organisation": organisation,
            "report": reports.composition_report(organisation),
            "form": form,
            "submit_label": _("Save"),
            "cancel_url": organisation.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    home = get_object_or_404(Organisation.objects.places(), pk=pk)
    _require(can_manage_organisation(request.user, home))
    form = PersonForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person = add_person(actor=request.user, home=home, **{**data, "sectors": list(data["sectors"])})
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(person)s was added.") % {"person": person})
            return redirect(person)
    return render(
        request,
        "community/manage_form.html",
        {
            "title": _("Add a person living in %(place)s") % {"place": home},
            "organisation": home,
            "form": form,
            "submit_label": _("Add"),
            "cancel_url": home.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    _require(can_edit_person(request.user, person))
    # The current home stays a choice even outside the editor's scope, so saving other fields keeps it.
    homes = Organisation.objects.active().places().filter(
        Q(pk__in=organisations_managed_by(request.user).values("pk")) | Q(pk=person.home_id)
    )
    form = PersonEditForm(request.POST or None, initial=PersonEditForm.initial_for(person), homes=homes)
    if form.is_valid():
        changes = {name: form.cleaned_data[name] for name in PERSON_EDIT_FIELDS if name in form.changed_data}
        sectors = list(form.cleaned_data["sectors"]) if "sectors" in form.changed_data else None
        try:
            if changes or sectors is not None:
                update_person(actor=request.user, person=person, sectors=sectors, **changes)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            changed = changes or sectors is not None
            messages.success(request, _("The changes were saved.") if changed else _("Nothing was changed."))
            return redirect(person)
    return render(
        request,
        "community/manage_form.html",
        {
            "title": _("Edit %(person)s") % {"person": person},
            "form": form,
            "submit_label": _("Save"),
            "cancel_url": person.get_absolute_url(),
        },
    )


def _people_shown(people: PersonQuerySet, query: str, near: Organisation | None, selected: str | None) -> list[Person]:
    """The people listed in the member form: search results, or by default those living in the place."""
    if query:
        condition = Q(name__icontains=query) | Q(name_latin__icontains=query)
        digits = normalise_phone(query)
        if len(digits) >= 4:
            condition |= Q(phone__contains=digits)
        shown = people.filter(condition)
    elif near is not None:
        shown = people.living_in(near)
    else:
        shown = people
    listed = list(shown.select_related("home").order_by("name", "pk")[:PERSON_CHOICES_SHOWN])
    if selected and selected.isdigit() and all(person.pk != int(selected) for person in listed):
        listed += list(people.filter(pk=int(selected)).select_related("home"))
    return listed


@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    # With its parent loaded, place() needs no query for a body that sits right in its place.
    organisation = get_object_or_404(Organisation.objects.select_related("parent"), pk=pk)
    _require(can_manage_organisation(request.user, organisation))
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    people = people_visible_to(request.user)
    shown = _people_shown(people, query, organisation.place(), request.POST.get("person"))
    form = MembershipAddForm(
        request.POST or None, people=people, shown=shown, relatives=related_organisations(organisation)
    )
    if form.is_valid():
        try:
            membership = add_membership(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(person)s now sits in %(organisation)s.") % {
                "person": membership.person, "organisation": organisation,
            })
            return redirect(organisation)
    # A search typed with htmx swaps only the person list; without JavaScript the whole page reloads.
    template = "community/membership_add.html" + ("#person-field" if request.htmx and request.method == "GET" else "")
    return render(
        request,
        template,
        {
            "title": _("Add a member to %(organisation)s") % {"organisation": organisation},
            "organisation": organisation,
            "form": form,
            "search": search,
            "query": query,
            "shown_count": len(shown),
            "submit_label": _("Add member"),
            "cancel_url": organisation.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("person", "organisation"), pk=pk)
    _require(can_manage_organisation(request.user, membership.organisation))
    form = MembershipEndForm(request.POST or None)
    if form.is_valid():
        try:
            end_membership(
                actor=request.user,
                membership=membership,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(person)s no longer sits in %(organisation)s.") % {
                "person": membership.person, "organisation": membership.organisation,
            })
            return redirect(membership.organisation)
    return render(
        request,
        "community/manage_form.html",
        {
            "title": _("End the seat of %(person)s in %(organisation)s") % {
                "person": membership.person, "organisation": membership.organisation,
            },
            "organisation": membership.organisation,
            "form": form,
            "submit_label": _("End membership"),
            "cancel_url": membership.organisation.get_absolute_url(),
        },
    )


def _roles_url(organisation: Organisation) -> str:
    return reverse("community:organisation_roles", args=[organisation.pk])


@require_http_methods(["GET", "POST"])
def organisation_roles(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    _require(can_grant_role(request.user, organisation))
    form = RoleGrantForm(request.POST or None)
    if form.is_valid():
        account = form.cleaned_data["username"]
        try:
            grant_role(actor=request.user, user=account, role=form.cleaned_data["role"], organisation=organisation)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(account)s now holds this role.") % {"account": account.get_username()})
            return redirect(_roles_url(organisation))
    grants = (
        RoleGrant.objects.active()
        .filter(organisation__path__startswith=organisation.path)
        .select_related("user", "organisation")
        .order_by("organisation__path", "role", "user__username")
    )
    page = Paginator(grants, GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "form": form, "page": page}
    return render(request, "community/organisation_roles.html", context)


@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(RoleGrant.objects.select_related("user", "organisation"), pk=pk)
    _require(can_grant_role(request.user, grant.organisation))
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    back = back or _roles_url(grant.organisation)
    error = ""
    if request.method == "POST":
        try:
            revoke_role(actor=request.user, grant=grant)
        except ActionError as problem:
            error = problem.message
        else:
            messages.success(request, _("The role was revoked."))
            return redirect(back)
    context = {"grant": grant, "error": error, "back": back}
    return render(request, "community/role_revoke.html", context)
