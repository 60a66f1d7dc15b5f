"""Secret online casting: the turnout recorded by name, the ballot stored with no way back to it.

What could link a voter to a ballot, and what this module does about each:

- A shared key: none. `Turnout` holds (round, voter, by_proxy) and `Ballot` holds (random UUID,
  round, random receipt, content); the round is the only column they have in common. Both rows
  are written in one transaction, so a voter is never recorded without their ballot or the
  reverse.
- Time: neither table has a time column. The audit chain records *that* the voter voted, with
  its time, as the turnout already says; it never holds the receipt, the ballot's id or anything
  about its content (see `cast_ballot`).
- Size: `ballots.encode` gives every ballot of a round the same length, whatever it says.
- Order: the physical order of rows (what `pg_dump` and `sqlite3 .dump` print) and PostgreSQL's
  `xmin` (the transaction that wrote a row, which the turnout row shares) follow the order of
  voting. Two defences:
  * while the round is open, each cast also rewrites a few random earlier ballots of the round
    (delete and insert, same id, receipt and content) in its own transaction, so the newest rows
    and the rows of one transaction are a mix (`MIX`);
  * when the round closes, `seal_round` rewrites every ballot of the round in a fresh random
    order in the closing transaction: afterwards all share one `xmin` and their order is a
    random permutation, unrelated to the order of voting.

Closing: a round closes between casts, never in the middle of one (`_locked_round`), so the
turnout counted at the close and the ballots sealed are the same set; the closing transaction
calls `stop_casting` first so that it does not wait behind a stream of casts.

What the mixing does not do: it hides the newest ballot from someone who looks at the database
once during voting (a dump, a backup, a glance at `xmin`), among `MIX + 1` rows. Someone who
watches continuously while voting goes on (compares two snapshots, reads the write-ahead log or
a statement log, runs logical replication) sees which rows are new and can match them to the
turnout row written at the same moment. That person runs the server; the defence against them
is organisational (who may read the live database during voting), not this code. After sealing,
deleted row versions stay in PostgreSQL's pages until VACUUM reclaims them: run `VACUUM` on the
ballot table after a round closes (autovacuum does it eventually). SQLite is told to overwrite
deleted content (`secure_delete`) when the ballots are rewritten.
"""

from __future__ import annotations

import secrets
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import ballots, counting
from ..models import (
    Ballot,
    Election,
    Phase,
    RollEntry,
    RoundCandidate,
    RoundKind,
    RoundStatus,
    Turnout,
    VotingRound,
    new_receipt,
)
from ..permissions import can_cast_ballot, principals_of, voter_entry_of
from .common import require

# Earlier ballots of the round rewritten with each cast (see the module's docstring).
MIX = 3
# The first key of the round's casting lock (PostgreSQL advisory locks take two int4s): "CAST".
CASTING_LOCK = 0x43415354
# A receipt is 50 random bits: a second collision in a row means something else is wrong.
RECEIPT_ATTEMPTS = 5
MARKS = tuple(mark.value for mark in counting.Mark)


def cast_ballot(
    *,
    actor: Any,
    voting_round: VotingRound,
    marks: Mapping[int, str],
    write_ins: Sequence[str],
    for_voter: RollEntry | None = None,
) -> str:
    """Record that the voter voted and store their ballot, unlinked; return the ballot's receipt.

    `marks` holds one mark per candidate of the round (candidate pk → approve, disapprove or
    abstain); `write_ins` the names written in (first round only, at most one per disapproval).
    With `for_voter`, the actor casts that principal's ballot as their registered proxy holder.

    The audit entry ("election.vote") says who voted in which round: the actor (the voter or
    their proxy holder) and the voter's roll entry, which the turnout row says as well. It never
    holds the receipt or the ballot's id: the audit chain is readable by the election's officers,
    and the receipt is the one thing that ties a person to a line of the published ballot list.
    """
    voter = for_voter
    try:
        with transaction.atomic():
            voting_round = _locked_round(voting_round)
            election = voting_round.election
            voter = for_voter if for_voter is not None else voter_entry_of(actor, election)
            require(voter is not None and can_cast_ballot(actor, election, for_voter))
            assert voter is not None  # for the type checker: `require` refused otherwise
            _require_open(voting_round)
            content = ballot_content(voting_round, marks, write_ins)
            if has_voted(voting_round, voter):  # the usual case; the constraint settles a race
                raise _already_voted(for_voter)
            Turnout.objects.create(round=voting_round, voter=voter, by_proxy=for_voter is not None)
            receipt = _store(voting_round, content)
            record_audit(
                actor=actor,
                verb="election.vote",
                target=voting_round,
                data={
                    "round": voting_round.number,
                    "voter": voter.pk,
                    "by_proxy": for_voter is not None,
                },
            )
    except IntegrityError:
        # Two submissions of one voter at once: the database let one through and refused the other.
        if voter is not None and Turnout.objects.filter(round=voting_round, voter=voter).exists():
            raise _already_voted(for_voter) from None
        raise
    return receipt


