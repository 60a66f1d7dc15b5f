"""`tongxin verify-audit` names the first event someone with the database tampered with.

Each test does what such a person would: lift the append-only triggers with raw SQL, then change,
delete, insert or re-seal rows, and checks the exact line an administrator reads.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.core.conftest import CLERK, DatabaseOwner
from tongxin.core.audit import digest_of, verify_chain
from tongxin.core.models import AuditEvent, AuditHead


def verify(*args: str) -> tuple[int, str, str]:
    """Run the command as an administrator would; return its exit status, output and errors."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def digest(seq: int) -> str:
    return AuditEvent.objects.get(seq=seq).digest


def test_an_intact_chain_reports_its_length_and_head(chain: list[AuditEvent]) -> None:
    assert verify() == (0, f"Audit chain intact: 5 events, head #5 {digest(5)}\n", "")


def test_an_empty_chain_is_intact(db: None) -> None:
    assert verify() == (0, "Audit chain intact: 0 events, head #0 " + "0" * 64 + "\n", "")


def test_changed_data_names_the_changed_event(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("""UPDATE core_auditevent SET data = '{"case": 3, "text": "已解决"}' WHERE seq = 3""")
    assert verify() == (1, "", "Audit chain broken at #3 (modified): its content no longer matches its digest.\n")


def test_a_changed_event_sealed_again_is_caught_by_its_successor(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET actor_label = 'system:nobody' WHERE seq = 3")
    owner.reseal(3)
    assert verify() == (
        1,
        "",
        "Audit chain broken at #3 (modified): it was changed and re-sealed: #4 was sealed after a different #3.\n",
    )


def test_a_changed_last_event_sealed_again_is_caught_by_the_head(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET verb = 'case.withdraw' WHERE seq = 5")
    owner.reseal(5)
    assert verify() == (
        1,
        "",
        "Audit chain broken at #5 (modified): it was changed and re-sealed: the head recorded a different digest for it.\n",
    )


def test_a_deleted_middle_event_is_named(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("DELETE FROM core_auditevent WHERE seq = 3")
    assert verify() == (1, "", "Audit chain broken at #3 (deleted): the event is missing: #2 is followed by #4.\n")


def test_a_deleted_event_hidden_by_renumbering_is_named(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("DELETE FROM core_auditevent WHERE seq = 3")
    owner.renumber_from(4, by=-1)
    owner.set_head(4, digest(4))
    assert verify() == (
        1,
        "",
        "Audit chain broken at #3 (deleted): the event was deleted and later events renumbered: #3 was sealed as #4.\n",
    )


def test_a_forged_event_inserted_with_a_valid_seal_is_named(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    # The forger knows the algorithm: the new #3 follows #2 and carries a correct digest.
    owner.lift_triggers()
    owner.renumber_from(3, by=1)
    forged = AuditEvent(
        seq=3,
        created_at=AuditEvent.objects.get(seq=2).created_at,
        actor_label=CLERK.get_username(),
        verb="case.close",
        data={"case": 2, "answer": "已处理"},
        prev_digest=digest(2),
    )
    forged.digest = digest_of(forged)
    owner.insert(forged)
    owner.set_head(6, digest(6))
    assert verify() == (
        1,
        "",
        "Audit chain broken at #3 (inserted): it does not belong to the chain: #4 was sealed as #3, right after #2.\n",
    )


def test_events_appended_behind_the_heads_back_are_named(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    appended = AuditEvent(
        seq=6,
        created_at=AuditEvent.objects.get(seq=5).created_at,
        actor_label=CLERK.get_username(),
        verb="case.close",
        data={},
        prev_digest=digest(5),
    )
    appended.digest = digest_of(appended)
    owner.insert(appended)  # INSERT needs no lifted trigger: only the head knows
    assert verify() == (
        1,
        "",
        "Audit chain broken at #6 (inserted): the head records #5 as the last event: "
        "later events were not written by Tongxin.\n",
    )


def test_a_deleted_tail_is_caught_by_the_head(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("DELETE FROM core_auditevent WHERE seq >= 4")
    assert verify() == (
        1,
        "",
        "Audit chain broken at #4 (truncated): the chain ends at #3, but the head records #5: "
        "the events after it were deleted.\n",
    )


def test_a_deleted_tail_with_a_rewritten_head_is_caught_by_the_published_head(
    chain: list[AuditEvent], owner: DatabaseOwner
) -> None:
    published = f"#5 {digest(5)}"
    owner.lift_triggers()
    owner.sql("DELETE FROM core_auditevent WHERE seq >= 4")
    owner.set_head(3, digest(3))
    assert verify()[0] == 0
    assert verify("--expect-head", published) == (
        1,
        "",
        "Audit chain broken at #5 (truncated): the published head #5 is beyond the end of the chain: "
        "events were deleted.\n",
    )


def rewrite_whole_chain(owner: DatabaseOwner) -> None:
    """Change #2, then re-seal it and every later event and the head: a consistent forgery."""
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET verb = 'case.reject' WHERE seq = 2")
    previous = digest(1)
    for seq in range(2, 6):
        previous = owner.reseal(seq, prev_digest=previous)
    owner.set_head(5, previous)


def test_a_consistently_rewritten_chain_passes_on_its_own(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    rewrite_whole_chain(owner)
    assert verify() == (0, f"Audit chain intact: 5 events, head #5 {digest(5)}\n", "")


def test_a_rewritten_chain_is_caught_by_the_head_published_before(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    published = digest(5)
    rewrite_whole_chain(owner)
    assert verify("--expect-head", f"5:{published}") == (
        1,
        "",
        f"Audit chain broken at #5 (modified): it no longer carries the published digest {published}: "
        "the chain was rewritten up to here.\n",
    )
    assert verify("--expect-head", published) == (
        1,
        "",
        f"Audit chain broken (modified): no event carries the published digest {published}: the chain was rewritten.\n",
    )


def test_an_older_published_head_still_in_the_chain_passes(chain: list[AuditEvent]) -> None:
    published = digest(3)
    status, out, err = verify("--expect-head", f"#3 {published.upper()}")
    assert (status, err) == (0, "")
    assert out == (
        f"Audit chain intact: 5 events, head #5 {digest(5)}\n"
        f"The published head {published} is in the chain.\n"
    )


def test_a_published_head_in_the_wrong_place_fails(chain: list[AuditEvent]) -> None:
    assert verify("--expect-head", f"4:{digest(3)}") == (
        1,
        "",
        f"Audit chain broken at #4 (modified): it no longer carries the published digest {digest(3)}: "
        "the chain was rewritten up to here.\n",
    )


def test_a_break_before_the_published_head_is_reported_first(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    published = f"5:{digest(5)}"
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET verb = 'case.reject' WHERE seq = 2")
    assert verify("--expect-head", published) == (
        1,
        "",
        "Audit chain broken at #2 (modified): its content no longer matches its digest.\n",
    )


def test_something_that_is_not_a_digest_is_refused(db: None) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("verify_audit", "--expect-head", "yesterday's head", stdout=StringIO())
    assert refused.value.returncode == 2
    assert str(refused.value) == (
        "yesterday's head is not an audit head: give its 64-character digest, optionally as SEQ:DIGEST."
    )


def test_verification_reads_in_pages_across_a_long_chain(chain: list[AuditEvent], owner: DatabaseOwner) -> None:
    owner.lift_triggers()
    owner.sql("UPDATE core_auditevent SET verb = 'case.reject' WHERE seq = 4")
    report = verify_chain(batch_size=2)
    assert report.problem is not None
    assert (report.problem.seq, report.problem.kind, report.events) == (4, "modified", 3)
    assert AuditHead.objects.get().seq == 5
