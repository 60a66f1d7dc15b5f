"""Nominations and candidates: who nominated whom by which route, seconding, the nominee's answer,
the committee's vetting with its reasons; the candidate list, every candidate in the same space
and in an order rotated for each visitor; questions that every candidate may answer."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongxin.community.models import Person
from tongxin.core.errors import ActionError

from ..actions.nominations import (
    HIDDEN_REASON_LENGTH,
    accept_nomination,
    answer_question,
    ask_question,
    decline_nomination,
    edit_candidate_profile,
    fix_candidate_list,
    hide_question,
    nominate,
    second_nomination,
    vet_nomination,
    withdraw_nomination,
)
from ..actions.roll import eligible_roll
from ..models import (
    ANSWER_LENGTH,
    PROFILE_LENGTH,
    STATEMENT_LENGTH,
    Answer,
    Candidate,
    Election,
    Motion,
    MotionStatus,
    Nomination,
    NominationStatus,
    Phase,
    Question,
    Route,
    Seconder,
)
from ..permissions import (
    can_ask_candidates,
    can_nominate,
    can_run_election,
    is_nominee,
    person_of,
    visible_election,
)
from ..strokes import name_key

T = TypeVar("T")
ROTATION_SESSION_KEY = "elections_rotation_seed"


# ---- forms ----------------------------------------------------------------------------------------


class NominateForm(forms.Form):
    route = forms.ChoiceField(label=gettext_lazy("Route"), choices=Route.choices)
    nominee = forms.ModelChoiceField(
        label=gettext_lazy("Nominee"), queryset=Person.objects.none(), required=False,
        help_text=gettext_lazy("Anyone eligible on the roll. For a self-nomination, leave it: you are the nominee."),
    )
    reasons = forms.CharField(label=gettext_lazy("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, election: Election, routes: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [(value, label) for value, label in Route.choices if value in routes]
        field = self.fields["nominee"]
        field.queryset = Person.objects.filter(roll_entries__in=eligible_roll(election))
        # The choices in surname-stroke order, as every list of the election.
        people = sorted(field.queryset, key=lambda person: name_key(person.name, person.surname))
        field.choices = [("", "---------"), *((person.pk, person.display_name) for person in people)]


class VetForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=gettext_lazy("Decision"), widget=forms.RadioSelect, coerce=lambda value: value == "1",
        choices=[("1", gettext_lazy("Approve")), ("0", gettext_lazy("Do not approve"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown publicly)"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text=gettext_lazy("Required when the nomination is not approved."),
    )


class FixListForm(forms.Form):
    list_motion = forms.ModelChoiceField(
        label=gettext_lazy("The assembly's motion fixing the list"), queryset=Motion.objects.none(), required=False,
    )

    def __init__(self, *args: Any, election: Election, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["list_motion"]
        field.queryset = Motion.objects.filter(organisation=election.organisation, status=MotionStatus.PASSED)
        field.required = election.assembly_fixes_list


class ProfileForm(forms.Form):
    profile = forms.CharField(
        label=gettext_lazy("Profile"), max_length=PROFILE_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    statement = forms.CharField(
        label=gettext_lazy("Statement"), max_length=STATEMENT_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your question to every candidate"), max_length=ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Your answer"), max_length=ANSWER_LENGTH, widget=forms.Textarea(attrs={"rows": 5}))


class HideForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (shown publicly)"), max_length=HIDDEN_REASON_LENGTH)


# ---- looking up ------------------------------------------------------------------------------------



def _nomination(request: HttpRequest, pk: int, nomination_pk: int) -> Nomination:
    election = visible_election(request.user, pk)
    nomination = get_object_or_404(
        Nomination.objects.select_related("nominee", "proposer"), election=election, pk=nomination_pk
    )
    nomination.election = election
    return nomination


def _candidates(election: Election) -> list[Candidate]:
    return list(Candidate.objects.filter(election=election).select_related("person").order_by("position", "pk"))


def rotated(items: Sequence[T], seed: int) -> list[T]:
    """The items starting at `seed` modulo their number and wrapping round: each visitor sees the
    list begin with a different candidate, while the order itself stays the official one."""
    if not items:
        return []
    offset = seed % len(items)
    return [*items[offset:], *items[:offset]]


def _rotation_seed(request: HttpRequest) -> int:
    """A random number kept in the visitor's session, so the order stays put while they read."""
    seed = request.session.get(ROTATION_SESSION_KEY)
    if not isinstance(seed, int):
        seed = secrets.randbelow(1 << 30)
        request.session[ROTATION_SESSION_KEY] = seed
    return seed


