"""Nominations and the candidate list: three routes to a nomination, seconders, the nominee's
consent, the election committee's vetting with reasons, the list fixed in surname-stroke order,
the candidates' own words, and voters' questions that every candidate may answer.

A nomination moves through `NominationStatus`:

    awaiting_seconders ─(enough seconders)→ awaiting_acceptance ─(nominee accepts)→ accepted
    (a self-nomination skips awaiting_acceptance: making it is the consent)
    accepted ─(committee)→ approved | rejected (with a reason, shown publicly)
    any open step ─→ declined (by the nominee) | withdrawn (by whoever made it)

A person has at most one open nomination per election: a second one is refused, pointing to
the first, which others may second instead.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.community.models import PartyStatus, Person
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import counting
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
    RuleSetName,
)
from ..permissions import (
    can_answer_as_candidate,
    can_ask_candidates,
    can_nominate,
    can_run_election,
    can_withdraw_nomination,
    person_of,
)
from ..strokes import name_key
from ..wording import problem_text
from .common import lock_election, notify_person, require, require_phase
from .roll import eligible_roll

# A nomination in one of these still stands (or may yet stand).
OPEN_STATUSES = (
    NominationStatus.AWAITING_SECONDERS,
    NominationStatus.AWAITING_ACCEPTANCE,
    NominationStatus.ACCEPTED,
    NominationStatus.APPROVED,
)
VETTABLE_STATUSES = (NominationStatus.ACCEPTED, NominationStatus.APPROVED, NominationStatus.REJECTED)
HIDDEN_REASON_LENGTH = 200


def nominate(*, actor: Any, election: Election, nominee: Person, route: str, reasons: str = "") -> Nomination:
    """A new nomination by `route`: the election committee for the organisation, an eligible voter
    jointly with seconders, or the nominee themselves."""
    if route not in Route.values:
        raise ActionError(_("Unknown route of nomination: %(route)s.") % {"route": route})
    if route == Route.ORGANISATION:
        require(can_run_election(actor, election.organisation))
    else:
        require(can_nominate(actor, election))
    proposer = person_of(actor)
    if route == Route.SELF and proposer != nominee:
        raise ActionError(_("Only the nominee can make a self-nomination."))
    if route == Route.JOINT and proposer == nominee:
        raise ActionError(_("To stand yourself, use a self-nomination."))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.NOMINATION)
        _require_nominations_open(election)
        _require_may_stand(election, nominee)
        existing = (
            Nomination.objects.filter(election=election, nominee=nominee, status__in=OPEN_STATUSES).first()
        )
        if existing is not None:
            raise ActionError(
                _("%(name)s is already nominated (%(route)s): second that nomination instead.")
                % {"name": nominee.name, "route": existing.get_route_display()},
                status=409,
                code="already_nominated",
            )
        nomination = Nomination.objects.create(
            election=election,
            nominee=nominee,
            route=route,
            proposer=None if route == Route.ORGANISATION else proposer,
            reasons=reasons.strip(),
            status=_status_after_seconding(election, route, seconders=0),
        )
        record_audit(
            actor=actor, verb="election.nominate", target=nomination,
            data={"election": election.pk, "nominee": nominee.pk, "route": route},
        )
        if route != Route.SELF:
            notify_person(
                nominee,
                subject=_("You are nominated in “%(title)s”") % {"title": election.title},
                body=_("Accept or decline the nomination on the nominations page."),
                url=reverse("elections:nominations", args=[election.pk]),
            )
    return nomination


def second_nomination(*, actor: Any, nomination: Nomination) -> Nomination:
    """An eligible voter, neither proposer nor nominee, seconds a nomination once."""
    require(can_nominate(actor, nomination.election))
    person = person_of(actor)
    if person in (nomination.proposer, nomination.nominee):
        raise ActionError(_("The proposer and the nominee cannot second their own nomination."))
    with transaction.atomic():
        election = lock_election(nomination.election)
        require_phase(election, Phase.NOMINATION)
        _require_nominations_open(election)
        nomination = Nomination.objects.get(pk=nomination.pk)
        if nomination.seconders.filter(person=person).exists():
            raise ActionError(_("You have seconded this nomination already."), status=409, code="already_seconded")
        if nomination.status != NominationStatus.AWAITING_SECONDERS:
            raise ActionError(_("This nomination is not waiting for seconders."), status=409)
        nomination.seconders.create(person=person)
        count = nomination.seconders.count()
        nomination.status = _status_after_seconding(election, nomination.route, seconders=count)
        nomination.save(update_fields=["status"])
        record_audit(
            actor=actor, verb="election.second_nomination", target=nomination,
            data={"seconders": count, "status": nomination.status},
        )
    return nomination


def accept_nomination(*, actor: Any, nomination: Nomination) -> Nomination:
    """The nominee agrees to stand; the nomination then waits for the committee's vetting."""
    _require_nominee(actor, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status != NominationStatus.AWAITING_ACCEPTANCE:
            raise ActionError(_("This nomination is not waiting for your answer."), status=409)
        nomination.status = NominationStatus.ACCEPTED
        nomination.save(update_fields=["status"])
        record_audit(actor=actor, verb="election.accept_nomination", target=nomination)
    return nomination


def decline_nomination(*, actor: Any, nomination: Nomination) -> Nomination:
    """The nominee does not stand; possible until the candidate list is fixed."""
    _require_nominee(actor, nomination)
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status not in OPEN_STATUSES:
            raise ActionError(_("This nomination no longer stands."), status=409)
        nomination.status = NominationStatus.DECLINED
        nomination.save(update_fields=["status"])
        record_audit(actor=actor, verb="election.decline_nomination", target=nomination)
    return nomination


def withdraw_nomination(*, actor: Any, nomination: Nomination) -> Nomination:
    """Whoever made a nomination takes it back: the proposer, the self-nominee, or the committee
    for the organisation's nominations."""
    require(can_withdraw_nomination(actor, nomination))
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status not in OPEN_STATUSES:
            raise ActionError(_("This nomination no longer stands."), status=409)
        nomination.status = NominationStatus.WITHDRAWN
        nomination.save(update_fields=["status"])
        record_audit(actor=actor, verb="election.withdraw_nomination", target=nomination)
    return nomination


def vet_nomination(*, actor: Any, nomination: Nomination, approved: bool, reason: str = "") -> Nomination:
    """The election committee approves or rejects an accepted nomination; a rejection needs a
    reason, which the nominations page shows. A decision may be revised until the list is fixed."""
    require(can_run_election(actor, nomination.election.organisation))
    reason = reason.strip()
    if not approved and not reason:
        raise ActionError(_("Give the reason for not approving the nomination: it is shown publicly."))
    with transaction.atomic():
        nomination = _locked(nomination)
        if nomination.status not in VETTABLE_STATUSES:
            raise ActionError(
                _("Only a nomination the nominee has accepted can be vetted (this one: %(status)s).")
                % {"status": nomination.get_status_display()},
                status=409,
            )
        if approved:
            twin = Nomination.objects.filter(
                election=nomination.election_id, nominee=nomination.nominee_id, status=NominationStatus.APPROVED
            ).exclude(pk=nomination.pk)
            if twin.exists():
                raise ActionError(
                    _("%(name)s is already approved through another nomination.") % {"name": nomination.nominee.name},
                    status=409,
                )
        nomination.status = NominationStatus.APPROVED if approved else NominationStatus.REJECTED
        nomination.vetting_reason = reason
        nomination.vetted_at = timezone.now()
        nomination.vetted_by = actor if getattr(actor, "is_authenticated", False) else None
        nomination.save(update_fields=["status", "vetting_reason", "vetted_at", "vetted_by"])
        record_audit(
            actor=actor, verb="election.vet_nomination", target=nomination,
            data={"approved": approved, "reason": reason},
        )
    return nomination


def fix_candidate_list(*, actor: Any, election: Election, list_motion: Motion | None = None) -> list[Candidate]:
    """The approved nominees become the candidate list, in surname-stroke order, and the election
    moves to CANDIDATES. Refused with too few candidates for the seats under the rule set, and,
    where the assembly fixes the list, without the passed motion that did so."""
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.NOMINATION)
        if election.assembly_fixes_list or list_motion is not None:
            _require_list_motion(election, list_motion)
        nominations = list(
            Nomination.objects.filter(election=election, status=NominationStatus.APPROVED).select_related("nominee")
        )
        problem = counting.check_candidate_list(election.rules, election.seats, len(nominations))
        if problem is not None:
            raise ActionError(problem_text(problem), status=409, code=problem.code)
        nominations.sort(key=lambda nomination: name_key(nomination.nominee.name, nomination.nominee.surname))
        candidates = Candidate.objects.bulk_create(
            Candidate(election=election, person=nomination.nominee, nomination=nomination, position=position)
            for position, nomination in enumerate(nominations, start=1)
        )
        election.phase = Phase.CANDIDATES
        election.list_motion = list_motion
        election.save(update_fields=["phase", "list_motion"])
        record_audit(
            actor=actor, verb="election.fix_candidate_list", target=election,
            data={
                "candidates": [nomination.nominee_id for nomination in nominations],
                "motion": list_motion.pk if list_motion else None,
            },
        )
    return candidates


