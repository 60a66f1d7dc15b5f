"""The scheduler: when a periodic job falls due, and that each run is enqueued exactly once,
however many schedulers see it."""

import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from tests.processes import read_sqlite, run_tongxin, start_tongxin
from tongxin.core.models import SchedulerRun
from tongxin.core.schedule import (
    DEFAULT_SCHEDULE,
    PeriodicJob,
    configured_jobs,
    due_run,
    enqueue_due_jobs,
    latest_run,
    next_run,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ESCALATION = "tongxin.feedback.tasks.escalate_overdue_cases"
AUDIT_CHECK = "tongxin.core.tasks.verify_audit_chain"
TURN_REMINDERS = "tongxin.duty.tasks.remind_upcoming_turns"
GAP_ALERTS = "tongxin.duty.tasks.alert_week_gaps"
DIARY_REMINDERS = "tongxin.duty.tasks.remind_missing_diaries"
# Tests of the mechanism schedule one job, so that their counts do not depend on the default list.
AUDIT_ONLY = [{"task": AUDIT_CHECK, "every": timedelta(days=1), "offset": timedelta(hours=3)}]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.sampled_from(
        [UTC, SHANGHAI, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
    )
)
intervals = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=40))


# -- Due-time arithmetic ---------------------------------------------------------------------


@given(anchor=instants, every=intervals, now=instants)
def test_the_latest_run_is_the_last_scheduled_time_not_after_now(anchor: datetime, every: timedelta, now: datetime) -> None:
    latest = latest_run(anchor=anchor, every=every, now=now)
    assert latest <= now < latest + every
    assert (latest - anchor) % every == timedelta(0)


@given(anchor=instants, every=intervals, now=instants)
def test_the_next_run_comes_within_one_interval(anchor: datetime, every: timedelta, now: datetime) -> None:
    upcoming = next_run(anchor=anchor, every=every, now=now)
    # In UTC: an interval is an exact duration, not so many days on a wall clock.
    assert now < upcoming <= now.astimezone(UTC) + every


@given(anchor=instants, every=intervals, times=st.lists(instants, min_size=1, max_size=30))
def test_a_scheduler_enqueues_each_run_once_and_misses_none(
    anchor: datetime, every: timedelta, times: list[datetime]
) -> None:
    last: datetime | None = None
    enqueued: list[datetime] = []
    for now in sorted(times):
        run = due_run(anchor=anchor, every=every, now=now, last_run=last)
        if run is not None:
            assert run <= now
            enqueued.append(run)
            last = run
    assert enqueued == sorted(set(enqueued))
    # One run for every scheduled time the scheduler woke after; missed ones collapse into it.
    assert enqueued == sorted({latest_run(anchor=anchor, every=every, now=now) for now in times})


@given(anchor=instants, every=intervals, now=instants)
def test_nothing_is_due_once_the_latest_run_is_enqueued(anchor: datetime, every: timedelta, now: datetime) -> None:
    latest = latest_run(anchor=anchor, every=every, now=now)
    assert due_run(anchor=anchor, every=every, now=now, last_run=None) == latest
    assert due_run(anchor=anchor, every=every, now=now, last_run=latest - every) == latest
    assert due_run(anchor=anchor, every=every, now=now, last_run=latest) is None


def test_a_daily_job_at_three_in_the_morning() -> None:
    anchor = datetime(2000, 1, 1, 3, tzinfo=SHANGHAI)
    day = timedelta(days=1)
    before = datetime(2026, 11, 25, 2, 59, tzinfo=SHANGHAI)
    at = datetime(2026, 11, 25, 3, 0, tzinfo=SHANGHAI)
    assert latest_run(anchor=anchor, every=day, now=before) == datetime(2026, 11, 24, 3, tzinfo=SHANGHAI)
    assert latest_run(anchor=anchor, every=day, now=at) == at
    assert next_run(anchor=anchor, every=day, now=before) == at
    assert due_run(anchor=anchor, every=day, now=at, last_run=datetime(2026, 11, 24, 3, tzinfo=SHANGHAI)) == at


# -- The registry ----------------------------------------------------------------------------


def test_the_default_schedule_checks_the_audit_chain_daily_and_case_deadlines_every_five_minutes(settings) -> None:  # noqa: ANN001
    del settings.TONGXIN_SCHEDULE
    assert configured_jobs() == [
        PeriodicJob(AUDIT_CHECK, timedelta(days=1), timedelta(hours=3)),
        PeriodicJob(ESCALATION, timedelta(minutes=5), timedelta(0)),
        PeriodicJob(TURN_REMINDERS, timedelta(days=1), timedelta(hours=8)),
        PeriodicJob(GAP_ALERTS, timedelta(days=1), timedelta(hours=8)),
        PeriodicJob(DIARY_REMINDERS, timedelta(days=1), timedelta(hours=20)),
    ]
    audit, *_others = configured_jobs()
    assert audit.anchor() == datetime(2000, 1, 1, 3, tzinfo=SHANGHAI)
    assert DEFAULT_SCHEDULE[0]["task"] == AUDIT_CHECK


