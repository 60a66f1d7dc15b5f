import datetime

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from tests.factories import PASSWORD, OrganisationFactory, PersonFactory, UserFactory
from tests.helpers import page_text
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG = (
    "The name or phone number and the password do not match an account that can sign in. "
    "Check them and try again."
)


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def test_sign_in_page_is_labelled_for_phones_and_password_managers(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="id_username">Username or mobile phone</label>' in body
    assert '<label for="id_password">Password</label>' in body
    assert 'autocomplete="username"' in body
    assert 'autocomplete="current-password"' in body
    assert "<title>Sign in · Tongxin</title>" in body
    assert (
        "Forgot your password? Ask your village or community office to set a new one."
        in page_text(response)
    )


def test_sign_in_with_username_goes_to_my_page_and_is_audited(client):
    user = UserFactory(username="li.ming")

    response = client.post("/accounts/login/", {"username": "Li.Ming", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert signed_in_user_id(client) == user.pk
    event = AuditEvent.objects.get(verb="account.sign_in")
    assert (event.actor_id, event.target_id, event.data) == (
        user.pk,
        str(user.pk),
        {"via": "username"},
    )
    assert PASSWORD not in str(event.data)


@pytest.mark.parametrize("typed", ["+86 138 0013 8000", "13800138000", "0086-138-0013-8000"])
def test_sign_in_with_mobile_phone(client, typed):
    user = UserFactory(username="zhang.wei")
    PersonFactory(name="张伟", phone="13800138000", user=user, home=OrganisationFactory())

    response = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_user_id(client) == user.pk
    assert AuditEvent.objects.get(verb="account.sign_in").data == {"via": "phone"}


@pytest.mark.parametrize(
    ("username", "password"),
    [("li.ming", "wrong password"), ("nobody.here", PASSWORD), ("13900139000", PASSWORD)],
    ids=["wrong password", "unknown username", "unknown phone"],
)
def test_wrong_credentials_get_one_message_that_does_not_say_whether_the_account_exists(
    client, username, password
):
    UserFactory(username="li.ming")

    response = client.post("/accounts/login/", {"username": username, "password": password})

    assert response.status_code == 200
    text = page_text(response)
    assert f"There is a problem {WRONG}" in text
    assert 'role="alert"' in response.content.decode()
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(verb="account.sign_in").exists()


def test_inactive_account_cannot_sign_in_and_gets_the_same_message(client):
    UserFactory(username="left.town", is_active=False)

    response = client.post("/accounts/login/", {"username": "left.town", "password": PASSWORD})

    assert response.status_code == 200
    assert WRONG in page_text(response)
    assert signed_in_user_id(client) is None


def test_empty_form_names_both_fields(client):
    response = client.post("/accounts/login/", {"username": "", "password": ""})

    assert response.status_code == 200
    assert (
        page_text(response).count("This field is required.") == 4
    )  # in the summary and at each field
    assert 'aria-invalid="true"' in response.content.decode()


def fail(client, username: str, times: int) -> list[int]:
    return [
        client.post("/accounts/login/", {"username": username, "password": "not it"}).status_code
        for _ in range(times)
    ]


def test_fifth_failure_pauses_sign_in_and_the_right_password_is_then_refused(client):
    UserFactory(username="li.ming")
    UserFactory(username="zhao.lei")

    assert fail(client, "li.ming", 5) == [200, 200, 200, 200, 429]
    response = client.post("/accounts/login/", {"username": "li.ming", "password": PASSWORD})

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    attempt = AccessAttempt.objects.get(username="li.ming")
    retry_at = timezone.localtime(attempt.attempt_time + datetime.timedelta(minutes=15)).strftime(
        "%H:%M"
    )
    text = page_text(response)
    assert "Sign-in paused · Tongxin" in text
    assert (
        "There were too many wrong passwords for this name from this device, "
        "so signing in with it is paused to keep the account safe. "
        f"Try again after {retry_at}, in about 15 minutes."
    ) in text
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(verb="account.sign_in").exists()

    # Someone else at the same address (a shared village office computer) can still sign in.
    response = client.post("/accounts/login/", {"username": "zhao.lei", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) is not None


def test_username_and_phone_count_against_the_same_account(client):
    user = UserFactory(username="zhang.wei")
    PersonFactory(phone="13800138000", user=user)

    assert fail(client, "zhang.wei", 3) + fail(client, "+86 13800138000", 2) == [
        200,
        200,
        200,
        200,
        429,
    ]
    assert (
        client.post("/accounts/login/", {"username": "ZHANG.WEI", "password": PASSWORD}).status_code
        == 429
    )


def test_success_clears_earlier_failures(client):
    UserFactory(username="li.ming")
    fail(client, "li.ming", 4)

    assert (
        client.post("/accounts/login/", {"username": "li.ming", "password": PASSWORD}).status_code
        == 302
    )
    client.post("/accounts/logout/")

    assert fail(client, "li.ming", 4) == [200, 200, 200, 200]


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/organisations/", "/organisations/"),
        ("/organisations/?page=2", "/organisations/?page=2"),
        ("https://evil.example/phish", "/accounts/me/"),
        ("//evil.example/phish", "/accounts/me/"),
        ("///evil.example", "/accounts/me/"),
        ("javascript:alert(1)", "/accounts/me/"),
        ("http://testserver/organisations/", "http://testserver/organisations/"),
    ],
)
def test_next_redirect_stays_on_this_site(client, next_url, expected):
    UserFactory(username="li.ming")

    response = client.post(
        "/accounts/login/", {"username": "li.ming", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == expected


def test_next_from_the_address_is_carried_in_the_form(client):
    response = client.get("/accounts/login/?next=/organisations/")

    assert '<input type="hidden" name="next" value="/organisations/">' in response.content.decode()


def test_signed_in_person_opening_sign_in_goes_on(client, resident):
    client.force_login(resident)

    response = client.get("/accounts/login/?next=https://evil.example/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"


def test_sign_out_is_post_only_and_audited(client, resident):
    client.force_login(resident)

    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) == resident.pk

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) is None
    event = AuditEvent.objects.get(verb="account.sign_out")
    assert (event.actor_id, event.target_id) == (resident.pk, str(resident.pk))


def test_sign_out_when_not_signed_in_records_nothing(client):
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert AuditEvent.objects.count() == 0
