"""Motions: a committee's or assembly's decisions, one member one vote; and the documents issued
in its name, each published only with the passed motion that approved it.

A committee or member assembly votes by name: the members of the body are the organisation's
memberships on the day of the meeting (for a branch committee, those who sit on the committee),
every one of them is listed with their attendance and vote, and every "no" is minuted by name
with the member's dissent. Nothing gives any vote more weight than another: the secretary is a
member like the others, there is no casting vote, and a tie fails (`decisions.decide_motion`).
A villagers' assembly or representatives' assembly records its numbers instead.
A decided motion never changes again.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.community.models import (
    COMMITTEE_ROLES,
    Membership,
    Organisation,
    OrganisationKind,
    PartyStatus,
    Person,
)
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import decisions
from ..models import (
    Attendance,
    Body,
    Document,
    DocumentKind,
    DocumentStatus,
    Motion,
    MotionStatus,
    MotionVote,
    VoteChoice,
)
from ..permissions import can_record_motion
from .common import require

PARTY_KINDS = (OrganisationKind.PARTY_BRANCH, OrganisationKind.PARTY_COMMITTEE, OrganisationKind.LEADING_PARTY_GROUP)
# Who decides, unless the recorder says otherwise: a party organisation's committee, a place's
# assembly of villagers (or residents), any other body's members by simple majority.
DEFAULT_BODY = {
    **dict.fromkeys(PARTY_KINDS, Body.BRANCH_COMMITTEE),
    OrganisationKind.VILLAGE: Body.VILLAGERS_ASSEMBLY,
    OrganisationKind.COMMUNITY: Body.VILLAGERS_ASSEMBLY,
}
# A member may have their dissent minuted when they did not vote yes.
DISSENT_CHOICES = {VoteChoice.NO, VoteChoice.ABSTAIN, VoteChoice.NOT_VOTING}


def default_body(organisation: Organisation) -> str:
    return DEFAULT_BODY.get(organisation.kind, Body.SIMPLE_MAJORITY)


def body_members(organisation: Organisation, body: str, on: datetime.date) -> QuerySet[Person]:
    """The members who sit in the body on the day, by name: those due to attend and vote.

    A branch committee is the members holding a committee seat (secretary, deputy secretary,
    committee member); a party member assembly leaves out probationary members, who have no vote.
    """
    seats = Membership.objects.current(on).filter(organisation=organisation)
    if body == Body.BRANCH_COMMITTEE:
        seats = seats.filter(role__in=COMMITTEE_ROLES)
    people = Person.objects.filter(pk__in=seats.values("person"))
    if body == Body.MEMBER_ASSEMBLY and organisation.kind in PARTY_KINDS:
        people = people.exclude(party_status=PartyStatus.PROBATIONARY)
    return people.order_by("name", "pk")


def _lock_motion(motion: Motion) -> Motion:
    """The motion's row, locked until the transaction ends; refused once it is decided."""
    motion = Motion.objects.select_for_update().select_related("organisation").get(pk=motion.pk)
    if motion.is_decided:
        raise ActionError(
            _("This motion was decided on %(day)s and can no longer change.")
            % {"day": timezone.localtime(motion.decided_at).date().isoformat()},
            status=409,
            code="decided",
        )
    return motion


# ---- tabling, recording, deciding -------------------------------------------------------------


def table_motion(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    text: str,
    meeting_on: datetime.date,
    body: str = "",
    members_due: int | None = None,
    counts_households: bool = False,
) -> Motion:
    """A motion put to the body's meeting. The members due are the body's members on the day,
    or, for an assembly of villagers or their representatives, the number given."""
    require(can_record_motion(actor, organisation))
    body = body or default_body(organisation)
    if body not in Body.values:
        raise ActionError(_("Unknown deciding body: %(name)s.") % {"name": body})
    problems = []
    if not title.strip():
        problems.append(_("Give the motion a title."))
    if not text.strip():
        problems.append(_("Write the text of the motion."))
    motion = Motion(
        organisation=organisation, body=body, title=title.strip(), text=text.strip(), meeting_on=meeting_on
    )
    if motion.by_count:
        if members_due is None or members_due < 1:
            problems.append(_("Say how many are due to attend the assembly."))
        if counts_households and body != Body.VILLAGERS_ASSEMBLY:
            problems.append(_("Only a villagers' assembly may count its attendance by households."))
        motion.members_due = members_due or 0
        motion.counts_households = counts_households
    else:
        if members_due is not None or counts_households:
            raise ActionError(_("A meeting that votes by name counts its members itself."))
        motion.members_due = body_members(organisation, body, meeting_on).count()
        if motion.members_due == 0:
            problems.append(
                _("%(body)s of %(organisation)s has no members on %(day)s.")
                % {"body": Body(body).label, "organisation": organisation.display_name, "day": meeting_on.isoformat()}
            )
    if problems:
        raise ActionError(" ".join(problems))
    with transaction.atomic():
        motion.save()
        record_audit(
            actor=actor, verb="election.motion.table", target=motion,
            data={"body": body, "members_due": motion.members_due, "meeting_on": meeting_on.isoformat(),
                  "counts_households": motion.counts_households},
        )
    return motion


