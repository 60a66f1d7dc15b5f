"""Who an API request comes from: bearer tokens, the browser session, anonymous readers."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import RoleGrantFactory, UserFactory
from tongxin.accounts.actions import revoke_api_token
from tongxin.accounts.models import ApiToken
from tongxin.community.models import StaffRole
from tongxin.core.models import AuditEvent

from .conftest import UNAUTHORISED, Caller, Town, iso, resident_json

pytestmark = pytest.mark.django_db

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 letters, the shape of Django's CSRF secret


def test_a_token_identifies_its_account(client: Client, town: Town, resident: Caller) -> None:
    response = client.get("/api/v1/me", headers=resident.headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": resident.user.pk,
        "username": "li.xiuying",
        "is_superuser": False,
        "person": resident_json(town),
        "roles": [],
    }


def test_me_lists_the_roles_an_account_holds_now(
    client: Client, town: Town, admin_a: Caller
) -> None:
    grant = admin_a.user.role_grants.get()
    RoleGrantFactory(
        user=admin_a.user, role=StaffRole.HANDLER, organisation=town.town, revoked_at=timezone.now()
    )

    body = client.get("/api/v1/me", headers=admin_a.headers).json()

    assert body["person"] is None
    assert body["roles"] == [
        {
            "id": grant.pk,
            "user": admin_a.user.pk,
            "role": "admin",
            "organisation": {"id": town.village_a.pk, "display_name": "East Village"},
            "granted_by": None,
            "granted_at": iso(grant.granted_at),
            "revoked_at": None,
        }
    ]


def test_anonymous_requests_to_signed_in_endpoints_get_401(client: Client, town: Town) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/organisations"])
def test_a_revoked_token_gets_401_even_where_anonymous_readers_are_welcome(
    client: Client, resident: Caller, path: str
) -> None:
    revoke_api_token(actor=resident.user, token=resident.user.api_tokens.get())

    response = client.get(path, headers=resident.headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


@pytest.mark.parametrize("header", ["Bearer tx_not-a-token", "Bearer ", "bearer tx_"])
def test_an_unknown_token_gets_401(client: Client, town: Town, header: str) -> None:
    response = client.get("/api/v1/organisations", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


def test_the_token_of_a_deactivated_account_gets_401(client: Client, resident: Caller) -> None:
    resident.user.is_active = False
    resident.user.save(update_fields=["is_active"])

    response = client.get("/api/v1/me", headers=resident.headers)

    assert response.status_code == 401
    assert response.json() == UNAUTHORISED


def test_last_use_is_recorded_at_most_once_a_minute(
    client: Client, resident: Caller, django_assert_num_queries
) -> None:
    token = ApiToken.objects.get(user=resident.user)
    assert token.last_used_at is None

    client.get("/api/v1/me", headers=resident.headers)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None and timezone.now() - first_use < datetime.timedelta(seconds=5)

    # Within the minute: the token, the person, their sectors, their roles; no write.
    with django_assert_num_queries(4):
        client.get("/api/v1/me", headers=resident.headers)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    a_while_ago = first_use - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=a_while_ago)
    client.get("/api/v1/me", headers=resident.headers)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_the_browser_session_is_accepted(client: Client, town: Town) -> None:
    client.force_login(town.resident.user)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == "li.xiuying"


def test_a_session_write_needs_the_csrf_token(town: Town, settings) -> None:
    settings.TONGXIN_STAFF_2FA = False  # the second factor has its own test below
    admin = RoleGrantFactory(user=UserFactory(username="admin.a"), organisation=town.village_a).user
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)
    body = {"name": "东村调解组", "kind": "workgroup", "parent": town.village_a.pk}
    before = (town.village_a.children.count(), AuditEvent.objects.count())

    refused = browser.post("/api/v1/organisations", body, content_type="application/json")

    assert refused.status_code == 403
    assert refused.json() == {"detail": "The security check failed: reload the page and try again."}
    assert (town.village_a.children.count(), AuditEvent.objects.count()) == before

    # What the browser holds after any page: the CSRF cookie, sent back in the header.
    browser.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    accepted = browser.post(
        "/api/v1/organisations",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert accepted.status_code == 201
    assert accepted.json()["name"] == "东村调解组"


def test_a_token_write_needs_no_csrf_token(town: Town, admin_a: Caller) -> None:
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        "/api/v1/organisations",
        {"name": "东村调解组", "kind": "workgroup", "parent": town.village_a.pk},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 201


def test_staff_sessions_without_a_second_factor_count_as_signed_out(
    client: Client, town: Town, settings
) -> None:
    admin = RoleGrantFactory(user=UserFactory(username="admin.a"), organisation=town.village_a).user
    client.force_login(admin)

    assert client.get("/api/v1/me").status_code == 401
    # On a public endpoint the same session reads as an anonymous reader: no personal data.
    members = client.get(f"/api/v1/organisations/{town.council_a.pk}/members")
    assert members.status_code == 200

    settings.TONGXIN_STAFF_2FA = False
    assert client.get("/api/v1/me").status_code == 200


def test_errors_follow_the_language_the_client_asks_for(client: Client, town: Town) -> None:
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 401
    assert response["Content-Language"] == "zh-hans"
    # The Chinese catalogue is added in one pass after this code; until then gettext gives the
    # English text. The expectation is read from the catalogue, so it holds before and after.
    with translation.override("zh-hans"):
        expected = gettext("Sign in, or send a valid API token.")
    assert response.json() == {"detail": expected}
    assert client.get("/api/v1/me").json() == UNAUTHORISED


def test_validation_errors_are_422_as_ninja_reports_them(client: Client, admin_a: Caller) -> None:
    response = client.post(
        "/api/v1/organisations",
        {"name": "东村调解组"},
        content_type="application/json",
        headers=admin_a.headers,
    )

    assert response.status_code == 422
    assert [(error["loc"], error["type"]) for error in response.json()["detail"]] == [
        (["body", "body", "kind"], "missing"),
        (["body", "body", "parent"], "missing"),
    ]
