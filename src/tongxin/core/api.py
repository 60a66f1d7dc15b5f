"""What every app's API shares: the error body, one mapping from exceptions to answers,
pagination limits and a docs page that fetches nothing from the internet."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.openapi.docs import Swagger
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

from .errors import ActionError

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class ErrorOut(Schema):
    """Every error but a validation error (422) has this body."""

    detail: str


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an endpoint documents, e.g. `{**error_responses(400, 403), 201: ...}`."""
    return {status: ErrorOut for status in statuses}


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0)


class LimitOffset(LimitOffsetPagination):
    """Ninja's limit/offset pagination, with a limit that the schema itself caps at 200."""

    Input = PageParams  # type: ignore[assignment]  # a named schema instead of ninja's "Input"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


class OfflineSwagger(Swagger):
    """Swagger UI from the assets that django-ninja ships.

    Ninja falls back to a CDN when its app is not installed; we answer 404 instead, because
    no page of the site may fetch an asset from the internet. The schema stays available.
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        if not apps.is_installed("ninja"):
            raise Http404(_("The API documentation page is not enabled on this site."))
        return super().render_page(request, api, **kwargs)


def _answer(api: NinjaAPI, request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": str(detail)}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Map the site's exceptions to `{"detail": message}` in the request's language.

    ActionError → its status (400 by default), PermissionDenied → 403, a missing object → 404,
    a missing or refused sign-in → 401. Validation errors keep ninja's 422 answer.
    """

    def action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return _answer(api, request, exc.status, exc.message)

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _answer(api, request, 403, str(exc) or _("You are not allowed to do this."))

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _answer(api, request, 404, _("Not found."))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            response = _answer(api, request, 401, _("Sign in, or send a valid API token."))
            response["WWW-Authenticate"] = "Bearer"
            return response
        if isinstance(exc, AuthorizationError):
            return _answer(api, request, 403, _("You are not allowed to do this."))
        return _answer(api, request, exc.status_code, exc.message)

    api.add_exception_handler(ActionError, action_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(HttpError, http_error)
