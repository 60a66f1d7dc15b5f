"""Motions and documents pages: an organisation's decisions with their votes, one motion with the
vote of every member by name and the dissent minuted, the recorder's forms (table, record the
votes, decide), and the documents issued in the organisation's name with the motion that
approved each.

Decisions and published documents are public; a motion still being voted on and a draft are
shown only to those who record the organisation's motions (a 404 to anyone else). Every change
goes through `actions.motions`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..actions import motions as actions
from ..models import (
    COUNTED_BODIES,
    Attendance,
    Body,
    Document,
    DocumentKind,
    DocumentStatus,
    Motion,
    MotionQuerySet,
    VoteChoice,
)
from ..permissions import can_record_motion, can_view_document, can_view_motion

MOTIONS_PER_PAGE = 30
DOCUMENTS_PER_PAGE = 30
SECTION_MOTIONS = 5  # on the organisation's page: the latest decisions


# ---- forms ------------------------------------------------------------------------------------


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text of the motion"), widget=forms.Textarea(attrs={"rows": 6}))
    meeting_on = forms.DateField(label=_("Meeting"), widget=forms.DateInput(attrs={"type": "date"}))
    body = forms.ChoiceField(label=_("Decided by"), choices=Body.choices)
    members_due = forms.IntegerField(
        label=_("Due to attend"), min_value=1, required=False,
        help_text=_("Only for an assembly of villagers or representatives; a committee or member "
                    "assembly counts its members itself."),
    )
    counts_households = forms.BooleanField(
        label=_("Attendance counted by households"), required=False,
        help_text=_("A villagers' assembly only: “due to attend” is then the households."),
    )


ATTENDANCE_CHOICES = Attendance.choices
VOTE_CHOICES = [("", _("— choose —")), *VoteChoice.choices]  # left empty for a member absent


class VotesForm(forms.Form):
    """One row per member: attendance, vote, dissent. Field names carry the person's id."""

    minutes = forms.CharField(label=_("Minutes of the discussion"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, members: list[Any], motion: Motion, **kwargs: Any) -> None:
        recorded = {vote.person_id: vote for vote in motion.votes.all()} if motion.recorded_at else {}
        kwargs.setdefault("initial", {"minutes": motion.minutes})
        super().__init__(*args, **kwargs)
        self.members = members
        for person in members:
            vote = recorded.get(person.pk)
            self.fields[f"attendance_{person.pk}"] = forms.ChoiceField(
                label=_("Attendance"), choices=ATTENDANCE_CHOICES,
                initial=vote.attendance if vote else Attendance.PRESENT,
            )
            self.fields[f"choice_{person.pk}"] = forms.ChoiceField(
                label=_("Vote"), choices=VOTE_CHOICES, required=False, initial=vote.choice if vote else "",
            )
            self.fields[f"dissent_{person.pk}"] = forms.CharField(
                label=_("Dissent, as minuted"), required=False, initial=vote.dissent if vote else "",
            )

    def rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (person, self[f"attendance_{person.pk}"], self[f"choice_{person.pk}"], self[f"dissent_{person.pk}"])
            for person in self.members
        ]

    def votes(self) -> dict[int, dict[str, str]]:
        data = self.cleaned_data
        return {
            person.pk: {
                "attendance": data[f"attendance_{person.pk}"],
                "choice": data[f"choice_{person.pk}"] if data[f"attendance_{person.pk}"] == Attendance.PRESENT else "",
                "dissent": data[f"dissent_{person.pk}"],
            }
            for person in self.members
        }


