"""Writing and verifying the audit chain.

Each event's digest is SHA-256 over a canonical JSON of its fields and the previous digest, so
changing, deleting or inserting any row breaks the chain at that row. The head row records the
last sequence number and digest, which catches a tail cut off the end. A whole chain rewritten
and re-sealed is caught by comparing with a digest published earlier (`expect_head`).

Appends are serialised by the head row: PostgreSQL locks it (SELECT ... FOR UPDATE) until the
caller's transaction ends; SQLite's BEGIN IMMEDIATE (see settings) already holds the database's
write lock from the start of the transaction. Call `record_audit` late in an action's
transaction: every other audited action waits for that transaction to finish.
"""

import hashlib
import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64
# How far back a renumbered event's original predecessor is looked for: enough for any forgery
# a person types by hand, small enough to keep the walk's memory flat on a million events.
LOOKBACK = 1000


def _canonical_value(value: Any) -> Any:
    # PostgreSQL's jsonb gives 1e16 back as the integer 10000000000000000; hash whole floats as ints.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical_value(item) for item in value]
    return value


def canonical_payload(
    *,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    verb: str,
    target_type: str,
    target_id: str,
    target_label: str,
    data: Any,
    prev_digest: str,
) -> bytes:
    payload = {
        "seq": seq,
        "created_at": created_at.astimezone(dt_timezone.utc).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "verb": verb,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "data": _canonical_value(data),
        "prev_digest": prev_digest,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest_of(event: AuditEvent, *, seq: int | None = None) -> str:
    """The digest `event` should carry; `seq` asks what it would be at another position."""
    payload = canonical_payload(
        seq=event.seq if seq is None else seq,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        verb=event.verb,
        target_type=event.target_type,
        target_id=event.target_id,
        target_label=event.target_label,
        data=event.data,
        prev_digest=event.prev_digest,
    )
    return hashlib.sha256(payload).hexdigest()


def _normalised(data: dict[str, Any] | None) -> Any:
    # What the database gives back must hash the same as what we hashed: round-trip through JSON.
    # NaN and infinity are refused here: PostgreSQL's jsonb cannot store them.
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str, allow_nan=False))


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    signed_in = getattr(actor, "is_authenticated", False)
    if signed_in:
        return actor.pk, actor.get_username()[:200]
    return None, (str(actor) if actor else "")[:200]


def record_audit(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    actor_id, actor_label = _actor_fields(actor)
    with transaction.atomic():
        # The head row exists after the first append; get_or_create absorbs two first appends racing.
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "digest": GENESIS}
        )
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            verb=verb,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk)[:64] if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            data=_normalised(data),
            prev_digest=head.digest,
        )
        event.digest = digest_of(event)
        event.save()
        head.seq, head.digest = event.seq, event.digest
        head.save(update_fields=["seq", "digest"])
    return event


MODIFIED, DELETED, INSERTED, TRUNCATED = "modified", "deleted", "inserted", "truncated"


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain breaks: which event, what happened to it, and how we know."""

    seq: int | None  # None when no single event can be named (a rewritten chain)
    kind: str  # MODIFIED, DELETED, INSERTED or TRUNCATED
    detail: str


@dataclass(frozen=True)
class ChainHead:
    seq: int
    digest: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found: how far it reached, and the first break if any."""

    events: int
    head: ChainHead
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


class _Walk:
    """Follows the chain event by event, remembering enough to explain the first break."""

    def __init__(self) -> None:
        self.events = 0
        self.last = ChainHead(0, GENESIS)
        self.recent: deque[ChainHead] = deque([self.last], maxlen=LOOKBACK)

    def step(self, event: AuditEvent) -> ChainProblem | None:
        expected = self.last.seq + 1
        if event.seq != expected:
            return self._gap(event, expected)
        sealed = digest_of(event) == event.digest
        linked = event.prev_digest == self.last.digest
        if not linked or not sealed:
            return self._break(event, sealed=sealed, linked=linked)
        self.events += 1
        self.last = ChainHead(event.seq, event.digest)
        self.recent.append(self.last)
        return None

    def _gap(self, event: AuditEvent, expected: int) -> ChainProblem:
        if event.seq < expected:  # only if the unique constraint on seq was dropped too
            return ChainProblem(event.seq, INSERTED, _("a second event carries this number."))
        return ChainProblem(
            expected,
            DELETED,
            _("the event is missing: #%(before)s is followed by #%(after)s.")
            % {"before": self.last.seq, "after": event.seq},
        )

    def _break(self, event: AuditEvent, *, sealed: bool, linked: bool) -> ChainProblem:
        if linked:
            return ChainProblem(event.seq, MODIFIED, _("its content no longer matches its digest."))
        if sealed:
            # This event is intact and names its predecessor: the predecessor is what changed.
            return ChainProblem(
                self.last.seq,
                MODIFIED,
                _("it was changed and re-sealed: #%(next)s was sealed after a different #%(seq)s.")
                % {"next": event.seq, "seq": self.last.seq},
            )
        return self._moved(event)

    def _moved(self, event: AuditEvent) -> ChainProblem:
        """An event that neither matches its digest nor follows on: was it renumbered?"""
        for earlier in self.recent:
            if earlier.digest == event.prev_digest and digest_of(event, seq=earlier.seq + 1) == event.digest:
                first = earlier.seq + 1
                return ChainProblem(
                    first,
                    INSERTED,
                    _(
                        "it does not belong to the chain: "
                        "#%(moved)s was sealed as #%(first)s, right after #%(earlier)s."
                    )
                    % {"moved": event.seq, "first": first, "earlier": earlier.seq},
                )
        for missing in range(1, LOOKBACK + 1):
            if digest_of(event, seq=event.seq + missing) == event.digest:
                return ChainProblem(
                    event.seq,
                    DELETED,
                    _(
                        "the event was deleted and later events renumbered: "
                        "#%(seq)s was sealed as #%(sealed)s."
                    )
                    % {"seq": event.seq, "sealed": event.seq + missing},
                )
        detail = _("its content no longer matches its digest, nor does it follow #%(before)s.")
        return ChainProblem(event.seq, MODIFIED, detail % {"before": self.last.seq})


