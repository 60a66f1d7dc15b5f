"""Casting online: the voter's ballot (marks, write-ins, a review step, the receipt), finding a
ballot by its receipt, and a counted round's anonymous ballot list with its download.

The ballot form sends every field whatever the voter chose: one mark per candidate as one
letter ("a", "d", "n"), every write-in field (empty or not), so the request's fields say nothing
about the ballot. The receipt is shown once, in the answer to the cast itself, and kept nowhere
else: not in the session, not in a redirect's address.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.permissions import is_signed_in
from tongxin.core.errors import ActionError

from .. import counting
from ..actions.casting import (
    ballot_content,
    candidate_names,
    cast_ballot,
    count_input,
    decoded_ballot,
    find_receipt,
    open_round,
    round_entries,
    voter_choices,
    write_in_slots,
)
from ..models import Ballot, RollEntry, RoundCandidate, VotingRound
from ..permissions import (
    can_see_ballots,
    can_vote_in,
    visible_election,
    voter_entry_of,
)

BALLOTS_PER_PAGE = 100
# One letter per mark: the form's fields are the same size whatever the voter chose.
LETTERS = {"a": counting.Mark.APPROVE, "d": counting.Mark.DISAPPROVE, "n": counting.Mark.ABSTAIN}
CHOICES = [
    ("a", gettext_lazy("Approve")),
    ("d", gettext_lazy("Disapprove")),
    ("n", gettext_lazy("Abstain")),
]


# ---- the ballot form -------------------------------------------------------------------------


class BallotForm(forms.Form):
    """The voter (themselves or a principal), one mark per candidate, and the write-in fields."""

    def __init__(
        self,
        *args: Any,
        entries: list[RoundCandidate],
        slots: int,
        voters: list[RollEntry],
        own: RollEntry | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.slots = slots
        self.own = own
        self.voters = {str(entry.pk): entry for entry in voters}
        self.fields["voter"] = forms.ChoiceField(
            label=_("Whose ballot are you casting?"),
            choices=[(str(entry.pk), _voter_label(entry, own)) for entry in voters],
            widget=forms.RadioSelect if len(voters) > 1 else forms.HiddenInput,
            initial=str(voters[0].pk) if len(voters) == 1 else None,
            required=len(voters) > 1,  # one voter: theirs, whatever was sent
            error_messages={"required": _("Choose whose ballot you are casting.")},
        )
        for entry in entries:
            name = entry.candidate.person.display_name
            self.fields[_mark_field(entry)] = forms.ChoiceField(
                label=name,
                choices=CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose approve, disapprove or abstain for %(name)s.")
                    % {"name": name},
                    "invalid_choice": _("Choose approve, disapprove or abstain for %(name)s.")
                    % {"name": name},
                },
            )
        for slot in range(1, slots + 1):
            self.fields[f"w{slot}"] = forms.CharField(
                label=_("Write-in %(number)d") % {"number": slot},
                required=False,
                max_length=60,
                strip=True,
            )

    def only_principal(self) -> RollEntry | None:
        """The principal, when the one ballot left to cast here is theirs (the field is hidden)."""
        if len(self.voters) != 1:
            return None
        voter = next(iter(self.voters.values()))
        return None if self.own is not None and voter.pk == self.own.pk else voter

    def mark_fields(self) -> list[tuple[RoundCandidate, forms.BoundField]]:
        return [(entry, self[_mark_field(entry)]) for entry in self.entries]

    def write_in_fields(self) -> list[forms.BoundField]:
        return [self[f"w{slot}"] for slot in range(1, self.slots + 1)]

    def marks(self) -> dict[int, str]:
        return {
            entry.candidate_id: LETTERS[self.cleaned_data[_mark_field(entry)]].value
            for entry in self.entries
        }

    def write_ins(self) -> list[str]:
        return [self.cleaned_data[f"w{slot}"] for slot in range(1, self.slots + 1)]

    def voter(self) -> RollEntry:
        if len(self.voters) == 1:
            return next(iter(self.voters.values()))
        return self.voters[self.cleaned_data["voter"]]

    def for_voter(self) -> RollEntry | None:
        """The principal when casting by proxy; None for the voter's own ballot."""
        voter = self.voter()
        return None if self.own is not None and voter.pk == self.own.pk else voter


def _mark_field(entry: RoundCandidate) -> str:
    return f"c{entry.candidate_id}"


def _voter_label(entry: RollEntry, own: RollEntry | None) -> str:
    if own is not None and entry.pk == own.pk:
        return _("My own ballot")
    return _("%(name)s's ballot (I hold their proxy)") % {"name": entry.person.display_name}


