"""Rounds of voting: the rounds page with the committee's steps, one round, the tellers' paper
entry and reconciliation, the officials, and the public result.

Every change goes through `actions.rounds`; these views parse the forms, call the action and
show what came of it. Everything works without JavaScript: each step is a plain form post.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Person
from tongxin.community.permissions import is_signed_in
from tongxin.core.errors import ActionError

from .. import ballots as ballot_codec
from .. import counting, wording
from ..actions import rounds as actions
from ..models import (
    Duty,
    Election,
    Mode,
    Motion,
    Official,
    Phase,
    RoundCandidate,
    RuleSetName,
    Signature,
    Teller,
    VotingRound,
)
from ..permissions import (
    can_enter_paper_ballots,
    can_run_election,
    can_sign_result,
    official_duty,
    visible_election,
)
from ..wording import share_name

MARK_CHOICES = [
    ("approve", gettext_lazy("Approve")),
    ("disapprove", gettext_lazy("Disapprove")),
    ("abstain", gettext_lazy("Abstain")),
    ("unmarked", gettext_lazy("Left unmarked")),
]


# -- Forms ---------------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    voters_present = forms.IntegerField(label=gettext_lazy("Voters present"), min_value=0)
    ballots_issued = forms.IntegerField(label=gettext_lazy("Ballots issued"), min_value=0)


class ReturnedForm(forms.Form):
    ballots_returned = forms.IntegerField(label=gettext_lazy("Paper ballots found in the box"), min_value=0)


class SignForm(forms.Form):
    remark = forms.CharField(label=gettext_lazy("Remark (optional)"), max_length=300, required=False)


class NextRoundForm(forms.Form):
    reduce_seats_motion = forms.ModelChoiceField(
        label=gettext_lazy("Or reduce the seats, by this passed motion"), queryset=Motion.objects.none(), required=False,
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reduce_seats_motion"].queryset = Motion.objects.filter(organisation=election.organisation).passed()


class PublishForm(forms.Form):
    minutes = forms.CharField(label=gettext_lazy("Minutes of the vote"), widget=forms.Textarea(attrs={"rows": 6}))


class OfficialForm(forms.Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())
    duty = forms.ChoiceField(label=gettext_lazy("Duty"), choices=Duty.choices)
    approved_by_assembly = forms.BooleanField(label=gettext_lazy("Approved by the assembly"), required=False)
    declared_not_related = forms.BooleanField(
        label=gettext_lazy("Declares in writing to be no near relative of any candidate"), required=False
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(roll_entries__election=election).order_by("name", "pk")
        if election.rule_set != RuleSetName.VILLAGE_COMMITTEE:
            del self.fields["declared_not_related"]


class PaperBallotForm(forms.Form):
    """One paper ballot: a mark for every candidate (or none, as the paper shows), and write-ins."""

    def __init__(self, *args: Any, entries: list[RoundCandidate], labels: list[str], slots: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        for entry, label in zip(entries, labels):
            self.fields[f"mark_{entry.candidate_id}"] = forms.ChoiceField(
                label=label, choices=MARK_CHOICES, widget=forms.RadioSelect
            )
        for slot in range(1, slots + 1):
            self.fields[f"write_in_{slot}"] = forms.CharField(
                label=_("Written-in name %(number)d") % {"number": slot}, max_length=60, required=False
            )

    def marks(self) -> dict[int, str | None]:
        chosen = {entry.candidate_id: self.cleaned_data[f"mark_{entry.candidate_id}"] for entry in self.entries}
        return {pk: None if mark == "unmarked" else mark for pk, mark in chosen.items()}

    def write_ins(self) -> list[str]:
        return [value for name, value in self.cleaned_data.items() if name.startswith("write_in_") and value.strip()]

    def mark_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("mark_")]

    def write_in_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("write_in_")]


class ReconcileForm(PaperBallotForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


# -- Looking up --------------------------------------------------------------------------------



def _round_for(election: Election, number: int) -> VotingRound:
    voting_round = get_object_or_404(VotingRound, election=election, number=number)
    voting_round.election = election
    return voting_round


def _signed_out(request: HttpRequest) -> HttpResponse | None:
    return None if is_signed_in(request.user) else redirect_to_login(request.get_full_path())


@dataclass
class Row:
    label: str
    votes: int
    elected: bool
    tied: bool
    written_in: bool


@dataclass
class RoundView:
    """A round as the pages show it: its candidates, its count in words, its signatures."""

    round: VotingRound
    names: list[str]
    result: dict[str, Any] | None
    reason: str
    rows: list[Row]
    elected: list[str]
    tied: list[str]
    signatures: list[Signature]
    quorum: str
    threshold: str


def _rules_in_words(election: Election, voting_round: VotingRound) -> tuple[str, str]:
    """The quorum and the threshold with this round's numbers, in words."""
    rules = election.rules
    due, present = voting_round.voters_due, voting_round.voters_present
    returned = (voting_round.result or {}).get("ballots", {}).get("returned")
    more = rules.quorum_strict
    quorum_needed = counting.votes_needed(due, rules.quorum, strict=rules.quorum_strict)
    if rules.quorum_of == counting.Measure.PRESENT:
        quorum = (
            _("Quorum: more than %(share)s of the %(due)d voters due present, that is at least %(needed)d.")
            if more else
            _("Quorum: at least %(share)s of the %(due)d voters due present, that is at least %(needed)d.")
        )
    else:
        quorum = (
            _("Quorum: more than %(share)s of the %(due)d registered voters cast a ballot, that is at least %(needed)d.")
            if more else
            _("Quorum: at least %(share)s of the %(due)d registered voters cast a ballot, that is at least %(needed)d.")
        )
    quorum %= {"share": share_name(rules.quorum), "due": due, "needed": quorum_needed}
    kind = counting.Round(voting_round.kind)
    if kind is counting.Round.TIE_BREAK:
        return quorum, _("Among the tied, the most votes win.")
    if kind is counting.Round.SECOND_ROUND:
        floor = rules.second_round_floor or Fraction(0)
        if returned is None:
            return quorum, _("The most votes win, with at least %(share)s of the ballots cast.") % {"share": share_name(floor)}
        return quorum, _("The most votes win, with at least %(share)s of the %(base)d ballots cast, that is at least %(needed)d.") % {
            "share": share_name(floor), "base": returned, "needed": max(1, counting.votes_needed(returned, floor, strict=False)),
        }
    base_of = {
        counting.Measure.PRESENT: (present, _("voters present")),
        counting.Measure.BALLOTS: (returned, _("ballots cast")),
        counting.Measure.VALID: ((voting_round.result or {}).get("ballots", {}).get("valid"), _("valid ballots")),
    }
    base, what = base_of[rules.threshold_of]
    if base is None:
        text = _("To be elected: more than %(share)s of the %(what)s.") if rules.threshold_strict else _(
            "To be elected: at least %(share)s of the %(what)s."
        )
        return quorum, text % {"share": share_name(rules.threshold), "what": what}
    text = (
        _("To be elected: more than %(share)s of the %(base)d %(what)s, that is at least %(needed)d votes.")
        if rules.threshold_strict else
        _("To be elected: at least %(share)s of the %(base)d %(what)s, that is at least %(needed)d votes.")
    )
    return quorum, text % {
        "share": share_name(rules.threshold), "base": base, "what": what,
        "needed": max(1, counting.votes_needed(base, rules.threshold, strict=rules.threshold_strict)),
    }


