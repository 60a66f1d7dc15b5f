"""The database refuses to change or delete a step of a case's ledger (see `core.db.append_only`)."""

from django.db import migrations

from tongxin.core.db import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = append_only("feedback_casestep", "case steps are append-only")
