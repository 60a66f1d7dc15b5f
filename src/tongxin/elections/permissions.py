"""Who may do what in elections and motions. Pages, the API and commands all ask here.

The election committee (a staff role over the organisation, or its admin) runs an election.
Members take part as themselves: their account's person must be on the roll. Tellers and
scrutineers act through their `Official` duty. The roll, candidates, questions and results of
an election past its preparation are public; nobody, not even a superuser, reads who cast which
ballot, because nothing stored says it.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from tongxin.community.models import Organisation, Person, StaffRole
from tongxin.community.permissions import has_role, is_signed_in

from .models import Duty, Election, Official, Phase, RollEntry

ELECTION_RUNNERS = (StaffRole.ADMIN, StaffRole.ELECTION_COMMITTEE)
# Who records a committee's or assembly's motions and issues its documents.
MOTION_RECORDERS = (StaffRole.ADMIN, StaffRole.OFFICE, StaffRole.ELECTION_COMMITTEE)


def person_of(user: Any) -> Person | None:
    """The person an account belongs to, if any (read once per request user)."""
    if not is_signed_in(user):
        return None
    if "_tongxin_person" not in user.__dict__:
        user.__dict__["_tongxin_person"] = Person.objects.filter(user=user).first()
    return user.__dict__["_tongxin_person"]


def roll_entry_of(user: Any, election: Election) -> RollEntry | None:
    """The user's own entry on the election's roll (eligible or not), if they have one."""
    person = person_of(user)
    if person is None:
        return None
    return RollEntry.objects.filter(election=election, person=person).first()


def can_run_election(user: Any, organisation: Organisation) -> bool:
    """Create and edit elections of the organisation, publish the roll, decide objections, vet
    nominations, fix the list, open and close voting, publish results."""
    return has_role(user, ELECTION_RUNNERS, organisation)


def can_view_election(user: Any, election: Election) -> bool:
    """A prepared election is public; a draft only to those who run it."""
    return election.phase != Phase.DRAFT or can_run_election(user, election.organisation)


def visible_election(user: Any, pk: int) -> Election:
    """The election with this id, if the user may see it; Http404 otherwise (so a draft is not
    even known to exist outside its election committee)."""
    election = get_object_or_404(Election.objects.select_related("organisation"), pk=pk)
    if not can_view_election(user, election):
        raise Http404
    return election


def is_eligible_voter(user: Any, election: Election) -> bool:
    entry = roll_entry_of(user, election)
    return entry is not None and entry.eligible


def can_object_to_roll(user: Any, election: Election) -> bool:
    """Anyone of the organisation with an account and a person may object while objections are open."""
    return person_of(user) is not None and election.phase == Phase.ROLL


def can_nominate(user: Any, election: Election) -> bool:
    """Eligible voters propose, second and nominate themselves while nominations are open."""
    return election.phase == Phase.NOMINATION and is_eligible_voter(user, election)


def can_answer_as_candidate(user: Any, election: Election) -> bool:
    person = person_of(user)
    return person is not None and election.candidates.filter(person=person).exists()


def can_ask_candidates(user: Any, election: Election) -> bool:
    return election.phase in (Phase.CANDIDATES, Phase.VOTING) and is_eligible_voter(user, election)


def official_duty(user: Any, election: Election, duty: str) -> Official | None:
    """The user's appointment as teller or scrutineer of the election, if they hold it."""
    person = person_of(user)
    if person is None:
        return None
    return Official.objects.filter(election=election, person=person, duty=duty).first()


def can_enter_paper_ballots(user: Any, election: Election) -> bool:
    return official_duty(user, election, Duty.TELLER) is not None


def can_sign_result(user: Any, election: Election) -> bool:
    return official_duty(user, election, Duty.SCRUTINEER) is not None


def can_record_motion(user: Any, organisation: Organisation) -> bool:
    """Table a motion, record attendance and votes, minute dissent, issue documents."""
    return has_role(user, MOTION_RECORDERS, organisation)


