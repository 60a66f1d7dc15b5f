"""Elections, motions and documents in the admin: shown, never changed.

Everything here changes only through the actions (the election committee's pages, the API), so
that every step is checked against the rules and recorded in the audit chain. Ballots and the
turnout records are not in the admin at all: there is nothing an administrator could learn from
them that the published ballot list does not already show, and nothing they should touch.
"""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin import ReadOnlyAdmin

from .models import Document, Election, Motion


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "rule_set", "seats", "phase", "created_at")
    list_filter = ("phase", "rule_set", "mode")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "body", "meeting_on", "status", "yes", "no", "abstain")
    list_filter = ("status", "body")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "kind", "status", "published_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "organisation__name")
    list_select_related = ("organisation",)
