"""Signing in and out, the second factor for staff, and the signed-in person's own page."""

from __future__ import annotations

import math
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.community.models import Membership, Person, RoleGrant
from tongxin.community.permissions import is_staff_member
from tongxin.core.errors import ActionError

from .actions import (
    change_password,
    confirm_two_factor,
    confirmed_device,
    issue_api_token,
    revoke_api_token,
    sign_in,
    sign_out,
    start_two_factor_enrolment,
    verify_two_factor,
)
from .forms import ApiTokenForm, CodeForm, SignInForm
from .models import ApiToken

# Labels stand above their fields, as on the community forms: no trailing colon, which would be
# an English ":" after a Chinese label. (The sign-in form still has it: its test expects it.)
LABEL_SUFFIX = ""


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address from the form or query when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def mask_phone(phone: str | None) -> str:
    """Only the last four digits show: enough to recognise one's own number, not to call it."""
    if not phone:
        return ""
    return "•" * max(len(phone) - 4, 0) + phone[-4:]


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, settings.LOGIN_REDIRECT_URL)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request, request.POST or None, label_suffix=LABEL_SUFFIX)
    if form.is_valid():
        sign_in(request=request, user=form.get_user(), via=form.signed_in_with())
        return redirect(next_url)
    # The form carries `next` as it came; it is checked again when it is used.
    typed_next = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "accounts/login.html", {"form": form, "next": typed_next})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    sign_out(request=request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes calls this when a name failed too often from one address: say when to retry."""
    cool_off = get_cool_off(request)
    started = getattr(request, "axes_attempt_time", None) or timezone.now()
    retry_at = timezone.localtime(started + cool_off) if cool_off else None
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    response = render(
        request, "accounts/locked_out.html", {"retry_at": retry_at, "minutes": minutes}, status=429
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, settings.LOGIN_REDIRECT_URL)
    if request.user.is_verified() or not is_staff_member(request.user):
        return redirect(next_url)
    if confirmed_device(request.user) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = CodeForm(request.POST or None, label_suffix=LABEL_SUFFIX)
    if form.is_valid():
        try:
            device = verify_two_factor(user=request.user, code=form.cleaned_data["code"])
        except ActionError as error:
            form.add_error("code", error.message)
        else:
            django_otp.login(request, device)
            return redirect(next_url)
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, settings.LOGIN_REDIRECT_URL)
    if request.user.is_verified() or not is_staff_member(request.user):
        return redirect(next_url)
    if confirmed_device(request.user) is not None:
        # A second device may only be added by someone who already passed the first.
        return redirect(_with_next("accounts:two_factor", next_url))
    device = start_two_factor_enrolment(user=request.user)
    form = CodeForm(request.POST or None, label_suffix=LABEL_SUFFIX)
    if form.is_valid():
        try:
            device = confirm_two_factor(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ActionError as error:
            form.add_error("code", error.message)
        else:
            django_otp.login(request, device)
            messages.success(
                request, _("Two-factor sign-in is set up. Keep your phone with the app safe.")
            )
            return redirect(next_url)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_svg(device),
        "secret": _readable_secret(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{resolve_url(url_name)}?{urlencode({'next': next_url})}"


def _qr_svg(device: TOTPDevice) -> SafeString:
    qr_code = segno.make(device.config_url, error="m")
    # segno writes the SVG from our own otpauth address, and escapes the title it is given.
    return mark_safe(
        qr_code.svg_inline(
            scale=5,
            border=4,
            dark="#000",
            light="#fff",
            title=_("QR code for your authenticator app"),
        )
    )


def _readable_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET"])
def me(request: HttpRequest) -> HttpResponse:
    token_form = ApiTokenForm(label_suffix=LABEL_SUFFIX)
    return render(request, "accounts/me.html", _my_page_context(request, token_form))


def _my_page_context(request: HttpRequest, token_form: ApiTokenForm) -> dict[str, Any]:
    user = request.user
    person = Person.objects.filter(user=user).select_related("home").first()
    memberships = (
        Membership.objects.current()
        .filter(person=person)
        .select_related("organisation", "obtained_from", "sector")
        if person is not None
        else Membership.objects.none()
    )
    staff = is_staff_member(user)
    return {
        "person": person,
        "masked_phone": mask_phone(person.phone if person else None),
        "memberships": memberships,
        "role_grants": RoleGrant.objects.active()
        .filter(user=user)
        .select_related("organisation")
        .order_by("granted_at"),
        "is_staff_member": staff,
        "two_factor_on": staff and confirmed_device(user) is not None,
        "tokens": ApiToken.objects.active().filter(user=user).order_by("-created_at"),
        "token_form": token_form,
    }


@never_cache
@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST, label_suffix=LABEL_SUFFIX)
    if form.is_valid():
        try:
            token, secret = issue_api_token(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ActionError as error:
            form.add_error("name", error.message)
        else:
            # Shown in this response only: nothing keeps the secret, so it cannot be shown again.
            return render(
                request, "accounts/api_token_created.html", {"token": token, "secret": secret}
            )
    return render(request, "accounts/me.html", _my_page_context(request, form), status=400)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Another person's token is "not found", so its existence is not revealed either.
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), pk=pk)
    try:
        revoke_api_token(actor=request.user, token=token)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:me")


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(
        request.user, request.POST or None, label_suffix=LABEL_SUFFIX
    )
    if form.is_valid():
        change_password(
            actor=request.user, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        # Keep this session signed in (and its second factor verified); other sessions end.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:me")
    return render(request, "accounts/password_change.html", {"form": form})
