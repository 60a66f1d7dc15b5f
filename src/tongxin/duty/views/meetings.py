"""The team's week in its village: the team's page with its ledger, logging a morning meeting and
its problems, one meeting, a follow-up with the village's officials, and "my team today"."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError
from tongxin.feedback.models import Category, Privacy

from ..actions.meetings import (
    ProblemIn,
    add_problem,
    can_follow_up,
    ledger_rows,
    log_morning_meeting,
    meeting_ledger,
    read_team_week,
    record_follow_up,
    visible_meeting,
    visible_problem,
)
from ..actions.rota import villages_of
from ..models import MeetingProblem, MorningMeeting, RotaWeek
from ..permissions import can_keep_team_record, can_view_team_record, turns_of, visible_team

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXTRA_PROBLEM_ROWS = 3
# The villager's choice, worded for the team member who asks them.
PRIVACY_CHOICES = [
    (Privacy.HIDDEN, gettext_lazy("Hide their name from the public")),
    (Privacy.PUBLIC, gettext_lazy("Their name may be shown")),
    (Privacy.ANONYMOUS, gettext_lazy("Anonymous: keep no name or phone number")),
]


# ---------------------------------------------------------------------------------------------
# Forms: they parse; the actions decide.


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DATE_INPUT)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    villagers_present = forms.IntegerField(label=gettext_lazy("Villagers who came"), min_value=0, initial=0)
    officials_present = forms.CharField(label=gettext_lazy("Village officials present"), max_length=300, required=False)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProblemForm(forms.Form):
    """One problem raised. The category list is read once per page and handed to every row."""

    description = forms.CharField(label=gettext_lazy("What was raised"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.TypedChoiceField(label=gettext_lazy("Category"), coerce=int)
    privacy = forms.ChoiceField(
        label=gettext_lazy("The villager's name"), choices=PRIVACY_CHOICES, initial=Privacy.HIDDEN, widget=forms.RadioSelect
    )
    reporter_name = forms.CharField(label=gettext_lazy("Villager's name"), max_length=100, required=False)
    reporter_phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
    )
    address = forms.CharField(label=gettext_lazy("Address or landmark"), max_length=300, required=False)
    urgent = forms.BooleanField(label=gettext_lazy("Urgent: danger to life or property"), required=False)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = [("", _("Choose a category"))] + [
            (category.pk, category.display_name) for category in categories
        ]

    def problem(self) -> ProblemIn:
        data = self.cleaned_data
        return ProblemIn(
            description=data["description"], category=self.categories[data["category"]], privacy=data["privacy"],
            reporter_name=data["reporter_name"], reporter_phone=data["reporter_phone"], address=data["address"],
            urgent=data["urgent"],
        )


ProblemFormSet = formset_factory(ProblemForm, extra=EXTRA_PROBLEM_ROWS, max_num=30, validate_max=True)


class FollowUpForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Followed up on"), widget=DATE_INPUT)
    officials = forms.CharField(label=gettext_lazy("Officials met"), max_length=300)
    outcome = forms.CharField(label=gettext_lazy("What was agreed"), widget=forms.Textarea(attrs={"rows": 3}))


def _categories() -> list[Category]:
    return list(Category.objects.active().order_by("order", "code"))


# ---------------------------------------------------------------------------------------------
# The team's page


@require_http_methods(["GET"])
def team(request: HttpRequest, week_id: int, village_id: int) -> HttpResponse:
    week, village = visible_team(request.user, week_id, village_id)
    context = {
        "team": read_team_week(request.user, week, village), "week": week, "village": village, "rota": week.rota,
        "keeps": can_keep_team_record(request.user, week, village),
    }
    return render(request, "duty/team/team.html", context)


# ---------------------------------------------------------------------------------------------
# Logging a meeting


def _default_day(week: RotaWeek) -> datetime.date | None:
    today = timezone.localdate()
    if week.start <= today <= week.end:
        return today
    return week.end if today > week.end else None


def _kept_team(request: HttpRequest, week_id: int, village_id: int) -> tuple[RotaWeek, Organisation]:
    week, village = visible_team(request.user, week_id, village_id)
    if not can_keep_team_record(request.user, week, village):
        raise PermissionDenied
    return week, village


@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, week_id: int, village_id: int) -> HttpResponse:
    week, village = _kept_team(request, week_id, village_id)
    categories = _categories()
    form = MeetingForm(request.POST or None, initial={"held_on": _default_day(week)})
    problems = ProblemFormSet(request.POST or None, prefix="problems", form_kwargs={"categories": categories})
    valid = [form.is_valid(), problems.is_valid()]  # both, so that every error is shown at once
    if request.method == "POST" and all(valid):
        try:
            meeting = log_morning_meeting(
                actor=request.user, week=week, village=village, **form.cleaned_data,
                problems=[row.problem() for row in problems if row.has_changed()],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The meeting is logged; every problem raised is now a case.") if meeting.problems.exists()
                else _("The meeting is logged."),
            )
            return redirect("duty:team", week.pk, village.pk)
    context = {"week": week, "village": village, "form": form, "problems": problems}
    return render(request, "duty/team/meeting_form.html", context)


# ---------------------------------------------------------------------------------------------
# One meeting


def _meeting_page(request: HttpRequest, meeting: MorningMeeting, *, form: ProblemForm | None = None) -> HttpResponse:
    keeps = can_keep_team_record(request.user, meeting.week, meeting.village)
    if form is None and keeps:
        form = ProblemForm(categories=_categories(), prefix="problem")
    context = {
        "meeting": meeting, "week": meeting.week, "village": meeting.village,
        "rows": ledger_rows(request.user, meeting_ledger(meeting)), "keeps": keeps, "form": form,
    }
    return render(request, "duty/team/meeting.html", context)


@require_http_methods(["GET"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, visible_meeting(request.user, pk))


@require_http_methods(["GET", "POST"])
def problem_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's page with its form to add a problem (the form posts here)."""
    meeting = visible_meeting(request.user, pk)
    if not can_keep_team_record(request.user, meeting.week, meeting.village):
        raise PermissionDenied
    form = ProblemForm(request.POST or None, categories=_categories(), prefix="problem")
    if form.is_valid():
        try:
            row = add_problem(actor=request.user, meeting=meeting, problem=form.problem())
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Problem %(number)d is filed as case %(code)s.") % {"number": row.number, "code": row.case.code})
            return redirect("duty:meeting", meeting.pk)
    return _meeting_page(request, meeting, form=form)


