"""The handlers' workbench: the case list, a case with its ledger and the forms that work on it,
the in-app notifications, and an organisation's feedback settings.

Every change goes through `feedback.actions` (cases) or `feedback.settings_actions` (settings);
these views parse the forms, call the action and show what came of it. All of it works without
JavaScript: a step is a plain form post, a choice that changes another form is a GET.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.community.models import Level, Organisation, OrganisationKind, StaffRole, kinds_at_level
from tongxin.community.permissions import is_signed_in, scopes
from tongxin.core.errors import ActionError
from tongxin.core.models import Notification
from tongxin.core.notify import mark_read

from .. import actions, settings_actions
from ..deadlines import DEFAULT_RULES, Period, Tier
from ..handling_forms import (
    SORTS,
    AcknowledgeForm,
    AnswerForm,
    AssignForm,
    CalendarDayForm,
    CaseFilterForm,
    CloseForm,
    DeadlinePolicyForm,
    DeclineForm,
    MergeForm,
    ProgressForm,
    PublishForm,
    ReferForm,
    ReopenForm,
    ResponseTemplateForm,
    RoutingRuleForm,
    TakeForm,
    TopicForm,
)
from ..models import (
    OPEN_STATUSES,
    CalendarDay,
    Case,
    DeadlinePolicy,
    Privacy,
    ResponseTemplate,
    RoutingRule,
    Status,
    TierChoices,
    UnitChoices,
    normalise_tracking_code,
)
from ..permissions import (
    CASE_READERS,
    can_manage_feedback_settings,
    can_raise_topic,
    can_see_reporter,
    can_view_case,
    can_work_on_case,
    cases_visible_to,
    is_case_staff,
)
from ..policies import OFFICE_KINDS, office_above

CASES_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 50
# Where a case can be sent: workgroups and the offices that answer for places.
HOLDER_KINDS = (OrganisationKind.WORKGROUP, *OFFICE_KINDS)
CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _signed_out(request: HttpRequest) -> HttpResponse | None:
    """Anonymous visitors are sent to sign in and brought back here."""
    return None if is_signed_in(request.user) else redirect_to_login(request.get_full_path())


# -- The case list -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def case_list(request: HttpRequest) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    _require(is_case_staff(request.user))
    now = timezone.now()
    visible = cases_visible_to(request.user)
    places, workgroups = _filter_choices(request.user)
    form = CaseFilterForm(request.GET or None, places=places, workgroups=workgroups)
    cases = visible
    if form.is_valid():
        cases = _filtered(cases, form.cleaned_data, user=request.user, now=now)
    sort = form.cleaned_data.get("sort") if form.is_bound and form.is_valid() else ""
    cases = (
        cases.select_related("category", "organisation", "assigned_to")
        .annotate(late=_late(now))
        .order_by(*SORTS.get(sort or "newest", SORTS["newest"]))
    )
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "counts": _workbench_counts(visible, now)}
    return render(request, "feedback/workbench.html", context)


def _late(now: datetime.datetime) -> ExpressionWrapper:
    """Overdue in the database, so each row costs nothing more."""
    return ExpressionWrapper(Q(status__in=OPEN_STATUSES, answer_due__lt=now), output_field=BooleanField())


def _filter_choices(user: Any) -> tuple[QuerySet[Organisation], QuerySet[Organisation]]:
    """The places and workgroups the user's scopes cover: what the list may be narrowed to."""
    organisations = Organisation.objects.active().order_by("path")
    if not user.is_superuser:
        organisations = organisations.within_any(scopes(user, CASE_READERS))
    return organisations.places(), organisations.filter(kind__in=HOLDER_KINDS)