def test_settings_declare_the_schedule(settings) -> None:  # noqa: ANN001
    settings.TONGXIN_SCHEDULE = [{"task": AUDIT_CHECK, "every": 3600}]
    assert configured_jobs() == [PeriodicJob(AUDIT_CHECK, timedelta(hours=1), timedelta(0))]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"task": "tongxin.core.tasks.no_such_task", "every": 60},
            "TONGXIN_SCHEDULE: cannot import task 'tongxin.core.tasks.no_such_task': "
            'Module "tongxin.core.tasks" does not define a "no_such_task" attribute/class',
        ),
        (
            {"task": "tongxin.core.audit.verify_chain", "every": 60},
            "TONGXIN_SCHEDULE: 'tongxin.core.audit.verify_chain' is not a task (decorate it with @task).",
        ),
        (
            {"task": AUDIT_CHECK, "every": 0},
            f"TONGXIN_SCHEDULE: {{'task': '{AUDIT_CHECK}', 'every': 0}} must run every positive interval.",
        ),
        (
            {"task": AUDIT_CHECK},
            f"TONGXIN_SCHEDULE: {{'task': '{AUDIT_CHECK}'}} needs 'every' as a timedelta or seconds.",
        ),
    ],
)
def test_a_wrong_schedule_says_what_is_wrong(settings, entry: dict, message: str) -> None:  # noqa: ANN001
    settings.TONGXIN_SCHEDULE = [entry]
    with pytest.raises(ImproperlyConfigured) as wrong:
        configured_jobs()
    assert str(wrong.value) == message


def test_a_task_scheduled_twice_is_refused(settings) -> None:  # noqa: ANN001
    settings.TONGXIN_SCHEDULE = [{"task": AUDIT_CHECK, "every": 60}, {"task": AUDIT_CHECK, "every": 3600}]
    with pytest.raises(ImproperlyConfigured, match="each task may appear once"):
        configured_jobs()


# -- Enqueuing -------------------------------------------------------------------------------


def test_a_run_is_enqueued_once_and_the_next_when_it_falls_due(db: None, settings) -> None:  # noqa: ANN001
    settings.TASKS = DATABASE_QUEUE
    settings.TONGXIN_SCHEDULE = AUDIT_ONLY
    jobs = configured_jobs()
    morning = datetime(2026, 11, 25, 3, 0, 5, tzinfo=SHANGHAI)

    [run] = enqueue_due_jobs(jobs=jobs, now=morning)
    assert (run.job.task_path, run.scheduled_for) == (AUDIT_CHECK, datetime(2026, 11, 25, 3, tzinfo=SHANGHAI))
    assert enqueue_due_jobs(jobs=jobs, now=morning + timedelta(hours=23)) == []
    [tomorrow] = enqueue_due_jobs(jobs=jobs, now=morning + timedelta(days=1))
    # A week without a scheduler: one run, not seven.
    [week_later] = enqueue_due_jobs(jobs=jobs, now=morning + timedelta(days=8))

    assert tomorrow.scheduled_for == datetime(2026, 11, 26, 3, tzinfo=SHANGHAI)
    assert week_later.scheduled_for == datetime(2026, 12, 3, 3, tzinfo=SHANGHAI)
    record = SchedulerRun.objects.get()
    assert (record.job, record.last_run_at, record.enqueued_at) == (
        AUDIT_CHECK,
        week_later.scheduled_for,
        morning + timedelta(days=8),
    )
    assert record.result_id == week_later.result_id
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert [(result.task_path, result.status) for result in queued] == [(AUDIT_CHECK, TaskResultStatus.READY)] * 3


def test_scheduler_once_enqueues_what_is_due_then_nothing(db: None, settings) -> None:  # noqa: ANN001
    settings.TONGXIN_SCHEDULE = AUDIT_ONLY
    # Under the tests' immediate backend the check also runs at once.
    first, second = StringIO(), StringIO()
    call_command("scheduler", "--once", stdout=first)
    call_command("scheduler", "--once", stdout=second)

    record = SchedulerRun.objects.get(job=AUDIT_CHECK)
    scheduled = _last_three_oclock_in_shanghai(record.enqueued_at)
    assert record.last_run_at == scheduled
    assert first.getvalue() == (
        f"Enqueued {AUDIT_CHECK}, scheduled for {scheduled.isoformat(timespec='minutes')} (task {record.result_id}).\n"
    )
    assert second.getvalue() == "Nothing is due.\n"


