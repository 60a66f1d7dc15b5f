"""What every election action shares: the election row locked, the phase checked, the error worded."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tongxin.core.errors import ActionError
from tongxin.core.notify import notify

from ..models import Election, Phase, RollEntry


def lock_election(election: Election) -> Election:
    """The election's row, locked until the transaction ends: steps of one election never race.

    Call inside `transaction.atomic()`. Returns a fresh copy; callers use it from then on.
    """
    return Election.objects.select_for_update().get(pk=election.pk)


def require_phase(election: Election, *phases: str) -> None:
    """An ActionError (409) unless the election is in one of `phases`."""
    if election.phase not in phases:
        raise ActionError(
            _("This cannot be done now: the election is at the step “%(phase)s”.")
            % {"phase": Phase(election.phase).label},
            status=409,
            code="wrong_phase",
        )


def require(allowed: bool) -> None:
    """PermissionDenied unless `allowed`: views answer 403, the API 403, commands exit 2."""
    if not allowed:
        raise PermissionDenied


def notify_voters(election: Election, *, subject: str, body: str, url: str, eligible_only: bool = True) -> int:
    """Tell everyone on the roll who has an account (inside the action's transaction; emails
    leave after it commits); how many were told."""
    entries = RollEntry.objects.filter(election=election)
    if eligible_only:
        entries = entries.filter(excluded="")
    users = get_user_model().objects.filter(person__in=entries.values("person_id"), is_active=True)
    return len(notify(users=users, subject=subject, body=body, url=url))


def notify_person(person: Any, *, subject: str, body: str, url: str) -> None:
    """Tell one person, if they have an account."""
    if person.user_id is not None:
        notify(users=[person.user], subject=subject, body=body, url=url)