def _filtered(cases: QuerySet[Case], data: dict[str, Any], *, user: Any, now: datetime.datetime) -> QuerySet[Case]:
    status = data.get("status")
    if status == "open":
        cases = cases.open()
    elif status == "overdue":
        cases = cases.overdue(now)
    elif status:
        cases = cases.filter(status=status)
    if data.get("category"):
        cases = cases.filter(category=data["category"])
    if data.get("organisation"):
        cases = cases.within(data["organisation"])
    if data.get("workgroup"):
        cases = cases.filter(assigned_to=data["workgroup"])
    if data.get("mine"):
        cases = cases.filter(handler=user)
    if data.get("tier"):
        cases = cases.filter(tier=data["tier"])
    if data.get("channel"):
        cases = cases.filter(channel=data["channel"])
    if text := (data.get("q") or "").strip():
        cases = cases.filter(Q(description__icontains=text) | Q(code=normalise_tracking_code(text)))
    if data.get("submitted_from"):
        cases = cases.filter(submitted_at__gte=_start_of(data["submitted_from"]))
    if data.get("submitted_to"):
        cases = cases.filter(submitted_at__lt=_start_of(data["submitted_to"] + datetime.timedelta(days=1)))
    return cases


def _start_of(day: datetime.date) -> datetime.datetime:
    """A local day starts at the site's midnight, not UTC's."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


def _workbench_counts(visible: QuerySet[Case], now: datetime.datetime) -> dict[str, int]:
    return visible.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, answer_due__lt=now)),
        awaiting_verdict=Count("pk", filter=Q(status=Status.ANSWERED, feedback_at__isnull=True)),
    )


# -- One case ------------------------------------------------------------------------------------


def _case_for(user: Any, code: str) -> Case:
    """The case, if the user may open it; a 404 otherwise, so a code reveals nothing."""
    case = get_object_or_404(
        Case.objects.select_related(
            "category", "organisation", "assigned_to", "escalated_to", "handler__person", "entered_by__person",
            "merged_into",
        ),
        code=normalise_tracking_code(code),
    )
    if not can_view_case(user, case):
        raise Http404
    return case


@require_http_methods(["GET"])
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    case = _case_for(request.user, code)
    if not is_case_staff(request.user):
        # A reporter opening their own case by this address reads it as reporters do.
        return redirect(case.get_tracking_url())
    return _render_case(request, case)


def _render_case(
    request: HttpRequest, case: Case, *, bound: tuple[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The case page; `bound` is the step whose form came back with a problem, shown as posted."""
    user = request.user
    now = timezone.now()
    forms = _step_forms(request, case) if can_work_on_case(user, case) else {}
    if can_raise_topic(user, case) and case.status != Status.MERGED:
        forms["topic"] = _topic_form(case)
    if bound is not None:
        forms[bound[0]] = bound[1]
    steps = case.steps.prefetch_related("photos")
    context = {
        "case": case,
        "reporter": _reporter(user, case),
        "deadlines": _deadlines(case, now),
        "overdue": case.is_overdue(now),
        "photos": [_photo_url(case, photo) for photo in case.photos.all()],
        "steps": [(step, [_photo_url(case, photo) for photo in step.photos.all()]) for step in steps],
        "merged": list(case.merged.only("code", "description", "status")),
        "topics": list(case.topics.select_related("council")),
        "attributes": _attributes(case),
        "panels": [_panel(case, step, form) for step, form in forms.items()],
        "error_step": bound[0] if bound else "",
        "templates": _response_templates(case) if "answer" in forms else [],
        "chosen_template": request.GET.get("template", ""),
        "chosen_workgroup": _chosen_workgroup_id(request, case),
        "suggestions": _merge_suggestions(case) if "merge" in forms else [],
        "geo_link": f"geo:{case.latitude},{case.longitude}" if case.latitude is not None and case.longitude is not None else "",
    }
    return render(request, "feedback/case.html", context, status=status)


@dataclass(frozen=True)
class StepPanel:
    """One step's form on the case page: where it posts and what its button says."""

    step: str
    form: Any
    heading: str
    button: str
    url: str