def _events_after(seq: int, batch_size: int) -> Iterator[AuditEvent]:
    # Keyset pages rather than one long cursor: each page is short, and a walk that races with
    # new appends simply reads them on its next page.
    while True:
        page = list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq")[:batch_size])
        yield from page
        if len(page) < batch_size:
            return
        seq = page[-1].seq


def _walk_from(walk: _Walk, batch_size: int) -> ChainProblem | None:
    for event in _events_after(walk.last.seq, batch_size):
        if problem := walk.step(event):
            return problem
    return None


def _compare_with_head(walk: _Walk, head: AuditHead | None) -> ChainProblem | None:
    """None when the walk ended where the head says, else what the difference means."""
    if head is None:
        if walk.events == 0:
            return None
        return ChainProblem(walk.last.seq, DELETED, _("the chain's head record is missing."))
    if head.seq < walk.last.seq:
        return ChainProblem(
            head.seq + 1,
            INSERTED,
            _("the head records #%(head)s as the last event: later events were not written by Tongxin.")
            % {"head": head.seq},
        )
    if head.seq == walk.last.seq and head.digest != walk.last.digest:
        detail = _("it was changed and re-sealed: the head recorded a different digest for it.")
        return ChainProblem(head.seq, MODIFIED, detail)
    return None


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in order; report how far it reaches and its first break, if any."""
    walk = _Walk()
    while True:
        if problem := _walk_from(walk, batch_size):
            return ChainReport(walk.events, walk.last, problem)
        # Read the head after the walk: every event the walk saw was committed with a head at least
        # that far, so a head further on means events appended meanwhile, or a tail cut off.
        head = AuditHead.objects.filter(pk=1).first()
        if head is None or head.seq <= walk.last.seq:
            return ChainReport(walk.events, walk.last, _compare_with_head(walk, head))
        if not AuditEvent.objects.filter(seq=walk.last.seq + 1).exists():
            problem = ChainProblem(
                walk.last.seq + 1,
                TRUNCATED,
                _(
                    "the chain ends at #%(last)s, but the head records #%(head)s: "
                    "the events after it were deleted."
                )
                % {"last": walk.last.seq, "head": head.seq},
            )
            return ChainReport(walk.events, walk.last, problem)


def parse_published_head(text: str) -> tuple[int | None, str]:
    """Read a published head: `DIGEST`, `SEQ:DIGEST` or `#SEQ DIGEST` (as verify-audit prints it)."""
    parts = text.replace("#", " ").replace(":", " ").split()
    if not 1 <= len(parts) <= 2 or (len(parts) == 2 and not parts[0].isdigit()):
        raise ValueError(text)
    digest = parts[-1].lower()
    if len(digest) != 64 or any(char not in "0123456789abcdef" for char in digest):
        raise ValueError(text)
    return (int(parts[0]) if len(parts) == 2 else None), digest


def check_published_head(report: ChainReport, *, seq: int | None, digest: str) -> ChainProblem | None:
    """A digest published earlier must still be in the chain, at its place: else it was rewritten."""
    found = AuditEvent.objects.filter(digest=digest).values_list("seq", flat=True).first()
    reached = report.head.seq
    if found is not None and (seq is None or found == seq) and found <= reached:
        return None
    if seq is None:
        detail = _("no event carries the published digest %(digest)s: the chain was rewritten.")
        return ChainProblem(None, MODIFIED, detail % {"digest": digest})
    if seq > reached:
        detail = _("the published head #%(seq)s is beyond the end of the chain: events were deleted.")
        return ChainProblem(seq, TRUNCATED, detail % {"seq": seq})
    return ChainProblem(
        seq,
        MODIFIED,
        _("it no longer carries the published digest %(digest)s: the chain was rewritten up to here.")
        % {"digest": digest},
    )


KIND_LABELS = {
    MODIFIED: pgettext_lazy("audit chain break", "modified"),
    DELETED: pgettext_lazy("audit chain break", "deleted"),
    INSERTED: pgettext_lazy("audit chain break", "inserted"),
    TRUNCATED: pgettext_lazy("audit chain break", "truncated"),
}


def describe_intact(report: ChainReport) -> str:
    return _("Audit chain intact: %(events)s events, head #%(seq)s %(digest)s") % {
        "events": report.events,
        "seq": report.head.seq,
        "digest": report.head.digest,
    }


def describe_problem(problem: ChainProblem) -> str:
    """One line naming the first broken event, what happened to it and how we know."""
    values = {"seq": problem.seq, "kind": KIND_LABELS[problem.kind], "detail": problem.detail}
    if problem.seq is None:
        return _("Audit chain broken (%(kind)s): %(detail)s") % values
    return _("Audit chain broken at #%(seq)s (%(kind)s): %(detail)s") % values


def first_problem(*problems: ChainProblem | None) -> ChainProblem | None:
    """The earliest of several findings; one that names no event comes first (it covers the chain)."""
    found = [problem for problem in problems if problem is not None]
    return min(found, key=lambda problem: problem.seq or 0, default=None)
