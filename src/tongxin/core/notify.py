"""Telling people that something needs them: an in-app notification, and the same words by email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification


def absolute_url(path: str) -> str:
    """A link that works from an email: the site's public address plus the path."""
    return path if "://" in path else f"{settings.SITE_URL}{path}"


def notify(*, users: Iterable[Any], subject: str, body: str, url: str = "") -> list[Notification]:
    """One notification per distinct active account, and an email to those with an address.

    Called inside the action's transaction; the emails leave only after it commits.
    """
    from .tasks import send_notification_emails  # tasks import models; keep this module light

    recipients = {user.pk: user for user in users if user is not None and user.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(user=user, subject=subject[:200], body=body, url=url) for user in recipients.values()
    )
    emailed = [notification.pk for notification in notifications if recipients[notification.user_id].email]
    if emailed:
        transaction.on_commit(lambda: send_notification_emails.enqueue(notification_ids=emailed))
    return notifications


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all, or the given ones) as read; returns how many changed.

    Reading one's own list is not an audited change.
    """
    unread = Notification.objects.filter(user=user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