def seal_round(voting_round: VotingRound) -> None:
    """Rewrite the round's ballots in a random order: call inside the transaction that closes it.

    Every ballot keeps its id, receipt and content; only its place among the rows and the
    transaction that wrote it change, to one for all. The round's row is locked for update
    first: casts under way (which hold it shared) finish before, casts that come later wait
    and then find the round closed. The closing step has usually locked the election already,
    which does the same (see `_locked_round`).
    """
    if not connection.in_atomic_block:
        raise RuntimeError(
            "seal_round deletes and re-inserts ballots: call it inside a transaction."
        )
    VotingRound.objects.select_for_update().get(pk=voting_round.pk)
    stored = list(Ballot.objects.filter(round=voting_round))
    secrets.SystemRandom().shuffle(stored)
    _overwrite_deleted_content()
    Ballot.objects.filter(round=voting_round).delete()
    Ballot.objects.bulk_create(stored, batch_size=1000)


def voter_choices(actor: Any, voting_round: VotingRound) -> list[RollEntry]:
    """Whose ballot the actor may still cast in the round: their own first, then their principals'."""
    election = voting_round.election
    own = voter_entry_of(actor, election)
    choices = [own] if own is not None and can_cast_ballot(actor, election) else []
    choices += principals_of(actor, election)
    voted = set(
        Turnout.objects.filter(round=voting_round, voter__in=choices).values_list(
            "voter_id", flat=True
        )
    )
    return [entry for entry in choices if entry.pk not in voted]


def has_voted(voting_round: VotingRound, voter: RollEntry) -> bool:
    return Turnout.objects.filter(round=voting_round, voter=voter).exists()


def write_in_slots(voting_round: VotingRound) -> int:
    """Write-in fields on the round's ballot: one per seat in the first round, none in later ones."""
    return voting_round.seats if voting_round.kind == RoundKind.FIRST else 0


def open_round(election: Election) -> VotingRound | None:
    """The election's round open for voting, if there is one."""
    return election.rounds.filter(status=RoundStatus.OPEN).order_by("-number").first()


# ---- the steps of a cast -------------------------------------------------------------------


def stop_casting(voting_round: VotingRound) -> None:
    """Wait for the casts under way in the round to commit and hold new ones back until the
    caller's transaction ends: the first statement of the transaction that closes the round,
    before it locks the election.

    Without it closing is still exact (see `_locked_round`), but PostgreSQL lets new shared
    row locks in ahead of a waiting update, so under a steady stream of casts the close waits
    for a moment when none is under way. This lock queues fairly: once the close waits for
    it, new casts wait behind the close, then find the round closed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CASTING_LOCK, voting_round.pk])


def _locked_round(voting_round: VotingRound) -> VotingRound:
    """The election and the round read afresh under shared locks.

    Shared locks (PostgreSQL's FOR SHARE) let casts run side by side, while every step that
    locks the election for update (`lock_election`: closing the round, among others) waits for
    the casts under way to commit, and a cast that comes after such a step waits for it and
    then reads what it did. So a round closes between casts, never in the middle of one: the
    turnout the closing step counts and the ballots `seal_round` rewrites are the same set.
    The order is the same everywhere, so no two transactions wait on each other in a circle:
    the round's casting lock (`stop_casting`), then the election, then the round.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, %s)", [CASTING_LOCK, voting_round.pk]
            )
        election = _shared(Election, voting_round.election_id)
        current = _shared(VotingRound, voting_round.pk)
    else:  # SQLite: one writer at a time, the transaction itself is the lock
        election = Election.objects.get(pk=voting_round.election_id)
        current = VotingRound.objects.get(pk=voting_round.pk)
    current.election = election
    return current


def _shared(model: Any, pk: int) -> Any:
    """The row, locked FOR SHARE until the transaction ends (Django's ORM only locks FOR UPDATE)."""
    query = f'SELECT * FROM "{model._meta.db_table}" WHERE "id" = %s FOR SHARE'
    return next(iter(model.objects.raw(query, [pk])))


def _require_open(voting_round: VotingRound) -> None:
    election = voting_round.election
    if voting_round.status != RoundStatus.OPEN or election.phase != Phase.VOTING:
        raise ActionError(
            _("This round is not open for voting."), status=409, code="round_not_open"
        )
    now = timezone.now()
    if election.voting_opens_at is not None and now < election.voting_opens_at:
        raise ActionError(_("Voting has not started yet."), status=409, code="voting_not_started")
    if election.voting_closes_at is not None and now >= election.voting_closes_at:
        raise ActionError(_("Voting has ended."), status=409, code="voting_ended")


