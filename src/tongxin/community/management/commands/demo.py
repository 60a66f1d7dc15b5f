"""`tongxin demo`: build the demo town, adding only what is missing."""

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongxin.community.demo import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoSummary,
    build_demo_town,
    demo_logins,
    extend_demo,
)
from tongxin.core.errors import ActionError
from tongxin.core.i18n import join_list

ADDED_PARTS = (
    ("organisations", gettext_lazy("organisations")),
    ("people", gettext_lazy("people")),
    ("memberships", gettext_lazy("memberships")),
    ("accounts", gettext_lazy("accounts")),
    ("role_grants", gettext_lazy("staff roles")),
    ("sectors", gettext_lazy("sectors")),
)


class Command(BaseCommand):
    # Operators' help stays in English, as in Django's own commands and the site's other commands.
    help = (
        "Build the demo town: Linhai City, Baishuiyang Town and three pilot villages with their party "
        "branches, village committees, consultation councils and workgroups, about 300 residents and "
        "the demo logins. Safe to run again and on a database with other data: it only adds what is "
        "missing (organisations by parent, kind and name; people by phone; accounts by username) and "
        "never changes what exists. Every change is recorded in the audit log as system:demo."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-logins", action="store_true", help="Leave the demo logins out of the summary (start prints them)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Seed for the residents' names and details of a new demo town (default: %(default)s); "
            "a town already built is kept as it is.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = build_demo_town(seed=options["seed"])
            extra_lines = extend_demo(town=summary.town, seed=options["seed"])
        except ActionError as error:
            raise CommandError(str(error.message), returncode=2) from None
        except PermissionDenied:
            raise CommandError(_("The demo loader is not allowed to make these changes."), returncode=2) from None
        lines = summary_lines(summary, with_logins=not options["no_logins"])
        # The other apps' parts of the town go before the logins, with the rest of the summary.
        at = 3 if len(lines) > 3 else len(lines)
        for line in [*lines[:at], *extra_lines, *lines[at:]]:
            self.stdout.write(line)


def summary_lines(summary: DemoSummary, *, with_logins: bool = True) -> list[str]:
    town = summary.town
    lines = [
        _("Demo town: %(town)s (%(city)s), %(villages)d villages.")
        % {"town": town.display_name, "city": town.parent.display_name, "villages": summary.villages}
    ]
    if summary.added:
        parts = join_list(
            _("%(what)s: %(count)d") % {"what": label, "count": summary.added[key]}
            for key, label in ADDED_PARTS
            if key != "sectors" or summary.added[key]  # restored only after a flush: say so only then
        )
        lines.append(_("Added — %(parts)s.") % {"parts": parts})
    else:
        lines.append(_("Nothing was missing: the demo town was already complete."))
    lines.append(
        _(
            "Now in the demo town — organisations: %(organisations)d, people: %(people)d, "
            "memberships: %(memberships)d, demo accounts: %(accounts)d."
        )
        % {
            "organisations": summary.organisations,
            "people": summary.people,
            "memberships": summary.memberships,
            "accounts": summary.accounts,
        }
    )
    if with_logins:
        lines.append(_("Demo logins, all with the password %(password)s:") % {"password": DEMO_PASSWORD})
        lines.extend(f"  {username:<20} {description}" for username, description in demo_logins())
    return lines
