"""Periodic jobs: which task runs how often, and enqueuing each run exactly once.

The schedule is data, declared in settings as TONGXIN_SCHEDULE (DEFAULT_SCHEDULE when absent):

    TONGXIN_SCHEDULE = [
        {
            "task": "tongxin.core.tasks.verify_audit_chain",
            "every": timedelta(days=1),
            "offset": timedelta(hours=3),
        },
    ]

A job's runs fall at fixed times: midnight of 1 January 2000 in the site's time zone, plus
`offset`, plus whole multiples of `every`. Every scheduler therefore agrees on which run is
due, whenever it started; runs missed while no scheduler was running collapse into one.
`tongxin scheduler` calls `enqueue_due_jobs` in a loop; any number of schedulers may run.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from .models import SchedulerRun

DEFAULT_SCHEDULE: list[dict[str, Any]] = [
    # 03:00 in the site's time zone, when a town's offices are closed.
    {
        "task": "tongxin.core.tasks.verify_audit_chain",
        "every": timedelta(days=1),
        "offset": timedelta(hours=3),
    },
    # Case deadlines run by the hour: a case overdue at 10:00 escalates within minutes.
    {
        "task": "tongxin.feedback.tasks.escalate_overdue_cases",
        "every": timedelta(minutes=5),
        "offset": timedelta(0),
    },
    # Duty rota: at 08:00 volunteers hear their week starts soon and admins of a week's empty
    # seats, in office hours; at 20:00 whoever is on duty and wrote no diary today is reminded.
    {
        "task": "tongxin.duty.tasks.remind_upcoming_turns",
        "every": timedelta(days=1),
        "offset": timedelta(hours=8),
    },
    {
        "task": "tongxin.duty.tasks.alert_week_gaps",
        "every": timedelta(days=1),
        "offset": timedelta(hours=8),
    },
    {
        "task": "tongxin.duty.tasks.remind_missing_diaries",
        "every": timedelta(days=1),
        "offset": timedelta(hours=20),
    },
]


# -- Due-time arithmetic: plain datetimes in, plain datetimes out; no Django. -----------------


def latest_run(*, anchor: datetime, every: timedelta, now: datetime) -> datetime:
    """The last scheduled time at or before `now`: `anchor` plus a whole number of `every`.

    Counted in UTC, so an interval is an exact duration even across a daylight-saving change.
    """
    start = anchor.astimezone(UTC)
    return start + ((now - start) // every) * every


def due_run(
    *, anchor: datetime, every: timedelta, now: datetime, last_run: datetime | None
) -> datetime | None:
    """The run to enqueue at `now`, or None when the latest one was enqueued already."""
    latest = latest_run(anchor=anchor, every=every, now=now)
    if last_run is not None and last_run >= latest:
        return None
    return latest


def next_run(*, anchor: datetime, every: timedelta, now: datetime) -> datetime:
    """The first scheduled time after `now`."""
    return latest_run(anchor=anchor, every=every, now=now) + every


# -- The registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str
    every: timedelta
    offset: timedelta

    @property
    def task(self) -> Task:
        return import_string(self.task_path)

    def anchor(self) -> datetime:
        start = datetime(2000, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
        return start + self.offset


def _duration(entry: Mapping[str, Any], key: str, default: timedelta | None = None) -> timedelta:
    value = entry.get(key, default)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise ImproperlyConfigured(f"TONGXIN_SCHEDULE: {entry!r} needs '{key}' as a timedelta or seconds.")
    return value


def _job(entry: Mapping[str, Any]) -> PeriodicJob:
    every = _duration(entry, "every")
    offset = _duration(entry, "offset", timedelta(0))
    if every <= timedelta(0):
        raise ImproperlyConfigured(f"TONGXIN_SCHEDULE: {entry!r} must run every positive interval.")
    job = PeriodicJob(task_path=str(entry.get("task", "")), every=every, offset=offset)
    try:
        task = job.task
    except ImportError as error:
        raise ImproperlyConfigured(
            f"TONGXIN_SCHEDULE: cannot import task {job.task_path!r}: {error}"
        ) from error
    if not isinstance(task, Task):
        raise ImproperlyConfigured(
            f"TONGXIN_SCHEDULE: {job.task_path!r} is not a task (decorate it with @task)."
        )
    return job


def configured_jobs() -> list[PeriodicJob]:
    """The site's periodic jobs, checked: each names an importable task and a positive interval."""
    entries: Sequence[Mapping[str, Any]] = getattr(settings, "TONGXIN_SCHEDULE", DEFAULT_SCHEDULE)
    jobs = [_job(entry) for entry in entries]
    paths = [job.task_path for job in jobs]
    if len(set(paths)) != len(paths):
        raise ImproperlyConfigured("TONGXIN_SCHEDULE: each task may appear once.")
    return jobs


# -- Enqueuing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnqueuedRun:
    job: PeriodicJob
    scheduled_for: datetime
    result_id: str


def enqueue_due_jobs(
    *, jobs: list[PeriodicJob] | None = None, now: datetime | None = None
) -> list[EnqueuedRun]:
    """Enqueue every job whose latest run no scheduler has enqueued yet."""
    now = now or timezone.now()
    runs = [_enqueue_if_due(job, now) for job in (configured_jobs() if jobs is None else jobs)]
    return [run for run in runs if run is not None]


def _enqueue_if_due(job: PeriodicJob, now: datetime) -> EnqueuedRun | None:
    with transaction.atomic():
        # The row lock is what makes a run single: a second scheduler waits here, then sees it done.
        record, _created = SchedulerRun.objects.select_for_update().get_or_create(job=job.task_path)
        due = due_run(anchor=job.anchor(), every=job.every, now=now, last_run=record.last_run_at)
        if due is None:
            return None
        # The database backend writes the task in this same transaction: run and record commit together.
        result = job.task.enqueue()
        record.last_run_at, record.enqueued_at, record.result_id = due, now, str(result.id)
        record.save(update_fields=["last_run_at", "enqueued_at", "result_id"])
    return EnqueuedRun(job=job, scheduled_for=due, result_id=str(result.id))


def seconds_until_next_run(*, jobs: list[PeriodicJob], now: datetime) -> float:
    """How long a scheduler may sleep before something falls due."""
    soonest = min(next_run(anchor=job.anchor(), every=job.every, now=now) for job in jobs)
    return max((soonest - now).total_seconds(), 0.0)
