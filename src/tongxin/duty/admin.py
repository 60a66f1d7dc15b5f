"""The duty pool and rotas in the admin: shown, never changed (the actions check the rota's
rules and write the audit chain; an edit here would do neither)."""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin import ReadOnlyAdmin

from .models import Rota, Volunteer


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ("person", "organisation", "home_village", "experienced", "active", "joined_on")
    list_filter = ("active", "experienced")
    list_select_related = ("person", "organisation", "home_village")
    search_fields = ("person__name",)


@admin.register(Rota)
class RotaAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "start", "weeks", "team_size", "troubleshooters", "status", "published_at")
    list_filter = ("status",)
    list_select_related = ("organisation",)
