"""A volunteer's diary of their week: one entry a day, written by them while their record is open.

The diary reminder (`tongxin.duty.tasks.remind_missing_diaries`) goes out at DIARY_REMINDER_HOUR:
from then on a day without an entry counts as missing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from ..models import DiaryEntry, DutyTurn
from ..permissions import can_manage_duty, can_read_diary, can_write_diary
from .rota import require

MAX_DIARY_TEXT = 5000
DIARY_REMINDER_HOUR = 20  # local time: the day's work is done, the day still fresh


def write_diary(*, actor: Any, turn: DutyTurn, day: datetime.date, text: str) -> DiaryEntry:
    """The volunteer's entry for `day` of their week, written or replaced."""
    require(can_write_diary(actor, turn))
    text = text.strip()
    if not text:
        raise ActionError(_("Write what you did that day."))
    if len(text) > MAX_DIARY_TEXT:
        raise ActionError(_("A day's diary has at most %(max)d characters.") % {"max": MAX_DIARY_TEXT})
    if day > timezone.localdate():
        raise ActionError(_("A day that has not come yet has no diary."))
    week = turn.week
    if not week.start <= day <= week.end:
        raise ActionError(
            _("Write the diary of a day of your week, from %(start)s to %(end)s.")
            % {"start": _day(week.start), "end": _day(week.end)}
        )
    with transaction.atomic():
        # Two tabs saving the same day: the second waits, then replaces the first.
        DutyTurn.objects.select_for_update().get(pk=turn.pk)
        entry = DiaryEntry.objects.filter(turn=turn, day=day).first()
        replaced = entry is not None
        if entry is None:
            entry = DiaryEntry.objects.create(turn=turn, day=day, text=text)
        else:
            entry.text = text
            entry.save(update_fields=["text", "updated_at"])
        record_audit(
            actor=actor, verb="duty.diary.write", target=entry,
            data={"turn": turn.pk, "day": day.isoformat(), "replaced": replaced, "characters": len(text)},
        )
    return entry


def missing_diary_days(turn: DutyTurn, now: datetime.datetime | None = None) -> list[datetime.date]:
    """Days of the turn's week without an entry: every day before today, and today too once the
    evening reminder has gone out (DIARY_REMINDER_HOUR, local time)."""
    moment = timezone.localtime(now or timezone.now())
    today = moment.date()
    last = today if moment.hour >= DIARY_REMINDER_HOUR else today - datetime.timedelta(days=1)
    last = min(last, turn.week.end)
    written = set(DiaryEntry.objects.filter(turn=turn).values_list("day", flat=True))
    days = [turn.week.start + datetime.timedelta(days=n) for n in range((last - turn.week.start).days + 1)]
    return [day for day in days if day not in written]


def week_days(turn: DutyTurn) -> list[datetime.date]:
    return [turn.week.start + datetime.timedelta(days=n) for n in range(7)]


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


# -- Who reads a diary, and finding it for a request ------------------------------------------


def readable_turn(user: Any, pk: int) -> DutyTurn:
    """The turn whose diary the user asks for: Http404 for a turn of a draft they may not see,
    PermissionDenied when they may not read its diary."""
    turn = get_object_or_404(
        DutyTurn.objects.select_related("week__rota__organisation", "village", "volunteer__person"), pk=pk
    )
    if turn.week.rota.is_draft and not can_manage_duty(user, turn.week.rota.organisation):
        raise Http404
    require(can_read_diary(user, turn))
    return turn