def record_votes(
    *, actor: Any, motion: Motion, votes: Mapping[int, Mapping[str, str]], minutes: str | None = None
) -> Motion:
    """Every member's attendance, vote and dissent, by name, replacing what was recorded before.

    `votes` maps each member's person id to {"attendance": "present"|"absent", "choice":
    "yes"|"no"|"abstain"|"not_voting"|"", "dissent": "..."}; every member of the body is listed
    once, and nobody else.
    """
    require(can_record_motion(actor, motion.organisation))
    with transaction.atomic():
        motion = _lock_motion(motion)
        if motion.by_count:
            raise ActionError(_("An assembly of villagers or representatives records its numbers, not names."))
        members = {person.pk: person for person in body_members(motion.organisation, motion.body, motion.meeting_on)}
        if len(members) != motion.members_due:
            raise ActionError(
                _("The body's members have changed since the motion was tabled (%(due)d then, %(now)d now): "
                  "table it again.") % {"due": motion.members_due, "now": len(members)},
                status=409,
            )
        rows = _vote_rows(motion, members, votes)
        motion.votes.all().delete()
        MotionVote.objects.bulk_create(rows)
        motion.present = sum(1 for row in rows if row.attendance == Attendance.PRESENT)
        motion.yes = sum(1 for row in rows if row.choice == VoteChoice.YES)
        motion.no = sum(1 for row in rows if row.choice == VoteChoice.NO)
        motion.abstain = sum(1 for row in rows if row.choice == VoteChoice.ABSTAIN)
        if minutes is not None:
            motion.minutes = minutes.strip()
        motion.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        motion.recorded_at = timezone.now()
        motion.save()
        record_audit(
            actor=actor, verb="election.motion.record_votes", target=motion,
            data={
                "votes": {
                    str(row.person_id): {"attendance": row.attendance, "choice": row.choice, "dissent": row.dissent}
                    for row in rows
                },
            },
        )
    return motion


def _vote_rows(motion: Motion, members: dict[int, Person], votes: Mapping[int, Mapping[str, str]]) -> list[MotionVote]:
    problems: list[str] = []
    try:
        listed = {int(pk): vote for pk, vote in votes.items()}
    except (TypeError, ValueError):
        raise ActionError(_("Votes are listed by the member's person id.")) from None
    if len(listed) != len(votes):
        raise ActionError(_("A member is listed twice: one member, one vote."))
    strangers = sorted(set(listed) - set(members))
    if strangers:
        problems.append(
            _("Not a member of this body: %(ids)s. Only its members vote.") % {"ids": ", ".join(map(str, strangers))}
        )
    missing = [members[pk].display_name for pk in members if pk not in listed]
    if missing:
        problems.append(_("Every member is listed, present or absent; missing: %(names)s.") % {"names": "、".join(missing)})
    rows = []
    for pk, person in members.items():
        if pk not in listed:
            continue
        vote = listed[pk]
        attendance = str(vote.get("attendance", ""))
        choice = str(vote.get("choice", "") or "")
        dissent = str(vote.get("dissent", "") or "").strip()
        name = person.display_name
        if attendance not in Attendance.values:
            problems.append(_("%(name)s: say whether they were present or absent.") % {"name": name})
            continue
        if attendance == Attendance.ABSENT and (choice or dissent):
            problems.append(_("%(name)s was absent and cannot vote.") % {"name": name})
            continue
        if attendance == Attendance.PRESENT and choice not in VoteChoice.values:
            problems.append(
                _("%(name)s was present: record yes, no, abstain or not voting.") % {"name": name}
            )
            continue
        if dissent and choice not in DISSENT_CHOICES:
            problems.append(_("%(name)s voted yes: there is no dissent to minute.") % {"name": name})
            continue
        rows.append(MotionVote(motion=motion, person=person, attendance=attendance, choice=choice, dissent=dissent))
    if problems:
        raise ActionError(" ".join(problems))
    return rows


def record_tally(
    *, actor: Any, motion: Motion, present: int, yes: int, no: int, abstain: int, minutes: str | None = None
) -> Motion:
    """An assembly's numbers: those present (or households represented), and the votes."""
    require(can_record_motion(actor, motion.organisation))
    with transaction.atomic():
        motion = _lock_motion(motion)
        if not motion.by_count:
            raise ActionError(_("This meeting votes by name: record each member's vote."))
        numbers = {"present": present, "yes": yes, "no": no, "abstain": abstain}
        if any(number < 0 for number in numbers.values()):
            raise ActionError(_("Numbers cannot be negative."))
        if present > motion.members_due:
            raise ActionError(
                _("%(present)d present is more than the %(due)d due to attend.")
                % {"present": present, "due": motion.members_due}
            )
        if yes + no + abstain > present:
            raise ActionError(
                _("%(votes)d votes is more than the %(present)d present.") % {"votes": yes + no + abstain, "present": present}
            )
        for name, number in numbers.items():
            setattr(motion, name, number)
        if minutes is not None:
            motion.minutes = minutes.strip()
        motion.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        motion.recorded_at = timezone.now()
        motion.save()
        record_audit(actor=actor, verb="election.motion.record_tally", target=motion, data=numbers)
    return motion


