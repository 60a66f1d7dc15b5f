"""`tongxin check-composition`: councils, committees and groups against their composition rules.

Exit status 0 when every error-severity rule is met (warnings do not fail), 1 when one is not,
2 for bad input (an organisation that does not exist).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.community.models import Organisation
from tongxin.community.reports import CompositionReport, Finding, composition_reports

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Check active organisations against their composition rules. "
        "Exit status: 0 all met, 1 an error-severity rule not met, 2 bad input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--organisation", metavar="PK", help="Check this organisation only.")
        scope.add_argument("--within", metavar="PK", help="Check the organisations under this one.")
        parser.add_argument(
            "--verbose", action="store_true", help="List every finding, not only those not met."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = self._organisations(options["organisation"], options["within"])
        reports = composition_reports(organisations)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps([report.as_dict() for report in reports], ensure_ascii=False, indent=2)
            )
        else:
            self._write_text(organisations, reports, verbose=options["verbose"])
        if any(report.errors for report in reports):
            # The output above is the explanation; the status is for scripts and monitoring.
            raise SystemExit(1)

    def _organisations(self, organisation: str | None, within: str | None) -> list[Organisation]:
        if organisation is not None:
            return [_organisation(organisation)]
        active = Organisation.objects.active().order_by("path")
        if within is not None:
            active = active.within(_organisation(within))
        return list(active)

    def _write_text(
        self, organisations: list[Organisation], reports: list[CompositionReport], *, verbose: bool
    ) -> None:
        if len(organisations) == 1 and not reports:
            self.stdout.write(
                _("%(organisation)s: no composition rules apply.")
                % {"organisation": _title(organisations[0])}
            )
        for report in reports:
            self.stdout.write(_header(report))
            for finding in report.findings if verbose else report.violations:
                self.stdout.write(_line(finding))
        failed = sum(1 for report in reports if not report.ok)
        self.stdout.write(
            ngettext(
                "%(count)d organisation checked, %(failed)d with violations",
                "%(count)d organisations checked, %(failed)d with violations",
                len(reports),
            )
            % {"count": len(reports), "failed": failed}
        )


def _organisation(value: str) -> Organisation:
    if not value.strip().isdigit():
        raise CommandError(
            _("“%(value)s” is not an organisation number.") % {"value": value}, returncode=BAD_INPUT
        )
    organisation = Organisation.objects.filter(pk=int(value)).first()
    if organisation is None:
        raise CommandError(
            _("There is no organisation number %(pk)s.") % {"pk": int(value)}, returncode=BAD_INPUT
        )
    return organisation


def _title(organisation: Organisation) -> str:
    return f"#{organisation.pk} {organisation.display_name}"


def _header(report: CompositionReport) -> str:
    if report.ok:
        status = _("all rules met")
    else:
        count = len(report.violations)
        status = ngettext("%(count)d rule not met", "%(count)d rules not met", count) % {
            "count": count
        }
    return f"{_title(report.organisation)} · {report.rule_set_label}: {status}"


def _line(finding: Finding) -> str:
    # A mark and a word, not colour alone: the output must read the same in a log file.
    if finding.ok:
        return f"  ✓ {finding.message}"
    severity = _("Error") if finding.severity == "error" else _("Warning")
    return f"  ✗ {severity}: {finding.message}"
