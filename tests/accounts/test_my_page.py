import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    RoleGrantFactory,
    UserFactory,
)
from tests.helpers import page_text, sign_in_with_second_factor
from tongxin.accounts.actions import MAX_ACTIVE_API_TOKENS, issue_api_token, revoke_api_token
from tongxin.accounts.models import ApiToken
from tongxin.community.models import Obtained, OrganisationKind, Role, StaffRole
from tongxin.core.actors import SystemActor
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def east_village(db):
    return OrganisationFactory(name="东村", name_en="East Village", kind=OrganisationKind.VILLAGE)


@pytest.fixture
def zhang_wei(east_village):
    """A village council chair who also administers the village."""
    user = UserFactory(username="zhang.wei")
    person = PersonFactory(
        name="张伟", name_latin="Zhang Wei", phone="13800138000", home=east_village, user=user
    )
    committee = OrganisationFactory(
        name="东村村委会",
        name_en="East Village Committee",
        kind=OrganisationKind.VILLAGE_COMMITTEE,
        parent=east_village,
    )
    council = OrganisationFactory(
        name="东村议事会",
        name_en="East Village Council",
        kind=OrganisationKind.CONSULTATION_COUNCIL,
        parent=east_village,
    )
    MembershipFactory(
        person=person,
        organisation=council,
        role=Role.CHAIR,
        obtained=Obtained.ELECTED,
        obtained_from=committee,
        start_date=datetime.date(2024, 1, 1),
        term_end=datetime.date(2029, 1, 1),
    )
    MembershipFactory(
        person=person, organisation=committee, role=Role.MEMBER, obtained=Obtained.EX_OFFICIO
    )
    MembershipFactory(
        person=person,
        organisation=OrganisationFactory(
            name="旧工作组", name_en="Old Workgroup", kind=OrganisationKind.WORKGROUP
        ),
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2023, 6, 30),
    )
    RoleGrantFactory(user=user, role=StaffRole.ADMIN, organisation=east_village)
    return user


def test_anonymous_visitor_is_asked_to_sign_in(client):
    response = client.get("/accounts/me/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/me/"


def test_my_page_shows_record_memberships_roles_and_second_factor(client, zhang_wei, east_village):
    sign_in_with_second_factor(client, zhang_wei)

    response = client.get("/accounts/me/")

    assert response.status_code == 200
    text = page_text(response)
    assert "My page · Tongxin" in text
    assert "Signed in as zhang.wei." in text
    assert (
        "My record Name Zhang Wei Mobile phone •••••••8000 "
        "Home village or community East Village My memberships"
    ) in text
    assert (
        "East Village Council Chair Jan. 1, 2024 to Jan. 1, 2029 Elected by East Village Committee"
        in text
    )
    assert "East Village Committee Member since Jan. 1, 2024 Because of their post" in text
    assert "Old Workgroup" not in text
    assert (
        "My staff roles Role Over Organisation administrator East Village and everything within it"
        in text
    )
    assert "Two-factor sign-in On: signing in asks for a code from your authenticator app." in text
    body = response.content.decode()
    assert (
        f'<a href="/organisations/{east_village.pk}/">East Village</a> and everything within it'
        in body
    )
    assert "13800138000" not in body
    assert "0013" not in body


def test_my_page_without_a_person_record_still_works(client, resident):
    client.force_login(resident)

    response = client.get("/accounts/me/")

    assert response.status_code == 200
    text = page_text(response)
    assert (
        "No resident record is linked to this account. "
        "Ask your village or community office to link yours." in text
    )
    assert "You hold no seat in any organisation at present." in text
    assert "You have no active tokens." in text
    assert "My staff roles" not in text


def test_phone_not_recorded(client, resident):
    PersonFactory(name="李娜", user=resident)
    client.force_login(resident)

    text = page_text(client.get("/accounts/me/"))

    assert "Mobile phone Not recorded Home village or community Not recorded" in text


def test_my_page_query_count_does_not_grow_with_memberships_and_tokens(
    client, zhang_wei, django_assert_max_num_queries
):
    sign_in_with_second_factor(client, zhang_wei)
    for number in range(5):
        issue_api_token(actor=zhang_wei, user=zhang_wei, name=f"script {number}")
        MembershipFactory(person=zhang_wei.person)

    with django_assert_max_num_queries(12):
        response = client.get("/accounts/me/")

    assert response.status_code == 200


def test_creating_a_token_shows_the_secret_once_and_stores_only_its_hash(client, resident):
    client.force_login(resident)

    response = client.post("/accounts/me/tokens/", {"name": "grid reports script"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=resident)
    secret = response.context["secret"]
    assert secret.startswith("tx_") and len(secret) == 46
    assert f'value="{secret}"' in response.content.decode()
    assert (
        "Copy the token “grid reports script” now. "
        "It will not be shown again: Tongxin keeps only a fingerprint of it."
    ) in page_text(response)
    assert token.name == "grid reports script"
    assert token.prefix == secret[:8]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert secret not in stored
    event = AuditEvent.objects.get(verb="account.api_token.issue")
    assert event.data == {"user": resident.pk, "prefix": token.prefix}
    assert secret not in json.dumps(list(AuditEvent.objects.values("data", "target_label")))

    my_page = client.get("/accounts/me/")
    assert secret not in my_page.content.decode()
    created = token.created_at
    assert f"grid reports script {token.prefix}… " in page_text(my_page)
    assert "Never" in page_text(my_page)
    assert created is not None


def test_the_new_token_works_on_the_api_until_revoked(client, resident):
    token, secret = issue_api_token(actor=resident, user=resident, name="phone app")

    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    revoke_api_token(actor=resident, token=token)
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "This field is required."),
        ("phone app", "You already have an active token with this name."),
        ("PHONE APP", "You already have an active token with this name."),
    ],
)
def test_token_name_errors_are_shown_on_my_page(client, resident, name, message):
    issue_api_token(actor=resident, user=resident, name="phone app")
    client.force_login(resident)

    response = client.post("/accounts/me/tokens/", {"name": name})

    assert response.status_code == 400
    assert f"There is a problem {message}" in page_text(response)
    assert ApiToken.objects.filter(user=resident).count() == 1