def _own_candidate(request: HttpRequest, candidates: Sequence[Candidate]) -> Candidate | None:
    person = person_of(request.user)
    return next((candidate for candidate in candidates if person and candidate.person_id == person.pk), None)


def _post_step(request: HttpRequest, step: Callable[[], Any], done: str, back: str) -> HttpResponse:
    """Run a one-button step; its ActionError shows as a message on the page it came from."""
    try:
        step()
    except ActionError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect(back)


# ---- nominations ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def nominations(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    runs = can_run_election(request.user, election.organisation)
    votes = can_nominate(request.user, election)
    routes = ([Route.ORGANISATION] if runs and election.phase == Phase.NOMINATION else []) + (
        [Route.JOINT, Route.SELF] if votes else []
    )
    form = NominateForm(request.POST or None, election=election, routes=routes) if routes else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            route = form.cleaned_data["route"]
            nominee = person_of(request.user) if route == Route.SELF else form.cleaned_data["nominee"]
            if nominee is None:
                form.add_error("nominee", _("Choose the person you nominate."))
            else:
                try:
                    nominate(
                        actor=request.user, election=election, nominee=nominee, route=route,
                        reasons=form.cleaned_data["reasons"],
                    )
                except ActionError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("The nomination is recorded."))
                    return redirect("elections:nominations", election.pk)
    listed = list(
        Nomination.objects.filter(election=election)
        .select_related("nominee", "proposer")
        .annotate(seconder_count=Count("seconders"))
        .order_by("created_at", "pk")
    )
    person = person_of(request.user)
    seconded: set[int] = set()
    if person is not None and votes:
        seconded = set(
            Seconder.objects.filter(nomination__election=election, person=person)
            .values_list("nomination_id", flat=True)
        )
    rows = [_nomination_row(request, election, nomination, person, votes, runs, seconded) for nomination in listed]
    return render(request, "elections/nominations_list.html", {
        "election": election, "rows": rows, "form": form, "can_run": runs,
        "can_fix": runs and election.phase == Phase.NOMINATION,
        "approved": sum(1 for nomination in listed if nomination.status == NominationStatus.APPROVED),
    })


def _nomination_row(
    request: HttpRequest, election: Election, nomination: Nomination, person: Person | None,
    votes: bool, runs: bool, seconded: set[int],
) -> dict[str, Any]:
    nomination.election = election
    open_phase = election.phase == Phase.NOMINATION
    needed = {Route.JOINT: election.seconders_required, Route.SELF: election.self_nomination_seconders}.get(
        nomination.route, 0
    )
    own = person is not None and person.pk in (nomination.nominee_id, nomination.proposer_id)
    return {
        "nomination": nomination,
        "needed": needed,
        "may_second": open_phase and votes and not own and nomination.pk not in seconded
        and nomination.status == NominationStatus.AWAITING_SECONDERS,
        "has_seconded": nomination.pk in seconded,
        "may_answer": open_phase and is_nominee(request.user, nomination)
        and nomination.status == NominationStatus.AWAITING_ACCEPTANCE,
        "may_decline": open_phase and is_nominee(request.user, nomination)
        and nomination.status in (NominationStatus.AWAITING_SECONDERS, NominationStatus.ACCEPTED, NominationStatus.APPROVED),
        "may_withdraw": open_phase and nomination.status in (
            NominationStatus.AWAITING_SECONDERS, NominationStatus.AWAITING_ACCEPTANCE,
            NominationStatus.ACCEPTED, NominationStatus.APPROVED,
        ) and (runs if nomination.route == Route.ORGANISATION else person is not None and person.pk == nomination.proposer_id),
        "may_vet": open_phase and runs and nomination.status in (
            NominationStatus.ACCEPTED, NominationStatus.APPROVED, NominationStatus.REJECTED
        ),
    }


