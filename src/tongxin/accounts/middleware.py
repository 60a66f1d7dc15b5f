"""Staff must sign in with a second factor before they reach anything but the sign-in pages."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from tongxin.community.permissions import is_staff_member

EXEMPT_URL_NAMES = {"accounts:two_factor", "accounts:two_factor_setup", "accounts:logout", "set_language"}


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._needs_second_factor(request):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

    def _needs_second_factor(self, request: HttpRequest) -> bool:
        if not getattr(settings, "TONGXIN_STAFF_2FA", True):
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        if request.path.startswith(("/static/", "/api/")):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.view_name in EXEMPT_URL_NAMES:
            return False
        return is_staff_member(user)
