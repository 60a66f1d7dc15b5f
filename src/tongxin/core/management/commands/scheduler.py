"""`tongxin scheduler`: enqueue periodic jobs when they fall due (TONGXIN_SCHEDULE).

Run one continuously per deployment, or several: a run is enqueued once however many see it.
`--once` makes one pass and exits, for cron and tests.
"""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.core.schedule import (
    EnqueuedRun,
    PeriodicJob,
    configured_jobs,
    enqueue_due_jobs,
    seconds_until_next_run,
)


class Command(BaseCommand):
    help = "Enqueue periodic jobs as they fall due; --once makes one pass and exits."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Make one pass and exit.")
        parser.add_argument(
            "--max-sleep",
            type=float,
            default=60.0,
            help="Look again at least this often, in seconds (default 60), whatever the schedule says.",
        )

    def handle(self, *args: Any, once: bool, max_sleep: float, **options: Any) -> None:
        jobs = configured_jobs()
        if once:
            self._pass(jobs, quiet_when_idle=False)
            return
        started = ngettext(
            "Scheduler started with %(count)s job.", "Scheduler started with %(count)s jobs.", len(jobs)
        )
        self.stdout.write(started % {"count": len(jobs)})
        try:
            while True:
                # A scheduler lives for weeks: drop connections the database has closed meanwhile.
                close_old_connections()
                self._pass(jobs, quiet_when_idle=True)
                # Half a second late rather than early: waking just before a run is due would miss it.
                time.sleep(min(seconds_until_next_run(jobs=jobs, now=timezone.now()) + 0.5, max_sleep))
        except KeyboardInterrupt:
            self.stdout.write(_("Scheduler stopped."))

    def _pass(self, jobs: list[PeriodicJob], *, quiet_when_idle: bool) -> None:
        runs = enqueue_due_jobs(jobs=jobs)
        for run in runs:
            self.stdout.write(self._describe(run))
        if not runs and not quiet_when_idle:
            self.stdout.write(_("Nothing is due."))

    def _describe(self, run: EnqueuedRun) -> str:
        return _("Enqueued %(task)s, scheduled for %(time)s (task %(id)s).") % {
            "task": run.job.task_path,
            "time": timezone.localtime(run.scheduled_for).isoformat(timespec="minutes"),
            "id": run.result_id,
        }
