"""Sign in with a username or with the mobile phone number of the person behind the account."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def normalise_phone(value: str) -> str:
    """Digits only, without a +86 or 0086 country prefix."""
    digits = "".join(ch for ch in value if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def find_account(identifier: str) -> Any:
    """The account with this username (in any case), else the one whose person has this phone."""
    User = get_user_model()
    identifier = identifier.strip()
    if not identifier:
        return None
    # An exact match first: usernames are unique as typed, not across letter case.
    user = User.objects.filter(username=identifier).first()
    if user is None:
        user = User.objects.filter(username__iexact=identifier).first()
    if user is None:
        phone = normalise_phone(identifier)
        if len(phone) >= 7:
            user = User.objects.filter(person__phone=phone).first()
    return user


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if not username or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the same time as a real check, so a timing probe cannot find accounts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
