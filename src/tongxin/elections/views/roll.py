"""The roll pages: the published roll with its counts, objections and their decisions, proxies.

Everything works without JavaScript. Choosing a person among thousands is a name search (a GET
form) followed by the form that acts on the person found; rows of the roll link straight to
those forms. Every change goes through `actions.roll`. Names are sorted by code point, which
for Chinese characters is the dictionary's order by radical and strokes, on every database.

What is public once the roll is published: the roll (names, who may vote and why not), the
proxies by name (the village rule publishes them), and each objection's subject, request,
decision and reason. The objector's name and grounds are read by the election committee and by
the objector: grounds often say private things about a neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Person
from tongxin.community.permissions import is_signed_in
from tongxin.core.errors import ActionError

from ..actions.roll import (
    MANUAL_EXCLUSIONS,
    PROXY_PHASES,
    build_roll,
    decide_objection,
    electorate_people,
    exclude_from_roll,
    is_late,
    objections_open,
    open_nominations,
    publish_roll,
    raise_objection,
    register_proxy,
    restore_to_roll,
    revoke_proxy,
)
from ..models import (
    Election,
    Exclusion,
    Objection,
    ObjectionAsk,
    ObjectionDecision,
    Phase,
    Proxy,
    RollEntry,
)
from ..permissions import (
    can_raise_objection,
    can_run_election,
    person_of,
    roll_entry_of,
    visible_election,
)

ENTRIES_PER_PAGE = 100
OBJECTIONS_PER_PAGE = 50
PROXIES_PER_PAGE = 100
FOUND_AT_MOST = 20


# ---- forms ----------------------------------------------------------------------------------


class FindForm(forms.Form):
    """A name to look for, on a GET form."""

    find = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)


class ExcludeForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why may this person not vote?"),
        choices=[(reason.value, reason.label) for reason in MANUAL_EXCLUSIONS],
        widget=forms.RadioSelect,
    )


class ObjectionForm(forms.Form):
    about = forms.ModelChoiceField(queryset=Person.objects.none(), widget=forms.HiddenInput)
    ask = forms.ChoiceField(
        label=gettext_lazy("You ask that this person be"), choices=ObjectionAsk.choices, widget=forms.RadioSelect
    )
    grounds = forms.CharField(
        label=gettext_lazy("Grounds"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the election committee reads your grounds and your name."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = people


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(ObjectionDecision.UPHELD.value, ObjectionDecision.UPHELD.label),
                 (ObjectionDecision.DISMISSED.value, ObjectionDecision.DISMISSED.label)],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason, as published"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProxyForm(forms.Form):
    principal = forms.ModelChoiceField(queryset=RollEntry.objects.none(), widget=forms.HiddenInput)
    holder = forms.ModelChoiceField(
        label=gettext_lazy("Proxy holder"), queryset=RollEntry.objects.none(), widget=forms.RadioSelect,
        empty_label=None,
    )
    relation = forms.CharField(
        label=gettext_lazy("Relation to the principal"), max_length=50,
        help_text=gettext_lazy("A near relative in the village with the right to vote, as the written proxy says."),
    )

    def __init__(self, *args: Any, entries: QuerySet[RollEntry], holders: QuerySet[RollEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["principal"].queryset = entries
        self.fields["holder"].queryset = holders
        self.fields["holder"].label_from_instance = _entry_label


def _entry_label(entry: RollEntry) -> str:
    return _("%(name)s (No. %(number)s)") % {"name": entry.person.display_name, "number": entry.pk}


# ---- helpers --------------------------------------------------------------------------------



def _runner_only(request: HttpRequest, election: Election) -> None:
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied


def _entries(election: Election) -> QuerySet[RollEntry]:
    return RollEntry.objects.filter(election=election).select_related("person").order_by("person__name", "pk")


@dataclass(frozen=True)
class ExcludedCount:
    reason: str
    label: str
    count: int


@dataclass(frozen=True)
class RollCounts:
    eligible: int
    excluded: int
    by_reason: list[ExcludedCount]

    @property
    def total(self) -> int:
        return self.eligible + self.excluded


def _roll_counts(election: Election) -> RollCounts:
    """Eligible and excluded, with the excluded by reason: one query."""
    rows = dict(
        RollEntry.objects.filter(election=election).values_list("excluded").annotate(count=Count("pk")).order_by()
    )
    by_reason = [
        ExcludedCount(reason.value, reason.label, rows[reason.value]) for reason in Exclusion if rows.get(reason.value)
    ]
    return RollCounts(eligible=rows.get("", 0), excluded=sum(item.count for item in by_reason), by_reason=by_reason)


def _found(queryset: QuerySet[Any], text: str, field: str) -> list[Any]:
    text = text.strip()
    if not text:
        return []
    return list(queryset.filter(**{f"{field}__icontains": text})[:FOUND_AT_MOST])


def _signed_out(request: HttpRequest) -> HttpResponse | None:
    return None if is_signed_in(request.user) else redirect_to_login(request.get_full_path())


# ---- the roll -------------------------------------------------------------------------------


@require_http_methods(["GET"])
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    runs = can_run_election(request.user, election.organisation)
    entries = _entries(election)
    show = request.GET.get("show", "")
    if show == "eligible":
        entries = entries.filter(excluded="")
    elif show == "excluded":
        entries = entries.exclude(excluded="")
    find = FindForm(request.GET or None)
    if find.is_valid() and find.cleaned_data["find"].strip():
        entries = entries.filter(person__name__icontains=find.cleaned_data["find"].strip())
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "election": election,
        "can_run": runs,
        "counts": _roll_counts(election),
        "page": page,
        "show": show,
        "find": find,
        "me": person_of(request.user),
        "mine": roll_entry_of(request.user, election) if election.phase != Phase.DRAFT else None,
        "may_object": can_raise_objection(request.user, election) and objections_open(election),
        "may_edit": runs and election.phase in (Phase.DRAFT, Phase.ROLL),
        "may_proxy": runs and election.proxies_allowed and election.phase in PROXY_PHASES,
        "first_row": page.start_index(),
    }
    return render(request, "elections/roll_list.html", context)


def _act(request: HttpRequest, action: Any, success: str, **kwargs: Any) -> None:
    """Run a committee action from a button; what went wrong becomes a message on the page."""
    try:
        action(actor=request.user, **kwargs)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


@require_http_methods(["POST"])
def roll_build(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    try:
        changes = build_roll(actor=request.user, election=election)
    except ActionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The roll is built: %(added)d added, %(updated)d changed, %(removed)d removed, "
              "%(kept)d kept as the committee or an objection decided.") % changes.as_data(),
        )
    return redirect("elections:roll", election.pk)


@require_http_methods(["POST"])
def roll_publish(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    _act(request, publish_roll, _("The roll is published and open to objection."), election=election)
    return redirect("elections:roll", election.pk)


@require_http_methods(["GET", "POST"])
def roll_exclude(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    entry = get_object_or_404(_entries(election), pk=entry_pk)
    form = ExcludeForm(request.POST or None)
    if form.is_valid():
        try:
            exclude_from_roll(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s may not vote.") % {"name": entry.person.display_name})
            return redirect("elections:roll", election.pk)
    return render(request, "elections/roll_exclude.html", {"election": election, "entry": entry, "form": form})


@require_http_methods(["POST"])
def roll_restore(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    entry = get_object_or_404(_entries(election), pk=entry_pk)
    _act(
        request, restore_to_roll, _("%(name)s is back on the roll.") % {"name": entry.person.display_name},
        entry=entry,
    )
    return redirect("elections:roll", election.pk)


@require_http_methods(["POST"])
def nominations_open(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    _act(request, open_nominations, _("Nominations are open."), election=election)
    back = "elections:roll" if request.POST.get("back") == "roll" else "elections:objections"
    return redirect(back, election.pk)


# ---- objections -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def objections(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    allowed = can_raise_objection(request.user, election)
    if request.method == "POST":
        if (response := _signed_out(request)) is not None:
            return response
        if not allowed:
            raise PermissionDenied
    may_object = allowed and objections_open(election)
    people = electorate_people(election)
    form = chosen = None
    if allowed:
        about = request.POST.get("about") or request.GET.get("about", "")
        chosen = people.filter(pk=about).first() if about.isdigit() else None
        entry = RollEntry.objects.filter(election=election, person=chosen).first() if chosen else None
        ask = ObjectionAsk.REMOVE if entry is not None and entry.eligible else ObjectionAsk.ADD
        form = ObjectionForm(request.POST or None, people=people, initial={"about": chosen and chosen.pk, "ask": ask})
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                raise_objection(
                    actor=request.user, election=election, about=form.cleaned_data["about"],
                    ask=form.cleaned_data["ask"], grounds=form.cleaned_data["grounds"],
                )
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your objection is recorded; the election committee will decide it."))
                return redirect("elections:objections", election.pk)
        # What was posted stays on the page with its problem, even if objections have just closed.
        return _render_objections(
            request, election, form=form, chosen=chosen, people=people, may_object=True, status=400
        )
    return _render_objections(request, election, form=form, chosen=chosen, people=people, may_object=may_object)


def _render_objections(
    request: HttpRequest,
    election: Election,
    *,
    form: ObjectionForm | None = None,
    chosen: Person | None = None,
    people: QuerySet[Person] | None = None,
    may_object: bool = False,
    bound_decision: tuple[int, DecisionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    runs = can_run_election(request.user, election.organisation)
    me = person_of(request.user)
    listed = (
        Objection.objects.filter(election=election)
        .select_related("about", "raised_by", "decided_by__person")
        .order_by("raised_at", "pk")
    )
    page = Paginator(listed, OBJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for objection in page:
        decision_form = None
        if runs and election.phase == Phase.ROLL and objection.decision == ObjectionDecision.PENDING:
            if bound_decision and bound_decision[0] == objection.pk:
                decision_form = bound_decision[1]
            else:
                decision_form = DecisionForm(prefix=f"decide-{objection.pk}")
        rows.append(
            {
                "objection": objection,
                "private": runs or (me is not None and objection.raised_by_id == me.pk),
                "late": is_late(objection, election),
                "form": decision_form,
            }
        )
    find = FindForm(request.GET or None)
    found = _found(people, find.data.get("find", ""), "name") if may_object and people is not None and find.is_valid() else []
    context = {
        "election": election,
        "can_run": runs,
        "closed_notice": _why_no_objection(request, election, runs) if not may_object else "",
        "page": page,
        "rows": rows,
        "form": form,
        "chosen": chosen,
        "find": find,
        "found": found,
        "me": me,
        "may_object": may_object,
        "pending": listed.filter(decision=ObjectionDecision.PENDING).count(),
    }
    return render(request, "elections/roll_objections.html", context, status=status)


def _why_no_objection(request: HttpRequest, election: Election, runs: bool) -> str:
    """Why the reader finds no objection form, while the roll is open to objection."""
    if election.phase != Phase.ROLL or runs:
        return ""
    if not objections_open(election):
        return _("Objections closed on %(day)s.") % {"day": date_format(election.objections_until, "DATE_FORMAT")}
    if not is_signed_in(request.user):
        return _("Sign in to object to the roll.")
    return _("Only the people this roll is drawn from may object to it.")


@require_http_methods(["POST"])
def objection_decide(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    objection = get_object_or_404(Objection.objects.select_related("election__organisation"), pk=objection_pk, election=election)
    form = DecisionForm(request.POST, prefix=f"decide-{objection.pk}")
    if form.is_valid():
        try:
            decide_objection(
                actor=request.user, objection=objection,
                upheld=form.cleaned_data["decision"] == ObjectionDecision.UPHELD, reason=form.cleaned_data["reason"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded and published."))
            return redirect("elections:objections", election.pk)
    return _render_objections(request, election, bound_decision=(objection.pk, form), status=400)


# ---- proxies --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def proxies(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    runs = can_run_election(request.user, election.organisation)
    if request.method == "POST":
        _runner_only(request, election)
    may_register = runs and election.proxies_allowed and election.phase in PROXY_PHASES
    eligible = _entries(election).filter(excluded="")
    form = principal = None
    found: list[RollEntry] = []
    find = FindForm(request.GET or None)
    if may_register or request.method == "POST":
        chosen = request.POST.get("principal") or request.GET.get("principal", "")
        principal = eligible.filter(pk=chosen).first() if chosen.isdigit() else None
        text = find.data.get("find", "") if find.is_valid() else ""
        # Offer only who can still give (no proxy given or held) or hold (none given) a proxy.
        pool = eligible.filter(proxy__isnull=True)
        pool = pool.exclude(pk=principal.pk) if principal else pool.filter(proxies_held__isnull=True).distinct()
        found = _found(pool, text, "person__name")
        holders = eligible.filter(pk__in=[entry.pk for entry in found]) if request.method == "GET" else eligible
        form = ProxyForm(
            request.POST or None, entries=eligible, holders=holders, initial={"principal": principal and principal.pk}
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            register_proxy(
                actor=request.user, election=election, principal=form.cleaned_data["principal"],
                holder=form.cleaned_data["holder"], relation=form.cleaned_data["relation"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The proxy is registered and published."))
            return redirect("elections:proxies", election.pk)
    listed = (
        Proxy.objects.filter(election=election)
        .select_related("principal__person", "holder__person")
        .order_by("holder__person__name", "holder_id", "principal__person__name", "pk")
    )
    context = {
        "election": election,
        "can_run": runs,
        "may_register": may_register,
        "may_revoke": may_register,
        "page": Paginator(listed, PROXIES_PER_PAGE).get_page(request.GET.get("page")),
        "form": form,
        "principal": principal,
        "find": find,
        "found": found,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "elections/roll_proxies.html", context, status=status)


@require_http_methods(["POST"])
def proxy_revoke(request: HttpRequest, pk: int, proxy_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _runner_only(request, election)
    proxy = get_object_or_404(Proxy.objects.select_related("election__organisation"), pk=proxy_pk, election=election)
    _act(request, revoke_proxy, _("The proxy is revoked."), proxy=proxy)
    return redirect("elections:proxies", election.pk)


urlpatterns = [
    path("elections/<int:pk>/roll/", roll, name="roll"),
    path("elections/<int:pk>/roll/build/", roll_build, name="roll_build"),
    path("elections/<int:pk>/roll/publish/", roll_publish, name="roll_publish"),
    path("elections/<int:pk>/roll/<int:entry_pk>/exclude/", roll_exclude, name="roll_exclude"),
    path("elections/<int:pk>/roll/<int:entry_pk>/restore/", roll_restore, name="roll_restore"),
    path("elections/<int:pk>/open-nominations/", nominations_open, name="open_nominations"),
    path("elections/<int:pk>/objections/", objections, name="objections"),
    path("elections/<int:pk>/objections/<int:objection_pk>/decide/", objection_decide, name="objection_decide"),
    path("elections/<int:pk>/proxies/", proxies, name="proxies"),
    path("elections/<int:pk>/proxies/<int:proxy_pk>/revoke/", proxy_revoke, name="proxy_revoke"),
]
