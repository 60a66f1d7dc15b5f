"""What the core tests share: a short audit chain, and the hands of someone who owns the database."""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from tongxin.core.actors import SystemActor
from tongxin.core.audit import digest_of, record_audit
from tongxin.core.db import append_only
from tongxin.core.models import AuditEvent

CLERK = SystemActor("clerk")


@pytest.fixture
def chain(db: None) -> list[AuditEvent]:
    """Five events, #1 to #5, written the way every action writes them."""
    return [
        record_audit(actor=CLERK, verb="case.submit", data={"case": number, "text": f"路灯坏了 {number}"})
        for number in range(1, 6)
    ]


@dataclass
class DatabaseOwner:
    """Does to the audit table what a person with the database's password could do, in raw SQL."""

    lifted: bool = False

    def sql(self, statement: str, params: Sequence[Any] = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    def lift_triggers(self) -> None:
        if connection.vendor == "postgresql":
            self.sql("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            self.sql("DROP TRIGGER core_auditevent_no_update")
            self.sql("DROP TRIGGER core_auditevent_no_delete")
        self.lifted = True

    def restore_triggers(self) -> None:
        # A transactional test commits what it lifts: the next test must find the triggers again.
        if connection.vendor == "postgresql":
            self.sql("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
        else:
            [_postgresql, sqlite] = append_only("core_auditevent", "audit events are append-only")
            for statement in sqlite.sql:
                self.sql(statement)
        self.lifted = False

    def renumber_from(self, seq: int, by: int) -> None:
        """Shift #seq and every later event by `by`, in two steps so no number is ever taken twice."""
        self.sql("UPDATE core_auditevent SET seq = seq + 1000000 WHERE seq >= %s", [seq])
        self.sql("UPDATE core_auditevent SET seq = seq - 1000000 + %s WHERE seq >= 1000000", [by])

    def insert(self, event: AuditEvent) -> None:
        created_at = connection.ops.adapt_datetimefield_value(event.created_at)
        self.sql(
            "INSERT INTO core_auditevent (seq, created_at, actor_id, actor_label, verb, target_type, target_id,"
            " target_label, data, prev_digest, digest) VALUES (%s, %s, NULL, %s, %s, '', '', '', %s, %s, %s)",
            [event.seq, created_at, event.actor_label, event.verb, json.dumps(event.data), event.prev_digest, event.digest],
        )

    def reseal(self, seq: int, *, prev_digest: str | None = None) -> str:
        """Recompute #seq's digest (after pointing it at `prev_digest`) as Tongxin would; return it."""
        event = AuditEvent.objects.get(seq=seq)
        if prev_digest is not None:
            event.prev_digest = prev_digest
        digest = digest_of(event)
        self.sql(
            "UPDATE core_auditevent SET prev_digest = %s, digest = %s WHERE seq = %s",
            [event.prev_digest, digest, seq],
        )
        return digest

    def set_head(self, seq: int, digest: str) -> None:
        self.sql("UPDATE core_audithead SET seq = %s, digest = %s WHERE id = 1", [seq, digest])


@pytest.fixture
def owner(db: None) -> Iterator[DatabaseOwner]:
    hands = DatabaseOwner()
    yield hands
    if hands.lifted:
        hands.restore_triggers()
