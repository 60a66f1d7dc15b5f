from typing import Any

from django.apps import AppConfig
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "tongxin.elections"
    label = "elections"
    verbose_name = _("Elections")

    def organisation_sections(self, organisation: Any, user: Any) -> list[str]:
        """The organisation's elections and its decisions, rendered for its page (community's hook)."""
        from .views import motions, setup

        sections = [
            ("elections/setup_organisation_section.html", setup.organisation_section(organisation, user)),
            ("elections/motions_organisation_section.html", motions.organisation_section(organisation, user)),
        ]
        return [render_to_string(template, context) for template, context in sections if context]

    # The demo account this app adds (community's demo lists them with its own).
    demo_logins = (
        ("xikou-member-01", _("A full member of the %(village)s party branch, who voted in its committee election")),
    )

    def build_demo(self, *, town: Any, seed: int) -> list[str]:
        """The demo town's elections and decisions (called by `tongxin demo`); the summary line."""
        import random

        from django.utils.translation import gettext

        from .demo import build_demo_elections

        summary = build_demo_elections(town=town, rng=random.Random(seed))
        return [
            gettext("Demo elections and decisions: %(elections)d elections, %(motions)d motions, %(documents)d documents.")
            % {"elections": summary.elections, "motions": summary.motions, "documents": summary.documents}
        ]
