import pytest

from tests.factories import PASSWORD, UserFactory
from tests.helpers import page_text, sign_in_with_second_factor
from tongxin.accounts.actions import issue_api_token
from tongxin.accounts.models import User
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_anonymous_visitor_is_sent_to_the_site_sign_in(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_the_admin_sign_in_form_cannot_bypass_the_site_sign_in(client, superuser):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"
    assert client.session.get("_auth_user_id") is None


def test_admin_sign_out_is_the_site_sign_out(client, superuser):
    sign_in_with_second_factor(client, superuser)

    response = client.post("/admin/logout/")

    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.session.get("_auth_user_id") is None
    assert AuditEvent.objects.filter(verb="account.sign_out", actor_id=superuser.pk).count() == 1


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/accounts/apitoken/"])
def test_signed_in_resident_cannot_reach_the_admin(client, resident, path):
    client.force_login(resident)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    login_page = client.get(response["Location"])
    assert (
        "You are authenticated as wang.fang, but are not authorized to access this page."
        in page_text(login_page)
    )


def test_staff_must_give_the_second_factor_before_the_admin(client, superuser):
    client.force_login(superuser)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fadmin%2F"


def test_verified_superuser_sees_accounts_with_their_person(client, superuser, resident):
    sign_in_with_second_factor(client, superuser)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 200
    text = page_text(response)
    assert "wang.fang" in text
    assert "root" in text


def test_token_admin_shows_the_hash_and_never_a_secret(client, superuser, resident):
    token, secret = issue_api_token(actor=resident, user=resident, name="phone app")
    sign_in_with_second_factor(client, superuser)

    response = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    assert token.token_hash in body
    assert secret not in body
    assert '<input type="text" name="' not in body  # every field is read-only
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert client.post(f"/admin/accounts/apitoken/{token.pk}/delete/").status_code == 403


def test_token_admin_revokes_through_the_action(client, superuser, resident):
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    sign_in_with_second_factor(client, superuser)

    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "1 token revoked." in page_text(response)
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(verb="account.api_token.revoke")
    assert event.actor_id == superuser.pk


def test_account_changes_in_the_admin_are_audited_by_field_name(client, superuser, resident):
    sign_in_with_second_factor(client, superuser)
    form = client.get(f"/admin/accounts/user/{resident.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "password"
    }
    data.update(
        {"email": "wang.fang@example.cn", "is_active": "on", "groups": [], "user_permissions": []}
    )

    response = client.post(f"/admin/accounts/user/{resident.pk}/change/", data)

    assert response.status_code == 302
    assert User.objects.get(pk=resident.pk).email == "wang.fang@example.cn"
    event = AuditEvent.objects.get(verb="account.update")
    assert (event.actor_id, event.target_id, event.data) == (
        superuser.pk,
        str(resident.pk),
        {"fields": ["email"], "via": "admin"},
    )