def _one_button(step: Callable[..., Any], done: Any) -> Callable[[HttpRequest, int, int], HttpResponse]:
    @require_http_methods(["POST"])
    def view(request: HttpRequest, pk: int, nomination_pk: int) -> HttpResponse:
        nomination = _nomination(request, pk, nomination_pk)
        return _post_step(
            request, lambda: step(actor=request.user, nomination=nomination), str(done),
            reverse("elections:nominations", args=[pk]),
        )

    view.__name__ = step.__name__
    return view


nomination_second = _one_button(second_nomination, gettext_lazy("You have seconded the nomination."))
nomination_accept = _one_button(accept_nomination, gettext_lazy("You have accepted the nomination."))
nomination_decline = _one_button(decline_nomination, gettext_lazy("You have declined the nomination."))
nomination_withdraw = _one_button(withdraw_nomination, gettext_lazy("The nomination is withdrawn."))


@require_http_methods(["GET", "POST"])
def nomination_vet(request: HttpRequest, pk: int, nomination_pk: int) -> HttpResponse:
    nomination = _nomination(request, pk, nomination_pk)
    if not can_run_election(request.user, nomination.election.organisation):
        raise PermissionDenied
    form = VetForm(request.POST or None)
    if form.is_valid():
        try:
            vet_nomination(
                actor=request.user, nomination=nomination, approved=form.cleaned_data["approved"],
                reason=form.cleaned_data["reason"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded and shown on the nominations page."))
            return redirect("elections:nominations", pk)
    return render(request, "elections/nominations_vet.html", {
        "election": nomination.election, "nomination": nomination, "form": form,
    })


@require_http_methods(["GET", "POST"])
def candidate_list_fix(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    form = FixListForm(request.POST or None, election=election)
    if form.is_valid():
        try:
            fix_candidate_list(actor=request.user, election=election, list_motion=form.cleaned_data["list_motion"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The candidate list is fixed."))
            return redirect("elections:candidates", pk)
    approved = sorted(
        Nomination.objects.filter(election=election, status=NominationStatus.APPROVED).select_related("nominee"),
        key=lambda nomination: name_key(nomination.nominee.name, nomination.nominee.surname),
    )
    return render(request, "elections/nominations_fix.html", {
        "election": election, "form": form, "approved": approved,
        "required": election.required_candidates,
    })


# ---- candidates -----------------------------------------------------------------------------------


@require_http_methods(["GET"])
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    official = _candidates(election)
    return render(request, "elections/nominations_candidates.html", {
        "election": election,
        "official": official,
        "cards": rotated(official, _rotation_seed(request)),
        "own": _own_candidate(request, official),
        "profile_length": PROFILE_LENGTH,
        "statement_length": STATEMENT_LENGTH,
    })


@require_http_methods(["GET"])
def candidate(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    shown = get_object_or_404(Candidate.objects.select_related("person"), election=election, pk=candidate_pk)
    answers = (
        Answer.objects.filter(candidate=shown, question__hidden_reason="")
        .select_related("question")
        .order_by("question__asked_at", "question__pk")
    )
    person = person_of(request.user)
    return render(request, "elections/nominations_candidate.html", {
        "election": election, "candidate": shown, "answers": answers,
        "is_self": person is not None and person.pk == shown.person_id,
    })


@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    shown = get_object_or_404(Candidate.objects.select_related("person"), election=election, pk=candidate_pk)
    person = person_of(request.user)
    if person is None or person.pk != shown.person_id:
        raise PermissionDenied
    form = ProfileForm(request.POST or None, initial={"profile": shown.profile, "statement": shown.statement})
    if form.is_valid():
        shown.election = election
        try:
            edit_candidate_profile(
                actor=request.user, candidate=shown, profile=form.cleaned_data["profile"],
                statement=form.cleaned_data["statement"],
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your profile and statement are saved."))
            return redirect("elections:candidate", pk, candidate_pk)
    return render(request, "elections/nominations_candidate_edit.html", {
        "election": election, "candidate": shown, "form": form,
    })


# ---- questions ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    may_ask = can_ask_candidates(request.user, election)
    form = QuestionForm(request.POST or None) if may_ask else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                ask_question(actor=request.user, election=election, text=form.cleaned_data["text"])
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your question is published; every candidate may answer it."))
                return redirect("elections:questions", pk)
    order = rotated(_candidates(election), _rotation_seed(request))
    listed = list(
        Question.objects.filter(election=election)
        .select_related("asked_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.all()))
        .order_by("asked_at", "pk")
    )
    rows = []
    for question in listed:
        by_candidate = {answer.candidate_id: answer for answer in question.answers.all()}
        rows.append({
            "question": question,
            "answers": [(candidate, by_candidate.get(candidate.pk)) for candidate in order],
        })
    own = _own_candidate(request, order)
    return render(request, "elections/nominations_questions.html", {
        "election": election, "rows": rows, "form": form, "own": own,
        "can_run": can_run_election(request.user, election.organisation),
        "open": election.phase in (Phase.CANDIDATES, Phase.VOTING),
    })


@require_http_methods(["GET", "POST"])
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    question = get_object_or_404(Question, election=election, pk=question_pk)
    question.election = election
    person = person_of(request.user)
    own = Candidate.objects.filter(election=election, person=person).first() if person else None
    if own is None:
        raise PermissionDenied
    existing = Answer.objects.filter(question=question, candidate=own).first()
    form = AnswerForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if form.is_valid():
        try:
            answer_question(actor=request.user, question=question, text=form.cleaned_data["text"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your answer is published."))
            return redirect("elections:questions", pk)
    return render(request, "elections/nominations_answer.html", {
        "election": election, "question": question, "form": form, "existing": existing,
    })


@require_http_methods(["GET", "POST"])
def question_hide(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    election = visible_election(request.user, pk)
    if not can_run_election(request.user, election.organisation):
        raise PermissionDenied
    question = get_object_or_404(Question, election=election, pk=question_pk)
    question.election = election
    form = HideForm(request.POST or None)
    if form.is_valid():
        try:
            hide_question(actor=request.user, question=question, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The question is hidden; the reason is shown in its place."))
            return redirect("elections:questions", pk)
    return render(request, "elections/nominations_hide.html", {"election": election, "question": question, "form": form})


urlpatterns: list[URLPattern] = [
    path("elections/<int:pk>/nominations/", nominations, name="nominations"),
    path("elections/<int:pk>/nominations/<int:nomination_pk>/second/", nomination_second, name="nomination_second"),
    path("elections/<int:pk>/nominations/<int:nomination_pk>/accept/", nomination_accept, name="nomination_accept"),
    path("elections/<int:pk>/nominations/<int:nomination_pk>/decline/", nomination_decline, name="nomination_decline"),
    path("elections/<int:pk>/nominations/<int:nomination_pk>/withdraw/", nomination_withdraw, name="nomination_withdraw"),
    path("elections/<int:pk>/nominations/<int:nomination_pk>/vet/", nomination_vet, name="nomination_vet"),
    path("elections/<int:pk>/candidates/", candidates, name="candidates"),
    path("elections/<int:pk>/candidates/fix/", candidate_list_fix, name="candidate_list_fix"),
    path("elections/<int:pk>/candidates/<int:candidate_pk>/", candidate, name="candidate"),
    path("elections/<int:pk>/candidates/<int:candidate_pk>/edit/", candidate_edit, name="candidate_edit"),
    path("elections/<int:pk>/questions/", questions, name="questions"),
    path("elections/<int:pk>/questions/<int:question_pk>/answer/", question_answer, name="question_answer"),
    path("elections/<int:pk>/questions/<int:question_pk>/hide/", question_hide, name="question_hide"),
]
