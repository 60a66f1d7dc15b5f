"""Setting up and following an election: an organisation's elections, the form that prepares one,
and the election's page, which shows where it stands and leads to every step."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions.setup import (
    ASSEMBLY_FIXES_LIST,
    PROXIES_ALLOWED,
    SECONDERS,
    SETTINGS_FIELDS,
    cancel_election,
    create_election,
    update_election,
)
from ..models import PHASE_ORDER, Election, Mode, Phase, RuleSetName, VotingRound
from ..permissions import (
    can_run_election,
    is_eligible_voter,
    person_of,
    visible_election,
)
from ..wording import share_name

# Rule numbers an election committee may adjust on the form; the rest stay as the rule set says.
ADJUSTED_RULES = ("quorum", "quorum_strict", "threshold", "candidate_ratio")


class ElectionForm(forms.ModelForm):
    quorum = forms.CharField(
        label=gettext_lazy("Quorum, as a share of the voters due"),
        required=False,
        help_text=gettext_lazy("A fraction such as 4/5. Empty: what the rule set says."),
    )
    quorum_strict = forms.TypedChoiceField(
        label=gettext_lazy("The quorum is reached with"),
        required=False,
        choices=[("", gettext_lazy("what the rule set says")), ("1", gettext_lazy("more than that share")), ("0", gettext_lazy("at least that share"))],
        coerce=lambda value: value == "1",
        empty_value=None,
    )
    threshold = forms.CharField(
        label=gettext_lazy("Votes needed to win, as a share"),
        required=False,
        help_text=gettext_lazy("A fraction such as 1/2 (more than half). Empty: what the rule set says."),
    )
    candidate_ratio = forms.CharField(
        label=gettext_lazy("Candidates per seat, at least"),
        required=False,
        help_text=gettext_lazy("A number such as 6/5 (5 seats need 6 candidates). Empty: what the rule set says."),
    )

    class Meta:
        model = Election
        fields = [
            "title", "elects", "seats", "rule_set", "mode", "seconders_required", "self_nomination_seconders",
            "assembly_fixes_list", "proxies_allowed", "proxy_limit", "voting_opens_at", "voting_closes_at",
            "assembly_at", "assembly_place", "roll_published_on", "objections_until", "objections_decided_by",
            "nominations_until", "candidate_list_on",
        ]
        widgets = {
            **{name: forms.DateInput(attrs={"type": "date"}) for name in (
                "roll_published_on", "objections_until", "objections_decided_by", "nominations_until", "candidate_list_on"
            )},
            **{name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M") for name in (
                "voting_opens_at", "voting_closes_at", "assembly_at"
            )},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("voting_opens_at", "voting_closes_at", "assembly_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        for name in ADJUSTED_RULES:
            value = (self.instance.rule_overrides or {}).get(name)
            if value is not None:
                self.initial[name] = ("1" if value else "0") if name == "quorum_strict" else value

    def settings(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in SETTINGS_FIELDS}
        data["rule_overrides"] = {
            name: self.cleaned_data[name]
            for name in ADJUSTED_RULES
            if self.cleaned_data.get(name) not in (None, "")
        }
        return data

    def _post_clean(self) -> None:
        pass  # the action validates the election as a whole; the form only parses


def _organisation_for_runner(request: HttpRequest, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not can_run_election(request.user, organisation):
        raise PermissionDenied
    return organisation



@require_http_methods(["GET"])
def election_list(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    runs = can_run_election(request.user, organisation)
    elections = Election.objects.of(organisation) if runs else Election.objects.of(organisation).public()
    page = Paginator(elections.order_by("-created_at", "-pk"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "elections/setup_list.html",
        {"organisation": organisation, "page": page, "can_run": runs},
    )


@require_http_methods(["GET", "POST"])
def election_new(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation_for_runner(request, organisation_id)
    rule_set = _default_rule_set(organisation)
    initial = {
        "rule_set": rule_set, "seats": 3,
        "assembly_fixes_list": ASSEMBLY_FIXES_LIST.get(rule_set, False),
        "proxies_allowed": PROXIES_ALLOWED.get(rule_set, False),
        "seconders_required": SECONDERS.get(rule_set, 2),
    }
    form = ElectionForm(request.POST or None, initial=initial)
    if form.is_valid():
        settings = form.settings()
        try:
            election = create_election(
                actor=request.user,
                organisation=organisation,
                **{key: settings.pop(key) for key in ("title", "seats", "rule_set", "elects", "mode")},
                **settings,
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The election is prepared. Build and publish its roll next."))
            return redirect(election)
    return render(
        request,
        "elections/setup_form.html",
        {"organisation": organisation, "form": form, "title": _("Prepare an election"), "submit_label": _("Prepare the election")},
    )


@require_http_methods(["GET", "POST"])
def election_edit(request: HttpRequest, pk: int) -> HttpResponse:
    election = get_object_or_404(Election.objects.select_related("organisation"), pk=pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    form = ElectionForm(request.POST or None, instance=Election.objects.get(pk=pk))
    if election.phase != Phase.DRAFT:
        for name, field in form.fields.items():
            field.disabled = name not in ("title", "voting_opens_at", "voting_closes_at", "assembly_at", "assembly_place")
    if form.is_valid():
        settings = form.settings() if election.phase == Phase.DRAFT else {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            update_election(actor=request.user, election=election, **settings)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The election's settings are saved."))
            return redirect(election)
    return render(
        request,
        "elections/setup_form.html",
        {
            "organisation": election.organisation, "election": election, "form": form,
            "title": _("Election settings"), "submit_label": _("Save"),
        },
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is the election cancelled?"), widget=forms.Textarea(attrs={"rows": 3}))


@require_http_methods(["GET", "POST"])
def election_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    election = get_object_or_404(Election.objects.select_related("organisation"), pk=pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if form.is_valid():
        try:
            cancel_election(actor=request.user, election=election, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The election is cancelled."))
            return redirect(election)
    return render(request, "elections/setup_cancel.html", {"election": election, "form": form})


@dataclass(frozen=True)
class Step:
    phase: str
    label: str
    state: str  # done, current, to_come


@require_http_methods(["GET"])
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    runs = can_run_election(request.user, election.organisation)
    rules = election.rules
    open_round = VotingRound.objects.filter(election=election, status="open").order_by("-number").first()
    context = {
        "election": election,
        "organisation": election.organisation,
        "can_run": runs,
        "steps": _steps(election),
        "rules": rules,
        "quorum": _share_words(rules.quorum, rules.quorum_strict),
        "threshold": _share_words(rules.threshold, rules.threshold_strict),
        "required_candidates": election.required_candidates,
        "timeline": _timeline_rows(election),
        "open_round": open_round,
        "may_vote": open_round is not None and is_eligible_voter(request.user, election),
        "signed_in_person": person_of(request.user),
        "candidates": election.candidates.select_related("person").order_by("position") if election.phase_reached(Phase.CANDIDATES) else [],
        "may_cancel": runs and election.phase not in (Phase.PUBLISHED, Phase.CANCELLED),
    }
    return render(request, "elections/setup_detail.html", context)


def _steps(election: Election) -> list[Step]:
    if election.phase == Phase.CANCELLED:
        return [Step(Phase.CANCELLED, Phase.CANCELLED.label, "current")]
    current = PHASE_ORDER.index(Phase(election.phase))
    return [
        Step(phase, phase.label, "done" if index < current else "current" if index == current else "to_come")
        for index, phase in enumerate(PHASE_ORDER)
    ]


def _share_words(fraction: Fraction, strict: bool) -> str:
    words = share_name(fraction)
    return (_("more than %(share)s") if strict else _("at least %(share)s")) % {"share": words}


def _timeline_rows(election: Election) -> list[tuple[str, Any]]:
    rows = [
        (_("Roll published"), election.roll_published_on),
        (_("Objections until"), election.objections_until),
        (_("Objections decided by"), election.objections_decided_by),
        (_("Nominations until"), election.nominations_until),
        (_("Candidate list published"), election.candidate_list_on),
    ]
    if election.mode == Mode.ASSEMBLY:
        rows.append((_("Assembly"), election.assembly_at))
    else:
        rows += [(_("Voting opens"), election.voting_opens_at), (_("Voting closes"), election.voting_closes_at)]
    return rows


def _default_rule_set(organisation: Organisation) -> str:
    if organisation.kind == "party_branch" or organisation.kind == "party_committee":
        return RuleSetName.PARTY_BRANCH
    if organisation.kind == "village_committee":
        return RuleSetName.VILLAGE_COMMITTEE
    return RuleSetName.SIMPLE_MAJORITY


urlpatterns = [
    path("organisations/<int:organisation_id>/elections/", election_list, name="list"),
    path("organisations/<int:organisation_id>/elections/new/", election_new, name="new"),
    path("elections/<int:pk>/", election_detail, name="election"),
    path("elections/<int:pk>/settings/", election_edit, name="edit"),
    path("elections/<int:pk>/cancel/", election_cancel, name="cancel"),
]


def organisation_section(organisation: Organisation, user: Any) -> dict[str, Any] | None:
    """The organisation's latest elections for its page; None for places and where there are none
    to show and the user cannot prepare one."""
    if organisation.is_place:
        return None
    runs = can_run_election(user, organisation)
    elections = Election.objects.of(organisation)
    if not runs:
        elections = elections.public()
    latest = list(elections.order_by("-created_at", "-pk")[:3])
    if not latest and not runs:
        return None
    return {"organisation": organisation, "elections": latest, "can_run": runs}
