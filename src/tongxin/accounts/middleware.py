"""Staff must sign in with a second factor before they reach anything but the sign-in pages."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import user_has_device

from tongxin.community.permissions import is_staff_member

def lacks_second_factor(user: Any) -> bool:
    """A signed-in staff member whose session has not yet been confirmed with a TOTP code."""
    if not getattr(settings, "TONGXIN_STAFF_2FA", True) or not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)
    return not (verified is not None and verified()) and is_staff_member(user)


EXEMPT_URL_NAMES = {
    "accounts:two_factor",
    "accounts:two_factor_setup",
    "accounts:logout",
    "set_language",
}
# Token-authenticated API clients and files carry no session to verify.
EXEMPT_PATH_PREFIXES = ("/static/", "/api/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._needs_second_factor(request):
            return self._send_to_second_factor(request)
        return self.get_response(request)

    def _needs_second_factor(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(EXEMPT_PATH_PREFIXES):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.view_name in EXEMPT_URL_NAMES:
            return False
        return lacks_second_factor(request.user)

    def _send_to_second_factor(self, request: HttpRequest) -> HttpResponse:
        # Someone who never set up an authenticator goes straight to setting one up.
        page = (
            "accounts:two_factor" if user_has_device(request.user) else "accounts:two_factor_setup"
        )
        url = f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            # A swapped fragment must not become the 2FA page: ask htmx to load it as a whole page.
            return HttpResponseClientRedirect(url)
        return redirect(url)
