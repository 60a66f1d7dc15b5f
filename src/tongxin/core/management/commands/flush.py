"""`flush` that can also empty the append-only tables (audit chain, case ledger) on SQLite.

Emptying every table is what flush is for (and what Django does between transactional tests).
On PostgreSQL it TRUNCATEs, which the row triggers of `core.db.append_only` do not see; on SQLite
it DELETEs, which they refuse. So on SQLite the triggers are lifted inside flush's transaction
and put back before it commits: if anything fails, they were never gone.
"""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias):
            triggers = _append_only_triggers(connection)
            with connection.cursor() as cursor:
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            super().handle(**options)
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)


def _append_only_triggers(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND (name LIKE '%\\_no\\_update' ESCAPE '\\' OR name LIKE '%\\_no\\_delete' ESCAPE '\\')"
        )
        return list(cursor.fetchall())