def ballot_content(
    voting_round: VotingRound, marks: Mapping[int, str], write_ins: Sequence[str]
) -> str:
    """The ballot as it would be stored (`ballots.encode`), or an ActionError naming the first
    rule it breaks. Changes nothing: the ballot page's review step asks it too."""
    entries = round_entries(voting_round)
    listed = {entry.candidate_id for entry in entries}
    unknown = set(marks) - listed
    if unknown:
        raise ActionError(
            _("The ballot marks someone who is not a candidate in this round."),
            code="unknown_candidate",
        )
    missing = [
        entry.candidate.person.display_name for entry in entries if entry.candidate_id not in marks
    ]
    if missing:
        raise ActionError(
            _("Mark every candidate: approve, disapprove or abstain. Not marked: %(names)s.")
            % {"names": "、".join(missing)},
            code="unmarked",
        )
    if any(mark not in MARKS for mark in marks.values()):
        raise ActionError(_("A mark is approve, disapprove or abstain."), code="bad_mark")
    names = [normalised(name) for name in write_ins]
    names = [name for name in names if name]
    _check_write_ins(voting_round, entries, marks, names)
    try:
        return ballots.encode(
            [marks[entry.candidate_id] for entry in entries], names, slots=voting_round.seats
        )
    except ballots.EncodingError as error:
        raise ActionError(
            _write_in_problem(str(error), voting_round.seats), code=str(error)
        ) from None


def _check_write_ins(
    voting_round: VotingRound,
    entries: list[RoundCandidate],
    marks: Mapping[int, str],
    names: list[str],
) -> None:
    if not names:
        return
    if voting_round.kind != RoundKind.FIRST:
        raise ActionError(_("Write-ins are allowed only in the first round."), code="no_write_ins")
    if len(names) > voting_round.seats:
        raise ActionError(
            _write_in_problem("too_many_write_ins", voting_round.seats), code="too_many_write_ins"
        )
    disapprovals = sum(1 for mark in marks.values() if mark == counting.Mark.DISAPPROVE)
    if len(names) > disapprovals:
        raise ActionError(
            ngettext(
                "You may write in one person for each candidate you disapprove: you disapprove "
                "%(count)d and wrote in %(written)d.",
                "You may write in one person for each candidate you disapprove: you disapprove "
                "%(count)d and wrote in %(written)d.",
                disapprovals,
            )
            % {"count": disapprovals, "written": len(names)},
            code="write_in_without_disapproval",
        )
    listed = {
        _same_person_key(name)
        for entry in entries
        for name in (entry.candidate.person.name, entry.candidate.person.name_latin)
        if name
    }
    for name in names:
        if _same_person_key(name) in listed:
            raise ActionError(
                _(
                    "“%(name)s” is on the candidate list: mark them above instead of writing them in."
                )
                % {"name": name},
                code="write_in_is_candidate",
            )
    if len({_same_person_key(name) for name in names}) < len(names):
        raise ActionError(_("The same person is written in twice."), code="write_in_twice")


def _write_in_problem(code: str, seats: int) -> str:
    if code == "too_many_write_ins":
        return ngettext(
            "At most %(seats)d person may be written in.",
            "At most %(seats)d people may be written in.",
            seats,
        ) % {"seats": seats}
    return _("A written-in name may have at most %(bytes)d bytes (20 Chinese characters).") % {
        "bytes": ballots.WRITE_IN_BYTES
    }


def normalised(name: str) -> str:
    """A name as compared and stored: runs of whitespace made one space, none at the ends."""
    return " ".join(name.split())


