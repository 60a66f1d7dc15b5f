"""The electorate roll: building it from the organisation, exclusions by hand, publication,
objections and their decisions, written proxies, and the move on to nominations.

Who is on the roll (RULES.md §1, who may vote):

- `party_branch`: the branch's current members; full members are eligible, probationary members
  are listed as excluded (`Exclusion.PROBATIONARY`) so that the decision is visible. A member with
  no party status at all is not listed: a branch has no such members, and no reason would fit.
- `village_committee`: the people registered in the election's village (`Person.home` is the
  organisation's place) who are 18 or older on the day of the vote. Under-18s are not listed: a
  public roll should not name children, and they have nothing to object to. The age is counted
  from the year of birth alone, so anyone who turns 18 in the year of the vote is listed (a
  birthday after the vote is for an objection to settle). A villager whose year of birth is not
  on record is listed as excluded (`Exclusion.AGE_UNKNOWN`): they see it on the published roll,
  and the election committee restores them once it has seen proof of age.
- `simple_majority`: the organisation's current members.
- An election of officers (`Elects.OFFICERS`): the current committee members of the
  organisation (secretary, deputy secretary, committee members); under `party_branch` the
  probationary rule applies to them as well.

Rebuilding the roll keeps what a person decided: exclusions and restorations by the election
committee (`RollEntry.set_by_hand`) and the results of objections.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tongxin.community.models import COMMITTEE_ROLES, Membership, PartyStatus, Person
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import timeline
from ..models import (
    Election,
    Elects,
    Exclusion,
    Mode,
    Objection,
    ObjectionAsk,
    ObjectionDecision,
    Phase,
    Proxy,
    RollEntry,
    RuleSetName,
)
from ..permissions import can_raise_objection, can_run_election, person_of
from ..wording import describe_timeline_problem, timeline_step_name
from .common import lock_election, notify_voters, require, require_phase

VOTING_AGE = 18
# Reasons the election committee may give by hand; OBJECTION comes only from a decided objection
# and AGE_UNKNOWN only from the records.
MANUAL_EXCLUSIONS = (
    Exclusion.UNDER_PROBATION,
    Exclusion.DETAINED,
    Exclusion.REGISTERED_ELSEWHERE,
    Exclusion.NOT_REGISTERED,
    Exclusion.PROBATIONARY,
    Exclusion.UNDER_AGE,
)
# Proxies are registered once the roll is public and until voting opens.
PROXY_PHASES = (Phase.ROLL, Phase.NOMINATION, Phase.CANDIDATES)


def eligible_roll(election: Election) -> QuerySet[RollEntry]:
    """The entries of the election's roll that may vote."""
    return RollEntry.objects.filter(election=election, excluded="")


def electorate_people(election: Election) -> QuerySet[Person]:
    """The people the roll can be about: those on it, and those the roll is built from (the
    village's registered people for a village election, the current members otherwise)."""
    condition = Q(roll_entries__election=election)
    if _by_registration(election):
        place = election.organisation.place()
        if place is not None:
            condition |= Q(home=place)
    else:
        condition |= Q(pk__in=election.organisation.memberships.current().values("person_id"))
    return Person.objects.filter(pk__in=Person.objects.filter(condition).values("pk"))


def _by_registration(election: Election) -> bool:
    """The roll comes from village registration, not from membership."""
    return election.rule_set == RuleSetName.VILLAGE_COMMITTEE and election.elects != Elects.OFFICERS


def vote_day(election: Election) -> datetime.date | None:
    """The day of the vote (the voting window's opening, or the assembly), if it is set."""
    vote_at = election.assembly_at if election.mode == Mode.ASSEMBLY else election.voting_opens_at
    return timezone.localtime(vote_at).date() if vote_at else None


# ---- building the roll -----------------------------------------------------------------------


@dataclass(frozen=True)
class RollChanges:
    added: int
    updated: int
    removed: int
    kept: int

    def as_data(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "removed": self.removed, "kept": self.kept}