def _step_wording() -> dict[str, tuple[str, str]]:
    return {
        "acknowledge": (_("Acknowledge"), _("Acknowledge the case")),
        "take": (_("Take the case"), _("Assign it to me")),
        "assign": (_("Assign"), _("Assign")),
        "progress": (_("Record progress or a note"), _("Record")),
        "answer": (_("Answer the reporter"), _("Send the answer")),
        "reopen": (_("Reopen"), _("Reopen the case")),
        "close": (_("Close"), _("Close the case")),
        "merge": (_("Merge into another case"), _("Merge")),
        "refer": (_("Refer up"), _("Refer up")),
        "decline": (_("Decline"), _("Decline the case")),
        "publish": (_("Public board"), _("Show on the public board")),
        "topic": (_("Raise a consultation topic"), _("Raise the topic")),
    }


def _panel(case: Case, step: str, form: Any) -> StepPanel:
    heading, button = _step_wording()[step]
    if step == "publish" and case.published:
        button = _("Keep off the public board")
    return StepPanel(step, form, heading, button, reverse("feedback:case_step", args=[case.code, step]))


@dataclass(frozen=True)
class Reporter:
    """What this reader may know of who reported the case."""

    shown: bool
    label: str
    name: str = ""
    phone: str = ""
    email: str = ""
    hidden_from_public: bool = False


def _reporter(user: Any, case: Case) -> Reporter:
    if case.is_anonymous:
        return Reporter(shown=False, label=_("Anonymous"))
    if not can_see_reporter(user, case):
        return Reporter(shown=False, label=case.public_reporter_name or _("Name hidden from the public"))
    return Reporter(
        shown=True,
        label=case.reporter_name,
        name=case.reporter_name,
        phone=case.reporter_phone,
        email=case.reporter_email,
        hidden_from_public=case.privacy == Privacy.HIDDEN,
    )


@dataclass(frozen=True)
class Deadline:
    label: str
    due: datetime.datetime
    met: bool
    late: bool


def _deadlines(case: Case, now: datetime.datetime) -> list[Deadline]:
    """Each deadline, and whether it was met or has passed; a finished case owes nothing more."""
    running = case.status in OPEN_STATUSES
    dispatched = case.assigned_at is not None or case.status not in {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.REFERRED}
    rows = [
        (_("Acknowledge by"), case.acknowledge_due, case.acknowledged_at is not None or case.status != Status.SUBMITTED),
        (_("Dispatch by"), case.dispatch_due, dispatched),
        (_("Answer by"), case.answer_due, case.answered_at is not None and case.status not in OPEN_STATUSES),
    ]
    return [
        Deadline(label=label, due=due, met=met, late=running and not met and due < now) for label, due, met in rows
    ]


def _photo_url(case: Case, photo: Any) -> str:
    return reverse("feedback:photo", args=[case.code, photo.pk])


def _attributes(case: Case) -> list[tuple[str, str]]:
    """The answers to the category's questions, by question."""
    questions = {attribute.code: attribute.display_description for attribute in case.category.attributes.all()}
    shown = []
    for code, value in (case.attributes or {}).items():
        answer = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
        shown.append((questions.get(code, code), answer))
    return shown


