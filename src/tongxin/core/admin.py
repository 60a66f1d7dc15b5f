"""The audit chain and the scheduler's bookkeeping in the admin: to read, never to change.

Audit events are written only by `record_audit`; the scheduler's rows only by the scheduler.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent, AuditHead, SchedulerRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages only: no add, change or delete, for anyone."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_label", "verb", "target_type", "target_label"]
    list_display_links = ["seq"]
    list_filter = ["verb", "target_type", "created_at"]
    search_fields = ["=seq", "actor_label", "verb", "target_type", "=target_id", "target_label", "=digest"]
    ordering = ["-seq"]
    list_per_page = 100
    # Counting a million rows for the paginator costs more than the page itself.
    show_full_result_count = False
    fields = [
        "seq",
        "created_at",
        "actor",
        "actor_label",
        "verb",
        "target_type",
        "target_id",
        "target_label",
        "data",
        "prev_digest",
        "digest",
    ]
    raw_id_fields = ["actor"]


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    list_display = ["seq", "digest"]


@admin.register(SchedulerRun)
class SchedulerRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "last_run_at", "enqueued_at", "result_id"]
    search_fields = ["job"]
