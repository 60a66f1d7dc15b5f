"""Open311 GeoReport v2 at /open311/v2/: discovery, services, requests, tokens, request updates.

Liberal in what is accepted: the api_key in the query string or the body, form-encoded or
JSON bodies, empty parameters as absent, tracking codes as people type them. Exact in what is
sent: the specification's element names and order, W3C datetimes with their offset, IDs as
strings, errors as a list of code and description with the HTTP status 400, 403 or 404.

Choices the specification leaves to us (documented for client authors):
- A new request needs its place: our extension `organisation_id` (a village, community or
  grid id); without it, the single root place of the site (the city or town) if there is
  exactly one, else 400.
- Privacy: a request with a name, email or phone keeps the name hidden from the public; one
  without is anonymous. Nothing about the reporter is ever shown by Open311.
- `media_url` on a new request or update is kept as a last line of its text (we do not fetch
  it); `media_url` in our output is our own photo of a name-public case.
- `address_id` is stored as the address when no `address_string` is given.
- Requests lists: the last 90 days by requested_datetime unless start_date/end_date say
  otherwise, newest first, at most 1,000; `service_request_id` overrides every other filter.
- Updates lists: the last 7 days unless start_date/end_date say otherwise, oldest first (a
  client continues from its last updated_datetime), at most 1,000; `external_status_code` is
  our rich status. Posted updates take the server's time, not `updated_datetime`.
- `tokens/{token}`: requests are created at once, so a token is the request's id.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError

from tongxin.accounts.auth import ApiTokenAuth
from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions import answer_case, decline_case, record_progress, submit_case
from ..models import Case, CaseStep, Category, CategoryAttribute, Channel, Privacy, normalise_tracking_code
from ..permissions import can_work_on_case
from . import formats, records

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this document last changed: the discovery changeset.
CHANGESET = datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC)
MAX_RECORDS = 1000
REQUESTS_WINDOW = datetime.timedelta(days=90)
UPDATES_WINDOW = datetime.timedelta(days=7)
# Statuses a client may post, as the specification and FixMyStreet's extensions spell them.
ANSWERING_STATUSES = frozenset({"closed", "fixed", "answered", "resolved"})
DECLINING_STATUSES = frozenset({"declined", "not_councils_responsibility", "no_further_action"})
PROGRESS_STATUSES = frozenset({"open", "in_progress", "investigating", "action_scheduled", "planned"})
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\]]+)\](?:\[\d*\])?$")

Parameters = dict[str, list[str]]


class Open311Error(Exception):
    """An answer in the Open311 error format: the HTTP status and a translated description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def endpoint(*methods: str) -> Callable[..., Callable[..., HttpResponse]]:
    """An Open311 view: its methods, its format suffix, the reader's language, errors in the format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # keys, not cookies, say who is calling
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in formats.CONTENT_TYPES:
                return _error_response(404, _("Use the .xml or .json format."), formats.XML)
            with translation.override(_requested_language(request)):
                if request.method not in methods:
                    response = _error_response(405, _("This method is not allowed here."), fmt)
                    response["Allow"] = ", ".join(methods)
                    return response
                try:
                    return view(request, *args, fmt=fmt, **kwargs)
                except Open311Error as error:
                    return _error_response(error.status, error.description, fmt)

        return wrapper

    return decorate


def _requested_language(request: HttpRequest) -> str:
    """`locale` or `lang` ("zh_CN", "en-US") wins over Accept-Language, which the middleware read."""
    asked = (request.GET.get("locale") or request.GET.get("lang") or "").strip().lower()
    if asked.startswith("en"):
        return "en"
    if asked.startswith("zh"):
        return "zh-hans"
    return translation.get_language() or "zh-hans"


def _response(document: Any, root: str, fmt: str, status: int = 200) -> HttpResponse:
    body = formats.render(document, root, fmt)
    return HttpResponse(body, status=status, content_type=formats.CONTENT_TYPES[fmt])


def _error_response(status: int, description: str, fmt: str) -> HttpResponse:
    return _response(formats.errors(status, description), "errors", fmt, status=status)


def _root() -> str:
    """/open311/v2/ wherever the project mounts it."""
    return reverse("open311:discovery", kwargs={"fmt": formats.XML}).removesuffix("discovery.xml")


def _photo_url(request: HttpRequest) -> records.PhotoUrl:
    return lambda code, photo_id: request.build_absolute_uri(reverse("feedback:photo", args=[code, photo_id]))


# -- Discovery and services -----------------------------------------------------------------------


@endpoint("GET", "HEAD")
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    changeset = formats.w3c(timezone.localtime(CHANGESET))
    document = {
        "changeset": changeset,
        "contact": _("Questions about this service: %(url)s") % {"url": request.build_absolute_uri("/")},
        "key_service": _("The api_key is an API token of your account: create one at %(url)s")
        % {"url": request.build_absolute_uri(reverse("accounts:me"))},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(_root()),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _response(document, "discovery", fmt)


@endpoint("GET", "HEAD")
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    with_attributes = set(CategoryAttribute.objects.values_list("category_id", flat=True).distinct())
    document = [
        records.service(category, has_attributes=category.pk in with_attributes)
        for category in Category.objects.active()
    ]
    return _response(document, "services", fmt)


@endpoint("GET", "HEAD")
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = Category.objects.active().prefetch_related("attributes").filter(code=code.strip()).first()
    if category is None:
        raise Open311Error(404, _("There is no service with the code %(code)s.") % {"code": code})
    return _response(records.service_definition(category), "service_definition", fmt)


# -- Requests -------------------------------------------------------------------------------------


@endpoint("GET", "HEAD", "POST")
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    parameters = _parameters(request.GET.lists())
    cases = records.published_requests()
    codes = _list(parameters, "service_request_id")
    if codes:
        # The specification: a list of ids overrides every other argument.
        cases = cases.filter(code__in=[normalise_tracking_code(code) for code in codes])
    else:
        cases = _filter_requests(cases, parameters)
    document = [records.service_request(case, _photo_url(request)) for case in cases[:MAX_RECORDS]]
    return _response(document, "service_requests", fmt)


def _filter_requests(cases: Any, parameters: Parameters) -> Any:
    service_codes = _list(parameters, "service_code")
    if service_codes:
        cases = cases.filter(category__code__in=service_codes)
    statuses = {status.lower() for status in _list(parameters, "status")}
    if statuses - {records.OPEN, records.CLOSED}:
        raise Open311Error(400, _("The status must be open or closed."))
    if statuses == {records.OPEN}:
        cases = cases.open()
    elif statuses == {records.CLOSED}:
        cases = cases.exclude(status__in=records.OPEN_STATUSES)
    start, end = records.window(_date(parameters, "start_date"), _date(parameters, "end_date"), REQUESTS_WINDOW)
    cases = cases.filter(submitted_at__gte=start)
    return cases.filter(submitted_at__lte=end) if end is not None else cases


@endpoint("GET", "HEAD")
def request_detail(request: HttpRequest, request_id: str, *, fmt: str) -> HttpResponse:
    case = records.published_requests().filter(code=normalise_tracking_code(request_id)).first()
    if case is None:
        raise Open311Error(404, _("There is no request with the id %(id)s.") % {"id": request_id})
    return _response([records.service_request(case, _photo_url(request))], "service_requests", fmt)


@endpoint("GET", "HEAD")
def token(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    code = normalise_tracking_code(token)
    if not Case.objects.filter(code=code).exists():
        raise Open311Error(404, _("There is no request for the token %(token)s.") % {"token": token})
    return _response([{"service_request_id": code, "token": code}], "service_requests", fmt)


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    parameters = _request_parameters(request)
    actor = _key_holder(request, parameters)
    category = Category.objects.filter(code=_one(parameters, "service_code")).first()
    if category is None:
        raise Open311Error(400, _("Give a service_code from the list of services."))
    latitude, longitude = _one(parameters, "lat"), _one(parameters, "long", "lon", "lng")
    if not latitude or not longitude:
        latitude = longitude = ""
    address = _one(parameters, "address_string") or _one(parameters, "address_id")
    if not (latitude or address):
        raise Open311Error(400, _("Give the location: lat and long, address_string or address_id."))
    name = " ".join(filter(None, [_one(parameters, "first_name"), _one(parameters, "last_name")]))
    email, phone = _one(parameters, "email"), _one(parameters, "phone")
    try:
        case = submit_case(
            actor=actor,
            channel=Channel.OPEN311,
            category=category,
            description=_with_media_url(_one(parameters, "description"), parameters),
            organisation=_place(parameters),
            privacy=Privacy.HIDDEN if name or email or phone else Privacy.ANONYMOUS,
            # A hidden-name case needs a name for its handlers: the contact stands in for a missing one.
            reporter_name=name or email or phone,
            reporter_email=email,
            reporter_phone=phone,
            address=address,
            latitude=latitude or None,
            longitude=longitude or None,
            attributes=_attributes(parameters),
        )
    except ActionError as error:
        raise Open311Error(400, str(error.message)) from None
    document = [{"service_request_id": case.code, "service_notice": category.notice, "account_id": ""}]
    return _response(document, "service_requests", fmt, status=201)


def _place(parameters: Parameters) -> Organisation:
    """Our extension `organisation_id`, else the site's only root place (see the module docstring)."""
    given = _one(parameters, "organisation_id")
    if given:
        place = Organisation.objects.filter(pk=int(given)).first() if given.isdigit() else None
        if place is None:
            raise Open311Error(400, _("There is no place with the organisation_id %(id)s.") % {"id": given})
        return place
    roots = list(Organisation.objects.places().active().filter(parent__isnull=True)[:2])
    if len(roots) != 1:
        raise Open311Error(400, _("Give organisation_id: the village, community or grid where it is."))
    return roots[0]


