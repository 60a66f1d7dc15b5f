"""Rounds of voting: opening the vote, the assembly's attendance, the tellers' paper entries, the
count, further rounds, the scrutineers' signatures and the published result.

How the pieces fit:

- `open_voting` moves the election from CANDIDATES to VOTING with round 1 (the whole list, every
  seat). An online round opens at once; an assembly round waits, PREPARED, for
  `start_assembly_round` when the assembly sits.
- Online, `close_round` takes the turnout (the people who took part) as the voters present and
  seals the ballots (`casting.seal_round`). At an assembly the committee records the voters present
  and the ballots issued, closes the round, records how many paper ballots came out of the box,
  and the two tellers enter the pile independently; `commit_paper_ballots` turns the agreed
  entries into ballots and seals them.
- `count_round` counts by `counting.count_election` and stores the result as plain data
  (`result_data`). `start_next_round` follows the result: a further vote among the tied, a
  further election for unfilled seats (or a passed motion reducing the seats), the village
  rule's second round, or, after a void round or one without a quorum, the same round again.
- Scrutineers sign every counted round; `publish_result` then publishes the whole result.

Decisions where the rules leave room (RULES.md §1):

- Candidates are counted under their names. Two candidates of the same name in one round are told
  apart by their place on the round's list: "王芳 (2)" (`casting.candidate_names`, the same labels as the
  published ballot list).
- The village rule's second round is among the best non-elected: twice as many as the unfilled
  seats, by votes in the round that left them unfilled, and everyone with as many votes as the
  last of them (a tie at the edge keeps everyone tied in). A further election under the other
  rules is among all the non-elected candidates of the round.
- A written-in name that must go on to a later round (tied, or among the best non-elected) needs
  a candidate: it becomes one if exactly one eligible voter on the roll has that name; otherwise
  the committee is told to settle the name first.
- A void round, or one without a quorum, is held again with the same candidates and seats.
- A paper ballot has a write-in slot per seat in every round (the paper has the space): a
  name written in on a later round's paper is entered as it stands, and the count finds the
  ballot invalid, as the rules say.
- Paper ballots: teller 1 and teller 2 are the first accounts to enter as each; a teller is
  finished when every ballot of the pile has their entry, and only then do the two see each
  other's entries (the mismatches). An unmarked candidate is stored as unmarked, and the count
  treats such a ballot as invalid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.community.models import Person
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .. import ballots as ballot_codec
from .. import counting
from ..models import (
    Ballot,
    Candidate,
    Duty,
    Election,
    Mode,
    Motion,
    MotionStatus,
    Official,
    PaperEntry,
    Phase,
    Reconciliation,
    RoundCandidate,
    RoundKind,
    RoundStatus,
    RuleSetName,
    Signature,
    Teller,
    Turnout,
    VotingRound,
    new_receipt,
)
from ..permissions import (
    can_enter_paper_ballots,
    can_run_election,
    can_sign_result,
    official_duty,
)
from ..wording import problem_text
from .casting import candidate_names, round_entries, seal_round, stop_casting
from .common import lock_election, notify_voters, require, require_phase
from .roll import eligible_roll

# ---------------------------------------------------------------------------------------------
# Reading a round


def result_of(voting_round: VotingRound) -> counting.Result | None:
    """The stored count as a `counting.Result` (labels as keys), for wording its reason."""
    data = voting_round.result
    if not data:
        return None
    return counting.Result(
        status=counting.Status(data["status"]),
        reason_code=counting.Reason(data["reason"]["code"]),
        reason_params=dict(data["reason"]["params"]),
        ballots_returned=data["ballots"]["returned"],
        valid=data["ballots"]["valid"],
        invalid=data["ballots"]["invalid"],
        tally={row["label"]: row["votes"] for row in data["tally"]},
        elected=[row["label"] for row in data["elected"]],
        tied=[row["label"] for row in data["tied"]],
        unfilled_seats=data["unfilled_seats"],
    )


def seats_filled(election: Election) -> int:
    """Seats filled by every counted round, plus seats given up by a motion reducing them."""
    filled = 0
    for voting_round in election.rounds.filter(status=RoundStatus.COUNTED):
        filled += len(voting_round.result["elected"]) + voting_round.result.get("seats_reduced", 0)
    return filled


@dataclass(frozen=True)
class NextStep:
    """What follows the last round: `kind` of the next round, or "publish", "wait", "count"…"""

    code: str  # open_voting, start, vote, close, enter_paper, commit, count, next_round, publish, published
    kind: str = ""
    seats: int = 0


def next_step(election: Election, rounds: list[VotingRound] | None = None) -> NextStep:
    """What the committee does next, read from the rounds (the pages and the API show it)."""
    if election.phase == Phase.PUBLISHED:
        return NextStep("published")
    if election.phase == Phase.CANDIDATES:
        return NextStep("open_voting")
    rounds = list(election.rounds.all()) if rounds is None else rounds
    if not rounds:
        return NextStep("none")
    last = rounds[-1]
    if last.status == RoundStatus.PREPARED:
        return NextStep("start")
    if last.status == RoundStatus.OPEN:
        return NextStep("vote")
    if last.status == RoundStatus.CLOSED:
        if election.mode == Mode.ASSEMBLY and last.paper_committed_at is None:
            return NextStep("enter_paper")
        return NextStep("count")
    filled = sum(len(r.result["elected"]) + r.result.get("seats_reduced", 0) for r in rounds if r.result)
    if filled >= election.seats:
        return NextStep("publish")
    plan = _plan_next_round(last)
    return NextStep("next_round", kind=plan.kind, seats=plan.seats)


# ---------------------------------------------------------------------------------------------
# Opening the vote


def open_voting(*, actor: Any, election: Election) -> VotingRound:
    """CANDIDATES → VOTING with round 1: every candidate of the list, every seat."""
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.CANDIDATES)
        candidates = list(election.candidates.order_by("position", "pk"))
        problem = counting.check_candidate_list(election.rules, election.seats, len(candidates))
        if problem is not None:
            raise ActionError(problem_text(problem), status=409, code=problem.code)
        voting_round = _new_round(
            election, number=1, kind=RoundKind.FIRST, seats=election.seats, candidates=candidates
        )
        election.phase = Phase.VOTING
        election.save(update_fields=["phase"])
        record_audit(
            actor=actor, verb="election.open_voting", target=election,
            data={"round": 1, "candidates": [c.pk for c in candidates], "voters_due": voting_round.voters_due,
                  "status": voting_round.status},
        )
        if election.mode == Mode.ONLINE:
            notify_voters(
                election,
                subject=_("Voting is open: “%(title)s”") % {"title": election.title},
                body=_("Every candidate needs your mark: approve, disapprove or abstain. Your ballot is secret."),
                url=reverse("elections:ballot", args=[election.pk]),
            )
    return voting_round


def _new_round(
    election: Election, *, number: int, kind: str, seats: int, candidates: list[Candidate]
) -> VotingRound:
    online = election.mode == Mode.ONLINE
    voting_round = VotingRound.objects.create(
        election=election, number=number, kind=kind, seats=seats,
        status=RoundStatus.OPEN if online else RoundStatus.PREPARED,
        voters_due=eligible_roll(election).count(),
        opened_at=timezone.now() if online else None,
    )
    RoundCandidate.objects.bulk_create(
        RoundCandidate(round=voting_round, candidate=candidate, position=position)
        for position, candidate in enumerate(candidates, start=1)
    )
    return voting_round


def _locked_round(voting_round: VotingRound) -> tuple[Election, VotingRound]:
    """The election locked (steps of one election never race) and a fresh copy of the round."""
    election = lock_election(voting_round.election)
    return election, VotingRound.objects.get(pk=voting_round.pk)


def _require_status(voting_round: VotingRound, *statuses: str) -> None:
    if voting_round.status not in statuses:
        raise ActionError(
            _("This cannot be done now: round %(number)d is “%(status)s”.")
            % {"number": voting_round.number, "status": RoundStatus(voting_round.status).label},
            status=409, code="wrong_round_status",
        )


def _require_assembly(election: Election) -> None:
    if election.mode != Mode.ASSEMBLY:
        raise ActionError(_("This election is voted online, not at an assembly."), status=409, code="not_assembly")


def start_assembly_round(*, actor: Any, voting_round: VotingRound) -> VotingRound:
    """The assembly sits: the prepared round opens for paper ballots."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_assembly(election)
        _require_status(voting_round, RoundStatus.PREPARED)
        voting_round.status = RoundStatus.OPEN
        voting_round.opened_at = timezone.now()
        voting_round.save(update_fields=["status", "opened_at"])
        record_audit(actor=actor, verb="election.round_start", target=election, data={"round": voting_round.number})
    return voting_round


