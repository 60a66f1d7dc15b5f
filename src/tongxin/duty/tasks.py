"""Background work of the duty rota, run by the scheduler (core.schedule.DEFAULT_SCHEDULE): the
reminder before a turn starts, the alert about a week's empty seats, the evening diary reminder.

Each sweep tells everyone once, however often it runs and however many workers run it: a turn's
`reminded_at` and a gap's `alerted_at` are claimed by one conditional UPDATE; a diary reminder's
link names its day, so a second one for that day is found and not sent. Each returns the count told.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from tongxin.core.models import Notification
from tongxin.core.notify import notify
from tongxin.feedback.policies import accounts_to_tell

from .models import DutyGap, DutyTurn, RotaStatus
from .permissions import DUTY_MANAGERS, published_turns

REMIND_DAYS_AHEAD = 3
ALERT_DAYS_AHEAD = 14


@task()
def remind_upcoming_turns() -> int:
    """Daily: volunteers whose turn starts within REMIND_DAYS_AHEAD days are reminded, once."""
    return tell_upcoming_turns()


@task()
def alert_week_gaps() -> int:
    """Daily: the organisation's admins hear of each empty seat of a week starting within ALERT_DAYS_AHEAD days, once."""
    return tell_week_gaps()


@task()
def remind_missing_diaries() -> int:
    """Evenings (actions.diary.DIARY_REMINDER_HOUR): volunteers on duty who wrote no diary today are reminded, once."""
    return tell_missing_diaries()


# ---------------------------------------------------------------------------------------------
# The sweeps; `now` lets tests and commands choose the moment.


def tell_upcoming_turns(*, now: datetime.datetime | None = None) -> int:
    """Remind each volunteer with an account whose published turn starts today or within
    REMIND_DAYS_AHEAD days; returns how many were told."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    ids = list(
        _with_account(published_turns())
        .filter(reminded_at__isnull=True, week__start__range=(today, today + datetime.timedelta(days=REMIND_DAYS_AHEAD)))
        .order_by("week__start", "pk")
        .values_list("pk", flat=True)
    )
    told = 0
    for turn_id in ids:
        with transaction.atomic():
            if not DutyTurn.objects.filter(pk=turn_id, reminded_at__isnull=True).update(reminded_at=moment):
                continue  # another worker reminded them
            turn = DutyTurn.objects.select_related("week__rota__organisation", "village", "volunteer__person__user").get(pk=turn_id)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Your duty week starts on %(start)s") % {"start": _day(turn.week.start)}
                body = _turn_reminder(turn)
            notify(users=[turn.volunteer.person.user], subject=subject, body=body, url=reverse("duty:mine"))
            told += 1
    return told


def tell_week_gaps(*, now: datetime.datetime | None = None) -> int:
    """Tell the organisation's admins of every empty seat of a published week that starts within
    ALERT_DAYS_AHEAD days (or is under way); returns how many gaps they were told of. A gap
    with nobody to tell waits until there is someone."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    ids = list(
        DutyGap.objects.filter(
            alerted_at__isnull=True,
            week__rota__status=RotaStatus.PUBLISHED,
            week__start__range=(today - datetime.timedelta(days=6), today + datetime.timedelta(days=ALERT_DAYS_AHEAD)),
        )
        .order_by("week__start", "pk")
        .values_list("pk", flat=True)
    )
    told = 0
    for gap_id in ids:
        with transaction.atomic():
            gap = DutyGap.objects.select_related("week__rota__organisation", "village").filter(pk=gap_id).first()
            if gap is None:
                continue  # filled meanwhile
            admins = accounts_to_tell(gap.week.rota.organisation, DUTY_MANAGERS)
            if not admins or not DutyGap.objects.filter(pk=gap_id, alerted_at__isnull=True).update(alerted_at=moment):
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Empty seats in the duty rota in the week of %(start)s") % {"start": _day(gap.week.start)}
                body = _gap_alert(gap)
            notify(users=admins, subject=subject, body=body, url=gap.week.rota.get_absolute_url())
            told += 1
    return told


def tell_missing_diaries(*, now: datetime.datetime | None = None) -> int:
    """Remind each volunteer with an account on duty today who has not written today's diary;
    returns how many were told."""
    moment = now or timezone.now()
    today = timezone.localtime(moment).date()
    ids = list(
        _with_account(published_turns())
        .filter(week__start__range=(today - datetime.timedelta(days=6), today))
        .exclude(diary__day=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    told = 0
    for turn_id in ids:
        with transaction.atomic():
            # The lock keeps two workers from both finding no reminder and both sending one.
            turn = (
                DutyTurn.objects.select_for_update(of=("self",))
                .select_related("week", "volunteer__person__user")
                .get(pk=turn_id)
            )
            user = turn.volunteer.person.user
            url = f"{reverse('duty:diary', args=[turn.pk])}?day={today.isoformat()}"
            if turn.diary.filter(day=today).exists() or Notification.objects.filter(user=user, url=url).exists():
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Your duty diary for %(day)s") % {"day": _day(today)}
                body = _(
                    "You have not written today's diary yet. A few lines are enough: whom you met, "
                    "what was raised, what was followed up, what is left for tomorrow."
                )
            notify(users=[user], subject=subject, body=body, url=url)
            told += 1
    return told


# ---------------------------------------------------------------------------------------------


def _with_account(turns: Any) -> Any:
    return turns.filter(volunteer__person__user__isnull=False, volunteer__person__user__is_active=True)


def _turn_reminder(turn: DutyTurn) -> str:
    week = {"start": _day(turn.week.start), "end": _day(turn.week.end)}
    if turn.village is None:
        where = _("From %(start)s to %(end)s you are a troubleshooter for %(organisation)s: you go to whichever village "
                  "has an urgent problem.") % (week | {"organisation": turn.week.rota.organisation.display_name})
    else:
        where = _("From %(start)s to %(end)s you serve on the team of %(village)s.") % (week | {"village": turn.village.display_name})
    mates = [
        mate.volunteer.person.display_name
        for mate in DutyTurn.objects.filter(week_id=turn.week_id, village_id=turn.village_id)
        .exclude(pk=turn.pk).select_related("volunteer__person").order_by("pk")
    ]
    with_whom = (
        ngettext("Your team mate: %(names)s.", "Your team mates: %(names)s.", len(mates)) % {"names": ", ".join(mates)}
        if mates else _("Nobody else serves with you in that seat.")
    )
    return f"{where}\n{with_whom}"


def _gap_alert(gap: DutyGap) -> str:
    week = {"start": _day(gap.week.start), "end": _day(gap.week.end), "count": gap.missing}
    if gap.village is None:
        return ngettext(
            "Nobody could be planned for %(count)d troubleshooter seat from %(start)s to %(end)s. Fill it on the rota.",
            "Nobody could be planned for %(count)d troubleshooter seats from %(start)s to %(end)s. Fill them on the rota.",
            gap.missing,
        ) % week
    return ngettext(
        "Nobody could be planned for %(count)d seat of the team of %(village)s from %(start)s to %(end)s. Fill it on the rota.",
        "Nobody could be planned for %(count)d seats of the team of %(village)s from %(start)s to %(end)s. Fill them on the rota.",
        gap.missing,
    ) % (week | {"village": gap.village.display_name})


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")