def edit_candidate_profile(*, actor: Any, candidate: Candidate, profile: str, statement: str) -> Candidate:
    """A candidate writes their profile and statement, within the same limits as everyone,
    until voting closes."""
    person = person_of(actor)
    require(person is not None and person.pk == candidate.person_id)
    profile, statement = profile.strip(), statement.strip()
    _require_length(profile, PROFILE_LENGTH, _("The profile"))
    _require_length(statement, STATEMENT_LENGTH, _("The statement"))
    with transaction.atomic():
        election = lock_election(candidate.election)
        _require_candidates_speak(election)
        candidate = Candidate.objects.get(pk=candidate.pk)
        candidate.profile, candidate.statement = profile, statement
        candidate.save(update_fields=["profile", "statement"])
        record_audit(
            actor=actor, verb="election.edit_candidate_profile", target=candidate,
            data={"profile": len(profile), "statement": len(statement)},
        )
    return candidate


def ask_question(*, actor: Any, election: Election, text: str) -> Question:
    """An eligible voter asks every candidate a question, once the list is fixed."""
    require(can_ask_candidates(actor, election))
    text = text.strip()
    if not text:
        raise ActionError(_("Write your question."))
    _require_length(text, ANSWER_LENGTH, _("The question"))
    with transaction.atomic():
        election = lock_election(election)
        _require_candidates_speak(election)
        question = Question.objects.create(election=election, asked_by=person_of(actor), text=text)
        record_audit(actor=actor, verb="election.ask_question", target=question, data={"election": election.pk})
    return question


