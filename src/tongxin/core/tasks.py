"""Background work of the core: the periodic check of the audit chain."""

from typing import Any

from django.core.mail import mail_admins
from django.utils.translation import gettext as _
from django_tasks import task

from .audit import ChainProblem, ChainReport, describe_problem, verify_chain


@task()
def verify_audit_chain() -> dict[str, Any]:
    """Walk the audit chain; when it is broken, mail the site's administrators (settings.ADMINS)."""
    report = verify_chain()
    if report.problem is not None:
        _warn_administrators(report, report.problem)
    return _as_result(report)


def _warn_administrators(report: ChainReport, problem: ChainProblem) -> None:
    finding = describe_problem(problem)
    body = _(
        "Tongxin's audit chain is broken.\n\n"
        "%(finding)s\n\n"
        "The chain is intact up to #%(seq)s (%(digest)s). Find out who could write to the database, "
        "restore the events from a backup taken before the break, and run `tongxin verify-audit` again."
    ) % {"finding": finding, "seq": report.head.seq, "digest": report.head.digest}
    mail_admins(finding, body)


def _as_result(report: ChainReport) -> dict[str, Any]:
    # A task's return value is stored as JSON: plain values only.
    problem = report.problem
    return {
        "intact": report.intact,
        "events": report.events,
        "head": {"seq": report.head.seq, "digest": report.head.digest},
        "problem": (
            None if problem is None else {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail}
        ),
    }
