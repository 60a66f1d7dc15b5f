"""Background work of the core: the periodic check of the audit chain, notification emails."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, mail_admins
from django.utils.translation import gettext as _
from django_tasks import task

from .audit import ChainProblem, ChainReport, describe_problem, verify_chain
from .models import Notification
from .notify import absolute_url


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


@task()
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Email each notification to its account's address; returns how many were sent."""
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related("user")
    messages = [
        EmailMessage(
            subject=settings.EMAIL_SUBJECT_PREFIX + notification.subject,
            body=_email_body(notification),
            to=[notification.user.email],
        )
        for notification in notifications
        if notification.user.email
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _email_body(notification: Notification) -> str:
    if not notification.url:
        return notification.body
    return f"{notification.body}\n\n{absolute_url(notification.url)}"