def build_roll(*, actor: Any, election: Election) -> RollChanges:
    """Compute the roll from the organisation (see the module's docstring), keeping what the
    election committee and objections decided. Only while the election is being prepared."""
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.DRAFT)
        computed = _computed_roll(election)
        existing = {entry.person_id: entry for entry in RollEntry.objects.filter(election=election)}
        decided = {
            person_id for person_id, entry in existing.items()
            if entry.set_by_hand or entry.added_by_objection or entry.excluded == Exclusion.OBJECTION
        }
        new = [
            RollEntry(election=election, person_id=person_id, excluded=reason)
            for person_id, reason in computed.items() if person_id not in existing
        ]
        changed = []
        for person_id, reason in computed.items():
            entry = existing.get(person_id)
            if entry is not None and person_id not in decided and entry.excluded != reason:
                entry.excluded = reason
                changed.append(entry)
        gone = [pk for pk in existing if pk not in computed and pk not in decided]
        RollEntry.objects.bulk_create(new, batch_size=1000)
        RollEntry.objects.bulk_update(changed, ["excluded"], batch_size=1000)
        RollEntry.objects.filter(election=election, person_id__in=gone).delete()
        changes = RollChanges(added=len(new), updated=len(changed), removed=len(gone), kept=len(decided))
        record_audit(
            actor=actor, verb="election.roll.build", target=election,
            data={**changes.as_data(), **_counts(election)},
        )
    return changes


def _computed_roll(election: Election) -> dict[int, str]:
    """Person id → "" (eligible) or the exclusion the records give, by the election's rule set."""
    organisation = election.organisation
    day = vote_day(election) or timezone.localdate()
    if not _by_registration(election):
        memberships = Membership.objects.current().in_organisation(organisation)
        if election.elects == Elects.OFFICERS:
            memberships = memberships.filter(role__in=COMMITTEE_ROLES)
        statuses = dict(memberships.values_list("person_id", "person__party_status"))
        if election.rule_set != RuleSetName.PARTY_BRANCH:
            return dict.fromkeys(statuses, "")
        by_status = {PartyStatus.FULL: "", PartyStatus.PROBATIONARY: Exclusion.PROBATIONARY}
        return {person_id: by_status[status] for person_id, status in statuses.items() if status in by_status}
    place = organisation.place()
    if place is None:
        raise ActionError(
            _("%(organisation)s belongs to no village or community, so it has no registered villagers.")
            % {"organisation": organisation.display_name}
        )
    roll: dict[int, str] = {}
    for person_id, birth_year in Person.objects.filter(home=place).values_list("pk", "birth_year"):
        if birth_year is None:
            roll[person_id] = Exclusion.AGE_UNKNOWN
        elif day.year - birth_year >= VOTING_AGE:
            roll[person_id] = ""
    return roll


def _counts(election: Election) -> dict[str, int]:
    entries = RollEntry.objects.filter(election=election)
    return {"eligible": entries.filter(excluded="").count(), "excluded": entries.exclude(excluded="").count()}


# ---- exclusions by hand ---------------------------------------------------------------------


def exclude_from_roll(*, actor: Any, entry: RollEntry, reason: str) -> RollEntry:
    """The election committee takes an entry off the eligible roll, for a reason the roll shows.
    A proxy the person gave or held lapses with it."""
    require(can_run_election(actor, entry.election.organisation))
    if reason not in MANUAL_EXCLUSIONS:
        raise ActionError(_("Choose why the person may not vote."))
    with transaction.atomic():
        election = lock_election(entry.election)
        require_phase(election, Phase.DRAFT, Phase.ROLL)
        entry = RollEntry.objects.select_related("person").get(pk=entry.pk)
        if entry.excluded == Exclusion.OBJECTION:
            raise ActionError(_("An objection took this person off the roll; that decision stands."), status=409)
        lapsed = _lapse_proxies(entry)
        entry.excluded = reason
        entry.set_by_hand = True
        entry.save(update_fields=["excluded", "set_by_hand"])
        record_audit(
            actor=actor, verb="election.roll.exclude", target=election,
            data={"entry": entry.pk, "person": entry.person_id, "reason": reason, "proxies_lapsed": lapsed},
        )
    return entry


