"""The database itself refuses to change or delete an audit event.

The model already refuses through the ORM; these triggers also stop raw SQL, a careless
`UPDATE` in a database shell, or another program writing to the same database. Someone who
owns the database can still drop them: the hash chain, the head row and the digests published
on the board are what catch that (`tongxin verify-audit`).

TRUNCATE is deliberately left alone on PostgreSQL: it needs the table owner, who could as well
drop the table, and Django's test flush uses it. On SQLite a rebuilt table (an AlterField that
changes a column of core_auditevent) loses its triggers: such a migration must re-create them.
"""

from typing import Any

from django.db import migrations

REFUSAL = "audit events are append-only"

# One statement an element: RunSQL then runs each as it is, without splitting the $$ body.
POSTGRESQL_FORWARD = [
    f"""CREATE FUNCTION core_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSAL}: % refused on core_auditevent', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;""",
    """CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse_change();",
]

SQLITE_FORWARD = [
    f"""CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE refused on core_auditevent'); END;""",
    f"""CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE refused on core_auditevent'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
]


class RunSQLOn(migrations.RunSQL):
    """RunSQL for one database vendor; other vendors skip it."""

    def __init__(self, vendor: str, sql: Any, reverse_sql: Any) -> None:
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_scheduler_run_details"),
    ]

    operations = [
        RunSQLOn("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_REVERSE),
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_REVERSE),
    ]
