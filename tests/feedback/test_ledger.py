"""The ledger is append-only in the database itself, and every step is chained into the audit log."""

import hashlib

import pytest
from django.db import IntegrityError, connection, transaction

from tests.feedback.conftest import file_case
from tongxin.core.audit import verify_chain
from tongxin.core.models import AuditEvent
from tongxin.feedback.actions import (
    acknowledge_case,
    answer_case,
    give_feedback,
    record_progress,
    take_case,
)
from tongxin.feedback.models import CaseStep, Privacy


@pytest.fixture
def worked_case(feedback_town, new_case):
    acknowledge_case(case=new_case, actor=feedback_town.handler)
    take_case(case=new_case, actor=feedback_town.handler)
    record_progress(case=new_case, actor=feedback_town.handler, text="内部：保洁员请假", public=False)
    answer_case(case=new_case, actor=feedback_town.handler, text="已清运")
    give_feedback(case=new_case, solved=True, satisfied=False, comment="太慢了")
    return new_case


def raw_sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE feedback_casestep SET text = 'forged' WHERE id = %s",
        "UPDATE feedback_casestep SET public = %s",
        "DELETE FROM feedback_casestep WHERE id = %s",
        "DELETE FROM feedback_casestep WHERE id >= %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_step(worked_case, statement):
    first = worked_case.steps.order_by("pk").first()
    before = list(CaseStep.objects.order_by("pk").values_list("pk", "kind", "text", "public"))
    verb = statement.split()[0]
    param = False if "public" in statement else first.pk
    with pytest.raises(IntegrityError, match=f"case steps are append-only: {verb} refused on feedback_casestep"):
        with transaction.atomic():
            raw_sql(statement, [param])
    assert list(CaseStep.objects.order_by("pk").values_list("pk", "kind", "text", "public")) == before


def test_the_model_refuses_to_change_a_step(worked_case):
    step = worked_case.steps.first()
    step.text = "forged"
    with pytest.raises(RuntimeError, match="Case steps are never changed."):
        step.save()


def test_every_step_is_chained_into_the_audit_log(worked_case):
    steps = list(worked_case.steps.order_by("pk"))
    assert [step.kind for step in steps] == ["submitted", "acknowledged", "taken", "note", "answered", "feedback"]
    events = {event.data["step"]: event for event in AuditEvent.objects.filter(verb__startswith="case.")}
    for step in steps:
        event = events[step.pk]
        assert (event.verb, event.target_type, event.target_id, event.target_label) == (
            f"case.{step.kind}", "feedback.case", str(worked_case.pk), worked_case.code,
        )
        assert event.data["status"] == step.status
        assert event.data["public"] == step.public
        # The log holds a digest of the note, not the note: the log never repeats what a reporter wrote.
        assert event.data["text_sha256"] == hashlib.sha256(step.text.encode()).hexdigest()
        assert step.text == "" or step.text not in str(event.data)
    report = verify_chain()
    assert report.intact
    assert report.events == AuditEvent.objects.count()


def test_an_anonymous_reporter_leaves_no_account_in_the_ledger_or_the_log(feedback_town):
    resident = feedback_town.resident
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS, actor=resident, pin="8642")
    answer_case(case=case, actor=feedback_town.handler, text="已清运")
    give_feedback(case=case, solved=False, satisfied=False, actor=resident)
    assert not CaseStep.objects.filter(actor=resident).exists()
    assert set(case.steps.filter(kind__in=["submitted", "feedback"]).values_list("actor_label", flat=True)) == {
        "system:reporter"
    }
    assert not AuditEvent.objects.filter(actor_id=resident.pk).exists()
    assert not AuditEvent.objects.filter(actor_label=resident.username).exists()
    assert verify_chain().intact


def test_a_signed_in_reporters_verdict_reads_as_the_reporter(feedback_town):
    resident = feedback_town.resident
    case = file_case(feedback_town, privacy=Privacy.HIDDEN, actor=resident)
    answer_case(case=case, actor=feedback_town.handler, text="已清运")
    give_feedback(case=case, solved=True, satisfied=True, actor=resident)
    step = case.steps.get(kind="feedback")
    assert (step.actor, step.actor_label, step.actor_display) == (resident, "system:reporter", "Reporter")


# -- The admin shows a case and its ledger, and changes nothing ---------------------------------


@pytest.fixture
def superuser_client(db):
    from django.test import Client

    from tests.factories import UserFactory
    from tests.helpers import sign_in

    client = Client()
    sign_in(client, UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_a_case_read_only(worked_case, superuser_client):
    from tests.helpers import page_text

    response = superuser_client.get(f"/admin/feedback/case/{worked_case.pk}/change/")
    assert response.status_code == 200
    text = page_text(response)
    assert "View case" in text and worked_case.code in text and "已清运" in text
    assert 'name="_save"' not in response.content.decode()
    assert superuser_client.get("/admin/feedback/case/add/").status_code == 403
    worked_case.refresh_from_db()
    steps, status = worked_case.steps.count(), worked_case.status
    response = superuser_client.post(f"/admin/feedback/case/{worked_case.pk}/change/", {"status": "submitted"})
    assert response.status_code == 403
    response = superuser_client.post(f"/admin/feedback/case/{worked_case.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    worked_case.refresh_from_db()
    assert (worked_case.steps.count(), worked_case.status) == (steps, status)


def test_the_admin_lists_cases_and_the_feedback_settings(worked_case, superuser_client):
    for page in ("case", "category", "routingrule", "deadlinepolicy", "calendarday", "responsetemplate"):
        assert superuser_client.get(f"/admin/feedback/{page}/").status_code == 200, page
    assert superuser_client.get("/admin/feedback/category/add/").status_code == 200
    assert superuser_client.get("/admin/feedback/casestep/").status_code == 404


def test_a_settings_change_in_the_admin_is_recorded_in_the_chain(feedback_town, superuser_client):
    response = superuser_client.post(
        "/admin/feedback/calendarday/add/", {"day": "2026-10-01", "name": "国庆节", "working": "", "organisation": ""}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="calendarday.add")
    assert (event.actor_label, event.data) == ("root", {"fields": ["day", "name"], "via": "admin"})
    assert verify_chain().intact
