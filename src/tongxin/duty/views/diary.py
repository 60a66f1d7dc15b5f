"""A team's week on paper: each volunteer's diary, the team's tasks with their progress, and the
handover (what the previous team left, the problems carried over, the notes for the next team)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions.diary import MAX_DIARY_TEXT, readable_turn, week_days, write_diary
from ..actions.handover import MAX_HANDOVER_NOTES, carried_over, handover_for, write_handover
from ..actions.tasks import MAX_TASK_PROGRESS, MAX_TASK_TITLE, remove_task, set_task, update_task
from ..models import DiaryEntry, Handover, RotaWeek, WeeklyTask
from ..permissions import (
    can_keep_team_record,
    can_write_diary,
    is_volunteer_themselves,
    visible_team,
)

# ---------------------------------------------------------------------------------------------
# Forms: they parse; the actions decide.


class DiaryForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.Select)
    text = forms.CharField(
        label=gettext_lazy("What I did"),
        max_length=MAX_DIARY_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Whom you met, what was raised, what you followed up, what is left for tomorrow."),
    )

    def __init__(self, *args: Any, days: list[datetime.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.choices = [(day.isoformat(), _weekday(day)) for day in days]


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=MAX_TASK_TITLE)


class TaskEditForm(forms.Form):
    # Absent from the list's short form: None keeps the title as it is.
    title = forms.CharField(label=gettext_lazy("Task"), max_length=MAX_TASK_TITLE, required=False)
    progress = forms.CharField(
        label=gettext_lazy("Progress"), max_length=MAX_TASK_PROGRESS, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    done = forms.BooleanField(label=gettext_lazy("Done"), required=False)


class HandoverForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes for the next team"),
        max_length=MAX_HANDOVER_NOTES,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "What they should know: promises made, people to see, what is under way. "
            "Open problems are carried over to them on their own."
        ),
    )


# ---------------------------------------------------------------------------------------------
# The diary


@dataclass
class DiaryDay:
    day: datetime.date
    entry: DiaryEntry | None
    to_come: bool


@require_http_methods(["GET", "POST"])
def diary(request: HttpRequest, pk: int) -> HttpResponse:
    turn = readable_turn(request.user, pk)
    writes = can_write_diary(request.user, turn)
    if request.method == "POST" and not writes:
        raise PermissionDenied
    today = timezone.localdate()
    writable_days = [day for day in week_days(turn) if day <= today]
    entries = {entry.day: entry for entry in DiaryEntry.objects.filter(turn=turn)}
    form = None
    if writes:
        chosen = _asked_day(request) or min(today, turn.week.end)
        chosen_entry = entries.get(chosen)
        form = DiaryForm(
            request.POST or None, days=writable_days,
            initial={"day": chosen, "text": chosen_entry.text if chosen_entry else ""},
        )
        if form.is_valid():
            day = form.cleaned_data["day"]
            try:
                write_diary(actor=request.user, turn=turn, day=day, text=form.cleaned_data["text"])
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your diary of %(day)s is saved.") % {"day": _weekday(day)})
                return redirect("duty:diary", turn.pk)
    context = {
        "turn": turn,
        "week": turn.week,
        "rota": turn.week.rota,
        "is_self": is_volunteer_themselves(request.user, turn.volunteer),
        "days": [DiaryDay(day, entries.get(day), day > today) for day in week_days(turn)],
        "form": form,
    }
    return render(request, "duty/diary/diary.html", context)


# ---------------------------------------------------------------------------------------------
# The team's tasks


@require_http_methods(["GET", "POST"])
def tasks(request: HttpRequest, week_id: int, village_id: int) -> HttpResponse:
    week, village = visible_team(request.user, week_id, village_id)
    keeps = can_keep_team_record(request.user, week, village)
    if request.method == "POST" and not keeps:
        raise PermissionDenied
    form = TaskForm(request.POST or None) if keeps else None
    if form is not None and form.is_valid():
        try:
            set_task(actor=request.user, week=week, village=village, title=form.cleaned_data["title"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The task is on the team's list."))
            return redirect("duty:tasks", week.pk, village.pk)
    context = {
        **_team_context(week, village), "keeps": keeps, "form": form,
        "tasks": list(WeeklyTask.objects.filter(week=week, village=village).order_by("pk")),
    }
    return render(request, "duty/diary/tasks.html", context)


@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The task's own form; the list's short forms (progress, done, remove) post here too."""
    task = get_object_or_404(WeeklyTask.objects.select_related("week", "village"), pk=pk)
    week, village = visible_team(request.user, task.week_id, task.village_id)
    if not can_keep_team_record(request.user, week, village):
        raise PermissionDenied
    task.week = week
    back = reverse("duty:tasks", args=[week.pk, village.pk])
    if request.method == "POST" and "remove" in request.POST:
        try:
            remove_task(actor=request.user, task=task)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The task “%(title)s” is removed.") % {"title": task.title})
        return redirect(back)
    form = TaskEditForm(request.POST or None, initial={"title": task.title, "progress": task.progress, "done": task.done})
    if form.is_valid():
        data = form.cleaned_data
        try:
            update_task(
                actor=request.user, task=task, progress=data["progress"], done=data["done"],
                title=data["title"] if "title" in request.POST else None,
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The task “%(title)s” is saved.") % {"title": data["title"] or task.title})
            return redirect(back)
    return render(request, "duty/diary/task.html", {**_team_context(week, village), "task": task, "form": form})


# ---------------------------------------------------------------------------------------------
# The handover


@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, week_id: int, village_id: int) -> HttpResponse:
    week, village = visible_team(request.user, week_id, village_id)
    keeps = can_keep_team_record(request.user, week, village)
    if request.method == "POST" and not keeps:
        raise PermissionDenied
    own = Handover.objects.filter(week=week, village=village).first()
    form = HandoverForm(request.POST or None, initial={"notes": own.notes if own else ""}) if keeps else None
    if form is not None and form.is_valid():
        try:
            write_handover(actor=request.user, week=week, village=village, notes=form.cleaned_data["notes"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your handover notes are saved for the next team."))
            return redirect("duty:handover", week.pk, village.pk)
    context = {
        **_team_context(week, village), "keeps": keeps, "form": form, "own": own,
        "previous": handover_for(week, village), "carried": carried_over(week, village),
    }
    return render(request, "duty/diary/handover.html", context)


def _asked_day(request: HttpRequest) -> datetime.date | None:
    """The day a link asks to write (the evening reminder's names it), if it is a date at all."""
    try:
        return parse_date(request.GET.get("day", ""))
    except ValueError:
        return None


def _team_context(week: RotaWeek, village: Organisation) -> dict[str, Any]:
    return {"week": week, "village": village, "rota": week.rota}


def _weekday(day: datetime.date) -> str:
    return f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"


urlpatterns = [
    path("duty/turns/<int:pk>/diary/", diary, name="diary"),
    path("duty/weeks/<int:week_id>/villages/<int:village_id>/tasks/", tasks, name="tasks"),
    path("duty/tasks/<int:pk>/", task_edit, name="task"),
    path("duty/weeks/<int:week_id>/villages/<int:village_id>/handover/", handover, name="handover"),
]