def answer_question(*, actor: Any, question: Question, text: str) -> Answer:
    """A candidate answers a question in the same space as every other; answering again edits."""
    require(can_answer_as_candidate(actor, question.election))
    text = text.strip()
    if not text:
        raise ActionError(_("Write your answer."))
    _require_length(text, ANSWER_LENGTH, _("The answer"))
    with transaction.atomic():
        election = lock_election(question.election)
        _require_candidates_speak(election)
        question = Question.objects.get(pk=question.pk)
        if question.hidden_reason:
            raise ActionError(_("This question has been hidden by the election committee."), status=409)
        candidate = Candidate.objects.get(election=election, person=person_of(actor))
        answer, created = Answer.objects.update_or_create(
            question=question, candidate=candidate, defaults={"text": text, "answered_at": timezone.now()}
        )
        record_audit(
            actor=actor, verb="election.answer_question" if created else "election.edit_answer",
            target=question, data={"candidate": candidate.pk},
        )
    return answer


def hide_question(*, actor: Any, question: Question, reason: str) -> Question:
    """The election committee hides a question (abuse, a private matter); the reason is public."""
    require(can_run_election(actor, question.election.organisation))
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Give the reason for hiding the question: it is shown publicly."))
    _require_length(reason, HIDDEN_REASON_LENGTH, _("The reason"))
    with transaction.atomic():
        lock_election(question.election)
        question = Question.objects.get(pk=question.pk)
        question.hidden_reason = reason
        question.save(update_fields=["hidden_reason"])
        record_audit(actor=actor, verb="election.hide_question", target=question, data={"reason": reason})
    return question


# ---- rules shared by the steps above -----------------------------------------------------------


def _status_after_seconding(election: Election, route: str, *, seconders: int) -> str:
    needed = {Route.JOINT: election.seconders_required, Route.SELF: election.self_nomination_seconders}.get(route, 0)
    if seconders < needed:
        return NominationStatus.AWAITING_SECONDERS
    return NominationStatus.ACCEPTED if route == Route.SELF else NominationStatus.AWAITING_ACCEPTANCE


def _require_nominations_open(election: Election) -> None:
    if election.nominations_until and timezone.localdate() > election.nominations_until:
        raise ActionError(
            _("Nominations closed on %(day)s.") % {"day": _day(election.nominations_until)},
            status=409,
            code="nominations_closed",
        )


def _require_may_stand(election: Election, nominee: Person) -> None:
    """Only an eligible voter on the roll may stand; in a party branch, only a full member."""
    if not eligible_roll(election).filter(person=nominee).exists():
        raise ActionError(
            _("%(name)s is not an eligible voter on this election's roll, and so cannot stand.") % {"name": nominee.name}
        )
    if election.rule_set == RuleSetName.PARTY_BRANCH and nominee.party_status != PartyStatus.FULL:
        raise ActionError(_("%(name)s is not a full party member, and so cannot stand.") % {"name": nominee.name})


def _require_nominee(actor: Any, nomination: Nomination) -> None:
    person = person_of(actor)
    require(person is not None and person.pk == nomination.nominee_id)


def _locked(nomination: Nomination) -> Nomination:
    """Lock the nomination's election (still taking nominations) and read the nomination afresh."""
    election = lock_election(nomination.election)
    require_phase(election, Phase.NOMINATION)
    return Nomination.objects.select_related("election", "nominee").get(pk=nomination.pk)


def _require_list_motion(election: Election, motion: Motion | None) -> None:
    if motion is None:
        raise ActionError(
            _("Under these rules the assembly fixes the candidate list: name the passed motion that did so."),
            code="motion_required",
        )
    if motion.organisation_id != election.organisation_id or motion.status != MotionStatus.PASSED:
        raise ActionError(
            _("The motion “%(title)s” is not a passed motion of %(organisation)s.")
            % {"title": motion.title, "organisation": election.organisation},
            code="motion_not_passed",
        )


def _require_candidates_speak(election: Election) -> None:
    """Candidates and voters speak from the fixed list until voting closes."""
    require_phase(election, Phase.CANDIDATES, Phase.VOTING)
    if election.voting_closes_at and timezone.now() >= election.voting_closes_at:
        raise ActionError(_("Voting has closed."), status=409, code="voting_closed")


def _require_length(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise ActionError(
            _("%(what)s is %(length)d characters long; the limit, the same for everyone, is %(limit)d.")
            % {"what": what, "length": len(text), "limit": limit}
        )


def _day(day: datetime.date) -> str:
    return day.isoformat()