# ---------------------------------------------------------------------------------------------
# A follow-up


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    problem = visible_problem(request.user, pk)
    if not can_follow_up(request.user, problem):
        raise PermissionDenied
    back = _back_to(request, problem)
    form = FollowUpForm(request.POST or None, initial={"held_on": timezone.localdate(), "officials": problem.meeting.officials_present})
    if form.is_valid():
        try:
            record_follow_up(actor=request.user, problem=problem, **form.cleaned_data)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect(back)
    context = {"problem": problem, "case": problem.case, "meeting": problem.meeting, "form": form, "back": back}
    return render(request, "duty/team/follow_up.html", context)


def _back_to(request: HttpRequest, problem: MeetingProblem) -> str:
    """The team page the follow-up was asked from (a later team's, for a problem carried over),
    else the page of the team that heard it."""
    village = problem.meeting.village
    week_id = request.POST.get("week") or request.GET.get("week")
    if week_id and str(week_id).isdigit():
        week = RotaWeek.objects.select_related("rota").filter(pk=int(week_id)).first()
        if week is not None and can_view_team_record(request.user, week, village):
            return reverse("duty:team", args=[week.pk, village.pk])
    return reverse("duty:team", args=[problem.meeting.week_id, village.pk])


# ---------------------------------------------------------------------------------------------
# My team today


@login_required
@require_http_methods(["GET"])
def today(request: HttpRequest) -> HttpResponse:
    """Straight to the team's page for a volunteer on duty this week; a troubleshooter picks a team."""
    day = timezone.localdate()
    turns = list(
        turns_of(request.user)
        .filter(week__start__lte=day, week__start__gt=day - datetime.timedelta(days=7))
        .select_related("week__rota__organisation", "village")
        .order_by("week__start", "pk")
    )
    if len(turns) == 1 and not turns[0].is_troubleshooter:
        return redirect("duty:team", turns[0].week_id, turns[0].village_id)
    teams = [
        (turn, [turn.village] if not turn.is_troubleshooter else villages_of(turn.week.rota.organisation))
        for turn in turns
    ]
    return render(request, "duty/team/today.html", {"teams": teams, "today": day})


urlpatterns = [
    path("duty/weeks/<int:week_id>/villages/<int:village_id>/", team, name="team"),
    path("duty/weeks/<int:week_id>/villages/<int:village_id>/meetings/new/", meeting_new, name="meeting_new"),
    path("duty/meetings/<int:pk>/", meeting_detail, name="meeting"),
    path("duty/meetings/<int:pk>/problems/new/", problem_add, name="problem_add"),
    path("duty/problems/<int:pk>/follow-up/", follow_up, name="follow_up"),
    path("duty/today/", today, name="today"),
]