def record_attendance(*, actor: Any, voting_round: VotingRound, voters_present: int, ballots_issued: int) -> VotingRound:
    """The assembly's count at the hall: voters present and ballots issued (never more than present)."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_assembly(election)
        _require_status(voting_round, RoundStatus.OPEN)
        if voters_present < 0 or ballots_issued < 0:
            raise ActionError(_("Numbers of voters and ballots cannot be negative."))
        if voters_present > voting_round.voters_due:
            raise ActionError(
                _("%(present)d voters present is more than the %(due)d on the roll.")
                % {"present": voters_present, "due": voting_round.voters_due}
            )
        if ballots_issued > voters_present:
            raise ActionError(
                _("%(issued)d ballots issued is more than the %(present)d voters present: one ballot per voter.")
                % {"issued": ballots_issued, "present": voters_present}
            )
        voting_round.voters_present = voters_present
        voting_round.ballots_issued = ballots_issued
        voting_round.save(update_fields=["voters_present", "ballots_issued"])
        record_audit(
            actor=actor, verb="election.round_attendance", target=election,
            data={"round": voting_round.number, "voters_present": voters_present, "ballots_issued": ballots_issued},
        )
    return voting_round


def close_round(*, actor: Any, voting_round: VotingRound) -> VotingRound:
    """No more ballots. Online: the turnout is the voters present, and the ballots are sealed."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        stop_casting(voting_round)  # before the election's lock: casts under way finish first
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_status(voting_round, RoundStatus.OPEN)
        if election.mode == Mode.ONLINE:
            voting_round.voters_present = Turnout.objects.filter(round=voting_round).count()
            seal_round(voting_round)
        elif voting_round.voters_present is None:
            raise ActionError(_("Record the voters present and the ballots issued before closing the round."), status=409)
        voting_round.status = RoundStatus.CLOSED
        voting_round.closed_at = timezone.now()
        voting_round.save(update_fields=["status", "closed_at", "voters_present"])
        record_audit(
            actor=actor, verb="election.round_close", target=election,
            data={"round": voting_round.number, "voters_present": voting_round.voters_present},
        )
    return voting_round


