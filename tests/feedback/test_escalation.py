"""Overdue cases escalate by themselves, one level at a time, once per deadline, up to the top."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.feedback.conftest import file_case
from tongxin.core.models import AuditEvent, Notification
from tongxin.feedback.actions import (
    answer_case,
    assign_case,
    decline_case,
    escalate_case,
    escalate_overdue_cases,
)
from tongxin.feedback.models import Case, Status
from tongxin.feedback.permissions import can_work_on_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def roads_case(feedback_town) -> Case:
    """A roads case in Xiaozhai: in the hands of the village committee."""
    for account in (feedback_town.town_handler, feedback_town.supervisor, feedback_town.office_handler):
        account.email = f"{account.username}@example.org"
        account.save()
    return file_case(feedback_town, category="roads")


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def escalations(case: Case) -> list[dict]:
    return [step.data for step in case.steps.filter(kind="escalated").order_by("pk")]


def test_a_case_not_dispatched_in_time_goes_to_the_town_government(feedback_town, roads_case, django_capture_on_commit_callbacks):
    town = feedback_town
    Notification.objects.all().delete()
    mail.outbox.clear()
    assert escalate_overdue_cases(now=roads_case.dispatch_due - datetime.timedelta(seconds=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue_cases(now=roads_case.dispatch_due) == 1
    case = fresh(roads_case)
    assert (case.escalated_to, case.escalation_level, case.status, case.assigned_to) == (
        town.town_government, 1, Status.SUBMITTED, town.xiaozhai_office,
    )
    assert escalations(case) == [{"missed": "dispatch", "level": 1, "to": town.town_government.pk}]
    step = case.steps.get(kind="escalated")
    assert (step.actor, step.actor_label, step.public) == (None, "system:tongxin", True)
    assert AuditEvent.objects.filter(verb="case.escalated", actor_label="system:tongxin").count() == 1
    told = sorted(Notification.objects.values_list("user__username", "subject"))
    subject = f"Case {case.code} is overdue and has been escalated."
    assert told == [("supervisor", subject), ("town_handler", subject)]
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == [
        ("supervisor@example.org", f"[Tongxin] {subject}"),
        ("town_handler@example.org", f"[Tongxin] {subject}"),
    ]
    # The office above may now work on the case, and answer it.
    assert can_work_on_case(town.town_handler, case)
    answer_case(case=case, actor=town.town_handler, text="镇政府已安排修复")
    assert fresh(case).status == Status.ANSWERED


def test_the_same_deadline_escalates_once(feedback_town, roads_case):
    moment = roads_case.dispatch_due
    assert escalate_overdue_cases(now=moment) == 1
    assert escalate_overdue_cases(now=moment + datetime.timedelta(minutes=5)) == 0
    assert escalate_case(case=roads_case, now=moment + datetime.timedelta(hours=1)) is None
    assert fresh(roads_case).escalation_level == 1
    assert len(escalations(roads_case)) == 1


def test_an_answer_overdue_escalates_and_the_handler_is_told(feedback_town, roads_case):
    town = feedback_town
    assign_case(case=roads_case, actor=town.office_handler, handler=town.office_handler)
    case = fresh(roads_case)
    assert case.next_escalation_at == case.answer_due
    assert escalate_overdue_cases(now=case.dispatch_due) == 0  # dispatched in time
    Notification.objects.all().delete()
    assert escalate_overdue_cases(now=case.answer_due) == 1
    case = fresh(case)
    assert escalations(case) == [{"missed": "answer", "level": 1, "to": town.town_government.pk}]
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "office_handler", "supervisor", "town_handler",
    ]
    assert case.is_overdue(now=case.answer_due + datetime.timedelta(seconds=1))


def test_escalation_climbs_to_the_city_and_stops_at_the_top(feedback_town, roads_case):
    town = feedback_town
    first = roads_case.dispatch_due
    assert escalate_overdue_cases(now=first) == 1
    # Each level gets a fresh answer period (seven working days) before the next escalation.
    second = fresh(roads_case).next_escalation_at
    assert second.astimezone(SHANGHAI).time() == datetime.time(0, 0)
    assert second > roads_case.answer_due
    assert escalate_overdue_cases(now=second) == 1
    case = fresh(roads_case)
    assert (case.escalated_to, case.escalation_level) == (town.city, 2)
    third = case.next_escalation_at
    assert escalate_overdue_cases(now=third) == 1
    case = fresh(case)
    assert (case.escalated_to, case.escalation_level, case.next_escalation_at) == (town.city, 3, None)
    assert escalations(case) == [
        {"missed": "dispatch", "level": 1, "to": town.town_government.pk},
        {"missed": "answer", "level": 2, "to": town.city.pk},
        {"missed": "answer", "level": 3, "to": None},
    ]
    assert escalate_overdue_cases(now=third + datetime.timedelta(days=365)) == 0


def test_a_workgroup_case_escalates_to_its_village_office_first(feedback_town):
    town = feedback_town
    case = file_case(town)  # sanitation: the sanitation workgroup holds it
    assert escalate_overdue_cases(now=case.dispatch_due) == 1
    assert fresh(case).escalated_to == town.xiaozhai_office
    assert escalate_overdue_cases(now=fresh(case).next_escalation_at) == 1
    assert fresh(case).escalated_to == town.town_government


def test_answered_and_finished_cases_do_not_escalate(feedback_town, roads_case):
    town = feedback_town
    other = file_case(town, category="roads", description="路灯不亮")
    answer_case(case=roads_case, actor=town.office_handler, text="已修复")
    decline_case(case=other, actor=town.office_handler, text="不属于本村")
    assert escalate_overdue_cases(now=roads_case.answer_due + datetime.timedelta(days=30)) == 0
    assert escalations(roads_case) == escalations(other) == []


def test_the_escalate_cases_command_sweeps_once_and_prints_counts(feedback_town, roads_case, capsys):
    town = feedback_town
    answered = file_case(town, category="roads", description="桥面有坑")
    answer_case(case=answered, actor=town.office_handler, text="已填平")
    moment = roads_case.answer_due.astimezone(SHANGHAI) + datetime.timedelta(days=16)
    call_command("escalate_cases", "--now", moment.replace(tzinfo=None).isoformat())
    assert capsys.readouterr().out == "Escalated 1 overdue cases; closed 1 answered cases left unrated.\n"
    assert (fresh(roads_case).escalation_level, fresh(answered).status) == (1, Status.CLOSED)
    call_command("escalate_cases", f"--now={moment.isoformat()}")
    assert capsys.readouterr().out == "Escalated 0 overdue cases; closed 0 answered cases left unrated.\n"


def test_the_command_refuses_a_moment_it_cannot_read(db):
    with pytest.raises(CommandError, match="yesterday is not a date and time") as refusal:
        call_command("escalate_cases", "--now", "yesterday")
    assert refusal.value.returncode == 2
