"""`tongxin verify-audit`: walk the audit chain and name the first event that was tampered with."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongxin.core.audit import (
    check_published_head,
    describe_intact,
    describe_problem,
    first_problem,
    parse_published_head,
    verify_chain,
)


class Command(BaseCommand):
    help = "Verify the audit chain; exit 1 and name the first broken event when it was tampered with."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar="DIGEST",
            help="A head published earlier (DIGEST, SEQ:DIGEST or '#SEQ DIGEST'): "
            "fail unless the chain still holds it.",
        )

    def handle(self, *args: Any, expect_head: str | None, **options: Any) -> None:
        published = self._published(expect_head)
        report = verify_chain()
        moved_on = check_published_head(report, seq=published[0], digest=published[1]) if published else None
        problem = first_problem(report.problem, moved_on)
        if problem is not None:
            self.stderr.write(describe_problem(problem), self.style.ERROR)
            raise SystemExit(1)
        self.stdout.write(describe_intact(report), self.style.SUCCESS)
        if published:
            self.stdout.write(_("The published head %(digest)s is in the chain.") % {"digest": published[1]})

    def _published(self, text: str | None) -> tuple[int | None, str] | None:
        if text is None:
            return None
        try:
            return parse_published_head(text)
        except ValueError:
            raise CommandError(
                _("%(text)s is not an audit head: give its 64-character digest, optionally as SEQ:DIGEST.")
                % {"text": text},
                returncode=2,
            ) from None
