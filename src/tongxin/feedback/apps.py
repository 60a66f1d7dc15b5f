from django.apps import AppConfig
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "tongxin.feedback"
    label = "feedback"
    verbose_name = _("Resident feedback")

    # The demo accounts this app adds (community's demo lists them with its own).
    demo_logins = (
        ("xikou-handler", _("Case handler of %(village)s: its committee's and workgroups' cases")),
        ("shuanggang-handler", _("Case handler of Shuanggang Village")),
        ("zhujiaao-handler", _("Case handler of Zhujia'ao Village")),
        ("town-handler", _("Case handler of the %(town)s government: cases referred or escalated to the town")),
    )

    def build_demo(self, *, town: Any, seed: int) -> list[str]:
        """Cases for the demo town (called by `tongxin demo`); the summary line."""
        import random

        from .demo import build_demo_cases

        summary = build_demo_cases(town=town, rng=random.Random(seed))
        return [
            gettext("Demo cases: %(added)d added, %(cases)d in the demo town.")
            % {"added": summary.added["cases"], "cases": summary.cases}
        ]
