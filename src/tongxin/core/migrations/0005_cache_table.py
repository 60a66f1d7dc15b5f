"""The table of the database cache (settings.CACHES), so that `migrate` alone prepares a database."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    # createcachetable skips a table that exists, so this is safe on any database.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_notification")]

    # Unapplying leaves the table: it only holds what can be lost.
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
