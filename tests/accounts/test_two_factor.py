import datetime
import json
from base64 import b32encode
from urllib.parse import quote

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, RoleGrantFactory, UserFactory
from tests.helpers import (
    page_text,
    sign_in_with_password,
    sign_in_with_second_factor,
    totp_code,
)
from tongxin.community.models import StaffRole
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SETUP_FOR_MY_PAGE = "/accounts/two-factor/setup/?next=%2Faccounts%2Fme%2F"
VERIFY_FOR_MY_PAGE = "/accounts/two-factor/?next=%2Faccounts%2Fme%2F"
WRONG_CODE = "That code is not right. Type the 6 digits your authenticator app shows now."


def another_code(code: str) -> str:
    """Six digits that are not `code`: what someone guessing, or mistyping, sends."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def handler(db):
    """A village case handler: a staff role, so a second factor is required."""
    return RoleGrantFactory(user=UserFactory(username="chen.jing"), role=StaffRole.HANDLER).user


@pytest.mark.parametrize(
    "make_staff",
    [
        lambda: RoleGrantFactory(role=StaffRole.HANDLER).user,
        lambda: UserFactory(is_staff=True),
        lambda: UserFactory(is_superuser=True),
    ],
    ids=["role grant", "is_staff", "superuser"],
)
def test_staff_without_a_device_are_sent_to_set_one_up(client, make_staff):
    staff = make_staff()
    sign_in_with_password(client, staff)

    response = client.get("/accounts/me/")

    assert response.status_code == 302
    assert response["Location"] == SETUP_FOR_MY_PAGE


def test_staff_with_a_device_are_sent_to_give_a_code(client, handler):
    TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)

    response = client.get("/accounts/me/")

    assert response.status_code == 302
    assert response["Location"] == VERIFY_FOR_MY_PAGE
    response = client.get(VERIFY_FOR_MY_PAGE)
    assert response.status_code == 200
    assert "Confirm it is you" in page_text(response)
    assert 'autocomplete="one-time-code"' in response.content.decode()
    assert 'inputmode="numeric"' in response.content.decode()


def test_setup_page_shows_a_qr_code_and_the_secret_for_typing(client, handler):
    sign_in_with_password(client, handler)

    response = client.get(SETUP_FOR_MY_PAGE)

    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=handler)
    assert device.confirmed is False
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    body = response.content.decode()
    assert f'<code class="secret" id="totp-secret">{grouped}</code>' in body
    assert '<figure class="qr-code"><svg' in body
    assert "<title>QR code for your authenticator app</title>" in body
    assert "Set up two-factor sign-in" in page_text(response)
    # Reloading the page keeps the same secret, so a half-done scan is not wasted.
    client.get(SETUP_FOR_MY_PAGE)
    assert list(TOTPDevice.objects.filter(user=handler).values_list("key", flat=True)) == [
        device.key
    ]


def test_enrol_with_the_first_code_confirms_the_device_and_verifies_the_session(client, handler):
    sign_in_with_password(client, handler)
    client.get(SETUP_FOR_MY_PAGE)
    device = TOTPDevice.objects.get(user=handler)
    code = totp_code(device)

    response = client.post("/accounts/two-factor/setup/", {"code": code, "next": "/accounts/me/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    device.refresh_from_db()
    assert device.confirmed is True
    response = client.get("/accounts/me/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Two-factor sign-in is set up. Keep your phone with the app safe." in text
    assert "Two-factor sign-in On: signing in asks for a code from your authenticator app." in text
    event = AuditEvent.objects.get(verb="account.two_factor.enrol")
    assert (event.actor_id, event.target_id, event.data) == (
        handler.pk,
        str(handler.pk),
        {"device": device.pk},
    )
    audit_text = json.dumps(
        list(AuditEvent.objects.values("data", "target_label")), ensure_ascii=False
    )
    assert code not in audit_text
    assert PASSWORD not in audit_text


def test_enrol_with_a_wrong_code_leaves_the_device_unconfirmed(client, handler):
    sign_in_with_password(client, handler)
    client.get(SETUP_FOR_MY_PAGE)
    device = TOTPDevice.objects.get(user=handler)
    wrong = another_code(totp_code(device))

    response = client.post("/accounts/two-factor/setup/", {"code": wrong})

    assert response.status_code == 200
    assert WRONG_CODE in page_text(response)
    device.refresh_from_db()
    assert device.confirmed is False
    assert not AuditEvent.objects.filter(verb="account.two_factor.enrol").exists()
    assert client.get("/accounts/me/")["Location"] == SETUP_FOR_MY_PAGE


def test_setup_is_refused_once_a_device_is_confirmed(client, handler):
    """Otherwise someone with only the password could add their own authenticator."""
    TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)

    response = client.get(SETUP_FOR_MY_PAGE)

    assert response.status_code == 302
    assert response["Location"] == VERIFY_FOR_MY_PAGE
    assert TOTPDevice.objects.filter(user=handler).count() == 1


def test_verify_with_the_right_code(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)

    response = client.post(
        "/accounts/two-factor/", {"code": totp_code(device), "next": "/accounts/me/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200
    assert (
        AuditEvent.objects.filter(verb="account.two_factor.verify", actor_id=handler.pk).count()
        == 1
    )


def test_code_typed_with_a_space_is_accepted(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)
    code = totp_code(device)

    response = client.post("/accounts/two-factor/", {"code": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302


def test_verify_refuses_an_unsafe_next(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)

    response = client.post(
        "/accounts/two-factor/", {"code": totp_code(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/accounts/me/"


def test_wrong_code_is_refused_and_the_device_throttles_the_next_try(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)
    right = totp_code(device)
    wrong = another_code(right)

    response = client.post("/accounts/two-factor/", {"code": wrong})

    assert response.status_code == 200
    assert WRONG_CODE in page_text(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    # django-otp's own throttling: straight after a failure even the right code must wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now())
    response = client.post("/accounts/two-factor/", {"code": right})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait 1 second and try again." in page_text(response)
    assert client.get("/accounts/me/")["Location"] == VERIFY_FOR_MY_PAGE

    # A few seconds later it is accepted.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    assert client.post("/accounts/two-factor/", {"code": right}).status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    assert (
        not AuditEvent.objects.filter(verb="account.two_factor.verify")
        .exclude(actor_id=handler.pk)
        .exists()
    )


def test_letters_are_refused_before_the_device_is_asked(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)

    response = client.post("/accounts/two-factor/", {"code": "12a456"})

    assert "Type the 6 digits of the code, without letters." in page_text(response)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_code_cannot_be_used_twice(client, handler):
    device = TOTPDevice.objects.create(user=handler, name="phone", confirmed=True)
    sign_in_with_password(client, handler)
    used = totp_code(device)
    assert client.post("/accounts/two-factor/", {"code": used}).status_code == 302
    client.post("/accounts/logout/")
    sign_in_with_password(client, handler)

    response = client.post("/accounts/two-factor/", {"code": used})

    assert response.status_code == 200
    assert "That code is not right." in page_text(response)


def test_sign_out_starts_over_with_the_second_factor(client, handler):
    sign_in_with_second_factor(client, handler)
    client.post("/accounts/logout/")
    sign_in_with_password(client, handler)

    assert client.get("/accounts/me/")["Location"] == VERIFY_FOR_MY_PAGE


def test_resident_is_never_prompted(client, resident):
    sign_in_with_password(client, resident)

    response = client.get("/accounts/me/")

    assert response.status_code == 200
    assert "Two-factor" not in page_text(response)
    assert client.get("/accounts/two-factor/").status_code == 302
    assert client.get("/accounts/two-factor/")["Location"] == "/accounts/me/"
    assert client.get("/accounts/two-factor/setup/")["Location"] == "/accounts/me/"
    assert not TOTPDevice.objects.exists()


def test_revoked_role_ends_the_prompt(client):
    grant = RoleGrantFactory(role=StaffRole.DUTY_OFFICER)
    grant.revoked_at = timezone.now()
    grant.save()
    sign_in_with_password(client, grant.user)

    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/static/tongxin/site.css"])
def test_api_and_static_files_are_not_redirected(client, handler, path):
    sign_in_with_password(client, handler)

    response = client.get(path)

    assert response.status_code == 200


def test_sign_out_and_language_switch_work_before_the_second_factor(client, handler):
    sign_in_with_password(client, handler)

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/organisations/"})
    assert (response.status_code, response["Location"]) == (302, "/organisations/")

    response = client.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session.get("_auth_user_id") is None


def test_htmx_requests_are_sent_to_a_whole_page(client, handler):
    sign_in_with_password(client, handler)

    response = client.get("/organisations/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/two-factor/setup/?next=" + quote(
        "/organisations/", safe=""
    )


def test_the_setting_can_turn_the_requirement_off(client, handler, settings):
    settings.TONGXIN_STAFF_2FA = False
    sign_in_with_password(client, handler)

    assert client.get("/accounts/me/").status_code == 200