def _step_forms(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The forms that make sense for the case's status, unbound, keyed by step."""
    forms: dict[str, Any] = {}
    if case.status in (Status.SUBMITTED, Status.REFERRED):
        forms["acknowledge"] = AcknowledgeForm(prefix="acknowledge")
    if case.status in OPEN_STATUSES:
        if case.handler_id != request.user.pk or case.status == Status.REOPENED:
            forms["take"] = TakeForm(prefix="take")
        forms["assign"] = _assign_form(case, chosen=request.GET.get("workgroup"))
        forms["progress"] = ProgressForm(prefix="progress")
        forms["answer"] = AnswerForm(prefix="answer", initial={"text": _template_text(case, request.GET.get("template"))})
        forms["merge"] = MergeForm(prefix="merge")
        forms["refer"] = _refer_form(case)
        forms["decline"] = DeclineForm(prefix="decline")
    if case.status in (Status.ANSWERED, Status.CLOSED):
        forms["reopen"] = ReopenForm(prefix="reopen")
    if case.status == Status.ANSWERED:
        forms["close"] = CloseForm(prefix="close")
    forms["publish"] = PublishForm(prefix="publish", initial={"published": not case.published})
    return forms


def _town_of(case: Case) -> Organisation:
    """The town (or street) the case's place belongs to; the place itself above that level."""
    towns = kinds_at_level(Level.TOWN)
    if case.organisation.kind in towns:
        return case.organisation
    town = case.organisation.ancestors().filter(kind__in=towns).order_by("-path").first()
    return town or case.organisation


def _holders(case: Case) -> QuerySet[Organisation]:
    return Organisation.objects.active().within(_town_of(case)).filter(kind__in=HOLDER_KINDS).order_by("path")


def _chosen_workgroup_id(request: HttpRequest, case: Case) -> int | None:
    chosen = request.GET.get("workgroup", "")
    return int(chosen) if chosen.isdigit() else case.assigned_to_id


def _handlers_of(workgroup: Organisation | None) -> QuerySet[Any]:
    """Accounts holding the handler role over the workgroup (granted on it or above it)."""
    users = get_user_model().objects.filter(is_active=True)
    if workgroup is None:
        return users.none()
    lineage = [*workgroup.ancestor_ids, workgroup.pk]
    return (
        users.filter(
            role_grants__role=StaffRole.HANDLER,
            role_grants__revoked_at__isnull=True,
            role_grants__organisation_id__in=lineage,
        )
        .select_related("person")
        .distinct()
        .order_by("username")
    )


def _assign_form(case: Case, *, chosen: Any = None, data: Any = None) -> AssignForm:
    """The workgroup chosen (in the posted form, or by "show its handlers") decides whose names are offered."""
    holders = _holders(case)
    picked = (data or {}).get("assign-workgroup") or chosen
    workgroup = holders.filter(pk=picked).first() if str(picked or "").isdigit() else None
    initial = {"workgroup": workgroup.pk} if workgroup is not None and data is None else {}
    return AssignForm(
        data,
        prefix="assign",
        workgroups=holders,
        handlers=_handlers_of(workgroup or case.assigned_to),
        initial=initial,
    )


def _refer_form(case: Case, data: Any = None) -> ReferForm:
    holder = case.assigned_to or case.organisation
    default = office_above(holder)
    label = (
        _("The office above: %(office)s") % {"office": default.display_name}
        if default is not None
        else _("There is no level above")
    )
    # Offices of the places above the case's place: the levels a case can go up to.
    targets = (
        Organisation.objects.active()
        .filter(kind__in=OFFICE_KINDS, parent_id__in=case.organisation.ancestor_ids)
        .order_by("path")
    )
    if case.assigned_to_id is not None:
        targets = targets.exclude(pk=case.assigned_to_id)
    return ReferForm(data, prefix="refer", targets=targets, default_label=label)


def _councils(case: Case) -> QuerySet[Organisation]:
    """Consultation councils of the case's place or of a place above it."""
    lineage = [*case.organisation.ancestor_ids, case.organisation.pk]
    return Organisation.objects.active().filter(kind=OrganisationKind.CONSULTATION_COUNCIL, parent_id__in=lineage).order_by(
        "-path"
    )


def _topic_form(case: Case, data: Any = None) -> TopicForm:
    return TopicForm(data, prefix="topic", councils=_councils(case), initial={"title": case.title})


def _response_templates(case: Case) -> list[ResponseTemplate]:
    """Templates for the case's place or above (or site-wide), for its category or for any."""
    lineage = [*case.organisation.ancestor_ids, case.organisation.pk]
    return list(
        ResponseTemplate.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=lineage))
        .filter(Q(category__isnull=True) | Q(category=case.category_id))
        .order_by("title", "pk")
    )


def _template_text(case: Case, chosen: str | None) -> str:
    if not chosen or not chosen.isdigit():
        return ""
    template = next((item for item in _response_templates(case) if item.pk == int(chosen)), None)
    return template.text if template is not None else ""


def _merge_suggestions(case: Case) -> list[Case]:
    """Likely duplicates of the case, if the duplicates module is installed; nothing otherwise."""
    try:
        from ..duplicates import likely_duplicates
    except ImportError:
        return []
    return likely_duplicates(
        category=case.category,
        organisation=case.organisation,
        text=case.description,
        latitude=case.latitude,
        longitude=case.longitude,
        exclude=case,
        published_only=False,  # a handler merges what the board does not show, too
    )