def _last_three_oclock_in_shanghai(moment: datetime) -> datetime:
    local = moment.astimezone(SHANGHAI)
    three = local.replace(hour=3, minute=0, second=0, microsecond=0)
    return three if three <= local else three - timedelta(days=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite is covered by separate processes on a file below")
@pytest.mark.parametrize("ran_yesterday", [False, True], ids=["first-run", "next-run"])
def test_schedulers_racing_on_postgresql_enqueue_one_run(transactional_db: None, settings, ran_yesterday: bool) -> None:  # noqa: ANN001
    settings.TASKS = DATABASE_QUEUE
    settings.TONGXIN_SCHEDULE = AUDIT_ONLY
    jobs = configured_jobs()
    now = datetime(2026, 11, 25, 3, 0, 5, tzinfo=SHANGHAI)
    if ran_yesterday:
        SchedulerRun.objects.create(job=AUDIT_CHECK, last_run_at=now - timedelta(days=1))
    schedulers = 6
    start = threading.Barrier(schedulers)
    enqueued: list[str] = []
    failures: list[BaseException] = []

    def scheduler() -> None:
        try:
            start.wait()
            enqueued.extend(run.result_id for run in enqueue_due_jobs(jobs=jobs, now=now))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(schedulers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(enqueued) == 1
    assert [str(task_id) for task_id in DBTaskResult.objects.values_list("id", flat=True)] == enqueued
    assert SchedulerRun.objects.get().result_id == enqueued[0]


def test_schedulers_racing_on_one_sqlite_file_enqueue_each_job_once_for_the_worker(sqlite_site: Path) -> None:
    processes = [start_tongxin("scheduler", "--once", data_dir=sqlite_site) for _ in range(4)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], outputs

    with translation.override("zh-hans"):
        idle = translation.gettext("Nothing is due.") + "\n"
    # Every default job is due at once; each is enqueued by exactly one of the four schedulers.
    jobs = sorted([AUDIT_CHECK, ESCALATION, TURN_REMINDERS, GAP_ALERTS, DIARY_REMINDERS])
    assert sum(out.count("\n") for out, _err in outputs if out != idle) == len(jobs)
    queued = read_sqlite(sqlite_site, "SELECT task_path, status FROM django_tasks_database_dbtaskresult ORDER BY task_path")
    assert queued == [(job, "READY") for job in jobs]
    runs = read_sqlite(sqlite_site, "SELECT job, result_id FROM core_schedulerrun ORDER BY job")
    assert [job for job, _result in runs] == jobs

    run_tongxin("worker", "--batch", "--no-startup-delay", "--no-reload", data_dir=sqlite_site)
    finished = read_sqlite(
        sqlite_site, "SELECT task_path, status, return_value FROM django_tasks_database_dbtaskresult ORDER BY task_path"
    )
    assert [(path, status) for path, status, _value in finished] == [(job, "SUCCESSFUL") for job in jobs]
    values = {path: value for path, _status, value in finished}
    assert '"intact": true' in values[AUDIT_CHECK]
    assert values[ESCALATION] == '{"escalated": 0, "closed": 0}'
    assert [values[TURN_REMINDERS], values[GAP_ALERTS], values[DIARY_REMINDERS]] == ["0", "0", "0"]


def test_the_scheduler_keeps_running_until_it_is_interrupted(sqlite_site: Path) -> None:
    scheduler = start_tongxin("scheduler", "--max-sleep", "1", data_dir=sqlite_site)
    try:
        deadline = time.monotonic() + 60
        while not read_sqlite(sqlite_site, "SELECT id FROM django_tasks_database_dbtaskresult"):
            assert time.monotonic() < deadline, "the scheduler enqueued nothing within a minute"
            time.sleep(0.2)
        time.sleep(1.5)  # at least one more pass, which must find nothing due
    finally:
        scheduler.send_signal(signal.SIGINT)
        out, err = scheduler.communicate(timeout=30)

    assert scheduler.returncode == 0, err
    runs = dict(
        (job, (result_id, scheduled))
        for job, result_id, scheduled in read_sqlite(sqlite_site, "SELECT job, result_id, last_run_at FROM core_schedulerrun")
    )
    with translation.override("zh-hans"):
        started = translation.ngettext(
            "Scheduler started with %(count)s job.", "Scheduler started with %(count)s jobs.", 5
        ) % {"count": 5}
        enqueued = {
            translation.gettext("Enqueued %(task)s, scheduled for %(time)s (task %(id)s).")
            % {
                "task": job,
                "time": datetime.fromisoformat(scheduled).replace(tzinfo=UTC).astimezone(SHANGHAI).isoformat(
                    timespec="minutes"
                ),
                "id": result_id,
            }
            for job, (result_id, scheduled) in runs.items()
        }
        stopped = translation.gettext("Scheduler stopped.")
    lines = out.splitlines()
    assert lines[0] == started and lines[-1] == stopped
    # The escalation sweep runs every five minutes, so a slow machine may enqueue it twice.
    assert enqueued <= set(lines[1:-1])
    assert len(runs) == 5