# ---------------------------------------------------------------------------------------------
# Paper ballots at an assembly


def record_ballots_returned(*, actor: Any, voting_round: VotingRound, ballots_returned: int) -> VotingRound:
    """The paper ballots found in the box, counted before the tellers enter any of them."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_assembly(election)
        _require_status(voting_round, RoundStatus.CLOSED)
        if ballots_returned < 0:
            raise ActionError(_("Numbers of voters and ballots cannot be negative."))
        if voting_round.paper_entries.filter(position__gt=ballots_returned).exists():
            raise ActionError(
                _("Tellers have already entered ballots beyond number %(count)d.") % {"count": ballots_returned},
                status=409,
            )
        voting_round.ballots_returned = ballots_returned
        voting_round.save(update_fields=["ballots_returned"])
        record_audit(
            actor=actor, verb="election.round_returned", target=election,
            data={"round": voting_round.number, "ballots_returned": ballots_returned,
                  "ballots_issued": voting_round.ballots_issued},
        )
    return voting_round


def _require_paper_entry(election: Election, voting_round: VotingRound) -> None:
    require_phase(election, Phase.VOTING)
    _require_assembly(election)
    _require_status(voting_round, RoundStatus.CLOSED)
    if voting_round.paper_committed_at is not None:
        raise ActionError(_("The paper ballots of this round are already committed."), status=409)
    if voting_round.ballots_returned is None:
        raise ActionError(_("First record how many paper ballots were returned."), status=409)


def teller_accounts(voting_round: VotingRound) -> dict[int, Any]:
    """Who has entered as teller 1 and teller 2 (the first account to enter as each)."""
    accounts: dict[int, Any] = {}
    for teller in Teller.values:
        first = voting_round.paper_entries.filter(teller=teller).order_by("pk").values_list("entered_by", flat=True).first()
        if first is not None:
            accounts[teller] = first
    return accounts


def paper_content(voting_round: VotingRound, entries: list[RoundCandidate], marks: dict[int, str | None], write_ins: list[str]) -> str:
    """One paper ballot as stored: `marks` by candidate pk (None: left unmarked)."""
    listed = {entry.candidate_id for entry in entries}
    unknown = set(marks) - listed
    if unknown:
        raise ActionError(_("A mark is for someone who is not a candidate in this round."))
    for mark in marks.values():
        if mark is not None and mark not in counting.MARKS:
            raise ActionError(_("Mark each candidate approve, disapprove, abstain or unmarked."))
    try:
        return ballot_codec.encode(
            [marks.get(entry.candidate_id) for entry in entries], write_ins, slots=voting_round.seats
        )
    except ballot_codec.EncodingError as error:
        if str(error) == "too_many_write_ins":
            raise ActionError(
                _("At most %(count)d names can be written in.") % {"count": voting_round.seats}
            ) from None
        raise ActionError(
            _("A written-in name is too long: at most %(bytes)d bytes.") % {"bytes": ballot_codec.WRITE_IN_BYTES}
        ) from None


def enter_paper_ballot(
    *,
    actor: Any,
    voting_round: VotingRound,
    teller: int,
    position: int,
    marks: dict[int, str | None],
    write_ins: list[str],
) -> PaperEntry:
    """One teller's reading of paper ballot number `position`; entering it again corrects it."""
    require(can_enter_paper_ballots(actor, voting_round.election))
    if teller not in Teller.values:
        raise ActionError(_("A teller is number 1 or 2."))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        _require_paper_entry(election, voting_round)
        if not 1 <= position <= voting_round.ballots_returned:
            raise ActionError(
                _("Ballot numbers run from 1 to %(count)d.") % {"count": voting_round.ballots_returned}
            )
        accounts = teller_accounts(voting_round)
        other = Teller.SECOND if teller == Teller.FIRST else Teller.FIRST
        if accounts.get(other) == actor.pk:
            raise ActionError(
                _("You are entering as the other teller: two different tellers enter the pile."), status=409
            )
        if teller in accounts and accounts[teller] != actor.pk:
            raise ActionError(_("Another teller is entering as teller %(teller)d.") % {"teller": teller}, status=409)
        content = paper_content(voting_round, round_entries(voting_round), marks, write_ins)
        entry, created = PaperEntry.objects.update_or_create(
            round=voting_round, teller=teller, position=position,
            defaults={"content": content, "entered_by": actor},
        )
        record_audit(
            actor=actor, verb="election.paper_entry", target=election,
            data={"round": voting_round.number, "teller": teller, "position": position, "corrected": not created},
        )
    return entry


