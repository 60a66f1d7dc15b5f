"""`tongxin worker`: run background tasks from the database queue.

It is django-tasks-db's `db_worker` under the site's name, with every option passed through:
`--batch`, `--max-tasks`, `--queue-name`, `--interval`, `--worker-id`, `--reload`, ...
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run background tasks from the database queue (same options as db_worker)."