def round_views(election: Election) -> list[RoundView]:
    """Every round of the election with what the pages show of it, in a fixed number of queries."""
    rounds = list(
        election.rounds.order_by("number").prefetch_related(
            Prefetch("entries", queryset=RoundCandidate.objects.select_related("candidate__person").order_by("position", "pk")),
            Prefetch("signatures", queryset=Signature.objects.select_related("official__person")),
        )
    )
    views = []
    for voting_round in rounds:
        voting_round.election = election
        entries = list(voting_round.entries.all())
        data = voting_round.result
        rows: list[Row] = []
        reason = ""
        if data:
            elected = {row["label"] for row in data["elected"]}
            tied = {row["label"] for row in data["tied"]}
            rows = [
                Row(row["label"], row["votes"], row["label"] in elected, row["label"] in tied, row["candidate"] is None)
                for row in data["tally"]
            ]
            reason = wording.reason_text(actions.result_of(voting_round))
        quorum, threshold = _rules_in_words(election, voting_round)
        views.append(RoundView(
            round=voting_round,
            names=actions.candidate_names(entries),
            result=data,
            reason=reason,
            rows=rows,
            elected=[row["label"] for row in data["elected"]] if data else [],
            tied=[row["label"] for row in data["tied"]] if data else [],
            signatures=list(voting_round.signatures.all()),
            quorum=quorum,
            threshold=threshold,
        ))
    return views