def teller_finished(voting_round: VotingRound, teller: int) -> bool:
    returned = voting_round.ballots_returned
    if returned is None:
        return False
    return voting_round.paper_entries.filter(teller=teller, position__lte=returned).count() == returned


def paper_progress(voting_round: VotingRound) -> dict[int, int]:
    counts = dict(voting_round.paper_entries.values_list("teller").annotate(n=Count("pk")).values_list("teller", "n"))
    return {teller: counts.get(teller, 0) for teller in Teller.values}


@dataclass(frozen=True)
class Mismatch:
    position: int
    first: str | None  # content as teller 1 entered it; None: not entered
    second: str | None
    reconciled: str | None


def paper_mismatches(voting_round: VotingRound) -> list[Mismatch]:
    """Ballot numbers where the two entries differ or one is missing, with any reconciliation."""
    by_position: dict[int, dict[int, str]] = {}
    for entry in voting_round.paper_entries.all():
        by_position.setdefault(entry.position, {})[entry.teller] = entry.content
    reconciled = dict(voting_round.reconciliations.values_list("position", "content"))
    mismatches = []
    for position in range(1, (voting_round.ballots_returned or 0) + 1):
        read = by_position.get(position, {})
        first, second = read.get(Teller.FIRST), read.get(Teller.SECOND)
        if first is None or second is None or first != second:
            mismatches.append(Mismatch(position, first, second, reconciled.get(position)))
    return mismatches


