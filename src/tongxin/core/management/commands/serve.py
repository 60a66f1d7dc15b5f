"""`tongxin serve`: run the site in gunicorn, a production WSGI server.

`--dev` (only with DEBUG=1) runs Django's development server instead, which reloads on changes.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

DEFAULT_BIND = "127.0.0.1:8000"


class TongxinServer(BaseApplication):
    """Gunicorn serving `tongxin.wsgi`, configured from the command line instead of a file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tongxin.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the site with gunicorn (or Django's development server with --dev and DEBUG=1)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_server_arguments(parser)
        parser.add_argument(
            "--dev", action="store_true", help="Django's reloading development server (DEBUG=1 only)."
        )

    def handle(self, *args: Any, bind: str, workers: int, dev: bool, **options: Any) -> None:
        if dev:
            if not settings.DEBUG:
                message = _("--dev serves with Django's development server: set DEBUG=1 first.")
                raise CommandError(message, returncode=2)
            call_command("runserver", bind)
            return
        serve(bind=bind, workers=workers)


def add_server_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--bind", default=DEFAULT_BIND, help=f"Address and port to listen on (default {DEFAULT_BIND})."
    )
    parser.add_argument("--workers", type=int, default=2, help="Gunicorn worker processes (default 2).")


def serve(*, bind: str, workers: int) -> None:
    """Run gunicorn in this process until it is stopped."""
    if workers < 1:
        raise CommandError(_("--workers must be at least 1."), returncode=2)
    # The workers are forked from this process: none may inherit a database connection of ours.
    connections.close_all()
    TongxinServer(
        {
            "bind": bind,
            "workers": workers,
            "preload_app": True,
            "accesslog": "-",
            "proc_name": "tongxin",
        }
    ).run()
