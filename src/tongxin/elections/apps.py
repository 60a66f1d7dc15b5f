from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "tongxin.elections"
    label = "elections"
    verbose_name = _("Elections")

    def organisation_sections(self, organisation: Any, user: Any) -> list[dict[str, Any]]:
        """The organisation's elections and decisions, for its page (community's hook)."""
        from .views.setup import organisation_section

        return [section for section in (organisation_section(organisation, user),) if section]
