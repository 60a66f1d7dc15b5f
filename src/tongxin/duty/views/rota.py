"""The duty rota's pages: an organisation's pool of volunteers, planning a rota, the rota itself
(weeks × villages, gaps marked, replacements and publishing for the admins), a volunteer's page
with their unavailable days, and "my duty weeks"."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.community.models import Level, Organisation, Person, kinds_at_level
from tongxin.core.errors import ActionError

from ..actions.rota import (
    MAX_TEAM_SIZE,
    MAX_TROUBLESHOOTERS,
    add_volunteer,
    candidates_for,
    clear_unavailable,
    discard_rota,
    fill_gap,
    override_turn,
    plan_rota,
    publish_rota,
    retire_volunteer,
    set_unavailable,
    update_volunteer,
    villages_of,
)
from ..models import (
    OPEN_SWAP_STATUSES,
    DutyGap,
    DutyTurn,
    Rota,
    RotaStatus,
    RotaWeek,
    SwapRequest,
    SwapStatus,
    Unavailability,
    Volunteer,
)
from ..permissions import (
    can_edit_availability,
    can_manage_duty,
    can_view_duty_statistics,
    is_volunteer_themselves,
    person_of,
    rotas_visible_to,
    visible_rota,
)
from ..rota import MAX_WEEKS

POOL_PAGE_SIZE = 50
PERSON_MATCHES = 50  # people offered to add to the pool for one search
# Places with villages below them: their pages show the duty rota.
ROTA_PLACE_KINDS = {*kinds_at_level(Level.TOWN), *kinds_at_level(Level.CITY)}
VILLAGE_KINDS = set(kinds_at_level(Level.VILLAGE))

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Forms: they parse; the actions decide.


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.display_name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        home = obj.home.display_name if obj.home_id else ""
        return f"{obj.display_name} · {home}" if home else obj.display_name


class VolunteerForm(forms.Form):
    home_village = VillageChoiceField(
        label=gettext_lazy("Home village"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Where they live"),
        help_text=gettext_lazy("They are kept off this village's team when the rota asks for it."),
    )
    experienced = forms.BooleanField(label=gettext_lazy("Has served as a one-week secretary before"), required=False)
    preferences = forms.CharField(
        label=gettext_lazy("Preferences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("For the organisation: weeks they prefer, villages they know, what they are good at."),
    )
    joined_on = forms.DateField(label=gettext_lazy("Joined the pool"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_village"].queryset = Organisation.objects.filter(pk__in=[v.pk for v in villages_of(organisation)])


class AddVolunteerForm(VolunteerForm):
    person = PersonChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())

    field_order = ["person", "home_village", "experienced", "preferences", "joined_on"]

    def __init__(self, *args: Any, organisation: Organisation, search: str = "", **kwargs: Any) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        in_pool = Volunteer.objects.of(organisation).active().values("person_id")
        # People who live in the organisation's area or sit in one of its bodies, not yet in the pool.
        candidates = (
            Person.objects.filter(
                Q(home__path__startswith=organisation.path)
                | Q(memberships__organisation__path__startswith=organisation.path, memberships__end_date__isnull=True)
            )
            .exclude(pk__in=in_pool)
            .select_related("home")
            .distinct()
            .order_by("name", "pk")
        )
        field = self.fields["person"]
        field.queryset = candidates  # what a choice is checked against
        # A town has tens of thousands of people: the list offers only those found by the search.
        found = list(candidates.filter(Q(name__contains=search) | Q(phone=search))[:PERSON_MATCHES]) if search else []
        field.widget.choices = [("", _("Found: %(count)d") % {"count": len(found)} if search else _("Search for them first"))] + [
            (person.pk, field.label_from_instance(person)) for person in found
        ]


class DayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Day you cannot serve"), widget=DATE_INPUT)
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), required=False, max_length=200)


class ClearDayForm(forms.Form):
    date = forms.DateField()


class PlanForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("First week starts on"), widget=DATE_INPUT)
    weeks = forms.IntegerField(label=gettext_lazy("Weeks"), min_value=1, max_value=MAX_WEEKS)
    team_size = forms.IntegerField(label=gettext_lazy("Secretaries per village team"), min_value=1, max_value=MAX_TEAM_SIZE)
    troubleshooters = forms.IntegerField(
        label=gettext_lazy("Troubleshooters per week"), min_value=0, max_value=MAX_TROUBLESHOOTERS,
        help_text=gettext_lazy("They float between the villages to deal with urgent problems."),
    )
    avoid_home_village = forms.BooleanField(
        label=gettext_lazy("Keep volunteers off their home village's team"), required=False
    )


class ChooseVolunteerForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=gettext_lazy("Volunteer"), queryset=Volunteer.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Anyone of the pool: the action says which rule a choice would break.
        self.fields["volunteer"].queryset = Volunteer.objects.of(organisation).active()


# ---------------------------------------------------------------------------------------------
# The pool


def _managed_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_manage_duty(request.user, organisation):
        raise PermissionDenied
    return organisation


@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _managed_organisation(request, organisation_id)
    search = request.GET.get("person", "").strip()[:100]
    form = AddVolunteerForm(request.POST or None, organisation=organisation, search=search)
    if form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = add_volunteer(
                actor=request.user, organisation=organisation, person=data["person"], home_village=data["home_village"],
                experienced=data["experienced"], preferences=data["preferences"], joined_on=data["joined_on"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s is in the pool.") % {"name": volunteer.person.display_name})
            return redirect("duty:pool", organisation.pk)
    today = timezone.localdate()
    volunteers = (
        Volunteer.objects.of(organisation).active()
        .select_related("person", "home_village")
        .annotate(turns_to_come=Count("turns", filter=Q(turns__week__start__gt=today - datetime.timedelta(days=7))))
        .prefetch_related(Prefetch("unavailable_days", Unavailability.objects.filter(date__gte=today).order_by("date"), to_attr="days_ahead"))
        .order_by("person__name", "pk")
    )
    page = Paginator(volunteers, POOL_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = Volunteer.objects.of(organisation).aggregate(
        in_pool=Count("pk", filter=Q(active=True)),
        seasoned=Count("pk", filter=Q(active=True, experienced=True)),
        left=Count("pk", filter=Q(active=False)),
    )
    villages = villages_of(organisation)
    context = {
        "organisation": organisation, "page": page, "form": form, "counts": counts, "villages": len(villages),
        "search": search,
        "rotas": list(Rota.objects.of(organisation).order_by("-start", "-pk")[:5]),
    }
    return render(request, "duty/pool.html", context)


def _volunteer_for(request: HttpRequest, pk: int) -> Volunteer:
    volunteer = get_object_or_404(Volunteer.objects.select_related("organisation", "person", "home_village"), pk=pk)
    if not can_edit_availability(request.user, volunteer):
        raise PermissionDenied
    return volunteer


def _volunteer_page(
    request: HttpRequest, volunteer: Volunteer, *, edit_form: VolunteerForm | None = None, day_form: DayForm | None = None
) -> HttpResponse:
    manages = can_manage_duty(request.user, volunteer.organisation)
    if edit_form is None and manages:
        edit_form = VolunteerForm(
            organisation=volunteer.organisation,
            initial={
                "home_village": volunteer.home_village_id, "experienced": volunteer.experienced,
                "preferences": volunteer.preferences, "joined_on": volunteer.joined_on,
            },
        )
    today = timezone.localdate()
    context = {
        "volunteer": volunteer,
        "organisation": volunteer.organisation,
        "manages": manages,
        "is_self": is_volunteer_themselves(request.user, volunteer),
        "edit_form": edit_form,
        "day_form": day_form or DayForm(),
        "days": list(volunteer.unavailable_days.filter(date__gte=today).order_by("date")),
        "turns": _turns_of([volunteer], published_only=not manages),
    }
    return render(request, "duty/volunteer.html", context)


@require_http_methods(["GET"])
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _volunteer_page(request, _volunteer_for(request, pk))


@require_POST
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer_for(request, pk)
    if not can_manage_duty(request.user, volunteer.organisation):
        raise PermissionDenied
    form = VolunteerForm(request.POST, organisation=volunteer.organisation)
    if form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in ("home_village", "experienced", "preferences")}
        if data["joined_on"]:
            changes["joined_on"] = data["joined_on"]
        try:
            update_volunteer(actor=request.user, volunteer=volunteer, **changes)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(volunteer)
    return _volunteer_page(request, volunteer, edit_form=form)


@require_POST
def volunteer_retire(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer_for(request, pk)
    try:
        retire_volunteer(actor=request.user, volunteer=volunteer)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(volunteer)
    messages.success(request, _("%(name)s has left the pool.") % {"name": volunteer.person.display_name})
    return redirect("duty:pool", volunteer.organisation_id)


@require_POST
def availability_add(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer_for(request, pk)
    form = DayForm(request.POST)
    if form.is_valid():
        try:
            set_unavailable(actor=request.user, volunteer=volunteer, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Noted: you will not be planned in that week.") if is_volunteer_themselves(request.user, volunteer)
                             else _("Noted: they will not be planned in that week."))
            return redirect(volunteer)
    return _volunteer_page(request, volunteer, day_form=form)


@require_POST
def availability_clear(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _volunteer_for(request, pk)
    form = ClearDayForm(request.POST)
    if form.is_valid():
        try:
            clear_unavailable(actor=request.user, volunteer=volunteer, date=form.cleaned_data["date"])
        except ActionError as error:
            messages.error(request, error.message)
    return redirect(volunteer)


@login_required
@require_http_methods(["GET"])
def my_turns(request: HttpRequest) -> HttpResponse:
    """My duty weeks: every pool I am in, my published turns to come and past."""
    person = person_of(request.user)
    volunteers = list(
        Volunteer.objects.filter(person=person).select_related("organisation", "person").order_by("organisation__path")
    ) if person else []
    today = timezone.localdate()
    turns = _turns_of(volunteers, published_only=True)
    context = {
        "volunteers": volunteers,
        "coming": [turn for turn in turns if turn.week.end >= today],
        "past": [turn for turn in turns if turn.week.end < today][::-1],
        "today": today,
        "on_duty": any(turn.week.start <= today <= turn.week.end for turn in turns),
        "swaps": list(
            SwapRequest.objects.filter(Q(turn__volunteer__in=volunteers) | Q(other_turn__volunteer__in=volunteers))
            .filter(status__in=OPEN_SWAP_STATUSES)
            .select_related("turn__week", "turn__village", "turn__volunteer__person",
                            "other_turn__week", "other_turn__village", "other_turn__volunteer__person")
            .order_by("-requested_at", "-pk")
        ),
    }
    return render(request, "duty/mine.html", context)


def _turns_of(volunteers: list[Volunteer], *, published_only: bool) -> list[DutyTurn]:
    turns = DutyTurn.objects.filter(volunteer__in=volunteers).select_related("week__rota__organisation", "village")
    if published_only:
        turns = turns.filter(week__rota__status=RotaStatus.PUBLISHED)
    return list(turns.order_by("week__start", "pk"))


# ---------------------------------------------------------------------------------------------
# Rotas


@require_http_methods(["GET"])
def rota_list(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    rotas = rotas_visible_to(request.user, organisation).order_by("-start", "-pk")
    page = Paginator(rotas, 20).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "page": page, "manages": can_manage_duty(request.user, organisation)}
    return render(request, "duty/rota_list.html", context)


@require_http_methods(["GET", "POST"])
def rota_plan(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _managed_organisation(request, organisation_id)
    today = timezone.localdate()
    initial = {
        "start": today + datetime.timedelta(days=7 - today.weekday()),  # next Monday
        "weeks": 13, "team_size": 3, "troubleshooters": 1, "avoid_home_village": True,
    }
    form = PlanForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            rota = plan_rota(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The rota is planned as a draft: check it, change turns if need be, then publish it."))
            return redirect(rota)
    villages = villages_of(organisation)
    context = {
        "organisation": organisation, "form": form, "villages": villages,
        "volunteers": Volunteer.objects.of(organisation).active().count(),
    }
    return render(request, "duty/rota_plan.html", context)


@dataclass
class Cell:
    village: Organisation | None
    turns: list[DutyTurn] = field(default_factory=list)
    gap: DutyGap | None = None


@dataclass
class WeekRow:
    week: Any
    cells: list[Cell]
    troubleshooters: Cell


@require_http_methods(["GET"])
def rota_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rota = visible_rota(request.user, pk)
    manages = can_manage_duty(request.user, rota.organisation)
    weeks = list(rota.rota_weeks.order_by("number"))
    turns = list(
        DutyTurn.objects.filter(week__rota=rota).select_related("volunteer__person", "village").order_by("week_id", "pk")
    )
    gaps = list(DutyGap.objects.filter(week__rota=rota).select_related("village"))
    # The villages of the rota: those with a turn or a gap in it, in tree order.
    villages = {turn.village.pk: turn.village for turn in turns if turn.village is not None}
    villages |= {gap.village.pk: gap.village for gap in gaps if gap.village is not None}
    columns = sorted(villages.values(), key=lambda village: village.path)
    by_week: dict[int, list[DutyTurn]] = defaultdict(list)
    for turn in turns:
        by_week[turn.week_id].append(turn)
    gap_at = {(gap.week_id, gap.village_id): gap for gap in gaps}
    rows = []
    for week in weeks:
        cells = {village.pk: Cell(village, gap=gap_at.get((week.pk, village.pk))) for village in columns}
        floating = Cell(None, gap=gap_at.get((week.pk, None)))
        for turn in by_week[week.pk]:
            (floating if turn.village_id is None else cells[turn.village_id]).turns.append(turn)
        rows.append(WeekRow(week, [cells[village.pk] for village in columns], floating))
    counts: dict[int, int] = defaultdict(int)
    for turn in turns:
        counts[turn.volunteer_id] += 1
    context = {
        "rota": rota, "organisation": rota.organisation, "manages": manages, "columns": columns, "rows": rows,
        "empty_seats": sum(gap.missing for gap in gaps), "turn_count": len(turns), "volunteer_count": len(counts),
        "fewest": min(counts.values(), default=0), "most": max(counts.values(), default=0),
    }
    return render(request, "duty/rota_detail.html", context)


def _managed_rota(request: HttpRequest, pk: int) -> Rota:
    rota = visible_rota(request.user, pk)
    if not can_manage_duty(request.user, rota.organisation):
        raise PermissionDenied
    return rota


@require_POST
def rota_publish(request: HttpRequest, pk: int) -> HttpResponse:
    rota = _managed_rota(request, pk)
    try:
        publish_rota(actor=request.user, rota=rota)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The rota is published; every volunteer on it has been told their weeks."))
    return redirect(rota)


@require_POST
def rota_discard(request: HttpRequest, pk: int) -> HttpResponse:
    rota = _managed_rota(request, pk)
    try:
        discard_rota(actor=request.user, rota=rota)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect(rota)
    messages.success(request, _("The draft is thrown away."))
    return redirect("duty:rotas", rota.organisation_id)


@require_http_methods(["GET", "POST"])
def turn_replace(request: HttpRequest, pk: int) -> HttpResponse:
    turn = get_object_or_404(DutyTurn.objects.select_related("week__rota__organisation", "village", "volunteer__person"), pk=pk)
    return _choose_volunteer(
        request, turn.week, turn.village, {"turn": turn},
        act=lambda volunteer: override_turn(actor=request.user, turn=turn, volunteer=volunteer),
        done=_("%(name)s now serves this turn."),
    )


@require_http_methods(["GET", "POST"])
def gap_fill(request: HttpRequest, pk: int) -> HttpResponse:
    gap = get_object_or_404(DutyGap.objects.select_related("week__rota__organisation", "village"), pk=pk)
    return _choose_volunteer(
        request, gap.week, gap.village, {"gap": gap},
        act=lambda volunteer: fill_gap(actor=request.user, gap=gap, volunteer=volunteer),
        done=_("%(name)s takes the empty seat."),
    )


def _choose_volunteer(
    request: HttpRequest, week: RotaWeek, village: Organisation | None, seat: dict[str, Any],
    *, act: Callable[[Volunteer], Any], done: str,
) -> HttpResponse:
    """The admin picks who takes a seat (a turn to replace, or a gap to fill) among those the rules allow."""
    rota = week.rota
    if not can_manage_duty(request.user, rota.organisation):
        raise Http404 if rota.is_draft else PermissionDenied
    form = ChooseVolunteerForm(request.POST or None, organisation=rota.organisation)
    if form.is_valid():
        volunteer = form.cleaned_data["volunteer"]
        try:
            act(volunteer)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, done % {"name": volunteer.person.display_name})
            return redirect(rota)
    context = {
        "rota": rota, "week": week, "village": village, "form": form,
        "candidates": candidates_for(rota, week, village), **seat,
    }
    return render(request, "duty/choose_volunteer.html", context)


def organisation_section(organisation: Organisation, user: Any) -> dict[str, Any] | None:
    """The duty rota on the organisation's page; None where there is nothing to show.

    A town, street or city lists its latest published rotas for everyone, with the pool, the
    plan, the swaps waiting and the statistics for those who may see them. A village links to its
    weekly bulletin once a rota above it is published. Other pages (bodies) cost no query here.
    """
    if organisation.kind in VILLAGE_KINDS and organisation.is_place:
        has_rota = Rota.objects.published().filter(organisation__in=organisation.ancestor_ids).exists()
        return {"organisation": organisation, "village": True} if has_rota else None
    if organisation.kind not in ROTA_PLACE_KINDS:
        return None
    manages = can_manage_duty(user, organisation)
    rotas = list(rotas_visible_to(user, organisation).order_by("-start", "-pk")[:3])
    if not rotas and not manages:
        return None
    swaps_waiting = (
        SwapRequest.objects.filter(turn__week__rota__organisation=organisation, status=SwapStatus.ACCEPTED).count()
        if manages else 0
    )
    return {
        "organisation": organisation, "rotas": rotas, "manages": manages, "RotaStatus": RotaStatus,
        "swaps_waiting": swaps_waiting, "sees_statistics": can_view_duty_statistics(user, organisation),
    }


urlpatterns = [
    path("organisations/<int:organisation_id>/duty/", pool, name="pool"),
    path("organisations/<int:organisation_id>/duty/rotas/", rota_list, name="rotas"),
    path("organisations/<int:organisation_id>/duty/rotas/new/", rota_plan, name="plan"),
    path("duty/me/", my_turns, name="mine"),
    path("duty/volunteers/<int:pk>/", volunteer_detail, name="volunteer"),
    path("duty/volunteers/<int:pk>/edit/", volunteer_edit, name="volunteer_edit"),
    path("duty/volunteers/<int:pk>/retire/", volunteer_retire, name="volunteer_retire"),
    path("duty/volunteers/<int:pk>/unavailable/", availability_add, name="unavailable_add"),
    path("duty/volunteers/<int:pk>/unavailable/clear/", availability_clear, name="unavailable_clear"),
    path("duty/rotas/<int:pk>/", rota_detail, name="rota"),
    path("duty/rotas/<int:pk>/publish/", rota_publish, name="publish"),
    path("duty/rotas/<int:pk>/discard/", rota_discard, name="discard"),
    path("duty/turns/<int:pk>/replace/", turn_replace, name="replace"),
    path("duty/gaps/<int:pk>/fill/", gap_fill, name="fill"),
]
