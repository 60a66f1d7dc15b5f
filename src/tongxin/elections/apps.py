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