def _attributes(parameters: Parameters) -> dict[str, list[str]]:
    """attribute[CODE], attribute[CODE][] and attribute[CODE][0] all answer the question CODE."""
    answers: dict[str, list[str]] = {}
    for key, values in parameters.items():
        match = ATTRIBUTE_KEY.match(key)
        if match:
            answers.setdefault(match.group(1), []).extend(values)
    return answers


def _with_media_url(text: str, parameters: Parameters) -> str:
    media_url = _one(parameters, "media_url")
    if not media_url:
        return text
    if not re.match(r"^https?://\S+$", media_url, re.IGNORECASE):
        raise Open311Error(400, _("The media_url must be an http or https address."))
    return f"{text}\n\n{media_url}" if text else ""  # no text stays no text: the action asks for it


# -- Request updates ------------------------------------------------------------------------------


@endpoint("GET", "HEAD", "POST")
def service_request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_update(request, fmt)
    parameters = _parameters(request.GET.lists())
    steps = records.public_updates()
    codes = _list(parameters, "service_request_id")
    if codes:
        steps = steps.filter(case__code__in=[normalise_tracking_code(code) for code in codes])
    start, end = records.window(_date(parameters, "start_date"), _date(parameters, "end_date"), UPDATES_WINDOW)
    steps = steps.filter(created_at__gte=start)
    if end is not None:
        steps = steps.filter(created_at__lte=end)
    document = [records.request_update(step, _photo_url(request)) for step in steps[:MAX_RECORDS]]
    return _response(document, "service_request_updates", fmt)


