"""An overdue case escalates by itself: the scheduler enqueues the sweep, the worker runs it.

Real processes on a SQLite file, as a deployment runs them (docs/deployment.md, "The services").
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.processes import read_sqlite, run_tongxin

FILE_A_CASE = """
from django.contrib.auth.models import AnonymousUser
from tongxin.community.actions import create_organisation
from tongxin.core.actors import SystemActor
from tongxin.feedback.actions import submit_case
from tongxin.feedback.models import Category

system = SystemActor("test")
city = create_organisation(actor=system, name="临海市", name_en="Linhai City", kind="city", parent=None)
town = create_organisation(actor=system, name="同心镇", name_en="Tongxin Town", kind="town", parent=city)
create_organisation(actor=system, name="同心镇政府", name_en="Tongxin Town Government", kind="government", parent=town)
village = create_organisation(actor=system, name="小寨村", name_en="Xiaozhai Village", kind="village", parent=town)
create_organisation(actor=system, name="小寨村村委会", name_en="Xiaozhai Committee", kind="village_committee", parent=village)
case = submit_case(
    actor=AnonymousUser(), channel="web", category=Category.objects.get(code="roads"),
    description="桥上的栏杆断了", organisation=village, privacy="anonymous",
)
print(case.code)
"""


def pass_the_dispatch_deadline(data_dir: Path, code: str) -> None:
    # The clock cannot be moved in other processes: move the case's deadline back instead.
    with closing(sqlite3.connect(data_dir / "tongxin.sqlite3")) as database, database:
        database.execute(
            "UPDATE feedback_case SET dispatch_due = '2026-01-01 00:00:00', next_escalation_at = '2026-01-01 00:00:00'"
            " WHERE code = ?",
            [code],
        )


def test_the_scheduler_and_the_worker_escalate_an_overdue_case_with_nobody_asking(sqlite_site: Path) -> None:
    # The shell may say how many objects it imported first: the code is the last line.
    code = run_tongxin("shell", "-c", FILE_A_CASE, data_dir=sqlite_site).stdout.split()[-1]
    pass_the_dispatch_deadline(sqlite_site, code)

    run_tongxin("scheduler", "--once", data_dir=sqlite_site)
    run_tongxin("worker", "--batch", "--no-startup-delay", "--no-reload", data_dir=sqlite_site)

    [(level, escalated_to)] = read_sqlite(
        sqlite_site,
        "SELECT c.escalation_level, o.name FROM feedback_case c JOIN community_organisation o"
        f" ON o.id = c.escalated_to_id WHERE c.code = '{code}'",
    )
    assert (level, escalated_to) == (1, "同心镇政府")
    steps = read_sqlite(
        sqlite_site,
        f"SELECT s.kind, s.actor_label FROM feedback_casestep s JOIN feedback_case c ON c.id = s.case_id"
        f" WHERE c.code = '{code}' ORDER BY s.id",
    )
    assert steps == [("submitted", "system:reporter"), ("escalated", "system:tongxin")]
    [(verb,)] = read_sqlite(sqlite_site, "SELECT verb FROM core_auditevent ORDER BY seq DESC LIMIT 1")
    assert verb == "case.escalated"
    # The escalation was chained into the audit log like every step (exit status 0: intact).
    assert run_tongxin("verify-audit", data_dir=sqlite_site).returncode == 0