class TallyForm(forms.Form):
    present = forms.IntegerField(label=_("Present"), min_value=0)
    yes = forms.IntegerField(label=pgettext_lazy("vote on a motion", "Yes"), min_value=0)
    no = forms.IntegerField(label=pgettext_lazy("vote on a motion", "No"), min_value=0)
    abstain = forms.IntegerField(label=_("Abstain"), min_value=0)
    minutes = forms.CharField(label=_("Minutes of the discussion"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class PublishForm(forms.Form):
    motion = forms.ModelChoiceField(
        label=_("Approved by the motion"), queryset=Motion.objects.none(), empty_label=None,
        help_text=_("Only motions of this organisation that passed."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["motion"]
        # Any motion of the organisation is accepted here, so that the action words the refusal
        # of one that did not pass; the list offers only those that did.
        field.queryset = Motion.objects.filter(organisation=organisation)
        self.passed = list(field.queryset.passed())
        field.choices = [(motion.pk, f"{motion.meeting_on:%Y-%m-%d} · {motion.title}") for motion in self.passed]


# ---- looking things up ------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _motions_seen_by(user: Any, organisation: Organisation) -> MotionQuerySet:
    motions = Motion.objects.filter(organisation=organisation)
    return motions if can_record_motion(user, organisation) else motions.decided()


def _motion_for(user: Any, pk: int) -> Motion:
    motion = get_object_or_404(Motion.objects.select_related("organisation"), pk=pk)
    if not can_view_motion(user, motion):
        raise Http404
    return motion


def _document_for(user: Any, pk: int) -> Document:
    document = get_object_or_404(Document.objects.select_related("organisation", "motion"), pk=pk)
    if not can_view_document(user, document):
        raise Http404
    return document


# ---- an organisation's decisions ----------------------------------------------------------------


@require_http_methods(["GET"])
def motion_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=org_id)
    page = Paginator(_motions_seen_by(request.user, organisation), MOTIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "organisation": organisation,
        "page": page,
        "can_record": can_record_motion(request.user, organisation),
    }
    return render(request, "elections/motions_list.html", context)


def organisation_section(organisation: Organisation, user: Any) -> dict[str, Any] | None:
    """The context of `elections/motions_organisation_section.html`: the organisation's latest
    decisions with their votes, for its page; None when it has decided nothing yet.

    Decisions are public, so every `user` sees the same section (the argument keeps the hook's
    shape if that ever changes). One query."""
    motions = list(Motion.objects.filter(organisation=organisation).decided()[: SECTION_MOTIONS + 1])
    if not motions:
        return None
    return {
        "organisation": organisation,
        "motions": motions[:SECTION_MOTIONS],
        "more": len(motions) > SECTION_MOTIONS,
        "motions_url": reverse("elections:motions", args=[organisation.pk]),
        "documents_url": reverse("elections:documents", args=[organisation.pk]),
    }


@require_http_methods(["GET", "POST"])
def motion_new(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=org_id)
    _require(can_record_motion(request.user, organisation))
    initial = {"meeting_on": timezone.localdate(), "body": actions.default_body(organisation)}
    form = MotionForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        by_count = data["body"] in COUNTED_BODIES
        try:
            motion = actions.table_motion(
                actor=request.user, organisation=organisation, body=data["body"], title=data["title"],
                text=data["text"], meeting_on=data["meeting_on"],
                members_due=data["members_due"] if by_count else None,
                counts_households=data["counts_households"] if by_count else False,
            )
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            return redirect(motion)
    status = 400 if form.errors else 200
    return render(request, "elections/motions_new.html", {"organisation": organisation, "form": form}, status=status)


# ---- one motion ---------------------------------------------------------------------------------


@require_http_methods(["GET"])
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request.user, pk)
    return _render_motion(request, motion)


def _render_motion(
    request: HttpRequest, motion: Motion, *, form: Any = None, problem: str = "", status: int = 200
) -> HttpResponse:
    """The motion page; `form` is the recorder's form as posted, `problem` what an action refused."""
    can_record = can_record_motion(request.user, motion.organisation) and not motion.is_decided
    votes = list(motion.votes.select_related("person"))
    if can_record and form is None:
        form = _record_form(motion)
    context = {
        "motion": motion,
        "organisation": motion.organisation,
        "votes": votes,
        "present_votes": [vote for vote in votes if vote.attendance == Attendance.PRESENT],
        "absent_votes": [vote for vote in votes if vote.attendance == Attendance.ABSENT],
        "dissenters": [vote for vote in votes if vote.choice == VoteChoice.NO],
        "other_opinions": [vote for vote in votes if vote.dissent and vote.choice != VoteChoice.NO],
        "not_voting": sum(1 for vote in votes if vote.choice == VoteChoice.NOT_VOTING),
        "documents": list(motion.documents.filter(status=DocumentStatus.PUBLISHED)),
        "can_record": can_record,
        "form": form,
        "problem": problem,
    }
    return render(request, "elections/motions_detail.html", context, status=status)


def _record_form(motion: Motion, data: Any = None) -> forms.Form:
    if motion.by_count:
        initial = (
            {"present": motion.present, "yes": motion.yes, "no": motion.no, "abstain": motion.abstain, "minutes": motion.minutes}
            if motion.recorded_at else {"minutes": motion.minutes}
        )
        return TallyForm(data, initial=initial)
    members = list(actions.body_members(motion.organisation, motion.body, motion.meeting_on))
    return VotesForm(data, members=members, motion=motion)


@require_POST
def motion_record(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request.user, pk)
    _require(can_record_motion(request.user, motion.organisation))
    form = _record_form(motion, request.POST)
    if not form.is_valid():
        return _render_motion(request, motion, form=form, status=400)
    try:
        if motion.by_count:
            actions.record_tally(actor=request.user, motion=motion, **form.cleaned_data)
        else:
            actions.record_votes(
                actor=request.user, motion=motion, votes=form.votes(), minutes=form.cleaned_data["minutes"]
            )
    except ActionError as error:
        return _render_motion(request, motion, form=form, problem=error.message, status=error.status)
    return redirect(reverse("elections:motion", args=[motion.pk]) + "#result")


@require_POST
def motion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    motion = _motion_for(request.user, pk)
    _require(can_record_motion(request.user, motion.organisation))
    try:
        actions.decide_motion(actor=request.user, motion=motion)
    except ActionError as error:
        return _render_motion(request, motion, problem=error.message, status=error.status)
    return redirect(reverse("elections:motion", args=[motion.pk]) + "#result")


# ---- documents ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def document_list(request: HttpRequest, org_id: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=org_id)
    can_record = can_record_motion(request.user, organisation)
    form = None
    if request.method == "POST":
        _require(can_record)
        form = DocumentForm(request.POST)
        if form.is_valid():
            try:
                document = actions.draft_document(actor=request.user, organisation=organisation, **form.cleaned_data)
            except ActionError as error:
                form.add_error(None, error.message)
            else:
                return redirect("elections:document", document.pk)
    elif can_record:
        form = DocumentForm()
    documents = Document.objects.filter(organisation=organisation).select_related("motion")
    if not can_record:
        documents = documents.filter(status=DocumentStatus.PUBLISHED)
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "page": page, "form": form, "can_record": can_record}
    return render(request, "elections/motions_documents.html", context, status=400 if form and form.errors else 200)


@require_http_methods(["GET", "POST"])
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document; for a draft, its recorders edit it or publish it with a passed motion."""
    document = _document_for(request.user, pk)
    organisation = document.organisation
    edit_form: DocumentForm | None = None
    publish_form: PublishForm | None = None
    problem = ""
    if request.method == "POST":
        _require(can_record_motion(request.user, organisation))
        if request.POST.get("step") == "publish":
            publish_form = PublishForm(request.POST, organisation=organisation)
            if publish_form.is_valid():
                try:
                    actions.publish_document(
                        actor=request.user, document=document, motion=publish_form.cleaned_data["motion"]
                    )
                except ActionError as error:
                    problem = str(error.message)
                else:
                    return redirect("elections:document", document.pk)
        else:
            edit_form = DocumentForm(request.POST)
            if edit_form.is_valid():
                try:
                    actions.edit_document(actor=request.user, document=document, **edit_form.cleaned_data)
                except ActionError as error:
                    problem = str(error.message)
                else:
                    return redirect("elections:document", document.pk)
    if can_record_motion(request.user, organisation) and document.status == DocumentStatus.DRAFT:
        initial = {"kind": document.kind, "title": document.title, "body": document.body}
        edit_form = edit_form or DocumentForm(initial=initial)
        publish_form = publish_form or PublishForm(organisation=organisation)
    else:
        edit_form = publish_form = None
    refused = request.method == "POST"  # a post that succeeded has redirected
    context = {
        "document": document,
        "organisation": organisation,
        "edit_form": edit_form,
        "publish_form": publish_form,
        "problem": problem,
    }
    return render(request, "elections/motions_document.html", context, status=400 if refused else 200)


urlpatterns: list[URLPattern] = [
    path("organisations/<int:org_id>/motions/", motion_list, name="motions"),
    path("organisations/<int:org_id>/motions/new/", motion_new, name="motion_new"),
    path("motions/<int:pk>/", motion_detail, name="motion"),
    path("motions/<int:pk>/votes/", motion_record, name="motion_record"),
    path("motions/<int:pk>/decide/", motion_decide, name="motion_decide"),
    path("organisations/<int:org_id>/documents/", document_list, name="documents"),
    path("documents/<int:pk>/", document_detail, name="document"),
]
