"""Database pieces that migrations share: append-only tables enforced by the database itself."""

from typing import Any

from django.db import migrations


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


def append_only(table: str, refusal: str) -> list[RunSQLOn]:
    """Operations that make the database refuse UPDATE and DELETE on `table`, on PostgreSQL and SQLite.

    TRUNCATE is left alone on PostgreSQL: it needs the table owner, who could as well drop the
    table, and Django's test flush uses it. On SQLite a rebuilt table (an AlterField that changes
    one of its columns) loses its triggers: such a migration must re-create them.
    """
    postgresql_forward = [
        # One statement an element: RunSQL then runs each as it is, without splitting the $$ body.
        f"""CREATE FUNCTION {table}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{refusal}: % refused on {table}', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;""",
        f"""CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change();""",
    ]
    postgresql_reverse = [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP FUNCTION IF EXISTS {table}_refuse_change();",
    ]
    sqlite_forward = [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{refusal}: UPDATE refused on {table}'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    BEGIN SELECT RAISE(ABORT, '{refusal}: DELETE refused on {table}'); END;""",
    ]
    sqlite_reverse = [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
    return [
        RunSQLOn("postgresql", postgresql_forward, postgresql_reverse),
        RunSQLOn("sqlite", sqlite_forward, sqlite_reverse),
    ]
