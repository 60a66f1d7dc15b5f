"""Setting up an election: what is elected, the rule set and its numbers, the timeline; cancelling."""

from __future__ import annotations

import dataclasses
import datetime
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.community.models import Organisation
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import counting, timeline
from ..models import Election, Elects, Mode, Phase
from ..permissions import can_run_election
from ..wording import describe_rule_problem, describe_timeline_problem
from .common import lock_election, require, require_phase

# Defaults by rule set, where the regulations differ (RULES.md §1).
ASSEMBLY_FIXES_LIST = {"party_branch": True}  # "the assembly fixes the candidate list by majority"
PROXIES_ALLOWED = {"village_committee": True}  # written proxies to a near relative
SECONDERS = {"party_branch": 4, "village_committee": 0, "simple_majority": 2}  # besides the proposer

TIMELINE_FIELDS = ("roll_published_on", "objections_until", "objections_decided_by", "nominations_until", "candidate_list_on")
SETTINGS_FIELDS = (
    "title", "elects", "seats", "rule_set", "rule_overrides", "mode", "seconders_required",
    "self_nomination_seconders", "assembly_fixes_list", "proxies_allowed", "proxy_limit",
    *TIMELINE_FIELDS, "voting_opens_at", "voting_closes_at", "assembly_at", "assembly_place",
)


def create_election(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    seats: int,
    rule_set: str,
    elects: str = Elects.COMMITTEE,
    mode: str = Mode.ONLINE,
    **settings: Any,
) -> Election:
    """A new election in preparation; every number checked against its rule set."""
    require(can_run_election(actor, organisation))
    unknown = set(settings) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown election settings: {sorted(unknown)}")
    if rule_set not in counting.RULE_SETS:
        raise ActionError(_("Unknown rule set: %(name)s.") % {"name": rule_set})
    settings.setdefault("assembly_fixes_list", ASSEMBLY_FIXES_LIST.get(rule_set, False))
    settings.setdefault("proxies_allowed", PROXIES_ALLOWED.get(rule_set, False))
    settings.setdefault("seconders_required", SECONDERS.get(rule_set, 2))
    election = Election(
        organisation=organisation, title=title.strip(), seats=seats, rule_set=rule_set, elects=elects, mode=mode,
        created_by=actor if getattr(actor, "pk", None) is not None else None, **settings,
    )
    _check(election)
    with transaction.atomic():
        election.save()
        record_audit(actor=actor, verb="election.create", target=election, data=_settings_of(election))
    return election


def update_election(*, actor: Any, election: Election, **changes: Any) -> Election:
    """Change an election's settings while it is being prepared (later, the roll and the list
    depend on them); the voting window may move until voting opens."""
    require(can_run_election(actor, election.organisation))
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown election settings: {sorted(unknown)}")
    with transaction.atomic():
        election = lock_election(election)
        movable = {"voting_opens_at", "voting_closes_at", "assembly_at", "assembly_place", "title"}
        if election.phase != Phase.DRAFT:
            require_phase(election, Phase.ROLL, Phase.NOMINATION, Phase.CANDIDATES)
            if set(changes) - movable:
                raise ActionError(
                    _("Once the roll is published, only the title and the voting dates and place may change."),
                    status=409,
                )
        for name, value in changes.items():
            setattr(election, name, value.strip() if isinstance(value, str) else value)
        _check(election)
        election.save()
        record_audit(actor=actor, verb="election.update", target=election, data={"changed": sorted(changes)})
    return election


def cancel_election(*, actor: Any, election: Election, reason: str) -> Election:
    """Stop an election before its result is published; the reason is kept in the minutes."""
    require(can_run_election(actor, election.organisation))
    if not reason.strip():
        raise ActionError(_("Say why the election is cancelled."))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.DRAFT, Phase.ROLL, Phase.NOMINATION, Phase.CANDIDATES, Phase.VOTING)
        election.phase = Phase.CANCELLED
        election.minutes = (election.minutes + "\n\n" if election.minutes else "") + reason.strip()
        election.save(update_fields=["phase", "minutes"])
        record_audit(actor=actor, verb="election.cancel", target=election, data={"reason": reason.strip()})
    return election


def _fill_timeline(election: Election) -> None:
    """Dates left empty take what the rule set gives, counted back from the day of the vote."""
    vote_at = election.assembly_at if election.mode == Mode.ASSEMBLY else election.voting_opens_at
    if vote_at is None:
        return
    suggested = timeline.suggest(election.rule_set, timezone.localtime(vote_at).date())
    for name in TIMELINE_FIELDS:
        if getattr(election, name) is None:
            setattr(election, name, getattr(suggested, name))


def _check(election: Election) -> None:
    """Every problem with the settings as one ActionError, worded for the reader."""
    problems: list[str] = []
    if election.phase == Phase.DRAFT:
        _fill_timeline(election)
    if not election.title:
        problems.append(_("Give the election a title."))
    if election.seats < 1:
        problems.append(_("An election needs at least one seat."))
    try:
        rules = dataclasses.replace(counting.RULE_SETS[election.rule_set], **(election.rule_overrides or {}))
    except counting.InputError as error:
        problems.append(describe_rule_problem(error.problem))
    except TypeError:
        names = ", ".join(sorted(set(election.rule_overrides) - set(counting.ADJUSTABLE)))
        problems.append(_("These rule numbers cannot be adjusted: %(names)s.") % {"names": names})
    else:
        election.rule_overrides = _plain(rules, election.rule_overrides or {})
    if election.proxies_allowed and election.proxy_limit < 1:
        problems.append(_("A proxy holder must be allowed at least one principal."))
    problems.extend(_timeline_problems(election))
    if problems:
        raise ActionError(" ".join(problems))


def _timeline_problems(election: Election) -> list[str]:
    problems: list[str] = []
    opens, closes = election.voting_opens_at, election.voting_closes_at
    if opens and closes and closes <= opens:
        problems.append(_("Voting must close after it opens."))
    vote_at = election.assembly_at if election.mode == Mode.ASSEMBLY else opens
    dates = [getattr(election, name) for name in TIMELINE_FIELDS]
    if vote_at is None or any(day is None for day in dates):
        return problems  # an incomplete timeline is allowed while preparing; publishing checks it
    plan = timeline.Timeline(*dates, vote_on=timezone.localtime(vote_at).date())
    problems.extend(describe_timeline_problem(problem) for problem in timeline.check(election.rule_set, plan))
    return problems


def _plain(rules: counting.RuleSet, overrides: dict[str, Any]) -> dict[str, Any]:
    """The overrides as JSON-ready values (fractions as "4/5"), only those that differ."""
    base = counting.RULE_SETS[rules.name]
    plain: dict[str, Any] = {}
    for name in overrides:
        value = getattr(rules, name)
        if value != getattr(base, name):
            plain[name] = str(value) if isinstance(value, Fraction) else value  # "4/5"; enums are str
    return plain


def _settings_of(election: Election) -> dict[str, Any]:
    data = {name: getattr(election, name) for name in SETTINGS_FIELDS}
    for name, value in data.items():
        if isinstance(value, (datetime.date, datetime.datetime)):
            data[name] = value.isoformat()
    return data