def test_token_limit(resident):
    for number in range(MAX_ACTIVE_API_TOKENS):
        issue_api_token(actor=resident, user=resident, name=f"script {number}")

    with pytest.raises(ActionError) as error:
        issue_api_token(actor=resident, user=resident, name="one more")

    assert (
        str(error.value) == "You already have 10 active tokens. Revoke one you no longer use first."
    )


def test_revoking_my_token(client, resident):
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    client.force_login(resident)

    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(verb="account.api_token.revoke")
    assert (event.actor_id, event.target_id, event.data) == (
        resident.pk,
        str(token.pk),
        {"user": resident.pk},
    )
    text = page_text(client.get("/accounts/me/"))
    assert "The token “phone app” no longer works." in text
    assert "You have no active tokens." in text


def test_revoke_is_post_only(client, resident):
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    client.force_login(resident)

    assert client.get(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_person_cannot_revoke_my_token(client, resident):
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    intruder = UserFactory(username="intruder")
    client.force_login(intruder)
    events_before = AuditEvent.objects.count()

    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AuditEvent.objects.count() == events_before


def test_only_the_owner_or_a_superuser_may_issue_and_revoke(resident):
    intruder = UserFactory(username="intruder")
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    events_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        issue_api_token(actor=intruder, user=resident, name="stolen")
    with pytest.raises(PermissionDenied):
        revoke_api_token(actor=intruder, token=token)

    assert ApiToken.objects.active().filter(user=resident).count() == 1
    assert AuditEvent.objects.count() == events_before
    revoke_api_token(actor=UserFactory(username="root", is_superuser=True), token=token)
    issue_api_token(actor=SystemActor("demo"), user=resident, name="demo client")
    assert list(ApiToken.objects.active().values_list("name", flat=True)) == ["demo client"]


def test_revoking_twice_is_an_error(resident):
    token, _secret = issue_api_token(actor=resident, user=resident, name="phone app")
    revoke_api_token(actor=resident, token=token)

    with pytest.raises(ActionError) as error:
        revoke_api_token(actor=resident, token=token)

    assert str(error.value) == "This token has already been revoked."


def test_change_password(client, resident):
    client.force_login(resident)
    page = client.get("/accounts/me/password/")
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()

    response = client.post(
        "/accounts/me/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "river bend willow 42",
            "new_password2": "river bend willow 42",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    resident.refresh_from_db()
    assert resident.check_password("river bend willow 42")
    follow = client.get("/accounts/me/")
    assert follow.status_code == 200  # this session stays signed in
    assert "Your password has been changed." in page_text(follow)
    event = AuditEvent.objects.get(verb="account.password.change")
    assert (event.actor_id, event.data) == (resident.pk, {})


def test_change_password_with_the_wrong_old_password(client, resident):
    client.force_login(resident)

    response = client.post(
        "/accounts/me/password/",
        {
            "old_password": "guess",
            "new_password1": "river bend willow 42",
            "new_password2": "river bend willow 42",
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly. Please enter it again." in page_text(
        response
    )
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(verb="account.password.change").exists()


def test_labels_on_my_forms_stand_alone_without_a_colon(client, resident):
    client.force_login(resident)
    me = client.get("/accounts/me/").content.decode()
    assert '<label for="id_name">Token name</label>' in me
    password = client.get("/accounts/me/password/").content.decode()
    assert '<label for="id_old_password">Old password</label>' in password
    client.cookies["django_language"] = "zh-hans"
    assert "令牌名称:" not in client.get("/accounts/me/").content.decode()