def reconcile_paper_ballot(
    *,
    actor: Any,
    voting_round: VotingRound,
    position: int,
    marks: dict[int, str | None],
    write_ins: list[str],
    note: str = "",
) -> Reconciliation:
    """Both tellers looked at paper ballot `position` together: what it says, recorded once."""
    require(can_enter_paper_ballots(actor, voting_round.election))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        _require_paper_entry(election, voting_round)
        if not (teller_finished(voting_round, Teller.FIRST) and teller_finished(voting_round, Teller.SECOND)):
            raise ActionError(_("Both tellers finish entering the pile before differences are settled."), status=409)
        if actor.pk not in teller_accounts(voting_round).values():
            raise ActionError(_("Only the two tellers who entered the pile settle its differences."), status=409)
        if position not in {m.position for m in paper_mismatches(voting_round)}:
            raise ActionError(_("Both tellers read ballot %(position)d the same way.") % {"position": position}, status=409)
        content = paper_content(voting_round, round_entries(voting_round), marks, write_ins)
        reconciliation, _created = Reconciliation.objects.update_or_create(
            round=voting_round, position=position,
            defaults={"content": content, "note": note.strip(), "decided_by": actor},
        )
        record_audit(
            actor=actor, verb="election.paper_reconcile", target=election,
            data={"round": voting_round.number, "position": position, "note": note.strip()},
        )
    return reconciliation


def commit_paper_ballots(*, actor: Any, voting_round: VotingRound) -> int:
    """The agreed paper ballots become the round's ballots (sealed in random order); returns how many."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        _require_paper_entry(election, voting_round)
        returned = voting_round.ballots_returned
        if not (teller_finished(voting_round, Teller.FIRST) and teller_finished(voting_round, Teller.SECOND)):
            raise ActionError(
                _("Both tellers must enter all %(count)d paper ballots first.") % {"count": returned}, status=409
            )
        open_positions = [m.position for m in paper_mismatches(voting_round) if m.reconciled is None]
        if open_positions:
            raise ActionError(
                _("The tellers read these ballots differently: %(numbers)s. Settle them first.")
                % {"numbers": ", ".join(str(n) for n in open_positions)},
                status=409,
            )
        reconciled = dict(voting_round.reconciliations.values_list("position", "content"))
        agreed = {
            entry.position: entry.content
            for entry in voting_round.paper_entries.filter(teller=Teller.FIRST, position__lte=returned)
        }
        agreed.update(reconciled)
        receipts: set[str] = set()
        rows = []
        for position in range(1, returned + 1):
            receipt = new_receipt()
            while receipt in receipts:
                receipt = new_receipt()
            receipts.add(receipt)
            rows.append(Ballot(round=voting_round, receipt=receipt, content=agreed[position]))
        Ballot.objects.bulk_create(rows)
        seal_round(voting_round)
        voting_round.paper_committed_at = timezone.now()
        voting_round.save(update_fields=["paper_committed_at"])
        record_audit(
            actor=actor, verb="election.paper_commit", target=election,
            data={"round": voting_round.number, "ballots_returned": returned,
                  "ballots_issued": voting_round.ballots_issued, "reconciled": sorted(reconciled)},
        )
    return returned


# ---------------------------------------------------------------------------------------------
# Counting


def count_round(*, actor: Any, voting_round: VotingRound) -> VotingRound:
    """Count the closed round by the election's rules and keep the result with every number."""
    require(can_run_election(actor, voting_round.election.organisation))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_status(voting_round, RoundStatus.CLOSED)
        if election.mode == Mode.ASSEMBLY and voting_round.paper_committed_at is None:
            raise ActionError(_("Commit the tellers' paper ballots before counting."), status=409)
        entries = round_entries(voting_round)
        labels = candidate_names(entries)
        try:
            decoded = [
                ballot_codec.decode(content, labels)
                for content in voting_round.ballots.values_list("content", flat=True)
            ]
            result = counting.count_election(
                election.rules,
                seats=voting_round.seats,
                candidates=labels,
                voters_due=voting_round.voters_due,
                voters_present=voting_round.voters_present or 0,
                ballots=decoded,
                round=counting.Round(voting_round.kind),
            )
        except counting.InputError as error:
            raise ActionError(problem_text(error.problem), status=409, code=error.problem.code) from None
        except ballot_codec.EncodingError:
            raise ActionError(_("A stored ballot cannot be read."), status=409, code="bad_content") from None
        voting_round.result = result_data(result, entries, labels)
        voting_round.status = RoundStatus.COUNTED
        voting_round.counted_at = timezone.now()
        voting_round.save(update_fields=["result", "status", "counted_at"])
        record_audit(
            actor=actor, verb="election.round_count", target=election,
            data={"round": voting_round.number, "result": voting_round.result},
        )
    return voting_round


