"""The database itself refuses to change or delete an audit event.

The model already refuses through the ORM; these triggers also stop raw SQL, a careless
`UPDATE` in a database shell, or another program writing to the same database. Someone who
owns the database can still drop them: the hash chain, the head row and the digests published
on the board are what catch that (`tongxin verify-audit`). See `core.db.append_only`.
"""

from django.db import migrations

from tongxin.core.db import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_scheduler_run_details"),
    ]

    operations = append_only("core_auditevent", "audit events are append-only")
