"""Community records in the admin. Saves go through the actions, so admin edits obey the same
rules and land in the audit chain; where no action exists the save is recorded there directly.

Nothing is deleted here: organisations are dissolved, seats ended and roles revoked, so the
record of who held what stays whole.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .actions import (
    ORGANISATION_FIELDS,
    PERSON_FIELDS,
    add_membership,
    add_person,
    create_organisation,
    end_membership,
    grant_role,
    move_organisation,
    revoke_role,
    update_organisation,
    update_person,
)
from .models import Membership, Organisation, Person, RoleGrant, Sector


def _take_over(obj: models.Model, saved: models.Model) -> None:
    """The admin carries on with the object it built (to log and redirect): load what the action saved."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


class AuditedAdmin(admin.ModelAdmin):
    """Shows an action's refusal as an error message instead of a server error; never deletes."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ActionError as error:
            # The admin's transaction has rolled back: nothing of this save remains.
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        # Many-to-many fields were saved by the action; only inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "name_en", "kind", "parent", "formation", "dissolved_on")
    list_filter = ("kind", "formation", ("dissolved_on", admin.EmptyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "name_en")
    autocomplete_fields = ("parent", "approved_by")
    fields = (
        "name", "name_en", "kind", "parent", "formation", "approved_by", "composition_rule_set",
        "composition_overrides", "description", "description_en", "address", "founded_on", "dissolved_on",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> tuple[str, ...]:
        # A party branch does not turn into a village: found a new organisation instead.
        return ("kind",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Organisation, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in ORGANISATION_FIELDS if name in data and name != "dissolved_on"}
            _take_over(obj, create_organisation(actor=request.user, kind=data["kind"], parent=data["parent"], **fields))
            return
        if "parent" in form.changed_data:
            if data["parent"] is None:
                raise ActionError(_("An organisation can only be moved under another organisation."))
            move_organisation(actor=request.user, organisation=obj, parent=data["parent"])
        changes = {name: data[name] for name in form.changed_data if name in ORGANISATION_FIELDS}
        if changes:
            update_organisation(actor=request.user, organisation=obj, **changes)
        obj.refresh_from_db()


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "name_latin", "gender", "party_status", "home")
    list_filter = ("gender", "party_status", "sectors")
    list_select_related = ("home",)
    search_fields = ("name", "name_latin", "phone")
    autocomplete_fields = ("home", "user")
    filter_horizontal = ("sectors",)
    fields = (
        "name", "surname", "name_latin", "gender", "birth_year", "phone", "email", "party_status", "home",
        "sectors", "user",
    )

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            fields = {name: data[name] for name in PERSON_FIELDS if name in data}
            _take_over(obj, add_person(actor=request.user, sectors=list(data["sectors"]), **fields))
        else:
            changes = {name: data[name] for name in form.changed_data if name in PERSON_FIELDS}
            sectors = list(data["sectors"]) if "sectors" in form.changed_data else None
            if changes or sectors is not None:
                update_person(actor=request.user, person=obj, sectors=sectors, **changes)
        if "user" in form.changed_data:
            self._link_account(request, obj, data["user"])
        obj.refresh_from_db()

    def _link_account(self, request: HttpRequest, person: Person, account: Any) -> None:
        # No action links accounts yet; the chain still records who linked which.
        Person.objects.filter(pk=person.pk).update(user=account)
        record_audit(
            actor=request.user,
            verb="person.link_account",
            target=person,
            data={"user": account.pk if account else None, "via": "admin"},
        )


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ("person", "organisation", "role", "obtained", "sector", "start_date", "term_end", "end_date")
    list_filter = ("role", "obtained", "organisation__kind", ("end_date", admin.EmptyFieldListFilter))
    list_select_related = ("person", "organisation", "sector")
    search_fields = ("person__name", "person__name_latin", "organisation__name", "organisation__name_en")
    autocomplete_fields = ("person", "organisation", "obtained_from")
    fields = (
        "person", "organisation", "role", "obtained", "obtained_from", "sector", "start_date", "term_end",
        "end_date", "end_reason",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        # A seat belongs to one person in one body: seat someone else with a new membership.
        return ("person", "organisation") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            membership = add_membership(
                actor=request.user,
                person=data["person"],
                organisation=data["organisation"],
                role=data["role"],
                obtained=data["obtained"],
                obtained_from=data["obtained_from"],
                sector=data["sector"],
                start_date=data["start_date"],
                term_end=data["term_end"],
            )
            if data["end_date"] is not None:
                end_membership(actor=request.user, membership=membership, end_date=data["end_date"], reason=data["end_reason"])
            _take_over(obj, membership)
            return
        before = Membership.objects.get(pk=obj.pk)
        ending = "end_date" in form.changed_data and before.end_date is None and data["end_date"] is not None
        other = [name for name in form.changed_data if not (ending and name in ("end_date", "end_reason"))]
        if other:
            # Corrections (a wrong role, a sector, a term) have no action of their own.
            Membership.objects.filter(pk=obj.pk).update(**{name: data[name] for name in other})
            record_audit(actor=request.user, verb="membership.update", target=obj, data={"fields": sorted(other), "via": "admin"})
        if ending:
            end_membership(actor=request.user, membership=obj, end_date=data["end_date"], reason=data["end_reason"])
        obj.refresh_from_db()


@admin.register(Sector)
class SectorAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")

    def save_model(self, request: HttpRequest, obj: Sector, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            verb="sector.update" if change else "sector.add",
            target=obj,
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    list_display = ("user", "role", "organisation", "granted_by", "granted_at", "revoked_at")
    list_filter = ("role", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "organisation", "granted_by")
    search_fields = ("user__username", "organisation__name", "organisation__name_en")
    autocomplete_fields = ("user", "organisation")
    fields = ("user", "role", "organisation", "granted_by", "granted_at", "revoked_at")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: RoleGrant | None = None) -> tuple[str, ...]:
        # A grant is never edited: it is revoked and, if need be, granted anew.
        return self.fields if obj is not None else ("granted_by", "granted_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: RoleGrant, form: ModelForm, change: bool) -> None:
        if not change:
            data = form.cleaned_data
            _take_over(obj, grant_role(actor=request.user, user=data["user"], role=data["role"], organisation=data["organisation"]))

    @admin.action(description=gettext_lazy("Revoke the selected roles"))
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[RoleGrant]) -> None:
        revoked = 0
        for grant in queryset.select_related("organisation"):
            try:
                revoke_role(actor=request.user, grant=grant)
            except ActionError as error:
                self.message_user(request, f"{grant}: {error.message}", messages.WARNING)
            else:
                revoked += 1
        if revoked:
            message = ngettext("%(count)d role was revoked.", "%(count)d roles were revoked.", revoked)
            self.message_user(request, message % {"count": revoked}, messages.SUCCESS)
