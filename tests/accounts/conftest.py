"""Helpers for the accounts tests: what a person reads on a page, and real TOTP codes."""

import html
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, whitespace collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    content = re.sub(r"<[^>]+>", " ", content)
    return " ".join(html.unescape(content).split())


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows for this device now (or some steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in_with_second_factor(client: Client, user) -> TOTPDevice:
    """Sign a staff account in through the real pages: password, then an authenticator code."""
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    response = client.post("/accounts/two-factor/", {"code": totp_code(device)})
    assert response.status_code == 302
    return device


@pytest.fixture
def resident(db):
    return UserFactory(username="wang.fang")
