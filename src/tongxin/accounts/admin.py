"""Accounts and API tokens in the admin. Secrets are never stored, so the admin cannot show one."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .actions import revoke_api_token
from .models import ApiToken, User
from .views import logout_view

_django_admin_login = admin.site.login


def sign_in_through_the_site(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin signs in and out on the site's own pages, so throttling and the audit log apply.

    Django's page stays only to tell a signed-in person without admin rights why they cannot enter.
    """
    if request.method == "GET" and request.user.is_authenticated:
        return _django_admin_login(request, extra_context)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def sign_out_through_the_site(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return logout_view(request)


# The default site's views are replaced on the instance: its URLs are built from these attributes.
admin.site.login = sign_in_through_the_site  # type: ignore[method-assign]
admin.site.logout = sign_out_through_the_site  # type: ignore[method-assign]


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = (
        "username",
        "person_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
    )
    list_select_related = ("person",)
    search_fields = (
        "username",
        "first_name",
        "last_name",
        "email",
        "person__name",
        "person__phone",
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("person"), ordering="person__name")
    def person_name(self, account: User) -> str:
        person = getattr(account, "person", None)
        return person.display_name if person is not None else ""

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        # The admin writes the model itself; the audit chain still hears of it, by field name only.
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data)
        record_audit(
            actor=request.user,
            verb="account.update" if change else "account.create",
            target=obj,
            data={"fields": fields, "via": "admin"},
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("name", "user", "prefix", "token_hash", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A token is issued on its owner's page, the only place its secret is ever shown.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Revoked tokens stay, so the audit log's references keep pointing at something.
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset.select_related("user"):
            try:
                revoke_api_token(actor=request.user, token=token)
            except ActionError:
                continue  # already revoked: nothing to do
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
