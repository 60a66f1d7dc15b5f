"""The audit chain: every append links to the one before, nothing can change a link, and
appends from many transactions at once still form one unbroken chain."""

import datetime
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests.core.conftest import CLERK, DatabaseOwner
from tests.processes import read_sqlite, run_tongxin, start_tongxin
from tests.factories import OrganisationFactory, UserFactory
from tongxin.core.actors import SystemActor
from tongxin.core.audit import (
    GENESIS,
    ChainHead,
    ChainReport,
    describe_intact,
    digest_of,
    record_audit,
    verify_chain,
)
from tongxin.core.models import AppendOnlyError, AuditEvent, AuditHead

# SQLite's in-memory test database shares one cache between threads, which says "table is
# locked" instead of waiting: processes on a SQLite file prove SQLite's side instead.
SQLITE_THREADS = "threads cannot share SQLite's in-memory test database"


def test_each_event_links_to_the_one_before_and_the_head_follows(chain: list[AuditEvent]) -> None:
    stored = list(AuditEvent.objects.order_by("seq"))
    assert [event.seq for event in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_digest == GENESIS
    assert [event.prev_digest for event in stored[1:]] == [event.digest for event in stored[:-1]]
    assert all(digest_of(event) == event.digest for event in stored)
    head = AuditHead.objects.get()
    assert (head.seq, head.digest) == (5, stored[-1].digest)


def test_an_event_records_who_did_what_to_which_object(db: None) -> None:
    user = UserFactory(username="clerk-wang")
    village = OrganisationFactory(name="溪口村", name_en="Xikou Village")
    event = record_audit(actor=user, verb="organisation.update", target=village, data={"name": ["旧", "溪口村"]})
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_label, event.verb) == (user.pk, "clerk-wang", "organisation.update")
    assert (event.target_type, event.target_id) == ("community.organisation", str(village.pk))
    assert event.target_label == str(village)
    assert event.data == {"name": ["旧", "溪口村"]}
    assert list(AuditEvent.objects.for_target(village)) == [event]


def test_a_system_actor_is_recorded_by_name_without_an_account(db: None) -> None:
    event = record_audit(actor=SystemActor("scheduler"), verb="duty.handover")
    assert (event.actor_id, event.actor_label, event.data) == (None, "system:scheduler", {})


def test_what_the_database_gives_back_hashes_as_it_was_sealed(db: None) -> None:
    # jsonb reorders keys and turns 1e16 into an integer; dates become text; Chinese stays Chinese.
    data = {"z": 1, "a": [1.5, 1e16, 2.0, None, True], "地点": "白水洋镇", "when": datetime.date(2026, 3, 1)}
    record_audit(actor=CLERK, verb="case.locate", data=data)
    stored = AuditEvent.objects.get()
    assert stored.data["when"] == "2026-03-01"
    assert digest_of(stored) == stored.digest
    assert verify_chain().intact


def test_data_that_json_cannot_carry_is_refused_before_anything_is_written(db: None) -> None:
    with pytest.raises(ValueError):
        record_audit(actor=CLERK, verb="insight.compute", data={"score": float("nan")})
    assert AuditEvent.objects.count() == 0


def test_the_model_refuses_to_change_or_delete_an_event(chain: list[AuditEvent]) -> None:
    event = AuditEvent.objects.get(seq=3)
    event.verb = "case.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=3).update(verb="case.forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=3).delete()
    assert AuditEvent.objects.get(seq=3).verb == "case.submit"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET verb = 'case.forged' WHERE seq = 3",
        "UPDATE core_auditevent SET data = '{}'",
        "DELETE FROM core_auditevent WHERE seq = 3",
        "DELETE FROM core_auditevent",
    ],
)
def test_the_database_refuses_raw_sql_that_changes_or_deletes_events(
    chain: list[AuditEvent], owner: DatabaseOwner, statement: str
) -> None:
    verb = statement.split()[0]
    with pytest.raises(IntegrityError, match=f"audit events are append-only: {verb} refused on core_auditevent"):
        with transaction.atomic():
            owner.sql(statement)
    assert list(AuditEvent.objects.values_list("seq", "verb")) == [(seq, "case.submit") for seq in range(1, 6)]
    assert verify_chain().intact


def test_the_database_still_accepts_new_events(chain: list[AuditEvent]) -> None:
    # The triggers guard UPDATE and DELETE only: appending is the chain's normal life.
    record_audit(actor=CLERK, verb="case.close", data={"case": 1})
    assert verify_chain().events == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason=SQLITE_THREADS)
def test_concurrent_appends_on_postgresql_form_one_chain(transactional_db: None) -> None:
    threads, appends = 8, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def clerk(number: int) -> None:
        try:
            start.wait()
            for item in range(appends):
                with transaction.atomic():
                    record_audit(actor=SystemActor(f"clerk-{number}"), verb="case.submit", data={"item": item})
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=clerk, args=(number,)) for number in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    report = verify_chain()
    assert (report.intact, report.events, report.head.seq) == (True, 200, 200)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 201))
    for number in range(threads):
        # Each clerk's own events kept their order within the one chain.
        items = AuditEvent.objects.filter(actor_label=f"system:clerk-{number}").values_list("data__item", flat=True)
        assert list(items) == list(range(appends))


def test_concurrent_processes_on_one_sqlite_file_form_one_chain(sqlite_site: Path) -> None:
    # BEGIN IMMEDIATE (settings) makes each append wait for the database's write lock.
    script = (
        "import os\n"
        "from tongxin.core.actors import SystemActor\n"
        "from tongxin.core.audit import record_audit\n"
        "for item in range(30):\n"
        "    record_audit(actor=SystemActor(f'clerk-{os.getpid()}'), verb='case.submit', data={'item': item})\n"
    )
    processes = [start_tongxin("shell", "-c", script, data_dir=sqlite_site) for _ in range(4)]
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0, 0], outcomes

    [(head_seq, head_digest)] = read_sqlite(sqlite_site, "SELECT seq, digest FROM core_audithead")
    seqs = read_sqlite(sqlite_site, "SELECT seq FROM core_auditevent ORDER BY seq")
    assert (head_seq, seqs) == (120, [(seq,) for seq in range(1, 121)])
    result = run_tongxin("verify-audit", data_dir=sqlite_site)
    with translation.override("zh-hans"):
        expected = describe_intact(ChainReport(events=120, head=ChainHead(120, head_digest), problem=None))
    assert result.stdout == expected + "\n"
