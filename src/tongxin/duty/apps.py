from typing import Any

from django.apps import AppConfig
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "tongxin.duty"
    label = "duty"
    verbose_name = _("Duty rota")

    def organisation_sections(self, organisation: Any, user: Any) -> list[str]:
        """The organisation's duty rotas and pool, rendered for its page (community's hook)."""
        from .views.rota import organisation_section

        context = organisation_section(organisation, user)
        return [render_to_string("duty/organisation_section.html", context)] if context else []

    # The demo account this app adds (community's demo lists them with its own) is community's
    # `duty-officer`: the demo puts them on a village's team this week.

    def build_demo(self, *, town: Any, seed: int) -> list[str]:
        """The demo town's pool, rota and weeks lived (called by `tongxin demo`); the summary line."""
        import random

        from django.utils.translation import gettext

        from .demo import build_demo_duty

        summary = build_demo_duty(town=town, rng=random.Random(seed))
        return [
            gettext("Demo duty rota: %(volunteers)d volunteers in the pool, %(turns)d turns over %(weeks)d weeks.")
            % {"volunteers": summary.volunteers, "turns": summary.turns, "weeks": summary.weeks}
        ]
