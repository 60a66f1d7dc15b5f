"""The periodic audit check: it mails the administrators when the chain is broken, and the
`tongxin worker` runs it from the database queue."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.core.conftest import CLERK, DatabaseOwner
from tongxin.core.audit import record_audit
from tongxin.core.models import AuditEvent
from tongxin.core.tasks import verify_audit_chain

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _administrators(settings) -> None:  # noqa: ANN001 - pytest-django's settings fixture
    settings.ADMINS = [("Audit office", "audit@baishuiyang.example")]
    settings.EMAIL_SUBJECT_PREFIX = "[Tongxin] "


def test_an_intact_chain_sends_no_mail(chain: list[AuditEvent], mailoutbox: list[mail.EmailMessage]) -> None:
    result = verify_audit_chain.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {
        "intact": True,
        "events": 5,
        "head": {"seq": 5, "digest": AuditEvent.objects.get(seq=5).digest},
        "problem": None,
    }
    assert mailoutbox == []


def test_a_broken_chain_is_mailed_to_the_administrators(
    chain: list[AuditEvent], owner: DatabaseOwner, mailoutbox: list[mail.EmailMessage]
) -> None:
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET verb = 'case.reject' WHERE seq = 4")
    intact_up_to = AuditEvent.objects.get(seq=3).digest

    result = verify_audit_chain.enqueue()

    assert result.return_value == {
        "intact": False,
        "events": 3,
        "head": {"seq": 3, "digest": intact_up_to},
        "problem": {"seq": 4, "kind": "modified", "detail": "its content no longer matches its digest."},
    }
    [message] = mailoutbox
    assert message.to == ["audit@baishuiyang.example"]
    assert message.subject == "[Tongxin] Audit chain broken at #4 (modified): its content no longer matches its digest."
    assert message.body == (
        "Tongxin's audit chain is broken.\n\n"
        "Audit chain broken at #4 (modified): its content no longer matches its digest.\n\n"
        f"The chain is intact up to #3 ({intact_up_to}). Find out who could write to the database, "
        "restore the events from a backup taken before the break, and run `tongxin verify-audit` again."
    )


def test_the_worker_runs_the_check_from_the_database_queue(
    transactional_db: None, settings, owner: DatabaseOwner, mailoutbox: list[mail.EmailMessage]  # noqa: ANN001
) -> None:
    # The worker checks its connection between tasks, as it must over weeks: that needs real commits.
    settings.TASKS = DATABASE_QUEUE
    for number in range(3):
        record_audit(actor=CLERK, verb="case.submit", data={"case": number})
    owner.lift_triggers()
    owner.sql("DELETE FROM core_auditevent WHERE seq = 2")
    queued = verify_audit_chain.enqueue()
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY

    out = StringIO()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--verbosity", "0", stdout=out)

    finished = DBTaskResult.objects.get(id=queued.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value["problem"] == {
        "seq": 2,
        "kind": "deleted",
        "detail": "the event is missing: #1 is followed by #3.",
    }
    assert [message.subject for message in mailoutbox] == [
        "[Tongxin] Audit chain broken at #2 (deleted): the event is missing: #1 is followed by #3."
    ]



def test_the_triggers_are_back_after_a_test_that_lifted_them(db: None, owner: DatabaseOwner) -> None:
    # Runs after the transactional test above, which lifted them and committed.
    record_audit(actor=CLERK, verb="case.submit")
    with pytest.raises(IntegrityError, match="audit events are append-only"):
        owner.sql("DELETE FROM core_auditevent")
