"""Background work for cases: telling reporters, escalating overdue cases, closing unrated ones."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from tongxin.core.notify import absolute_url
from tongxin.core.models import Notification

from .models import Case

# What the reporter is told, by event: the subject line; the body comes from a template.
REPORTER_EVENTS = ("received", "answered", "declined")


@task()
def notify_reporter(*, case_id: int, event: str) -> bool:
    """Email the reporter (in the language they wrote in) and add to their in-app list.

    Returns whether an email went out. An anonymous case has no one to tell, by design.
    """
    case = Case.objects.select_related("category", "organisation", "reporter").get(pk=case_id)
    if case.is_anonymous or event not in REPORTER_EVENTS:
        return False
    with translation.override(case.language or settings.LANGUAGE_CODE):
        context = {"case": case, "event": event, "tracking_url": absolute_url(case.get_tracking_url())}
        subject = render_to_string("feedback/email/reporter_subject.txt", context).strip()
        body = render_to_string("feedback/email/reporter_body.txt", context)
    if case.reporter is not None and case.reporter.is_active:
        Notification.objects.create(user=case.reporter, subject=subject[:200], body=body, url=case.get_tracking_url())
    if not case.reporter_email:
        return False
    EmailMessage(subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=body, to=[case.reporter_email]).send()
    return True


@task()
def escalate_overdue_cases() -> dict[str, Any]:
    """The scheduler's sweep: escalate what is overdue, close what waited too long for a verdict."""
    from .actions import close_unrated_cases
    from .actions import escalate_overdue_cases as escalate

    return {"escalated": escalate(), "closed": close_unrated_cases()}