def result_data(result: counting.Result, entries: list[RoundCandidate], labels: list[str]) -> dict[str, Any]:
    """A counting.Result as stored: candidates by pk and label, write-ins by name."""
    pk_of = {label: entry.candidate_id for label, entry in zip(labels, entries)}

    def row(label: str) -> dict[str, Any]:
        return {"candidate": pk_of.get(label), "label": label}

    return {
        "status": result.status.value,
        "reason": {"code": result.reason_code.value, "params": result.reason_params},
        "ballots": {"returned": result.ballots_returned, "valid": result.valid, "invalid": result.invalid},
        "tally": [{**row(label), "votes": votes} for label, votes in result.tally.items()],
        "elected": [row(label) for label in result.elected],
        "tied": [row(label) for label in result.tied],
        "unfilled_seats": result.unfilled_seats,
    }


# ---------------------------------------------------------------------------------------------
# Further rounds


@dataclass(frozen=True)
class Plan:
    kind: str
    seats: int
    labels: list[str]  # who stands, by the previous round's labels, in the order they stand


def _plan_next_round(last: VotingRound) -> Plan:
    result = last.result
    status, reason = result["status"], result["reason"]["code"]
    everyone = [row["label"] for row in result["tally"] if row["candidate"] is not None]
    if status in (counting.Status.VOID, counting.Status.NO_QUORUM):
        labels = candidate_names(round_entries(last))
        return Plan(last.kind, last.seats, labels)
    if reason == counting.Reason.TIE:
        return Plan(RoundKind.TIE_BREAK, result["reason"]["params"]["seats"], [row["label"] for row in result["tied"]])
    elected = {row["label"] for row in result["elected"]}
    unfilled = result["unfilled_seats"]
    if reason == counting.Reason.SHORTFALL_SECOND_ROUND:
        ranked = sorted(
            (row for row in result["tally"] if row["label"] not in elected and row["votes"] > 0),
            key=lambda row: -row["votes"],
        )
        take = unfilled * 2
        if len(ranked) > take:
            edge = ranked[take - 1]["votes"]
            ranked = [row for row in ranked if row["votes"] >= edge]
        return Plan(RoundKind.SECOND_ROUND, unfilled, [row["label"] for row in ranked])
    return Plan(RoundKind.FURTHER_ELECTION, unfilled, [label for label in everyone if label not in elected])


