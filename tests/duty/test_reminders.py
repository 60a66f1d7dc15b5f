"""The duty rota's background work: the reminder before a turn, the alert about a week's empty
seats, the evening diary reminder. Each tells everyone once, in the app and by email, skips
volunteers without an account, and runs on the scheduler's clock."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_tasks import TaskResultStatus

from tests.duty.conftest import MONDAY, VILLAGES
from tests.helpers import admin_of
from tongxin.community.models import Person, RoleGrant
from tongxin.core.models import Notification
from tongxin.core.notify import absolute_url
from tongxin.core.schedule import PeriodicJob, configured_jobs
from tongxin.duty.actions.diary import write_diary
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.models import DutyGap, DutyTurn, RotaWeek
from tongxin.duty.tasks import (
    alert_week_gaps,
    remind_missing_diaries,
    remind_upcoming_turns,
    tell_missing_diaries,
    tell_upcoming_turns,
    tell_week_gaps,
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _day(day: datetime.date) -> str:
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")


def _mail_to(account) -> list[tuple[str, str]]:
    return [(message.subject, message.body) for message in mail.outbox if message.to == [account.email]]


def _without_account(turn: DutyTurn) -> None:
    Person.objects.filter(pk=turn.volunteer.person_id).update(user=None)


# Before a turn -------------------------------------------------------------------------------


def test_volunteers_hear_three_days_ahead_that_their_week_starts_once(serving, django_capture_on_commit_callbacks):
    week = RotaWeek.objects.get(pk=serving.week_number(2).pk)
    turns = list(DutyTurn.objects.filter(week=week).select_related("volunteer__person__user", "village").order_by("pk"))
    east = [turn for turn in turns if turn.village is not None and turn.village.name == "东村"]
    floating = next(turn for turn in turns if turn.village is None)
    skipped = next(turn for turn in turns if turn.village is not None and turn.village.name == "南村")
    _without_account(skipped)
    friday = _at(week.start - datetime.timedelta(days=3), 8)
    assert tell_upcoming_turns(now=friday - datetime.timedelta(days=1)) == 0  # four days ahead: not yet
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_upcoming_turns(now=friday) == 9
    assert tell_upcoming_turns(now=friday) == 0
    assert tell_upcoming_turns(now=friday + datetime.timedelta(days=1)) == 0

    subject = f"[Tongxin] Your duty week starts on {_day(week.start)}"
    first, *mates = east
    names = ", ".join(turn.volunteer.person.name for turn in mates)
    assert _mail_to(first.volunteer.person.user) == [(
        subject,
        f"From {_day(week.start)} to {_day(week.end)} you serve on the team of East Village.\n"
        f"Your team mates: {names}.\n\n{absolute_url('/duty/me/')}",
    )]
    assert _mail_to(floating.volunteer.person.user) == [(
        subject,
        f"From {_day(week.start)} to {_day(week.end)} you are a troubleshooter for Tongxin Town: you go to whichever "
        f"village has an urgent problem.\nNobody else serves with you in that seat.\n\n{absolute_url('/duty/me/')}",
    )]
    assert len(mail.outbox) == 9
    reminded = Notification.objects.filter(subject=f"Your duty week starts on {_day(week.start)}")
    assert sorted(reminded.values_list("user_id", flat=True)) == sorted(
        turn.volunteer.person.user_id for turn in turns if turn != skipped
    )
    assert set(reminded.values_list("url", flat=True)) == {"/duty/me/"}
    assert [turn.reminded_at for turn in DutyTurn.objects.filter(week=week).order_by("pk")] == [
        None if turn == skipped else friday for turn in turns
    ]
    assert not DutyTurn.objects.exclude(week=week).filter(reminded_at__isnull=False).exists()


def test_a_draft_rotas_turns_are_not_reminded(town):
    plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=1)
    assert tell_upcoming_turns(now=_at(MONDAY - datetime.timedelta(days=1), 8)) == 0
    assert not Notification.objects.exists()


# Empty seats ---------------------------------------------------------------------------------


def _gap_words(gap: DutyGap, span: str) -> str:
    seats = "seat" if gap.missing == 1 else "seats"
    them = "it" if gap.missing == 1 else "them"
    if gap.village is None:
        return f"Nobody could be planned for {gap.missing} troubleshooter {seats} {span}. Fill {them} on the rota."
    village = dict(VILLAGES)[gap.village.name]
    return f"Nobody could be planned for {gap.missing} {seats} of the team of {village} {span}. Fill {them} on the rota."


def test_the_admins_hear_of_each_empty_seat_two_weeks_ahead_once(town, django_capture_on_commit_callbacks):
    rota = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=3, team_size=5, troubleshooters=2)
    publish_rota(actor=town.admin, rota=rota)
    week2 = rota.rota_weeks.get(number=2)
    gaps = list(DutyGap.objects.filter(week__rota=rota).select_related("village").order_by("pk"))
    # Week 1 takes 17 of the 24, and nobody serves two weeks running: week 2 has 7 for 17 seats.
    assert {gap.week_id for gap in gaps} == {week2.pk}
    assert sum(gap.missing for gap in gaps) == 10
    Notification.objects.all().delete()
    assert tell_week_gaps(now=_at(week2.start - datetime.timedelta(days=15), 8)) == 0
    moment = _at(week2.start - datetime.timedelta(days=14), 8)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_week_gaps(now=moment) == len(gaps)
    assert tell_week_gaps(now=moment) == 0
    assert tell_week_gaps(now=moment + datetime.timedelta(days=7)) == 0
    assert [gap.alerted_at for gap in DutyGap.objects.order_by("pk")] == [moment] * len(gaps)

    span = f"from {_day(week2.start)} to {_day(week2.end)}"
    told = list(Notification.objects.order_by("pk").values_list("user__username", "subject", "body", "url"))
    subject = f"Empty seats in the duty rota in the week of {_day(week2.start)}"
    url = f"/duty/rotas/{rota.pk}/"
    assert told == [("admin", subject, _gap_words(gap, span), url) for gap in gaps]
    assert mail.outbox == []  # the test admin's account has no address: in the app only


def test_gaps_of_a_draft_are_not_alerted(town):
    plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2, team_size=5, troubleshooters=2)
    assert tell_week_gaps(now=_at(MONDAY, 8)) == 0
    assert not DutyGap.objects.filter(alerted_at__isnull=False).exists()


def test_a_gap_with_no_admin_to_tell_waits_for_one(town):
    rota = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2, team_size=5, troubleshooters=2)
    publish_rota(actor=town.admin, rota=rota)
    RoleGrant.objects.filter(user=town.admin).update(revoked_at=timezone.now())
    moment = _at(MONDAY, 8)
    assert tell_week_gaps(now=moment) == 0
    assert not DutyGap.objects.filter(alerted_at__isnull=False).exists()
    newcomer = admin_of(town.town, "new_admin")
    gaps = DutyGap.objects.count()
    assert tell_week_gaps(now=moment) == gaps
    assert Notification.objects.filter(user=newcomer, url=f"/duty/rotas/{rota.pk}/").count() == gaps


# The evening diary reminder ------------------------------------------------------------------


def test_whoever_wrote_no_diary_today_is_reminded_once_at_eight_in_the_evening(serving, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    turns = list(DutyTurn.objects.filter(week=serving.week).select_related("volunteer__person__user").order_by("pk"))
    wrote, skipped, reminded = turns[0], turns[1], turns[2]
    write_diary(actor=wrote.volunteer.person.user, turn=wrote, day=today, text="今天的日记")
    _without_account(skipped)
    evening = _at(today, 20)
    with django_capture_on_commit_callbacks(execute=True):
        assert tell_missing_diaries(now=evening) == 8
    assert tell_missing_diaries(now=evening) == 0
    url = f"/duty/turns/{reminded.pk}/diary/?day={today.isoformat()}"
    subject = f"Your duty diary for {_day(today)}"
    body = (
        "You have not written today's diary yet. A few lines are enough: whom you met, what was raised, "
        "what was followed up, what is left for tomorrow."
    )
    assert list(Notification.objects.filter(user=reminded.volunteer.person.user, subject=subject).values_list("body", "url")) == [
        (body, url)
    ]
    assert not Notification.objects.filter(user=wrote.volunteer.person.user, subject=subject).exists()
    assert Notification.objects.filter(subject=subject).count() == 8
    assert len([message for message in mail.outbox if message.subject.endswith(subject)]) == 8
    assert [message.body for message in mail.outbox if message.to == [reminded.volunteer.person.user.email]] == [
        f"{body}\n\n{absolute_url(url)}"
    ]
    # The next evening is another day: a new reminder for whoever writes nothing again.
    tomorrow = today + datetime.timedelta(days=1)
    expected = 9 if tomorrow <= serving.week.end else 10  # on a Sunday, tomorrow is the next team's first day
    assert tell_missing_diaries(now=_at(tomorrow, 20)) == expected


# The jobs themselves -------------------------------------------------------------------------


def test_the_jobs_run_as_tasks_and_return_the_count_told(town):
    for job in (remind_upcoming_turns, alert_week_gaps, remind_missing_diaries):
        result = job.enqueue()
        assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 0)


def test_the_default_schedule_runs_the_reminders_at_eight_and_the_diary_reminder_at_twenty(settings):
    del settings.TONGXIN_SCHEDULE
    duty = [job for job in configured_jobs() if job.task_path.startswith("tongxin.duty.")]
    day = datetime.timedelta(days=1)
    assert duty == [
        PeriodicJob("tongxin.duty.tasks.remind_upcoming_turns", day, datetime.timedelta(hours=8)),
        PeriodicJob("tongxin.duty.tasks.alert_week_gaps", day, datetime.timedelta(hours=8)),
        PeriodicJob("tongxin.duty.tasks.remind_missing_diaries", day, datetime.timedelta(hours=20)),
    ]