def next_step_text(election: Election, step: actions.NextStep) -> str:
    match step.code:
        case "open_voting":
            return _("The candidate list is fixed: the committee opens the vote.")
        case "start":
            return _("The round is prepared: the committee opens it when the assembly sits.")
        case "vote":
            return _("Voting is open. The committee closes the round when voting ends.")
        case "enter_paper":
            return _("The two tellers enter the paper ballots; the committee then commits them.")
        case "count":
            return _("The round is closed: the committee counts it.")
        case "publish":
            return _("Every seat is filled: once every scrutineer has signed, the committee publishes the result.")
        case "published":
            return _("The result is published.")
        case "next_round":
            names = {
                "tie_break": _("a further vote among the tied"),
                "further_election": _("a further election among the candidates not elected"),
                "second_round": _("a second round among the best candidates not elected"),
                "first": _("the vote again"),
            }
            return ngettext("Next: %(round)s, for %(seats)d seat.", "Next: %(round)s, for %(seats)d seats.", step.seats) % {
                "round": names[step.kind], "seats": step.seats,
            }
    return ""


def _context(request: HttpRequest, election: Election) -> dict[str, Any]:
    views = round_views(election)
    step = actions.next_step(election, [view.round for view in views])
    return {
        "election": election,
        "rounds": views,
        "next_step": step,
        "next_step_text": next_step_text(election, step),
        "may_run": can_run_election(request.user, election.organisation),
        "scrutineer": official_duty(request.user, election, Duty.SCRUTINEER),
        "teller": can_enter_paper_ballots(request.user, election),
    }


def _done(request: HttpRequest, text: str, to: str, *args: Any) -> HttpResponse:
    messages.success(request, text)
    return redirect(to, *args)


# -- The rounds page and the committee's steps ---------------------------------------------------


@require_http_methods(["GET"])
def round_list(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    context = _context(request, election)
    context["next_form"] = NextRoundForm(election=election) if context["may_run"] else None
    return render(request, "elections/rounds_list.html", context)


@require_http_methods(["POST"])
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, pk)
    try:
        actions.open_voting(actor=request.user, election=election)
    except ActionError as error:
        messages.error(request, error.message)
        return redirect("elections:rounds", pk)
    return _done(request, _("Voting is open."), "elections:rounds", pk)


@require_http_methods(["POST"])
def round_next(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    form = NextRoundForm(request.POST, election=election)
    if form.is_valid():
        try:
            actions.start_next_round(
                actor=request.user, election=election, reduce_seats_motion=form.cleaned_data["reduce_seats_motion"]
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, _("Done."), "elections:rounds", pk)
    context = _context(request, election)
    context["next_form"] = form
    return render(request, "elections/rounds_list.html", context, status=400)


@require_http_methods(["GET"])
def round_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    _round_for(election, number)
    return _round_page(request, election, number, {})


def _round_page(request: HttpRequest, election: Election, number: int, forms_: dict[str, Any], status: int = 200) -> HttpResponse:
    context = _context(request, election)
    view = next(view for view in context["rounds"] if view.round.number == number)
    voting_round = view.round
    context["view"] = view
    context["is_last"] = view is context["rounds"][-1]
    context["progress"] = actions.paper_progress(voting_round) if election.mode == Mode.ASSEMBLY else {}
    context["forms"] = {
        "attendance": AttendanceForm(initial={"voters_present": voting_round.voters_present, "ballots_issued": voting_round.ballots_issued}),
        "returned": ReturnedForm(initial={"ballots_returned": voting_round.ballots_returned}),
        "sign": SignForm(),
        **forms_,
    }
    context["signed"] = bool(context["scrutineer"]) and any(
        s.official_id == context["scrutineer"].pk for s in view.signatures
    )
    return render(request, "elections/rounds_round.html", context, status=status)


STEPS = {
    # step: (form, the action called with the form's data, the message on success)
    "start": (None, actions.start_assembly_round, gettext_lazy("The round is open.")),
    "attendance": (AttendanceForm, actions.record_attendance, gettext_lazy("Attendance recorded.")),
    "close": (None, actions.close_round, gettext_lazy("The round is closed.")),
    "returned": (ReturnedForm, actions.record_ballots_returned, gettext_lazy("Ballots returned recorded.")),
    "commit": (None, actions.commit_paper_ballots, gettext_lazy("The paper ballots are committed.")),
    "count": (None, actions.count_round, gettext_lazy("The round is counted.")),
    "sign": (SignForm, actions.sign_result, gettext_lazy("You have signed the round.")),
}


@require_http_methods(["POST"])
def round_step(request: HttpRequest, pk: str, number: str, step: str) -> HttpResponse:
    """One of the round's steps (`STEPS`): the committee's, or a scrutineer's signature."""
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, int(pk))  # re_path passes strings
    voting_round = _round_for(election, int(number))
    form_class, action, done = STEPS[step]
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        if not (can_run_election(request.user, election.organisation) or can_sign_result(request.user, election)):
            raise PermissionDenied
        return _round_page(request, election, voting_round.number, {step: form}, status=400)
    data = form.cleaned_data if form is not None else {}
    try:
        action(actor=request.user, voting_round=voting_round, **data)
    except ActionError as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("elections:round", election.pk, voting_round.number)
        form.add_error(None, error.message)
        return _round_page(request, election, voting_round.number, {step: form}, status=400)
    return _done(request, str(done), "elections:round", election.pk, voting_round.number)