# -- Steps on a case -----------------------------------------------------------------------------


StepHandler = Callable[[HttpRequest, Case, Any], str]


def _form_for(step: str, request: HttpRequest, case: Case) -> Any:
    data, files = request.POST, request.FILES
    builders: dict[str, Callable[[], Any]] = {
        "acknowledge": lambda: AcknowledgeForm(data, prefix=step),
        "take": lambda: TakeForm(data, prefix=step),
        "assign": lambda: _assign_form(case, data=data),
        "progress": lambda: ProgressForm(data, files, prefix=step),
        "answer": lambda: AnswerForm(data, files, prefix=step),
        "reopen": lambda: ReopenForm(data, prefix=step),
        "close": lambda: CloseForm(data, prefix=step),
        "merge": lambda: MergeForm(data, prefix=step),
        "refer": lambda: _refer_form(case, data),
        "decline": lambda: DeclineForm(data, prefix=step),
        "publish": lambda: PublishForm(data, prefix=step),
        "topic": lambda: _topic_form(case, data),
    }
    return builders[step]()


def _photos(form: Any) -> list[bytes]:
    return [upload.read() for upload in form.cleaned_data.get("photos") or []]


def _acknowledge(request: HttpRequest, case: Case, form: Any) -> str:
    actions.acknowledge_case(case=case, actor=request.user, text=form.cleaned_data["text"])
    return _("The case is acknowledged.")


def _take(request: HttpRequest, case: Case, form: Any) -> str:
    actions.take_case(case=case, actor=request.user)
    return _("You hold this case now.")


def _assign(request: HttpRequest, case: Case, form: Any) -> str:
    data = form.cleaned_data
    actions.assign_case(case=case, actor=request.user, workgroup=data["workgroup"], handler=data["handler"], text=data["text"])
    return _("The case is assigned.")


def _progress(request: HttpRequest, case: Case, form: Any) -> str:
    public = form.cleaned_data["public"]
    actions.record_progress(
        case=case, actor=request.user, text=form.cleaned_data["text"], public=public, photos=_photos(form)
    )
    return _("The step is recorded.") if public else _("The internal note is recorded.")


def _answer(request: HttpRequest, case: Case, form: Any) -> str:
    actions.answer_case(case=case, actor=request.user, text=form.cleaned_data["text"], photos=_photos(form))
    return _("The answer is sent to the reporter.")


def _reopen(request: HttpRequest, case: Case, form: Any) -> str:
    actions.reopen_case(case=case, actor=request.user, text=form.cleaned_data["text"])
    return _("The case is open again.")


def _close(request: HttpRequest, case: Case, form: Any) -> str:
    actions.close_case(case=case, actor=request.user, text=form.cleaned_data["text"])
    return _("The case is closed.")


def _merge(request: HttpRequest, case: Case, form: Any) -> str:
    code = normalise_tracking_code(form.cleaned_data["into"])
    into = cases_visible_to(request.user).filter(code=code).first()
    if into is None:
        raise ActionError(_("No case you can open has the tracking code %(code)s.") % {"code": code})
    actions.merge_case(case=case, into=into, actor=request.user, text=form.cleaned_data["text"])
    return _("The case is merged into %(code)s.") % {"code": into.code}


def _refer(request: HttpRequest, case: Case, form: Any) -> str:
    actions.refer_case(case=case, actor=request.user, text=form.cleaned_data["text"], to=form.cleaned_data["to"])
    return _("The case is referred up.")


def _decline(request: HttpRequest, case: Case, form: Any) -> str:
    actions.decline_case(case=case, actor=request.user, text=form.cleaned_data["text"])
    return _("The case is declined; the reporter is told why.")


def _publish(request: HttpRequest, case: Case, form: Any) -> str:
    published = form.cleaned_data["published"]
    actions.set_published(case=case, actor=request.user, published=published, text=form.cleaned_data["text"])
    return _("The case is on the public board.") if published else _("The case is kept off the public board.")