def decide_motion(*, actor: Any, motion: Motion) -> Motion:
    """The motion decided by its body's rules from the recorded votes; from now on it is fixed."""
    require(can_record_motion(actor, motion.organisation))
    with transaction.atomic():
        motion = _lock_motion(motion)
        if motion.recorded_at is None:
            raise ActionError(_("Record the attendance and the votes first."), status=409)
        attendance = decisions.Attendance.HOUSEHOLDS if motion.counts_households else decisions.Attendance.MEMBERS
        present: int | list[str]
        if motion.by_count:
            # Numbers only: the votes under anonymous keys, as many as were counted. By households,
            # each household's representative present casts one vote.
            choices = ["yes"] * motion.yes + ["no"] * motion.no + ["abstain"] * motion.abstain
            votes = {str(index): choice for index, choice in enumerate(choices)}
            present = motion.present
        else:
            rows = list(motion.votes.all())
            present = [str(row.person_id) for row in rows if row.attendance == Attendance.PRESENT]
            votes = {str(row.person_id): row.choice for row in rows if row.choice in decisions.CHOICES}
        try:
            decision = decisions.decide_motion(
                motion.rules, members_due=motion.members_due, present=present, votes=votes, attendance=attendance
            )
        except decisions.InputError as error:  # recorded input is checked above; this is a bug guard
            raise ActionError(_("The recorded votes are inconsistent (%(code)s).") % {"code": error.problem.code}) from None
        motion.status = MotionStatus(decision.status.value)
        motion.yes, motion.no, motion.abstain = decision.yes, decision.no, decision.abstain
        motion.needed = decision.needed
        motion.reason = {"code": decision.reason_code.value, "params": decision.reason_params}
        motion.decided_at = timezone.now()
        motion.save()
        record_audit(
            actor=actor, verb="election.motion.decide", target=motion,
            data={"status": motion.status, "yes": motion.yes, "no": motion.no, "abstain": motion.abstain,
                  "present": motion.present, "needed": motion.needed, "reason": motion.reason,
                  "dissent": [int(pk) for pk in decision.dissent] if not motion.by_count else []},
        )
    return motion


# ---- documents issued in the body's name --------------------------------------------------------


def draft_document(*, actor: Any, organisation: Organisation, kind: str, title: str, body: str) -> Document:
    """A notice or report in the organisation's name, as a draft until a passed motion approves it."""
    require(can_record_motion(actor, organisation))
    document = Document(organisation=organisation, kind=kind, title=title.strip(), body=body.strip())
    _check_document(document)
    document.created_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        document.save()
        record_audit(actor=actor, verb="election.document.draft", target=document, data={"kind": kind})
    return document


def edit_document(*, actor: Any, document: Document, **changes: str) -> Document:
    """Change a draft's kind, title or text; a published document is as it was approved."""
    require(can_record_motion(actor, document.organisation))
    unknown = set(changes) - {"kind", "title", "body"}
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    with transaction.atomic():
        document = _lock_draft(document)
        for name, value in changes.items():
            setattr(document, name, value.strip())
        _check_document(document)
        document.save()
        record_audit(actor=actor, verb="election.document.edit", target=document, data={"changed": sorted(changes)})
    return document


def publish_document(*, actor: Any, document: Document, motion: Motion) -> Document:
    """Publish the document with the passed motion of its organisation that approved it."""
    require(can_record_motion(actor, document.organisation))
    with transaction.atomic():
        document = _lock_draft(document)
        if motion.organisation_id != document.organisation_id:
            raise ActionError(
                _("A document issued in the name of %(organisation)s needs a motion of %(organisation)s.")
                % {"organisation": document.organisation.display_name}
            )
        motion = Motion.objects.get(pk=motion.pk)
        if motion.status != MotionStatus.PASSED:
            raise ActionError(
                _("The motion “%(title)s” did not pass (%(status)s): a document is published only with a passed motion.")
                % {"title": motion.title, "status": motion.get_status_display()},
                status=409,
            )
        document.motion = motion
        document.status = DocumentStatus.PUBLISHED
        document.published_at = timezone.now()
        document.save()
        record_audit(actor=actor, verb="election.document.publish", target=document, data={"motion": motion.pk})
    return document


def _lock_draft(document: Document) -> Document:
    document = Document.objects.select_for_update().select_related("organisation").get(pk=document.pk)
    if document.status != DocumentStatus.DRAFT:
        raise ActionError(_("This document is published and can no longer change."), status=409, code="published")
    return document


def _check_document(document: Document) -> None:
    problems = []
    if document.kind not in DocumentKind.values:
        problems.append(_("Unknown kind of document: %(kind)s.") % {"kind": document.kind})
    if not document.title:
        problems.append(_("Give the document a title."))
    if not document.body:
        problems.append(_("Write the document's text."))
    if problems:
        raise ActionError(" ".join(problems))