def _post_update(request: HttpRequest, fmt: str) -> HttpResponse:
    parameters = _request_parameters(request)
    actor = _key_holder(request, parameters)
    code = normalise_tracking_code(_one(parameters, "service_request_id"))
    case = (
        Case.objects.select_related("category", "organisation", "assigned_to", "escalated_to")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Open311Error(404, _("There is no request with the id %(id)s.") % {"id": code})
    if not can_work_on_case(actor, case):
        raise Open311Error(403, _("This api_key may not update this request."))
    status = (_one(parameters, "status") or records.OPEN).lower()
    text = _with_media_url(_one(parameters, "description"), parameters)
    try:
        step = _apply_update(case=case, actor=actor, status=status, text=text)
    except ActionError as error:
        raise Open311Error(400, str(error.message)) from None
    except PermissionDenied:
        raise Open311Error(403, _("This api_key may not update this request.")) from None
    return _response([{"update_id": str(step.pk)}], "service_request_updates", fmt)


def _apply_update(*, case: Case, actor: Any, status: str, text: str) -> CaseStep:
    """An Open311 status as our action: closed answers the reporter, open records progress."""
    if status in ANSWERING_STATUSES:
        return answer_case(case=case, actor=actor, text=text)
    if status in DECLINING_STATUSES:
        return decline_case(case=case, actor=actor, text=text)
    if status in PROGRESS_STATUSES:
        return record_progress(case=case, actor=actor, text=text)
    raise Open311Error(400, _("The status must be open or closed."))


# -- Reading what clients send --------------------------------------------------------------------


def _parameters(pairs: Iterable[tuple[str, list[Any]]]) -> Parameters:
    """Name → values, each stripped; empty values are absent, as the specification says."""
    found: Parameters = {}
    for key, values in pairs:
        kept = [str(value).strip() for value in values if value is not None and str(value).strip()]
        if kept:
            found[key.strip()] = kept
    return found


def _request_parameters(request: HttpRequest) -> Parameters:
    """The query string and the body together (the body wins), whatever the body's encoding."""
    return {**_parameters(request.GET.lists()), **_parameters(_body_pairs(request))}


def _body_pairs(request: HttpRequest) -> Iterable[tuple[str, list[Any]]]:
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST.lists()
    body = request.body.decode("utf-8", "replace")
    if not body.strip():
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return QueryDict(body).lists()  # a form sent without its content type
    if not isinstance(data, dict):
        raise Open311Error(400, _("Send the request as a form or as a JSON object."))
    return list(_json_pairs(data))


def _json_pairs(data: dict[str, Any]) -> Iterable[tuple[str, list[Any]]]:
    for key, value in data.items():
        if key == "attribute" and isinstance(value, dict):  # {"attribute": {"CODE": ...}}
            for code, answer in value.items():
                yield f"attribute[{code}]", _json_values(answer)
        else:
            yield key, _json_values(value)


def _json_values(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [("true" if item else "false") if isinstance(item, bool) else item for item in items]


def _one(parameters: Parameters, *names: str) -> str:
    for name in names:
        if name in parameters:
            return parameters[name][0]
    return ""


def _list(parameters: Parameters, name: str) -> list[str]:
    """A comma-separated list, also accepted as repeated parameters."""
    return [item.strip() for value in parameters.get(name, []) for item in value.split(",") if item.strip()]


def _date(parameters: Parameters, name: str) -> datetime.datetime | None:
    text = _one(parameters, name)
    if not text:
        return None
    moment = formats.parse_w3c(text, timezone.get_current_timezone())
    if moment is None:
        raise Open311Error(
            400, _("%(name)s must be a date and time such as 2026-11-25T10:00:00+08:00.") % {"name": name}
        )
    return moment


def _key_holder(request: HttpRequest, parameters: Parameters) -> Any:
    """The account whose API token is the api_key; 403 without a working one."""
    key = _one(parameters, "api_key")
    if not key:
        raise Open311Error(403, _("Give your api_key."))
    try:
        return ApiTokenAuth().authenticate(request, key)
    except AuthenticationError:
        raise Open311Error(403, _("This api_key is not valid.")) from None