def _topic(request: HttpRequest, case: Case, form: Any) -> str:
    data = form.cleaned_data
    cases = [case, *_other_cases(request.user, case, data["other_cases"])]
    topic = actions.raise_topic(
        cases=cases, actor=request.user, council=data["council"], title=data["title"], description=data["description"]
    )
    return _("The topic “%(title)s” is raised with %(council)s.") % {
        "title": topic.title,
        "council": data["council"].display_name,
    }


def _other_cases(user: Any, case: Case, text: str) -> list[Case]:
    codes = {normalise_tracking_code(part) for part in CODE_SEPARATORS.split(text) if part.strip()} - {case.code}
    found = list(cases_visible_to(user).filter(code__in=codes))
    missing = codes - {item.code for item in found}
    if missing:
        raise ActionError(
            _("No case you can open has the tracking code %(code)s.") % {"code": ", ".join(sorted(missing))}
        )
    return found


STEPS: dict[str, StepHandler] = {
    "acknowledge": _acknowledge,
    "take": _take,
    "assign": _assign,
    "progress": _progress,
    "answer": _answer,
    "reopen": _reopen,
    "close": _close,
    "merge": _merge,
    "refer": _refer,
    "decline": _decline,
    "publish": _publish,
    "topic": _topic,
}


@require_POST
def case_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    """One step on a case from its page's form; problems come back on that form, with status 400."""
    if step not in STEPS:
        raise Http404
    if (response := _signed_out(request)) is not None:
        return response
    case = _case_for(request.user, code)
    form = _form_for(step, request, case)
    if form.is_valid():
        try:
            message = STEPS[step](request, case, form)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, message)
            return redirect(case)
    return _render_case(request, case, bound=(step, form), status=400)


# -- Notifications -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        mark_read(user=request.user)
        messages.success(request, _("Every notification is marked as read."))
        return redirect("feedback:notifications")
    if (opened := request.GET.get("open", "")).isdigit():
        notification = get_object_or_404(mine, pk=int(opened))
        mark_read(user=request.user, notification_ids=[notification.pk])
        return HttpResponseRedirect(_safe_local(request, notification.url) or reverse("feedback:notifications"))
    page = Paginator(mine.order_by("-created_at", "-pk"), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "feedback/notifications.html", {"page": page, "unread": mine.unread().exists()})


