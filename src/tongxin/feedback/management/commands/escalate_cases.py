"""`tongxin escalate-cases`: one sweep of the scheduler's work on cases, run by hand."""

import datetime
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.feedback.actions import close_unrated_cases, escalate_overdue_cases


class Command(BaseCommand):
    help = (
        "Escalate every open case whose deadline has passed and close answered cases whose reporter "
        "gave no verdict in time, once, then print how many. The scheduler does the same every five "
        "minutes; --now runs the sweep as of another moment (ISO 8601, local time unless an offset is given)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--now", metavar="ISO", help="The moment to sweep at, e.g. 2026-05-06T09:00.")

    def handle(self, *args: Any, now: str | None, **options: Any) -> None:
        moment = _moment(now) if now else timezone.now()
        escalated = escalate_overdue_cases(now=moment)
        closed = close_unrated_cases(now=moment)
        self.stdout.write(
            _("Escalated %(escalated)d overdue cases; closed %(closed)d answered cases left unrated.")
            % {"escalated": escalated, "closed": closed}
        )


def _moment(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("%(text)s is not a date and time: give it as ISO 8601, e.g. 2026-05-06T09:00.") % {"text": text},
            returncode=2,
        ) from None
    # A moment without an offset is the site's local time, as operators read the clock.
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.get_default_timezone())
