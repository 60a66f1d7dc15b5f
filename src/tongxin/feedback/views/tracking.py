"""Following a case: by tracking code (and PIN), a signed-in resident's own cases, the verdict, photos.

A PIN never travels in an address: it is posted once, and the session remembers which codes it
unlocked. Wrong PINs are counted per code and browser session, and per network address, so a
PIN of four digits cannot be guessed by trying them all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.core.errors import ActionError

from ..actions import give_feedback, open_case_for_reporter
from ..forms import LookupForm, PinForm, VerdictForm
from ..models import Case, CasePhoto, Privacy, Status, normalise_tracking_code
from ..permissions import can_view_case, can_work_on_case

UNLOCKED_SESSION_KEY = "feedback_unlocked"
UNLOCKED_KEPT = 20
# A PIN guards a code that may have been seen (a photo of the kiosk screen): whoever holds the
# code gets 10 tries an hour in all, from any browser, and an address 20 tries on any codes.
WRONG_PINS_PER_CODE = 10  # per code and hour, from every browser together
WRONG_PINS_PER_ADDRESS = 20  # per network address and hour
WRONG_PIN_WINDOW = 60 * 60
CASES_PER_PAGE = 20

STATUS_EXPLAINED = {
    Status.SUBMITTED: gettext_lazy("Your case has arrived and waits to be read by the people who handle it."),
    Status.ACKNOWLEDGED: gettext_lazy("Your case has been read and is being passed to the right people."),
    Status.ASSIGNED: gettext_lazy("A workgroup has your case in hand."),
    Status.IN_PROGRESS: gettext_lazy("Work on your case is under way. The steps below say what has been done."),
    Status.ANSWERED: gettext_lazy("Your case has been answered. Please tell us below whether the problem is solved."),
    Status.CLOSED: gettext_lazy("Your case is closed."),
    Status.REOPENED: gettext_lazy("Your case is open again and will be answered anew."),
    Status.MERGED: gettext_lazy(
        "Others reported the same problem: your case was joined to theirs, and you get the same answer."
    ),
    Status.REFERRED: gettext_lazy("Your case has been passed up to the office above, which will answer it."),
    Status.DECLINED: gettext_lazy("Your case was not taken up. The reason is given below."),
}


# -- Unlocked codes and wrong PINs --------------------------------------------------------------


def unlock_code(request: HttpRequest, code: str) -> None:
    """Remember in this session that its holder knows the code's PIN."""
    codes = [item for item in request.session.get(UNLOCKED_SESSION_KEY, []) if item != code]
    request.session[UNLOCKED_SESSION_KEY] = [*codes, code][-UNLOCKED_KEPT:]


def _is_unlocked(request: HttpRequest, code: str) -> bool:
    return code in request.session.get(UNLOCKED_SESSION_KEY, [])


def _wrong_pin_keys(request: HttpRequest, code: str) -> tuple[str, str]:
    # The cache is the database's (settings.CACHES): the counts hold across processes and machines.
    address = request.META.get("REMOTE_ADDR", "")
    return f"feedback:pin:{code}", f"feedback:pin-address:{address}"


def _pin_attempts_left(request: HttpRequest, code: str) -> bool:
    per_code, per_address = _wrong_pin_keys(request, code)
    return cache.get(per_code, 0) < WRONG_PINS_PER_CODE and cache.get(per_address, 0) < WRONG_PINS_PER_ADDRESS


def _count_wrong_pin(request: HttpRequest, code: str) -> None:
    for key in _wrong_pin_keys(request, code):
        cache.add(key, 0, WRONG_PIN_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WRONG_PIN_WINDOW)


def _try_pin(request: HttpRequest, code: str, pin: str) -> Case | str:
    """The case if the PIN opens it (and the code is then unlocked), else why not, for the form."""
    if not _pin_attempts_left(request, code):
        return _("Too many wrong PINs. Wait an hour and try again, or ask your village or community office for help.")
    try:
        case = open_case_for_reporter(code=code, pin=pin, actor=request.user)
    except ActionError as error:
        if error.status == 403:
            _count_wrong_pin(request, code)
        return str(error.message)
    unlock_code(request, case.code)
    return case


def _case_for_holder(request: HttpRequest, code: str) -> Case | None:
    """The case for someone holding its code: None when it needs a PIN this session has not given.

    Raises Http404 for an unknown code.
    """
    try:
        return open_case_for_reporter(code=code, actor=request.user)
    except ActionError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        if _is_unlocked(request, code):
            return Case.objects.select_related("category", "organisation", "assigned_to").get(code=code)
        return None


