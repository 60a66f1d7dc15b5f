"""Feedback settings in the admin: categories and their questions, routing, deadlines, the
working calendar and response templates. Each save is recorded in the audit chain.

Cases are shown, never changed here: a case changes only through the actions (the handler's
workbench, the API), so that every change is a step of its ledger. Nothing is deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from tongxin.core.audit import record_audit

from .models import (
    CalendarDay,
    Case,
    CaseStep,
    Category,
    CategoryAttribute,
    DeadlinePolicy,
    ResponseTemplate,
    RoutingRule,
)


class AuditedSettingsAdmin(admin.ModelAdmin):
    """Settings change in place (no action exists for them); the chain records who changed what."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A rule is switched off, not deleted: cases routed or timed by it keep their explanation.
        return False

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record_save(request, obj, sorted(form.changed_data), change)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        instances = formset.save()
        for instance in instances:
            _record_save(request, instance, [], change=instance in formset.changed_objects)
        for instance in formset.deleted_objects:
            record_audit(actor=request.user, verb=f"{_verb(instance)}.delete", data={"pk": instance.pk, "via": "admin"})


def _verb(obj: models.Model) -> str:
    return obj._meta.model_name or "object"


def _record_save(request: HttpRequest, obj: models.Model, fields: list[str], change: bool) -> None:
    verb = f"{_verb(obj)}.{'update' if change else 'add'}"
    record_audit(actor=request.user, verb=verb, target=obj, data={"fields": fields, "via": "admin"})


class CategoryAttributeInline(admin.TabularInline):
    model = CategoryAttribute
    extra = 0
    fields = ("order", "code", "description", "description_en", "datatype", "required", "values")


@admin.register(Category)
class CategoryAdmin(AuditedSettingsAdmin):
    list_display = ("code", "name", "name_en", "group", "tier", "active", "order")
    list_filter = ("tier", "active", "group")
    search_fields = ("code", "name", "name_en", "keywords")
    fields = (
        "code", "name", "name_en", "group", "description", "description_en", "keywords", "tier", "notice",
        "active", "order",
    )
    inlines = [CategoryAttributeInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cases refer to their category for good; a category that is no longer used is made inactive.
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedSettingsAdmin):
    list_display = ("organisation", "category", "workgroup", "priority", "active")
    list_filter = ("active", "category")
    list_select_related = ("organisation", "category", "workgroup")
    search_fields = ("organisation__name", "organisation__name_en", "workgroup__name", "workgroup__name_en")
    autocomplete_fields = ("organisation", "workgroup")
    fields = ("organisation", "category", "workgroup", "priority", "active")


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedSettingsAdmin):
    list_display = ("tier", "organisation", "category", "dispatch_amount", "dispatch_unit", "answer_amount", "answer_unit")
    list_filter = ("tier",)
    list_select_related = ("organisation", "category")
    autocomplete_fields = ("organisation",)
    fields = ("tier", "organisation", "category", "dispatch_amount", "dispatch_unit", "answer_amount", "answer_unit")


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedSettingsAdmin):
    list_display = ("day", "name", "working", "organisation")
    list_filter = ("working",)
    list_select_related = ("organisation",)
    date_hierarchy = "day"
    autocomplete_fields = ("organisation",)
    fields = ("day", "name", "working", "organisation")


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(AuditedSettingsAdmin):
    list_display = ("title", "organisation", "category")
    list_select_related = ("organisation", "category")
    search_fields = ("title", "text")
    autocomplete_fields = ("organisation",)
    fields = ("title", "organisation", "category", "text")


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor_label", "status", "public", "text")
    readonly_fields = fields
    ordering = ("created_at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: the admin may look a case up; it changes only through the actions."""

    list_display = ("code", "category", "organisation", "status", "channel", "privacy", "submitted_at", "answer_due")
    list_filter = ("status", "channel", "privacy", "tier", "category")
    list_select_related = ("category", "organisation")
    # The tracking code only: searching by a reporter's name would reveal who filed a hidden case.
    search_fields = ("code",)
    date_hierarchy = "submitted_at"
    inlines = [CaseStepInline]
    fields = (
        "code", "kind", "category", "tier", "status", "description", "attributes", "organisation", "address",
        "latitude", "longitude", "channel", "privacy", "reporter_name", "reporter_phone", "reporter_email",
        "reporter", "entered_by", "assigned_to", "handler", "escalated_to", "escalation_level", "merged_into",
        "published", "answer", "submitted_at", "acknowledge_due", "dispatch_due", "answer_due", "acknowledged_at",
        "assigned_at", "answered_at", "closed_at", "next_escalation_at", "solved", "satisfied", "feedback_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing stays allowed through has_view_permission; no save button, no edits.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
