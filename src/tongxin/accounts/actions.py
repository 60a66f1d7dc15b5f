"""Every change to accounts: signing in and out, the second factor, passwords and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import auth
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from tongxin.community.permissions import can_edit_person
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .models import ApiToken, User

# Enough for a few scripts and integrations; more usually means forgotten tokens left lying around.
MAX_ACTIVE_API_TOKENS = 10
DEVICE_NAME = "Authenticator app"


def can_manage_api_tokens(actor: Any, user: User) -> bool:
    """The owner of the tokens, or a superuser."""
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)):
        return False
    return bool(actor.is_superuser or actor.pk == user.pk)


def can_open_account(actor: Any, person: Any | None, *, superuser: bool) -> bool:
    """Superusers open any account; an organisation admin opens one for a person in their scope."""
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False)):
        return False
    if actor.is_superuser:
        return True
    return not superuser and person is not None and can_edit_person(actor, person)


def create_account(
    *,
    actor: Any,
    username: str,
    password: str,
    person: Any | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Open a sign-in account, optionally for a person who has none yet."""
    if not can_open_account(actor, person, superuser=is_superuser or is_staff):
        raise PermissionDenied
    username = username.strip()
    if not username:
        raise ActionError(_("Choose a username."))
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError(_("This username is taken."))
    if person is not None and person.user_id is not None:
        raise ActionError(_("This person already has an account."))
    user = User(username=username, is_staff=is_staff, is_superuser=is_superuser)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ActionError(" ".join(error.messages)) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        if person is not None:
            person.user = user
            person.save(update_fields=["user", "updated_at"])
        record_audit(
            actor=actor,
            verb="account.create",
            target=user,
            data={"person": person.pk if person else None, "staff": is_staff, "superuser": is_superuser},
        )
    return user


def sign_in(*, request: HttpRequest, user: User, via: str) -> None:
    """Start a session for an account whose password was checked; `via` is "username" or "phone"."""
    with transaction.atomic():
        auth.login(request, user)
        record_audit(actor=user, verb="account.sign_in", target=user, data={"via": via})


def sign_out(*, request: HttpRequest) -> None:
    """End the session, forgetting the verified second factor with it."""
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            record_audit(actor=user, verb="account.sign_out", target=user)
        auth.logout(request)


def change_password(*, actor: Any, user: User, new_password: str) -> None:
    """Set a new password (already checked by the validators); the audit entry never holds it."""
    if not (getattr(actor, "is_authenticated", False) and actor.pk == user.pk):
        raise PermissionDenied
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record_audit(actor=actor, verb="account.password.change", target=user)


def confirmed_device(user: User) -> TOTPDevice | None:
    """The authenticator the account signs in with: its latest confirmed TOTP device."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def start_two_factor_enrolment(*, user: User) -> TOTPDevice:
    """An unconfirmed device whose secret the person loads into an authenticator app.

    The same device is returned until it is confirmed, so reloading the page keeps the secret.
    """
    if confirmed_device(user) is not None:
        raise ActionError(_("Two-factor sign-in is already set up for this account."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # two tabs, one pending device
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def confirm_two_factor(*, user: User, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm the device with the first code it shows: from now on it is the second factor."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    checked = _check_code(user=user, device=device, code=code)
    with transaction.atomic():
        checked.confirmed = True
        checked.save(update_fields=["confirmed"])
        record_audit(
            actor=user, verb="account.two_factor.enrol", target=user, data={"device": checked.pk}
        )
    return checked


def verify_two_factor(*, user: User, code: str) -> TOTPDevice:
    """Check a code from the account's authenticator; the caller marks the session as verified."""
    device = confirmed_device(user)
    if device is None:
        raise ActionError(_("Two-factor sign-in is not set up for this account yet."))
    checked = _check_code(user=user, device=device, code=code)
    record_audit(
        actor=user, verb="account.two_factor.verify", target=user, data={"device": checked.pk}
    )
    return checked


def _check_code(*, user: User, device: TOTPDevice, code: str) -> TOTPDevice:
    # django-otp locks the device row and counts failures itself; we only explain its answer.
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise ActionError(_throttled_message(details or {}))
    checked = verify_token(user, device.persistent_id, code)
    if checked is None:
        raise ActionError(
            _("That code is not right. Type the 6 digits your authenticator app shows now.")
        )
    return checked


def _throttled_message(details: dict[str, Any]) -> str:
    locked_until = details.get("locked_until")
    if locked_until is None:
        return _("Too many wrong codes. Wait a moment and try again.")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


def issue_api_token(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the secret is returned once and only its hash is kept."""
    if not can_manage_api_tokens(actor, user):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ActionError(_("Give the token a name, such as the program that will use it."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)  # the limit and the names hold under races
        active = ApiToken.objects.active().filter(user=user)
        if active.count() >= MAX_ACTIVE_API_TOKENS:
            raise ActionError(
                _("You already have %(count)d active tokens. Revoke one you no longer use first.")
                % {"count": MAX_ACTIVE_API_TOKENS}
            )
        if active.filter(name__iexact=name).exists():
            raise ActionError(_("You already have an active token with this name."))
        secret = ApiToken.new_secret()
        token = ApiToken.objects.create(
            user=user, name=name, prefix=secret[:8], token_hash=ApiToken.hash_secret(secret)
        )
        record_audit(
            actor=actor,
            verb="account.api_token.issue",
            target=token,
            data={"user": user.pk, "prefix": token.prefix},
        )
    return token, secret


def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stop a token from working; the record stays so the audit log and the list can name it."""
    if not can_manage_api_tokens(actor, token.user):
        raise PermissionDenied
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ActionError(_("This token has already been revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            actor=actor, verb="account.api_token.revoke", target=token, data={"user": token.user_id}
        )
    return token