# -- Pages -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Type a tracking code (and the PIN, if there is one) to open a case."""
    form = LookupForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if form.is_valid():
        code = normalise_tracking_code(form.cleaned_data["code"])
        pin = form.cleaned_data["pin"]
        if not pin:
            if Case.objects.filter(code=code).exists():
                return redirect("feedback:track", code=code)
            form.add_error("code", _("No case has this tracking code."))
            status = 404
        else:
            outcome = _try_pin(request, code, pin)
            if isinstance(outcome, Case):
                return redirect("feedback:track", code=outcome.code)
            form.add_error(None, outcome)
            status = 403
    return render(request, "feedback/lookup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter's view of a case: status, deadlines, public steps, the answer and the verdict form."""
    normal = normalise_tracking_code(code)
    if normal != code:
        return redirect("feedback:track", code=normal)
    pin_form = PinForm(request.POST or None)
    if pin_form.is_valid():
        outcome = _try_pin(request, code, pin_form.cleaned_data["pin"])
        if isinstance(outcome, Case):
            return redirect("feedback:track", code=code)
        pin_form.add_error("pin", outcome)
    try:
        case = _case_for_holder(request, code)
    except Http404 as error:
        # The lookup form again, with the code as typed: a mistyped letter is the usual cause.
        form = LookupForm({"code": code})
        form.is_valid()
        form.add_error("code", str(error))
        return render(request, "feedback/lookup.html", {"form": form}, status=404)
    if case is None:
        return render(request, "feedback/track_pin.html", {"code": code, "form": pin_form}, status=403)
    return render(request, "feedback/track.html", _track_context(case, may_rate=_may_give_verdict(request, case)))


def _may_give_verdict(request: HttpRequest, case: Case) -> bool:
    """The reporter's verdict is theirs: staff may read past a PIN, but not rate in the reporter's place."""
    user = request.user
    if user.is_authenticated and case.reporter_id == user.pk:
        return True
    if can_work_on_case(user, case):
        return False  # those who handle a case do not rate their own work
    return not case.has_pin or _is_unlocked(request, case.code)


def _track_context(case: Case, *, may_rate: bool) -> dict[str, Any]:
    steps = list(case.steps.filter(public=True).order_by("created_at", "pk"))
    photos: dict[int | None, list[CasePhoto]] = {}
    for photo in _reporter_photos(case):
        photos.setdefault(photo.step_id, []).append(photo)
    rows = [{"step": step, "by": step.public_actor_display(case), "photos": photos.get(step.pk, [])} for step in steps]
    return {
        "case": case,
        "status_explained": STATUS_EXPLAINED.get(Status(case.status), ""),
        "overdue": case.is_overdue(),
        "steps": rows,
        "loose_photos": photos.get(None, []),
        "awaits_verdict": may_rate and _awaits_verdict(case),
        "verdict_form": VerdictForm(),
    }


def _reporter_photos(case: Case) -> Any:
    """Photos the reporter may see: those of the case and of its public steps, never of internal notes."""
    return CasePhoto.objects.filter(case=case).exclude(step__public=False).order_by("created_at", "pk")


def _awaits_verdict(case: Case) -> bool:
    merged_with_answer = case.status == Status.MERGED and case.answered_at is not None and case.feedback_at is None
    return case.awaits_feedback or merged_with_answer


@require_POST
def verdict(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter says whether the answer solved the problem: solved closes, not solved reopens."""
    code = normalise_tracking_code(code)
    case = _case_for_holder(request, code)
    if case is None or not _may_give_verdict(request, case):
        return redirect("feedback:track", code=code)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer both questions: is the problem solved, and are you satisfied?"))
        return redirect("feedback:track", code=code)
    try:
        give_feedback(case=case, actor=request.user, **form.verdict())
    except ActionError as error:
        messages.error(request, error.message)
    else:
        if form.verdict()["solved"]:
            messages.success(request, _("Thank you. The case is closed."))
        else:
            messages.success(request, _("Thank you. The case is open again and will be answered anew."))
    return redirect("feedback:track", code=code)


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    """A signed-in resident's own cases, newest first (anonymous cases are nobody's, by design)."""
    cases = (
        Case.objects.filter(reporter=request.user)
        .select_related("category", "organisation")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"case": case, "overdue": case.is_overdue(now)} for case in page]
    return render(request, "feedback/my_cases.html", {"page": page, "rows": rows})


@require_GET
def photo(request: HttpRequest, code: str, photo_id: int) -> FileResponse:
    """A case photo, for the case's staff and reporter, whoever unlocked its code, or anyone once it is public."""
    case = get_object_or_404(Case.objects.select_related("organisation", "assigned_to", "escalated_to"), code=code)
    picture = get_object_or_404(CasePhoto.objects.select_related("step"), pk=photo_id, case=case)
    if not _may_see_photo(request, case, picture):
        raise Http404
    response = FileResponse(picture.image.open("rb"), content_type=picture.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _may_see_photo(request: HttpRequest, case: Case, picture: CasePhoto) -> bool:
    if can_view_case(request.user, case):
        return True
    if picture.step is not None and not picture.step.public:
        return False  # a photo of an internal note is for the case's staff only
    # Without a PIN the code is the key, and the photo's own address carries the code.
    if not case.has_pin or _is_unlocked(request, case.code):
        return True
    return case.privacy == Privacy.PUBLIC and case.published and case.status != Status.MERGED
