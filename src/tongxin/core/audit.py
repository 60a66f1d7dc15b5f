"""Writing and verifying the audit chain.

Each event's digest is SHA-256 over a canonical JSON of its fields and the previous digest, so
changing, deleting or inserting any row breaks the chain at that row. The head row records the
last sequence number and digest, which catches a tail cut off the end.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


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
        "data": data,
        "prev_digest": prev_digest,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest_of(event: AuditEvent) -> str:
    payload = canonical_payload(
        seq=event.seq,
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
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


def record_audit(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "digest": GENESIS}
        )
        signed_in = getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=actor.pk if signed_in else None,
            actor_label=actor.get_username() if signed_in else (str(actor) if actor else ""),
            verb=verb,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            data=_normalised(data),
            prev_digest=head.digest,
        )
        event.digest = digest_of(event)
        event.save()
        head.seq, head.digest = event.seq, event.digest
        head.save(update_fields=["seq", "digest"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "modified", "deleted", "inserted", "truncated"
    detail: str


def verify_chain(batch_size: int = 5000) -> ChainProblem | None:
    """Walk the whole chain in order; return the first break, or None when it is intact."""
    expected_prev = GENESIS
    expected_seq = 1
    last_seq = 0
    queryset = AuditEvent.objects.order_by("seq")
    for event in queryset.iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            kind = "deleted" if event.seq > expected_seq else "inserted"
            return ChainProblem(expected_seq, kind, f"expected #{expected_seq}, found #{event.seq}")
        if event.prev_digest != expected_prev:
            return ChainProblem(event.seq, "inserted", "does not follow the previous event")
        if digest_of(event) != event.digest:
            return ChainProblem(event.seq, "modified", "its content no longer matches its digest")
        expected_prev = event.digest
        expected_seq += 1
        last_seq = event.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != last_seq or head.digest != expected_prev):
        return ChainProblem(last_seq + 1, "deleted", f"the chain ends at #{last_seq}, the head says #{head.seq}")
    return None