def restore_to_roll(*, actor: Any, entry: RollEntry) -> RollEntry:
    """The election committee puts an excluded entry back on the eligible roll."""
    require(can_run_election(actor, entry.election.organisation))
    with transaction.atomic():
        election = lock_election(entry.election)
        require_phase(election, Phase.DRAFT, Phase.ROLL)
        entry = RollEntry.objects.get(pk=entry.pk)
        if entry.eligible:
            raise ActionError(_("This person is already on the roll."), status=409)
        if entry.excluded == Exclusion.OBJECTION:
            raise ActionError(_("An objection took this person off the roll; that decision stands."), status=409)
        previous = entry.excluded
        entry.excluded = ""
        entry.set_by_hand = True
        entry.save(update_fields=["excluded", "set_by_hand"])
        record_audit(
            actor=actor, verb="election.roll.restore", target=election,
            data={"entry": entry.pk, "person": entry.person_id, "was": previous},
        )
    return entry


def _lapse_proxies(entry: RollEntry) -> list[int]:
    """Delete the proxies the entry gave or holds; their ids, for the audit."""
    proxies = Proxy.objects.filter(Q(principal=entry) | Q(holder=entry))
    ids = sorted(proxies.values_list("pk", flat=True))
    Proxy.objects.filter(pk__in=ids).delete()
    return ids


# ---- publication ----------------------------------------------------------------------------


def publish_roll(*, actor: Any, election: Election) -> Election:
    """DRAFT → ROLL: the roll is public and open to objection.

    The day of publication is a fact, so `roll_published_on` becomes today whatever was planned,
    and the timeline is checked again from it (the village rule counts 20 days to the vote and
    5 days of objections from the publication).
    """
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.DRAFT)
        today = timezone.localdate()
        missing = _missing_dates(election)
        if missing:
            raise ActionError(
                _("Set the timeline before publishing the roll: %(steps)s.") % {"steps": ", ".join(missing)},
                status=409,
            )
        plan = timeline.Timeline(
            roll_published_on=today,
            objections_until=election.objections_until,
            objections_decided_by=election.objections_decided_by,
            nominations_until=election.nominations_until,
            candidate_list_on=election.candidate_list_on,
            vote_on=vote_day(election),
        )
        problems = [describe_timeline_problem(problem) for problem in timeline.check(election.rule_set, plan)]
        if problems:
            raise ActionError(
                _("Published today, the roll would break the timeline:") + " " + " ".join(problems), status=409
            )
        eligible = eligible_roll(election).count()
        if eligible == 0:
            raise ActionError(_("Nobody on the roll may vote: build the roll first."), status=409)
        planned = election.roll_published_on
        election.roll_published_on = today
        election.phase = Phase.ROLL
        election.save(update_fields=["roll_published_on", "phase"])
        record_audit(
            actor=actor, verb="election.roll.publish", target=election,
            data={
                **_counts(election),
                "published_on": today.isoformat(),
                "planned": planned.isoformat() if planned else None,
            },
        )
        notify_voters(
            election, eligible_only=False,
            subject=_("The roll of “%(title)s” is published") % {"title": election.title},
            body=_("Check your entry on the roll. Objections may be raised until %(day)s.")
            % {"day": date_format(election.objections_until, "DATE_FORMAT") if election.objections_until else "—"},
            url=reverse("elections:roll", args=[election.pk]),
        )
    return election


def _missing_dates(election: Election) -> list[str]:
    missing = [
        timeline_step_name(step)
        for step in ("objections_until", "objections_decided_by", "nominations_until", "candidate_list_on")
        if getattr(election, step) is None
    ]
    if vote_day(election) is None:
        missing.append(timeline_step_name("vote_on"))
    return missing


