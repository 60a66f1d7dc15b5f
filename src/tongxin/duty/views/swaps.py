"""Swapping duty turns (asking, answering, the organisation's decision and its queue) and the
duty statistics per volunteer and per team, on the page and as a CSV file."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions.swaps import (
    MAX_REASON,
    answer_swap,
    ask_swap,
    decide_swap,
    swap_choices,
    withdraw_swap,
)
from ..models import DutyTurn, SwapRequest, SwapStatus
from ..permissions import (
    can_answer_swap,
    can_ask_swap,
    can_decide_swap,
    can_manage_duty,
    can_view_duty_statistics,
    can_view_rota,
    can_view_swap,
    can_withdraw_swap,
)
from ..statistics import DutyStatistics, duty_statistics

QUEUE_PAGE_SIZE = 50
STATISTICS_PAGE_SIZE = 100
SWAP_RELATIONS = (
    "turn__week__rota__organisation", "turn__village", "turn__volunteer__person",
    "other_turn__week", "other_turn__village", "other_turn__volunteer__person",
)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# Forms: they parse; the actions decide.


class AskForm(forms.Form):
    other_turn = forms.ModelChoiceField(label=gettext_lazy("The turn you would take"), queryset=DutyTurn.objects.none())
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"), required=False, max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The other volunteer and the organisation read it."),
    )

    def __init__(self, *args: Any, turn: DutyTurn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any turn of the rota: the action says which rule a choice would break.
        self.fields["other_turn"].queryset = DutyTurn.objects.filter(week__rota_id=turn.week.rota_id)


class AnswerForm(forms.Form):
    agree = forms.TypedChoiceField(choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes")


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes")
    note = forms.CharField(label=gettext_lazy("Note to the volunteers (optional)"), required=False, max_length=MAX_REASON)


class RangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Weeks from"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=gettext_lazy("to"), required=False, widget=DATE_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The range ends before it starts."))
        return data


# ---------------------------------------------------------------------------------------------
# Swaps


@require_http_methods(["GET", "POST"])
def swap_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer offers their turn for another of the rota, among those the rules allow."""
    turn = get_object_or_404(DutyTurn.objects.select_related("week__rota__organisation", "village", "volunteer__person"), pk=pk)
    if not can_view_rota(request.user, turn.week.rota):
        raise Http404
    if not can_ask_swap(request.user, turn):
        raise PermissionDenied
    form = AskForm(request.POST or None, turn=turn)
    if form.is_valid():
        try:
            swap = ask_swap(actor=request.user, turn=turn, other_turn=form.cleaned_data["other_turn"], reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Asked: %(name)s is told and may agree.") % {"name": swap.other_turn.volunteer.person.display_name})
            return redirect("duty:swap", swap.pk)
    context = {"turn": turn, "rota": turn.week.rota, "form": form, "choices": swap_choices(turn)}
    return render(request, "duty/swaps/ask.html", context)


def _swap_for(request: HttpRequest, pk: int) -> SwapRequest:
    """The swap, for the two volunteers and the organisation's managers; Http404 for anyone else."""
    swap = get_object_or_404(SwapRequest.objects.select_related(*SWAP_RELATIONS), pk=pk)
    if not can_view_swap(request.user, swap):
        raise Http404
    return swap


@require_http_methods(["GET"])
def swap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _swap_for(request, pk)
    user = request.user
    context = {
        "swap": swap,
        "organisation": swap.turn.week.rota.organisation,
        "may_answer": swap.status == SwapStatus.REQUESTED and can_answer_swap(user, swap),
        "may_decide": swap.status == SwapStatus.ACCEPTED and can_decide_swap(user, swap),
        "may_withdraw": swap.is_open and can_withdraw_swap(user, swap),
        "manages": can_manage_duty(user, swap.turn.week.rota.organisation),
    }
    return render(request, "duty/swaps/detail.html", context)


@require_POST
def swap_answer(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _swap_for(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you agree."))
        return redirect("duty:swap", swap.pk)
    agree = form.cleaned_data["agree"]
    return _act(request, swap, lambda: answer_swap(actor=request.user, swap=swap, agree=agree),
                _("You agree: the organisation is asked to approve the swap.") if agree else _("You declined the swap."))


@require_POST
def swap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _swap_for(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you approve the swap."))
        return redirect("duty:swap", swap.pk)
    approve, note = form.cleaned_data["approve"], form.cleaned_data["note"]
    return _act(request, swap, lambda: decide_swap(actor=request.user, swap=swap, approve=approve, note=note),
                _("Approved: the two volunteers have exchanged their turns.") if approve else _("The swap is refused."))


@require_POST
def swap_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    swap = _swap_for(request, pk)
    return _act(request, swap, lambda: withdraw_swap(actor=request.user, swap=swap), _("You withdrew the swap."))


def _act(request: HttpRequest, swap: SwapRequest, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("duty:swap", swap.pk)


@require_http_methods(["GET"])
def swap_queue(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The organisation's swaps: agreed ones waiting for approval first, then those waiting
    for the other volunteer, then the decided ones, latest first."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_manage_duty(request.user, organisation):
        raise PermissionDenied
    swaps = (
        SwapRequest.objects.filter(turn__week__rota__organisation=organisation)
        .select_related(*SWAP_RELATIONS)
        .annotate(rank=Case(
            When(status=SwapStatus.ACCEPTED, then=Value(0)), When(status=SwapStatus.REQUESTED, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ))
        .order_by("rank", F("decided_at").desc(nulls_last=True), "requested_at", "pk")
    )
    page = Paginator(swaps, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = SwapRequest.objects.filter(turn__week__rota__organisation=organisation, status=SwapStatus.ACCEPTED).count()
    return render(request, "duty/swaps/queue.html", {"organisation": organisation, "page": page, "waiting": waiting})


# ---------------------------------------------------------------------------------------------
# Statistics


@require_http_methods(["GET"])
def statistics(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_view_duty_statistics(request.user, organisation):
        raise PermissionDenied
    form = RangeForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures = duty_statistics(organisation, start=start, end=end)
    if request.GET.get("format") == "csv" and not form.errors:
        return _volunteers_csv(figures)
    context = {
        "organisation": organisation, "form": form, "figures": figures,
        "volunteers": Paginator(figures.volunteers, STATISTICS_PAGE_SIZE).get_page(request.GET.get("page")),
        "teams": Paginator(figures.teams, STATISTICS_PAGE_SIZE).get_page(request.GET.get("teams_page")),
    }
    return render(request, "duty/statistics/statistics.html", context)


def _volunteers_csv(figures: DutyStatistics) -> HttpResponse:
    """The per-volunteer table as UTF-8 with a byte-order mark: Excel then reads Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([
        _("Volunteer"), _("Home village"), _("Turns served"), _("Of which troubleshooter"), _("Turns to come"),
        _("Problems heard"), _("Solved"), _("Still open"), _("Diary days"),
    ])
    for row in figures.volunteers:
        home = row.volunteer.home_village.display_name if row.volunteer.home_village else ""
        writer.writerow([
            row.volunteer.person.display_name, home, row.served, row.troubleshooter, row.to_come,
            row.problems.heard, row.problems.solved, row.problems.open, row.diary_days,
        ])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"duty-statistics-{figures.organisation.pk}-{figures.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("duty/turns/<int:pk>/swap/", swap_ask, name="swap_ask"),
    path("duty/swaps/<int:pk>/", swap_detail, name="swap"),
    path("duty/swaps/<int:pk>/answer/", swap_answer, name="swap_answer"),
    path("duty/swaps/<int:pk>/decide/", swap_decide, name="swap_decide"),
    path("duty/swaps/<int:pk>/withdraw/", swap_withdraw, name="swap_withdraw"),
    path("organisations/<int:organisation_id>/duty/swaps/", swap_queue, name="swaps"),
    path("organisations/<int:organisation_id>/duty/statistics/", statistics, name="statistics"),
]