def _safe_local(request: HttpRequest, url: str) -> str:
    """A link stored in a notification is followed only to a path on this site."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) else ""


# -- Feedback settings ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def feedback_settings(request: HttpRequest, organisation_id: int) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    _require(can_manage_feedback_settings(request.user, organisation))
    forms = _settings_forms(organisation)
    if request.method == "POST":
        which = request.POST.get("change", "")
        if which not in SETTINGS_CHANGES:
            raise Http404
        form_name, change = SETTINGS_CHANGES[which]
        form = _settings_form(form_name, organisation, request.POST) if form_name else None
        if form is None or form.is_valid():
            try:
                message = change(request, organisation, form)
            except ActionError as error:
                if form is None:
                    messages.error(request, error.message)
                    return redirect("feedback:settings", organisation.pk)
                form.add_error(None, error.message)
            else:
                messages.success(request, message)
                return redirect("feedback:settings", organisation.pk)
        forms[form_name] = form
        return _render_settings(request, organisation, forms, status=400)
    return _render_settings(request, organisation, forms)


def _settings_workgroups(organisation: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.active().within(organisation).filter(kind__in=HOLDER_KINDS).order_by("path")


def _settings_form(name: str, organisation: Organisation, data: Any = None) -> Any:
    if name == "routing":
        return RoutingRuleForm(data, prefix=name, workgroups=_settings_workgroups(organisation))
    classes = {"policy": DeadlinePolicyForm, "day": CalendarDayForm, "template": ResponseTemplateForm}
    return classes[name](data, prefix=name)


def _settings_forms(organisation: Organisation) -> dict[str, Any]:
    return {name: _settings_form(name, organisation) for name in ("routing", "policy", "day", "template")}


def _render_settings(request: HttpRequest, organisation: Organisation, forms: dict[str, Any], status: int = 200) -> HttpResponse:
    context = {
        "organisation": organisation,
        "forms": forms,
        "rules": RoutingRule.objects.filter(organisation=organisation).select_related("category", "workgroup"),
        "policies": DeadlinePolicy.objects.filter(organisation=organisation).select_related("category").order_by("tier", "pk"),
        "days": CalendarDay.objects.filter(organisation=organisation).order_by("day"),
        "templates": ResponseTemplate.objects.filter(organisation=organisation).select_related("category"),
        "defaults": _default_rules(),
    }
    return render(request, "feedback/settings.html", context, status=status)


def _default_rules() -> list[tuple[str, str, str]]:
    """RULES.md §3 as a table: tier, dispatch within, answer within."""
    units = dict(UnitChoices.choices)

    def period(value: Period) -> str:
        return f"{value.amount} {units[value.unit.value]}"

    return [
        (str(label), period(DEFAULT_RULES[Tier(value)].dispatch), period(DEFAULT_RULES[Tier(value)].answer))
        for value, label in TierChoices.choices
    ]


def _add_rule(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    data = form.cleaned_data
    settings_actions.add_routing_rule(
        actor=request.user,
        organisation=organisation,
        category=data["category"],
        workgroup=data["workgroup"],
        priority=data["priority"] or 0,
    )
    return _("The routing rule is added.")


def _deactivate_rule(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    rule = get_object_or_404(RoutingRule, pk=_posted_id(request), organisation=organisation)
    settings_actions.deactivate_routing_rule(actor=request.user, rule=rule)
    return _("The routing rule no longer routes new cases.")


def _add_policy(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    data = form.cleaned_data
    settings_actions.add_deadline_policy(
        actor=request.user,
        organisation=organisation,
        tier=data["tier"],
        category=data["category"],
        dispatch_amount=data["dispatch_amount"],
        dispatch_unit=data["dispatch_unit"],
        answer_amount=data["answer_amount"],
        answer_unit=data["answer_unit"],
    )
    return _("The deadline policy is added.")


def _remove_policy(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    policy = get_object_or_404(DeadlinePolicy, pk=_posted_id(request), organisation=organisation)
    settings_actions.remove_deadline_policy(actor=request.user, policy=policy)
    return _("The deadline policy is removed.")


def _add_day(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    data = form.cleaned_data
    settings_actions.add_calendar_day(
        actor=request.user, organisation=organisation, day=data["day"], working=data["working"], name=data["name"]
    )
    return _("The day is added to the calendar.")


def _remove_day(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    entry = get_object_or_404(CalendarDay, pk=_posted_id(request), organisation=organisation)
    settings_actions.remove_calendar_day(actor=request.user, entry=entry)
    return _("The day is removed from the calendar.")


def _add_template(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    data = form.cleaned_data
    settings_actions.add_response_template(
        actor=request.user, organisation=organisation, title=data["title"], text=data["text"], category=data["category"]
    )
    return _("The response template is added.")


def _remove_template(request: HttpRequest, organisation: Organisation, form: Any) -> str:
    template = get_object_or_404(ResponseTemplate, pk=_posted_id(request), organisation=organisation)
    settings_actions.remove_response_template(actor=request.user, template=template)
    return _("The response template is removed.")


def _posted_id(request: HttpRequest) -> int:
    value = request.POST.get("id", "")
    if not value.isdigit():
        raise Http404
    return int(value)


# Each settings change: the form it reads (none for a removal, which posts only an id), and what it does.
SETTINGS_CHANGES: dict[str, tuple[str, Callable[[HttpRequest, Organisation, Any], str]]] = {
    "routing_add": ("routing", _add_rule),
    "routing_deactivate": ("", _deactivate_rule),
    "policy_add": ("policy", _add_policy),
    "policy_remove": ("", _remove_policy),
    "day_add": ("day", _add_day),
    "day_remove": ("", _remove_day),
    "template_add": ("template", _add_template),
    "template_remove": ("", _remove_template),
}