def open_nominations(*, actor: Any, election: Election) -> Election:
    """ROLL → NOMINATION, once objections have closed and every objection is decided."""
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.ROLL)
        if election.objections_until and timezone.localdate() <= election.objections_until:
            raise ActionError(
                _("Objections are open until %(day)s: nominations open after that.")
                % {"day": _day(election.objections_until)},
                status=409,
            )
        pending = election.objections.filter(decision=ObjectionDecision.PENDING).count()
        if pending:
            raise ActionError(
                _("Decide every objection first: %(count)d still awaiting a decision.") % {"count": pending},
                status=409,
            )
        election.phase = Phase.NOMINATION
        election.save(update_fields=["phase"])
        record_audit(actor=actor, verb="election.nominations.open", target=election, data=_counts(election))
    return election


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


# ---- objections -----------------------------------------------------------------------------


def objections_open(election: Election, today: datetime.date | None = None) -> bool:
    """Objections may be raised: the roll is published and its objection period not over."""
    today = today or timezone.localdate()
    return election.phase == Phase.ROLL and (election.objections_until is None or today <= election.objections_until)


def raise_objection(*, actor: Any, election: Election, about: Person, ask: str, grounds: str) -> Objection:
    """A person of the organisation asks that someone be added to or removed from the roll."""
    require(can_raise_objection(actor, election))
    grounds = grounds.strip()
    if ask not in ObjectionAsk.values:
        raise ActionError(_("Say whether the person should be added to the roll or removed from it."))
    if not grounds:
        raise ActionError(_("Give the grounds for the objection."))
    raised_by = person_of(actor)
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.ROLL)
        if not objections_open(election):
            raise ActionError(
                _("Objections closed on %(day)s.") % {"day": _day(election.objections_until)}, status=409,
            )
        if not electorate_people(election).filter(pk=about.pk).exists():
            raise ActionError(
                _("%(name)s is neither on the roll nor one of this organisation's people.")
                % {"name": about.display_name}
            )
        entry = RollEntry.objects.filter(election=election, person=about).first()
        on_roll = entry is not None and entry.eligible
        if ask == ObjectionAsk.ADD and on_roll:
            raise ActionError(_("%(name)s is already on the roll.") % {"name": about.display_name}, status=409)
        if ask == ObjectionAsk.REMOVE and not on_roll:
            raise ActionError(_("%(name)s is not on the roll.") % {"name": about.display_name}, status=409)
        duplicate = election.objections.filter(
            raised_by=raised_by, about=about, ask=ask, decision=ObjectionDecision.PENDING
        ).exists()
        if duplicate:
            raise ActionError(_("Your objection about this person awaits its decision already."), status=409)
        objection = Objection.objects.create(
            election=election, raised_by=raised_by, about=about, ask=ask, grounds=grounds
        )
        record_audit(
            actor=actor, verb="election.objection.raise", target=objection,
            data={"election": election.pk, "about": about.pk, "ask": ask},
        )
    return objection


def decide_objection(*, actor: Any, objection: Objection, upheld: bool, reason: str) -> Objection:
    """The election committee upholds or dismisses an objection, with its reason. Upheld, the roll
    changes: the person is added (eligible) or taken off (`Exclusion.OBJECTION`). A decision after
    `objections_decided_by` is still taken, and the objections page marks it late."""
    require(can_run_election(actor, objection.election.organisation))
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Give the reason for the decision."))
    with transaction.atomic():
        election = lock_election(objection.election)
        require_phase(election, Phase.ROLL)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.decision != ObjectionDecision.PENDING:
            raise ActionError(_("This objection has been decided already."), status=409)
        lapsed: list[int] = []
        if upheld:
            entry, _created = RollEntry.objects.get_or_create(election=election, person_id=objection.about_id)
            if objection.ask == ObjectionAsk.ADD:
                entry.excluded = ""
                entry.added_by_objection = True
            else:
                lapsed = _lapse_proxies(entry)
                entry.excluded = Exclusion.OBJECTION
                entry.added_by_objection = False
            entry.save(update_fields=["excluded", "added_by_objection"])
        objection.decision = ObjectionDecision.UPHELD if upheld else ObjectionDecision.DISMISSED
        objection.decision_reason = reason
        objection.decided_at = timezone.now()
        objection.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        objection.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
        record_audit(
            actor=actor, verb="election.objection.decide", target=objection,
            data={
                "election": election.pk, "decision": objection.decision, "reason": reason,
                "late": is_late(objection, election), "proxies_lapsed": lapsed,
            },
        )
    return objection