# -- motions -------------------------------------------------------------------------------------


def can_view_motion(user: Any, motion: Any) -> bool:
    """A decided motion is public, with every vote by name; one still being voted on only to
    those who record it."""
    return motion.is_decided or can_record_motion(user, motion.organisation)


def can_view_document(user: Any, document: Any) -> bool:
    """A published document is public; a draft only to those who issue the organisation's documents."""
    return document.status == "published" or can_record_motion(user, document.organisation)


# ---------------------------------------------------------------------------------------------
# casting

from .models import RoundStatus, VotingRound


def voter_entry_of(user: Any, election: Election) -> RollEntry | None:
    """The user's own roll entry (eligible or not), read once per request user and election:
    the ballot page and the cast ask several predicates about it."""
    person = person_of(user)
    if person is None:
        return None
    entries = user.__dict__.setdefault("_tongxin_roll_entries", {})
    if election.pk not in entries:
        entries[election.pk] = RollEntry.objects.filter(election=election, person=person).order_by("pk").first()
    return entries[election.pk]


def principals_of(user: Any, election: Election) -> list[RollEntry]:
    """The eligible voters whose ballot the user may cast as their registered proxy holder."""
    holder = voter_entry_of(user, election)
    if holder is None or not holder.eligible or not election.proxies_allowed:
        return []
    return [
        proxy.principal
        for proxy in election.proxies.filter(holder=holder).select_related("principal__person")
        if proxy.principal.eligible
    ]


def can_cast_ballot(user: Any, election: Election, for_voter: RollEntry | None = None) -> bool:
    """Cast one's own ballot as an eligible voter, or a principal's as their proxy holder.

    Whether a round is open and the voter has not voted yet are the action's questions.
    """
    if for_voter is None:
        entry = voter_entry_of(user, election)
        return entry is not None and entry.eligible
    return any(principal.pk == for_voter.pk for principal in principals_of(user, election))


def can_vote_in(user: Any, election: Election) -> bool:
    """The ballot page is for the user: they may cast their own ballot or a principal's."""
    return can_cast_ballot(user, election) or bool(principals_of(user, election))


def can_see_ballots(user: Any, voting_round: VotingRound) -> bool:
    """A counted round's anonymous ballots are public with the election (so anyone can recount)."""
    return voting_round.status == RoundStatus.COUNTED and can_view_election(user, voting_round.election)


# ---- nominations ---------------------------------------------------------------------------------

from .models import Nomination, Route  # this block's own models, kept with it


def is_nominee(user: Any, nomination: Nomination) -> bool:
    """The nominee answers a nomination: accepts or declines it."""
    person = person_of(user)
    return person is not None and person.pk == nomination.nominee_id


def can_withdraw_nomination(user: Any, nomination: Nomination) -> bool:
    """Whoever made a nomination may take it back: the committee for the organisation's, the
    proposer for a joint one, the nominee for a self-nomination."""
    if nomination.route == Route.ORGANISATION:
        return can_run_election(user, nomination.election.organisation)
    person = person_of(user)
    return person is not None and person.pk == nomination.proposer_id


# ---- roll ---------------------------------------------------------------------------------------

from .models import Elects, RuleSetName


def belongs_to_electorate(user: Any, election: Election) -> bool:
    """The user's person is one the roll is about: on it (eligible or not), or where the roll
    comes from (registered in the village for a village election, a current member otherwise)."""
    person = person_of(user)
    if person is None:
        return False
    if RollEntry.objects.filter(election=election, person=person).exists():
        return True
    if election.rule_set == RuleSetName.VILLAGE_COMMITTEE and election.elects != Elects.OFFICERS:
        place = election.organisation.place()
        return place is not None and person.home_id == place.pk
    return person.memberships.current().filter(organisation=election.organisation).exists()


def can_raise_objection(user: Any, election: Election) -> bool:
    """Object to the published roll: the organisation's own people, while objections are open."""
    return can_object_to_roll(user, election) and belongs_to_electorate(user, election)