# -- Paper ballots ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, pk: int, number: int, teller: int) -> HttpResponse:
    """A teller's fast form: one paper ballot at a time, then the next."""
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, pk)
    if not can_enter_paper_ballots(request.user, election):
        raise PermissionDenied
    if teller not in Teller.values:
        raise Http404
    voting_round = _round_for(election, number)
    entries = actions.round_entries(voting_round)
    labels = actions.candidate_names(entries)
    mine = dict(voting_round.paper_entries.filter(teller=teller, entered_by=request.user).values_list("position", "content"))
    returned = voting_round.ballots_returned or 0
    missing = [n for n in range(1, returned + 1) if n not in mine]
    position = _position(request, missing, returned)
    form = PaperBallotForm(
        request.POST or None, entries=entries, labels=labels, slots=voting_round.seats,
        initial=_reading(mine.get(position), entries, labels),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.enter_paper_ballot(
                actor=request.user, voting_round=voting_round, teller=teller, position=position,
                marks=form.marks(), write_ins=form.write_ins(),
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Ballot %(number)d entered.") % {"number": position})
            return redirect("elections:paper_entry", pk, number, teller)
    context = {
        "election": election, "round": voting_round, "teller": teller, "form": form, "position": position,
        "entered": len(mine), "returned": returned, "finished": returned > 0 and not missing,
        "other_finished": actions.teller_finished(voting_round, Teller.SECOND if teller == Teller.FIRST else Teller.FIRST),
    }
    return render(request, "elections/rounds_paper_entry.html", context, status=400 if form.errors else 200)


def _reading(content: str | None, entries: list[RoundCandidate], labels: list[str]) -> dict[str, str]:
    """A teller's own earlier entry as the form's initial values, to correct it."""
    if content is None:
        return {}
    ballot = ballot_codec.decode(content, labels)
    initial = {
        f"mark_{entry.candidate_id}": ballot.marks.get(label, "unmarked") for entry, label in zip(entries, labels)
    }
    initial.update({f"write_in_{slot}": name for slot, name in enumerate(ballot.write_ins, start=1)})
    return initial


def _position(request: HttpRequest, missing: list[int], returned: int) -> int:
    """The ballot asked for (to correct one), or the first not yet entered."""
    asked = request.POST.get("position") or request.GET.get("position")
    if asked and asked.isdigit() and 1 <= int(asked) <= returned:
        return int(asked)
    return missing[0] if missing else returned


@require_http_methods(["GET", "POST"])
def reconcile(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The tellers' differences side by side, once both have finished; each settled together."""
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, pk)
    teller = can_enter_paper_ballots(request.user, election)
    if not (teller or can_run_election(request.user, election.organisation)):
        raise PermissionDenied
    voting_round = _round_for(election, number)
    entries = actions.round_entries(voting_round)
    labels = actions.candidate_names(entries)
    both = actions.teller_finished(voting_round, Teller.FIRST) and actions.teller_finished(voting_round, Teller.SECOND)
    form = ReconcileForm(request.POST or None, entries=entries, labels=labels, slots=voting_round.seats)
    if request.method == "POST":
        if not teller:
            raise PermissionDenied
        position = request.POST.get("position", "")
        if form.is_valid() and position.isdigit():
            try:
                actions.reconcile_paper_ballot(
                    actor=request.user, voting_round=voting_round, position=int(position), marks=form.marks(),
                    write_ins=form.write_ins(), note=form.cleaned_data["note"],
                )
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Ballot %(number)d settled.") % {"number": int(position)})
                return redirect("elections:reconcile", pk, number)
    mismatches = [_readable(m, labels) for m in actions.paper_mismatches(voting_round)] if both else []
    context = {
        "election": election, "round": voting_round, "both_finished": both, "mismatches": mismatches,
        "form": form, "teller": teller, "may_run": can_run_election(request.user, election.organisation),
    }
    return render(request, "elections/rounds_reconcile.html", context, status=400 if form.errors else 200)


MARK_WORDS = {"approve": gettext_lazy("Approve"), "disapprove": gettext_lazy("Disapprove"), "abstain": gettext_lazy("Abstain")}


def _readable(mismatch: actions.Mismatch, labels: list[str]) -> dict[str, Any]:
    def reading(content: str | None) -> list[tuple[str, str]] | None:
        if content is None:
            return None
        ballot = ballot_codec.decode(content, labels)
        marks = [(label, str(MARK_WORDS[ballot.marks[label]]) if label in ballot.marks else _("Left unmarked")) for label in labels]
        return marks + [(_("Written in"), name) for name in ballot.write_ins]

    return {
        "position": mismatch.position,
        "first": reading(mismatch.first),
        "second": reading(mismatch.second),
        "reconciled": reading(mismatch.reconciled),
    }


# -- Officials -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def officials(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    may_run = can_run_election(request.user, election.organisation)
    form = OfficialForm(request.POST or None, election=election) if may_run else None
    if request.method == "POST":
        if (response := _signed_out(request)) is not None:
            return response
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.appoint_official(actor=request.user, election=election, **form.cleaned_data)
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                return _done(request, _("The official is appointed."), "elections:officials", pk)
    listed = Official.objects.filter(election=election).select_related("person").order_by("duty", "appointed_at", "pk")
    context = {"election": election, "officials": listed, "form": form, "village_rule": election.rule_set == RuleSetName.VILLAGE_COMMITTEE}
    return render(request, "elections/rounds_officials.html", context, status=400 if form is not None and form.errors else 200)


# -- The result ------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def result(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    context = _context(request, election)
    views = context["rounds"]
    context["elected"] = [(name, view.round.number) for view in views for name in view.elected]
    context["published"] = election.phase == Phase.PUBLISHED
    context["publish_form"] = PublishForm(initial={"minutes": election.minutes}) if context["may_run"] and not context["published"] else None
    context["unsigned"] = actions.unsigned_rounds(election) if not context["published"] else []
    context["scrutineers"] = list(election.officials.filter(duty=Duty.SCRUTINEER).select_related("person"))
    return render(request, "elections/rounds_result.html", context)


@require_http_methods(["POST"])
def result_publish(request: HttpRequest, pk: int) -> HttpResponse:
    if (response := _signed_out(request)) is not None:
        return response
    election = visible_election(request.user, pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            actions.publish_result(actor=request.user, election=election, minutes=form.cleaned_data["minutes"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, _("The result is published."), "elections:result", pk)
    context = _context(request, election)
    views = context["rounds"]
    context.update({
        "elected": [(name, view.round.number) for view in views for name in view.elected],
        "published": False, "publish_form": form, "unsigned": actions.unsigned_rounds(election),
        "scrutineers": list(election.officials.filter(duty=Duty.SCRUTINEER).select_related("person")),
    })
    return render(request, "elections/rounds_result.html", context, status=400)


urlpatterns: list[URLPattern] = [
    path("elections/<int:pk>/rounds/", round_list, name="rounds"),
    path("elections/<int:pk>/rounds/open/", round_open, name="round_open"),
    path("elections/<int:pk>/rounds/next/", round_next, name="round_next"),
    path("elections/<int:pk>/rounds/<int:number>/", round_detail, name="round"),
    path("elections/<int:pk>/rounds/<int:number>/paper/<int:teller>/", paper_entry, name="paper_entry"),
    path("elections/<int:pk>/rounds/<int:number>/reconcile/", reconcile, name="reconcile"),
    # Only the steps this module knows: /rounds/<number>/ballots/ is the casting part's page.
    re_path(
        r"^elections/(?P<pk>[0-9]+)/rounds/(?P<number>[0-9]+)/(?P<step>" + "|".join(STEPS) + r")/$",
        round_step, name="round_step",
    ),
    path("elections/<int:pk>/officials/", officials, name="officials"),
    path("elections/<int:pk>/result/", result, name="result"),
    path("elections/<int:pk>/result/publish/", result_publish, name="result_publish"),
]
