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