def start_next_round(*, actor: Any, election: Election, reduce_seats_motion: Motion | None = None) -> VotingRound | None:
    """The round the last result calls for; or, with a passed motion reducing the seats after a
    shortfall, no further round (returns None: the result can then be published)."""
    require(can_run_election(actor, election.organisation))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.VOTING)
        rounds = list(election.rounds.order_by("number"))
        last = rounds[-1]
        _require_status(last, RoundStatus.COUNTED)
        if seats_filled(election) >= election.seats:
            raise ActionError(_("Every seat is filled: the result can be published."), status=409)
        plan = _plan_next_round(last)
        if reduce_seats_motion is not None:
            return _reduce_seats(actor, election, last, plan, reduce_seats_motion)
        candidates = _candidates_for(election, last, plan.labels)
        if len(candidates) < plan.seats:
            raise ActionError(
                _("Only %(candidates)d candidates remain for %(seats)d seats: the electors may reduce the seats by a motion.")
                % {"candidates": len(candidates), "seats": plan.seats},
                status=409, code="too_few_candidates",
            )
        voting_round = _new_round(election, number=last.number + 1, kind=plan.kind, seats=plan.seats, candidates=candidates)
        record_audit(
            actor=actor, verb="election.round_next", target=election,
            data={"round": voting_round.number, "kind": plan.kind, "seats": plan.seats,
                  "candidates": [c.pk for c in candidates], "after": last.number},
        )
    return voting_round


def _reduce_seats(actor: Any, election: Election, last: VotingRound, plan: Plan, motion: Motion) -> None:
    if plan.kind not in (RoundKind.FURTHER_ELECTION, RoundKind.SECOND_ROUND):
        raise ActionError(_("Seats can be reduced only when too few candidates were elected."), status=409)
    if motion.organisation_id != election.organisation_id or motion.status != MotionStatus.PASSED:
        raise ActionError(_("Reducing the seats needs a passed motion of the organisation holding the election."))
    last.result = {**last.result, "seats_reduced": plan.seats, "reduce_motion": motion.pk}
    last.save(update_fields=["result"])
    record_audit(
        actor=actor, verb="election.seats_reduce", target=election,
        data={"round": last.number, "seats_reduced": plan.seats, "motion": motion.pk},
    )


def _candidates_for(election: Election, last: VotingRound, labels: list[str]) -> list[Candidate]:
    """The candidates standing again, by label; a written-in name needs one eligible voter of that name."""
    entries = round_entries(last)
    by_label = dict(zip(candidate_names(entries), (entry.candidate for entry in entries)))
    candidates = []
    for label in labels:
        candidate = by_label.get(label) or _candidate_for_write_in(election, label)
        candidates.append(candidate)
    return candidates


def _candidate_for_write_in(election: Election, name: str) -> Candidate:
    people = list(Person.objects.filter(pk__in=eligible_roll(election).values("person"), name=name)[:2])
    if len(people) != 1:
        raise ActionError(
            _("The written-in name “%(name)s” matches %(count)d voters on the roll: settle who is meant before the next round.")
            % {"name": name, "count": len(people)},
            status=409, code="write_in_unresolved",
        )
    candidate = Candidate.objects.filter(election=election, person=people[0]).first()
    if candidate is None:
        last_position = election.candidates.order_by("-position").values_list("position", flat=True).first() or 0
        candidate = Candidate.objects.create(election=election, person=people[0], position=last_position + 1)
    return candidate


# ---------------------------------------------------------------------------------------------
# Officials, signatures, the published result


def appoint_official(
    *,
    actor: Any,
    election: Election,
    person: Person,
    duty: str,
    approved_by_assembly: bool,
    declared_not_related: bool = False,
) -> Official:
    """A teller or scrutineer: never a candidate; under the village rule, one who declares they are
    no near relative of a candidate (we cannot know relatives, so the declaration is recorded)."""
    require(can_run_election(actor, election.organisation))
    if duty not in Duty.values:
        raise ActionError(_("An official is a teller or a scrutineer."))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.CANDIDATES, Phase.VOTING)
        if election.candidates.filter(person=person).exists():
            raise ActionError(
                _("%(name)s is a candidate and cannot count or scrutinise.") % {"name": person.name}, code="candidate"
            )
        if election.rule_set == RuleSetName.VILLAGE_COMMITTEE and not declared_not_related:
            raise ActionError(
                _("Under the village rule an official declares they are no near relative of any candidate."),
                code="declaration",
            )
        if Official.objects.filter(election=election, person=person, duty=duty).exists():
            raise ActionError(
                _("%(name)s is already a %(duty)s.") % {"name": person.name, "duty": Duty(duty).label}, status=409
            )
        official = Official.objects.create(
            election=election, person=person, duty=duty, approved_by_assembly=approved_by_assembly,
            declared_not_related=declared_not_related,
        )
        record_audit(
            actor=actor, verb="election.official_appoint", target=election,
            data={"person": person.pk, "duty": duty, "approved_by_assembly": approved_by_assembly,
                  "declared_not_related": declared_not_related},
        )
    return official