def _same_person_key(name: str) -> str:
    """What two spellings of one name share: "张 伟", "张伟" and "ＺＨＡＮＧ wei" with "Zhang Wei"."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _already_voted(for_voter: RollEntry | None) -> ActionError:
    if for_voter is None:
        message = _("You have already voted in this round: each voter casts one ballot.")
    else:
        message = _("%(name)s's ballot has already been cast in this round.") % {
            "name": for_voter.person.name
        }
    return ActionError(message, status=409, code="already_voted")


def _store(voting_round: VotingRound, content: str) -> str:
    """Insert the ballot with a fresh receipt, mixed in with MIX earlier ballots rewritten.

    The new ballot goes in at a random place among the rewritten ones, so it is not the last row
    written. A receipt already used in the round (50 random bits: rare) draws again.
    """
    mixed = _pick_for_mixing(voting_round)
    _overwrite_deleted_content()
    Ballot.objects.filter(pk__in=[ballot.pk for ballot in mixed]).delete()
    for _attempt in range(RECEIPT_ATTEMPTS):
        ballot = Ballot(id=uuid.uuid4(), round=voting_round, receipt=new_receipt(), content=content)
        rows = [*mixed, ballot]
        secrets.SystemRandom().shuffle(rows)
        try:
            with transaction.atomic():  # a savepoint: a receipt collision undoes these inserts only
                Ballot.objects.bulk_create(rows)
        except IntegrityError:
            continue
        return ballot.receipt
    raise RuntimeError("No unused receipt after several draws.")


def _pick_for_mixing(voting_round: VotingRound) -> list[Ballot]:
    """Up to MIX earlier ballots of the round, picked at random, locked for this transaction.

    Picked from a random point of the random ids onwards (an index range, not a scan of the
    round), skipping ballots that another cast is rewriting right now.
    """
    pivot = uuid.uuid4()
    earlier = Ballot.objects.select_for_update(skip_locked=True).filter(round=voting_round)
    picked = list(earlier.filter(id__gte=pivot).order_by("id")[:MIX])
    if len(picked) < MIX:
        picked += list(earlier.filter(id__lt=pivot).order_by("id")[: MIX - len(picked)])
    return picked


def _overwrite_deleted_content() -> None:
    """SQLite keeps deleted rows' bytes in free pages unless told to overwrite them."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


# ---- the published ballot list (reading only) -----------------------------------------------


@dataclass(frozen=True)
class PublishedBallot:
    receipt: str
    marks: dict[str, str]  # candidate's name → approve, disapprove or abstain (unmarked: absent)
    write_ins: tuple[str, ...]


@dataclass(frozen=True)
class BallotList:
    """A round's ballots as published: no voter, no order but the receipts'."""

    voting_round: VotingRound
    candidates: list[str]  # names in the round's order, made unique
    ballots: list[PublishedBallot]  # in receipt order


def round_entries(voting_round: VotingRound) -> list[RoundCandidate]:
    """The round's candidates in ballot order (the order of the marks in a stored ballot)."""
    return list(voting_round.entries.select_related("candidate__person").order_by("position", "pk"))


def candidate_names(entries: Sequence[RoundCandidate]) -> list[str]:
    """The round's candidates by name, in order; a name shared by two gets its place added."""
    names = [entry.candidate.person.name for entry in entries]
    shared = {name for name in names if names.count(name) > 1}
    return [
        f"{name} ({entry.position})" if name in shared else name
        for name, entry in zip(names, entries, strict=True)
    ]


def decoded_ballot(receipt: str, content: str, names: Sequence[str]) -> PublishedBallot:
    decoded = ballots.decode(content, names)
    return PublishedBallot(receipt=receipt, marks=dict(decoded.marks), write_ins=decoded.write_ins)


def published_ballots(voting_round: VotingRound) -> BallotList:
    """Every ballot of the round, decoded, in receipt order: publish only once it is counted."""
    entries = round_entries(voting_round)
    names = candidate_names(entries)
    stored = (
        Ballot.objects.filter(round=voting_round)
        .order_by("receipt")
        .values_list("receipt", "content")
    )
    listed = [decoded_ballot(receipt, content, names) for receipt, content in stored]
    return BallotList(voting_round=voting_round, candidates=names, ballots=listed)


def count_input(voting_round: VotingRound) -> dict[str, Any]:
    """The round in the shape `tongxin count-election FILE.json` reads, so anyone can recount it."""
    ballot_list = published_ballots(voting_round)
    election = voting_round.election
    present = voting_round.voters_present
    if present is None:  # online, nobody counts heads: those who voted were present
        present = Turnout.objects.filter(round=voting_round).count()
    document: dict[str, Any] = {
        "rules": election.rule_set,
        "seats": voting_round.seats,
        "candidates": ballot_list.candidates,
        "voters_due": voting_round.voters_due,
        "voters_present": present,
        "ballots": [
            {"marks": ballot.marks, "write_ins": list(ballot.write_ins)}
            for ballot in ballot_list.ballots
        ],
        "round": voting_round.kind,
    }
    if election.rule_overrides:
        document["adjust"] = election.rule_overrides
    return document


def normalised_receipt(code: str) -> str:
    """A receipt as typed, made comparable: capitals, no spaces or dashes."""
    return "".join(character for character in code.upper() if character.isalnum())


def find_receipt(election: Election, code: str) -> tuple[VotingRound, PublishedBallot] | None:
    """The ballot with this receipt in a counted round of the election, decoded, if there is one."""
    code = normalised_receipt(code)
    if not code:
        return None
    stored = (
        Ballot.objects.filter(
            round__election=election, round__status=RoundStatus.COUNTED, receipt=code
        )
        .select_related("round")
        .first()
    )
    if stored is None:
        return None
    entries = round_entries(stored.round)
    return stored.round, decoded_ballot(stored.receipt, stored.content, candidate_names(entries))
