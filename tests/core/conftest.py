"""What the core tests share: a short audit chain, and the hands of someone who owns the database."""

import importlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tongxin.core.actors import SystemActor
from tongxin.core.audit import digest_of, record_audit
from tongxin.core.models import AuditEvent

CLERK = SystemActor("clerk")
APPEND_ONLY_MIGRATION = importlib.import_module("tongxin.core.migrations.0003_audit_event_append_only")
TONGXIN = Path(sys.executable).with_name("tongxin")


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
            for statement in APPEND_ONLY_MIGRATION.SQLITE_FORWARD:
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


def site_env(data_dir: Path) -> dict[str, str]:
    """The environment of a `tongxin` process on a SQLite file in `data_dir`, as the start script sets it."""
    env = {
        **os.environ,
        "DEBUG": "1",
        "TONGXIN_DATA_DIR": str(data_dir),
        "DATABASE_URL": "",  # even when the suite itself runs on PostgreSQL
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_tongxin(*args: str, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The `tongxin` console command in its own process, on the SQLite file in `data_dir`.

    It speaks the site's language (settings.LANGUAGE_CODE), not the tests' English.
    """
    return subprocess.run(
        [str(TONGXIN), *args], env=site_env(data_dir), capture_output=True, text=True, check=check, timeout=120
    )


def start_tongxin(*args: str, data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(TONGXIN), *args],
        env=site_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("migrated")
    run_tongxin("migrate", "--verbosity", "0", data_dir=data_dir)
    return data_dir


@pytest.fixture
def sqlite_site(_migrated_sqlite_file: Path, tmp_path: Path) -> Path:
    """A data folder with its own migrated SQLite file, for tests that run several processes on it."""
    data_dir = tmp_path / "site"
    shutil.copytree(_migrated_sqlite_file, data_dir)
    return data_dir


def read_sqlite(data_dir: Path, query: str) -> list[tuple[Any, ...]]:
    """What the file holds, read behind Tongxin's back."""
    with closing(sqlite3.connect(data_dir / "tongxin.sqlite3")) as database:
        return database.execute(query).fetchall()