def is_late(objection: Objection, election: Election) -> bool:
    """Decided (or still undecided) after the day by which objections are to be decided."""
    by = election.objections_decided_by
    if by is None:
        return False
    decided_on = timezone.localtime(objection.decided_at).date() if objection.decided_at else timezone.localdate()
    return decided_on > by


# ---- proxies --------------------------------------------------------------------------------


def register_proxy(
    *, actor: Any, election: Election, principal: RollEntry, holder: RollEntry, relation: str
) -> Proxy:
    """The election committee registers a written proxy: the holder casts the principal's ballot.

    Only where the election allows proxies, between two eligible voters on its roll, one proxy per
    principal, at most `proxy_limit` principals per holder, nobody both giving and holding one,
    before voting opens.
    """
    require(can_run_election(actor, election.organisation))
    relation = relation.strip()
    if not relation:
        raise ActionError(_("Say how the proxy holder is related to the principal."))
    with transaction.atomic():
        election = lock_election(election)  # two registrations for one holder never pass the limit together
        if not election.proxies_allowed:
            raise ActionError(_("This election allows no proxies."), status=409)
        require_phase(election, *PROXY_PHASES)
        if election.voting_opens_at and timezone.now() >= election.voting_opens_at:
            raise ActionError(_("Voting has opened: proxies can no longer be registered."), status=409)
        entries = RollEntry.objects.select_related("person").in_bulk([principal.pk, holder.pk])
        principal, holder = entries.get(principal.pk), entries.get(holder.pk)
        if principal is None or holder is None or principal.election_id != election.pk or holder.election_id != election.pk:
            raise ActionError(_("Both people must be on this election's roll."))
        if principal.pk == holder.pk:
            raise ActionError(_("Nobody can hold their own proxy."))
        for entry in (principal, holder):
            if not entry.eligible:
                raise ActionError(
                    _("%(name)s may not vote in this election, so cannot give or hold a proxy.")
                    % {"name": entry.person.display_name}
                )
        if Proxy.objects.filter(principal=principal).exists():
            raise ActionError(
                _("%(name)s has given a proxy already.") % {"name": principal.person.display_name}, status=409
            )
        if Proxy.objects.filter(holder=principal).exists():
            raise ActionError(
                _("%(name)s holds proxies, and so cannot give one.") % {"name": principal.person.display_name},
                status=409,
            )
        if Proxy.objects.filter(principal=holder).exists():
            raise ActionError(
                _("%(name)s has given their own proxy, and so cannot hold one.") % {"name": holder.person.display_name},
                status=409,
            )
        held = Proxy.objects.filter(holder=holder).count()
        if held >= election.proxy_limit:
            raise ActionError(
                _("%(name)s holds %(count)d proxies already, the most this election allows.")
                % {"name": holder.person.display_name, "count": held},
                status=409,
            )
        proxy = Proxy.objects.create(
            election=election, principal=principal, holder=holder, relation=relation,
            registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_audit(
            actor=actor, verb="election.proxy.register", target=election,
            data={"proxy": proxy.pk, "principal": principal.person_id, "holder": holder.person_id, "relation": relation},
        )
    return proxy


def revoke_proxy(*, actor: Any, proxy: Proxy) -> None:
    """The election committee strikes a proxy off (the principal withdrew it), before voting opens."""
    require(can_run_election(actor, proxy.election.organisation))
    with transaction.atomic():
        election = lock_election(proxy.election)
        require_phase(election, *PROXY_PHASES)
        if election.voting_opens_at and timezone.now() >= election.voting_opens_at:
            raise ActionError(_("Voting has opened: proxies can no longer be revoked."), status=409)
        proxy = Proxy.objects.select_related("principal", "holder").get(pk=proxy.pk)
        data = {"proxy": proxy.pk, "principal": proxy.principal.person_id, "holder": proxy.holder.person_id}
        proxy.delete()
        record_audit(actor=actor, verb="election.proxy.revoke", target=election, data=data)
