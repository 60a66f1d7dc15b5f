"""What many tests share: the system actor, accounts, signing in, a page as a person reads it."""

import datetime
import html
import re
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tongxin.community.actions import create_organisation, grant_role
from tongxin.community.models import Organisation, StaffRole
from tongxin.core.actors import SystemActor

# The audit log names it "system:test"; tests assert that label.
SYSTEM = SystemActor("test")
JAN_1 = datetime.date(2024, 1, 1)


def page_text(response: HttpResponse) -> str:
    """The page as a person reads it: no tags, entities decoded, whitespace collapsed."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def make_account(username: str = "", **fields: Any) -> Any:
    """An account without a password: tests sign in with force_login, and skip the slow hashing."""
    User = get_user_model()
    return User.objects.create(username=username or f"account{User.objects.count() + 1}", **fields)


def admin_of(place: Organisation, username: str, role: str = StaffRole.ADMIN) -> Any:
    """A new account holding `role` over `place`."""
    account = make_account(username)
    grant_role(actor=SYSTEM, user=account, role=role, organisation=place)
    return account


def organisation(
    name: str, name_en: str, kind: str, parent: Organisation | None, **fields: Any
) -> Organisation:
    return create_organisation(
        actor=SYSTEM, name=name, name_en=name_en, kind=kind, parent=parent, **fields
    )


def place(name: str, kind: str, parent: Organisation | None) -> Organisation:
    """An organisation whose name reads the same in both languages."""
    return organisation(name, name, kind, parent)


def sign_in(client: Client, user: Any) -> None:
    """A session as after password and second factor, without the pages: staff pages need both."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in_with_password(client: Client, user: Any) -> HttpResponse:
    """The sign-in page with the factories' password; staff are then asked for a second factor."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def sign_in_with_second_factor(client: Client, user: Any) -> TOTPDevice:
    """Sign a staff account in through the real pages: password, then an authenticator code."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in_with_password(client, user)
    response = client.post("/accounts/two-factor/", {"code": totp_code(device)})
    assert response.status_code == 302
    return device


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for this device now (or some steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"
