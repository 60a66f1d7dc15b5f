"""How an API request says who it comes from: a bearer token, or the browser's session.

`SIGNED_IN` lets only those two through (anything else is 401). `PUBLIC` adds a last method that
lets everyone else in as an anonymous user, so a public endpoint still knows a token holder.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth


from .middleware import lacks_second_factor
from .models import ApiToken, User

# Recording every use would turn each read into a write; once a minute is precise enough.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer tx_...`: an active token of an active account."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(token_hash=ApiToken.hash_secret(token.strip()))
            .first()
        )
        # A token that was sent but does not work is an error, never a quiet fall-back to anonymous.
        if api_token is None or not api_token.user.is_active:
            raise AuthenticationError()
        _note_use(api_token)
        return api_token.user


def _note_use(api_token: ApiToken) -> None:
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now


class SessionCookieAuth(SessionAuth):
    """The browser's signed-in session, with Django's CSRF check on unsafe methods.

    Staff who have not yet given their second factor count as not signed in, as on the pages.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None  # no session to protect: skip the CSRF check so the answer is 401, not 403
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except HttpError:
            raise PermissionDenied(
                _("The security check failed: reload the page and try again.")
            ) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_active or lacks_second_factor(user):
            return None
        return user


def anonymous(request: HttpRequest) -> AnonymousUser:
    """The last method of `PUBLIC`: whoever is left is an anonymous reader."""
    return AnonymousUser()


SIGNED_IN = [ApiTokenAuth(), SessionCookieAuth()]
PUBLIC = [*SIGNED_IN, anonymous]
