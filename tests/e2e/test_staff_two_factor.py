"""A staff member is asked for the code from their authenticator app; only the right one lets
them in."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, UserFactory
from tongxin.community.actions import create_organisation, grant_role
from tongxin.community.models import OrganisationKind, StaffRole
from tongxin.core.actors import SystemActor
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.e2e

SYSTEM = SystemActor("e2e")


def current_code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_staff_member_needs_the_code_from_their_app(
    page: Page, screenshot: Callable[[str], Path]
) -> None:
    town = create_organisation(
        actor=SYSTEM, name="临海镇", name_en="Linhai Town", kind=OrganisationKind.TOWN, parent=None
    )
    officer = UserFactory(username="office.linhai", password=PASSWORD)
    grant_role(actor=SYSTEM, user=officer, role=StaffRole.OFFICE, organisation=town)
    device = TOTPDevice.objects.create(user=officer, name="Authenticator app", confirmed=True)
    main = page.locator("main")

    page.goto(reverse("accounts:login"))
    page.get_by_label("Username or mobile phone").fill("office.linhai")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor")) + r"\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    screenshot("asked-for-code")

    # A wrong code is refused, and the staff pages stay closed.
    right = current_code(device)
    page.get_by_label("6-digit code").fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "That code is not right. Type the 6 digits your authenticator app shows now."
    )
    screenshot("wrong-code")
    page.goto(reverse("accounts:me"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:two_factor")) + r"\?"))
    assert not AuditEvent.objects.filter(verb="account.two_factor.verify").exists()

    # django-otp makes a device wait a second after a failure before it checks another code.
    page.wait_for_timeout(1_100)
    page.get_by_label("6-digit code").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:me")) + "$"))
    expect(main).to_contain_text("On: signing in asks for a code from your authenticator app.")
    expect(main).to_contain_text("Council office")
    assert (
        AuditEvent.objects.filter(verb="account.two_factor.verify", actor_id=officer.pk).count()
        == 1
    )
    screenshot("signed-in")
