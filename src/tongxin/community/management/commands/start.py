"""`tongxin start`: the one command for a laptop trial.

Brings the database up to date, loads the demo town into an empty database, prints where the
site is and how to sign in, then serves. It changes no security setting: the start script
exports DEBUG=1 for a trial; without it this is the production configuration.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

# The laptop command ties the apps together: the demo town lives in `community`.
from tongxin.community.demo import DEMO_PASSWORD, demo_logins
from tongxin.community.models import Organisation

from tongxin.core.management.commands.serve import add_server_arguments, serve

ANY_ADDRESS = {"0.0.0.0", "::", "[::]", ""}


class Command(BaseCommand):
    help = "Migrate, load the demo town into an empty database, print the sign-ins, and serve."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare and print the banner, then exit."
        )

    def handle(
        self, *args: Any, bind: str, workers: int, no_serve: bool, verbosity: int, **options: Any
    ) -> None:
        output = {"stdout": self.stdout, "stderr": self.stderr}
        call_command("migrate", interactive=False, verbosity=verbosity, **output)
        if not settings.WHITENOISE_USE_FINDERS:
            # Outside DEBUG, whitenoise serves the collected files only.
            call_command("collectstatic", interactive=False, verbosity=0)
        if not Organisation.objects.exists():
            self.stdout.write(_("The database is empty: loading the demo town."))
            call_command("demo", no_logins=True, verbosity=verbosity, **output)
        self.stdout.write(self._banner(bind))
        if not no_serve:
            serve(bind=bind, workers=workers)

    def _banner(self, bind: str) -> str:
        lines = ["", _("Tongxin is ready at %(url)s") % {"url": site_url(bind)}]
        accounts = self._demo_accounts()
        if accounts:
            heading = _("Demo sign-ins, all with the password %(password)s:")
            lines += ["", heading % {"password": DEMO_PASSWORD}]
            width = max(len(username) for username, _purpose in accounts)
            lines += [f"  {username.ljust(width)}  {purpose}" for username, purpose in accounts]
        lines += ["", _("Stop the site with Ctrl+C."), ""]
        return "\n".join(lines)

    def _demo_accounts(self) -> list[tuple[str, str]]:
        # Only the demo accounts this database really has: a real site shows none.
        logins = demo_logins()
        present = set(
            get_user_model().objects.filter(username__in=[username for username, _purpose in logins])
            .values_list("username", flat=True)
        )
        return [(username, purpose) for username, purpose in logins if username in present]


def site_url(bind: str) -> str:
    """The address a person types into a browser for a gunicorn bind such as 0.0.0.0:8000."""
    if bind.startswith("unix:"):
        return bind
    host, _sep, port = bind.rpartition(":")
    if host in ANY_ADDRESS:
        host = "localhost"
    return f"http://{host}:{port}/"