def sign_result(*, actor: Any, voting_round: VotingRound, remark: str = "") -> Signature:
    """A scrutineer signs a counted round."""
    require(can_sign_result(actor, voting_round.election))
    with transaction.atomic():
        election, voting_round = _locked_round(voting_round)
        require_phase(election, Phase.VOTING)
        _require_status(voting_round, RoundStatus.COUNTED)
        official = official_duty(actor, election, Duty.SCRUTINEER)
        if voting_round.signatures.filter(official=official).exists():
            raise ActionError(_("You have already signed this round."), status=409)
        signature = Signature.objects.create(round=voting_round, official=official, remark=remark.strip())
        record_audit(
            actor=actor, verb="election.round_sign", target=election,
            data={"round": voting_round.number, "official": official.pk, "remark": remark.strip()},
        )
    return signature


def unsigned_rounds(election: Election) -> list[int]:
    """Counted rounds some scrutineer has not signed yet (by number)."""
    scrutineers = set(election.officials.filter(duty=Duty.SCRUTINEER).values_list("pk", flat=True))
    missing = []
    for voting_round in election.rounds.filter(status=RoundStatus.COUNTED).prefetch_related("signatures"):
        if not scrutineers <= {s.official_id for s in voting_round.signatures.all()}:
            missing.append(voting_round.number)
    return missing


def publish_result(*, actor: Any, election: Election, minutes: str) -> Election:
    """VOTING → PUBLISHED: every seat filled (or reduced), every round counted and signed."""
    require(can_run_election(actor, election.organisation))
    if not minutes.strip():
        raise ActionError(_("Write the minutes of the vote before publishing."))
    with transaction.atomic():
        election = lock_election(election)
        require_phase(election, Phase.VOTING)
        rounds = list(election.rounds.order_by("number"))
        if any(r.status != RoundStatus.COUNTED for r in rounds):
            raise ActionError(_("Every round must be counted first."), status=409)
        filled = seats_filled(election)
        if filled < election.seats:
            raise ActionError(
                _("%(filled)d of %(seats)d seats are filled: hold the further round first.")
                % {"filled": filled, "seats": election.seats},
                status=409,
            )
        if not election.officials.filter(duty=Duty.SCRUTINEER).exists():
            raise ActionError(_("Appoint scrutineers: they sign the result."), status=409)
        missing = unsigned_rounds(election)
        if missing:
            raise ActionError(
                _("Every scrutineer must sign every round first (round %(numbers)s).")
                % {"numbers": ", ".join(str(n) for n in missing)},
                status=409,
            )
        election.minutes = minutes.strip()
        election.phase = Phase.PUBLISHED
        election.published_at = timezone.now()
        election.save(update_fields=["minutes", "phase", "published_at"])
        record_audit(
            actor=actor, verb="election.publish_result", target=election,
            data={
                "rounds": [{"number": r.number, "kind": r.kind, "seats": r.seats, "voters_due": r.voters_due,
                            "voters_present": r.voters_present, "ballots_issued": r.ballots_issued,
                            "result": r.result} for r in rounds],
                "elected": elected_people(rounds),
                "minutes": election.minutes,
            },
        )
        notify_voters(
            election,
            subject=_("The result of “%(title)s” is published") % {"title": election.title},
            body=_("Elected: %(names)s.") % {"names": "、".join(row["label"] for row in elected_people(rounds))},
            url=reverse("elections:result", args=[election.pk]),
        )
    return election


def elected_people(rounds: list[VotingRound]) -> list[dict[str, Any]]:
    """Everyone elected, round by round in rank order."""
    return [
        {**row, "round": r.number}
        for r in rounds if r.result
        for row in r.result["elected"]
    ]