# ---- the voter's ballot ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_signed_in(request.user):
        return redirect_to_login(request.get_full_path())
    election = visible_election(request.user, pk)
    if not can_vote_in(request.user, election):
        raise PermissionDenied
    voting_round = open_round(election)
    context: dict[str, Any] = {"election": election, "voting_round": voting_round}
    if voting_round is None:
        return render(request, "elections/casting_ballot.html", {**context, "state": "no_round"})
    voters = voter_choices(request.user, voting_round)
    if not voters:
        return render(request, "elections/casting_ballot.html", {**context, "state": "voted"})
    entries = round_entries(voting_round)
    form = BallotForm(
        request.POST or None,
        entries=entries,
        slots=write_in_slots(voting_round),
        voters=voters,
        own=voter_entry_of(request.user, election),
    )
    context.update(form=form, state="form")
    step = request.POST.get("step", "")
    if request.method == "POST" and step != "edit" and form.is_valid():
        if step == "cast":
            return _cast(request, context, form, voting_round)
        try:
            ballot_content(voting_round, form.marks(), form.write_ins())
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "elections/casting_review.html",
                {**context, **_summary(form, voting_round)},
            )
    return render(request, "elections/casting_ballot.html", context)


def _cast(
    request: HttpRequest, context: dict[str, Any], form: BallotForm, voting_round: VotingRound
) -> HttpResponse:
    try:
        receipt = cast_ballot(
            actor=request.user,
            voting_round=voting_round,
            marks=form.marks(),
            write_ins=form.write_ins(),
            for_voter=form.for_voter(),
        )
    except ActionError as error:
        form.add_error(None, error.message)
        return render(request, "elections/casting_ballot.html", context)
    # Shown in this answer only: never stored with the voter, never cached by the browser.
    response = render(
        request,
        "elections/casting_receipt.html",
        {
            **context,
            "receipt": receipt,
            "voter": form.voter(),
            "by_proxy": form.for_voter() is not None,
        },
    )
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


def _summary(form: BallotForm, voting_round: VotingRound) -> dict[str, Any]:
    """What the review step says: whom the ballot approves, disapproves, abstains on, writes in."""
    marks = form.marks()
    by_mark: dict[str, list[str]] = {mark.value: [] for mark in counting.Mark}
    for entry in form.entries:
        by_mark[marks[entry.candidate_id]].append(entry.candidate.person.display_name)
    write_ins = [name for name in form.write_ins() if name]
    names = candidate_names(form.entries)
    decoded = counting.Ballot(
        marks={
            name: marks[entry.candidate_id] for name, entry in zip(names, form.entries, strict=True)
        },
        write_ins=tuple(write_ins),
    )
    election = voting_round.election
    valid = counting.ballot_is_valid(
        election.rules,
        decoded,
        seats=voting_round.seats,
        candidates=names,
        round=counting.Round(voting_round.kind),
    )
    return {
        "approved": by_mark[counting.Mark.APPROVE],
        "disapproved": by_mark[counting.Mark.DISAPPROVE],
        "abstained": by_mark[counting.Mark.ABSTAIN],
        "written_in": write_ins,
        "invalid": not valid,
        "voter": form.voter(),
        "by_proxy": form.for_voter() is not None,
    }


# ---- finding a ballot by its receipt ----------------------------------------------------------


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=20,
        help_text=gettext_lazy("The ten letters and digits shown when you voted."),
    )


@require_http_methods(["GET"])
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    form = ReceiptForm(request.GET or None)
    found = None
    if form.is_valid():
        found = find_receipt(election, form.cleaned_data["code"])
    context = {"election": election, "form": form, "searched": form.is_valid(), "found": found}
    if found is not None:
        voting_round, published = found
        context.update(
            voting_round=voting_round, ballot=_readable(published.marks, published.write_ins)
        )
    return render(request, "elections/casting_lookup.html", context)


# ---- the published ballot list ---------------------------------------------------------------


@require_http_methods(["GET"])
def ballots(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    voting_round = get_object_or_404(VotingRound, election=election, number=number)
    voting_round.election = election
    if not can_see_ballots(request.user, voting_round):
        raise Http404
    if request.GET.get("format") == "json":
        return _download(voting_round)
    entries = round_entries(voting_round)
    names = candidate_names(entries)
    stored = (
        Ballot.objects.filter(round=voting_round)
        .order_by("receipt")
        .values_list("receipt", "content")
    )
    page = Paginator(stored, BALLOTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for code, content in page:
        published = decoded_ballot(code, content, names)
        rows.append({"receipt": code, **_readable(published.marks, published.write_ins)})
    return render(
        request,
        "elections/casting_ballots.html",
        {"election": election, "voting_round": voting_round, "page": page, "rows": rows},
    )


def _download(voting_round: VotingRound) -> HttpResponse:
    document = count_input(voting_round)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"election-{voting_round.election_id}-round-{voting_round.number}-ballots.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _readable(marks: dict[str, str], write_ins: tuple[str, ...]) -> dict[str, list[str]]:
    """A ballot's names grouped by mark, for people to read."""
    return {
        "approved": [name for name, mark in marks.items() if mark == counting.Mark.APPROVE],
        "disapproved": [name for name, mark in marks.items() if mark == counting.Mark.DISAPPROVE],
        "abstained": [name for name, mark in marks.items() if mark == counting.Mark.ABSTAIN],
        "written_in": list(write_ins),
    }



urlpatterns: list[URLPattern] = [
    path("elections/<int:pk>/vote/", ballot, name="ballot"),
    path("elections/<int:pk>/receipt/", receipt, name="receipt"),
    path("elections/<int:pk>/rounds/<int:number>/ballots/", ballots, name="ballots"),
]
