"""Reporting a case: the website's form, the community screen, and the desk that types it in for a resident."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions import submit_case
from ..duplicates import likely_duplicates as find_likely_duplicates
from ..forms import IntakeChoices, IntakeForm, KioskForm, ReportForm, StaffEntryForm, decimal_or_none, intake_choices
from ..models import Case, Category, Channel
from ..permissions import can_enter_case_for_resident
from .tracking import unlock_code

# The codes this browser filed lately: only these may show their "reported" page.
REPORTED_SESSION_KEY = "feedback_reported"
REPORTED_KEPT = 10
# The code the community screen is about to show once, then forget.
KIOSK_SESSION_KEY = "feedback_kiosk_code"
# The community screen returns to an empty form by itself if nobody presses "Done".
KIOSK_CODE_SHOWN_SECONDS = 180


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The website's form: anyone may report, signed in or not."""
    choices = intake_choices()
    if request.method == "POST" and "show_questions" not in request.POST:
        form = ReportForm(request.POST, request.FILES, choices=choices)
        case = _submit(form, actor=request.user, channel=Channel.WEB)
        if case is not None:
            _remember_reported(request, case)
            return redirect("feedback:reported", code=case.code)
    else:
        form = ReportForm(initial=_report_initial(request), choices=choices)
    return render(request, "feedback/report.html", _form_context(form))


def _submit(form: IntakeForm, *, actor: Any, channel: str) -> Case | None:
    """The case the form describes, filed; None (with the reason on the form) if it could not be."""
    if not form.is_valid():
        return None
    photos = form.photo_bytes() if isinstance(form, ReportForm) else []
    try:
        return submit_case(actor=actor, channel=channel, photos=photos, **form.case_fields())
    except ActionError as error:
        form.add_error(None, error.message)
        return None


def _report_initial(request: HttpRequest) -> dict[str, Any]:
    """A fresh form: the place from `?place=`, the category chosen so far, and a signed-in resident's name."""
    if request.method == "POST":  # showing the chosen category's questions: keep what was typed
        keys = [key for key in ReportForm.base_fields if key not in ("pin", "photos")]
        source = request.POST
    else:  # a link may choose the place and the category, never the reporter's details
        keys, source = ["place", "category", "kind"], request.GET
    initial: dict[str, Any] = {key: source.get(key) for key in keys if source.get(key)}
    user = request.user
    if user.is_authenticated and request.method == "GET":
        person = getattr(user, "person", None)
        initial.setdefault("name", person.display_name if person else user.get_full_name())
        initial.setdefault("email", user.email or (person.email if person else ""))
    return initial


def _form_context(form: IntakeForm, **extra: Any) -> dict[str, Any]:
    return {"form": form, **extra}


def _remember_reported(request: HttpRequest, case: Case) -> None:
    codes = [code for code in request.session.get(REPORTED_SESSION_KEY, []) if code != case.code]
    request.session[REPORTED_SESSION_KEY] = [*codes, case.code][-REPORTED_KEPT:]
    unlock_code(request, case.code)  # they just chose the PIN: no need to type it again


@require_GET
def reported(request: HttpRequest, code: str) -> HttpResponse:
    """The tracking code, large, for the person who just filed the case, and nobody else."""
    if code not in request.session.get(REPORTED_SESSION_KEY, []):
        raise Http404
    case = get_object_or_404(Case.objects.select_related("category", "organisation"), code=code)
    tracking_url = request.build_absolute_uri(case.get_tracking_url())
    return render(request, "feedback/reported.html", {"case": case, "tracking_url": tracking_url})


@require_GET
def likely_duplicates(request: HttpRequest) -> HttpResponse:
    """Recent cases like the one being written: a partial for htmx, or a page of its own without JavaScript."""
    category = _active_or_none(Category.objects.active(), request.GET.get("category"))
    place = _active_or_none(Organisation.objects.active().places(), request.GET.get("place"))
    text = request.GET.get("text") or request.GET.get("description") or ""
    cases: list[Case] = []
    if category is not None and place is not None:
        cases = find_likely_duplicates(
            category=category,
            organisation=place,
            text=text[:5000],
            latitude=decimal_or_none(request.GET.get("latitude")),
            longitude=decimal_or_none(request.GET.get("longitude")),
        )
    context = {"duplicates": cases, "checked": category is not None and place is not None and bool(text.strip())}
    if request.htmx:
        return render(request, "feedback/_duplicates.html", context)
    return render(request, "feedback/report_duplicates.html", context)


def _active_or_none(queryset: Any, raw: str | None) -> Any:
    try:
        return queryset.filter(pk=int(raw or "")).first()
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def kiosk_report(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """The community screen: a large-print form for the place it stands in; shows the tracking code once."""
    place = get_object_or_404(Organisation.objects.active().places(), pk=organisation_id)
    choices = IntakeChoices(categories=list(Category.objects.active()), places=[place])
    if request.method == "POST" and "show_questions" not in request.POST:
        form = KioskForm(request.POST, choices=choices)
        # Whoever may be signed in on the screen's browser is not the resident standing at it.
        case = _submit(form, actor=AnonymousUser(), channel=Channel.KIOSK)
        if case is not None:
            request.session[KIOSK_SESSION_KEY] = case.code
            return redirect("feedback:kiosk_report", organisation_id=place.pk)
    elif request.method == "POST":
        # Showing the chosen category's questions: the resident's own entries, nothing older.
        form = KioskForm(initial=request.POST.dict(), choices=choices)
    else:
        # The code is shown once: "Done" or a reload brings the next resident an empty form.
        code = request.session.pop(KIOSK_SESSION_KEY, None)
        if code is not None:
            case = Case.objects.filter(code=code).only("code", "answer_due", "pin_hash").first()
            return render(
                request,
                "feedback/kiosk_report.html",
                {"place": place, "case": case, "return_after": KIOSK_CODE_SHOWN_SECONDS},
            )
        # Only what this resident just chose (the category, to show its questions); never anything older.
        form = KioskForm(initial={"category": request.GET.get("category", "")}, choices=choices)
    return render(request, "feedback/kiosk_report.html", {"place": place, **_form_context(form)})


@login_required
@require_http_methods(["GET", "POST"])
def enter_case(request: HttpRequest) -> HttpResponse:
    """Reception desk, hotline and duty officer: a case typed in on a resident's behalf."""
    user = request.user
    choices = intake_choices(may_file_for=lambda place: can_enter_case_for_resident(user, place))
    if not choices.places:
        raise PermissionDenied
    if request.method == "POST" and "show_questions" not in request.POST:
        form = StaffEntryForm(request.POST, request.FILES, choices=choices)
        if form.is_valid():
            channel = form.cleaned_data["channel"]
            case = _submit(form, actor=user, channel=channel)
            if case is not None:
                messages.success(
                    request,
                    _("Case %(code)s is filed. Read the tracking code to the resident: %(spelled)s.")
                    % {"code": case.code, "spelled": " ".join(case.code.replace("-", ""))},
                )
                return redirect("feedback:case", code=case.code)
    elif request.method == "POST":
        form = StaffEntryForm(initial=request.POST.dict(), choices=choices)
    else:
        form = StaffEntryForm(initial={key: request.GET[key] for key in ("place", "category") if request.GET.get(key)},
                              choices=choices)
    return render(request, "feedback/enter_case.html", _form_context(form))
