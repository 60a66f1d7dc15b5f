"""A case from submission to closing, the ways back and the transitions that are refused."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.feedback.conftest import file_case
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.feedback.actions import (
    acknowledge_case,
    answer_case,
    assign_case,
    close_case,
    close_unrated_cases,
    decline_case,
    give_feedback,
    record_progress,
    refer_case,
    reopen_case,
    set_published,
    take_case,
)
from tongxin.feedback.models import Case, CaseStep, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def ledger(case: Case) -> list[tuple[str, str, str, bool]]:
    return [(step.kind, step.status, step.actor_label, step.public) for step in case.steps.order_by("created_at", "pk")]


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_case_from_submission_to_a_solved_verdict(feedback_town, new_case, clock):
    town, case = feedback_town, new_case
    clock(MONDAY)
    acknowledge_case(case=case, actor=town.handler, text="已收到")
    assert fresh(case).status == Status.ACKNOWLEDGED
    assign_case(case=case, actor=town.handler, handler=town.handler)
    case = fresh(case)
    assert (case.status, case.handler, case.assigned_at) == (Status.ASSIGNED, town.handler, MONDAY)
    assert case.next_escalation_at == case.answer_due  # dispatched: only the answer deadline runs
    record_progress(case=case, actor=town.handler, text="已联系保洁员", public=True)
    record_progress(case=case, actor=town.handler, text="内部备注", public=False)
    assert fresh(case).status == Status.IN_PROGRESS
    answer_case(case=case, actor=town.handler, text="垃圾已清运，今后每天清理两次。")
    case = fresh(case)
    assert (case.status, case.answer, case.answered_at, case.next_escalation_at) == (
        Status.ANSWERED,
        "垃圾已清运，今后每天清理两次。",
        MONDAY,
        None,
    )
    assert case.awaits_feedback
    give_feedback(case=case, solved=True, satisfied=True, comment="谢谢")
    case = fresh(case)
    assert (case.status, case.solved, case.satisfied, case.closed_at, case.feedback_at) == (
        Status.CLOSED, True, True, MONDAY, MONDAY,
    )
    assert ledger(case) == [
        ("submitted", "submitted", "system:reporter", True),
        ("acknowledged", "acknowledged", "handler", True),
        ("assigned", "assigned", "handler", True),
        ("progress", "in_progress", "handler", True),
        ("note", "in_progress", "handler", False),
        ("answered", "answered", "handler", True),
        ("feedback", "closed", "system:reporter", True),
    ]


def test_an_unsolved_verdict_reopens_the_case_with_a_fresh_deadline(feedback_town, new_case, clock):
    answer_case(case=new_case, actor=feedback_town.handler, text="已处理")
    clock(MONDAY)
    give_feedback(case=new_case, solved=False, satisfied=False, comment="还是满的")
    case = fresh(new_case)
    # Seven working days from Monday 2 March: Tuesday 3 to Wednesday 11 March.
    due = datetime.datetime(2026, 3, 12, tzinfo=SHANGHAI)
    assert (case.status, case.solved, case.closed_at, case.answer_due, case.next_escalation_at) == (
        Status.REOPENED, False, None, due, due,
    )
    assert ledger(case)[-2:] == [
        ("feedback", "reopened", "system:reporter", True),
        ("reopened", "reopened", "system:tongxin", True),
    ]
    # The handler takes it up again and answers anew.
    take_case(case=case, actor=feedback_town.handler)
    answer_case(case=case, actor=feedback_town.handler, text="已彻底清理")
    assert fresh(case).status == Status.ANSWERED


def test_staff_reopen_a_closed_case(feedback_town, new_case):
    answer_case(case=new_case, actor=feedback_town.handler, text="已处理")
    close_case(case=new_case, actor=feedback_town.handler, text="联系不上反映人")
    assert fresh(new_case).status == Status.CLOSED
    with pytest.raises(ActionError, match="Say why the case is reopened."):
        reopen_case(case=new_case, actor=feedback_town.handler, text=" ")
    reopen_case(case=new_case, actor=feedback_town.handler, text="又有人反映")
    case = fresh(new_case)
    assert (case.status, case.closed_at) == (Status.REOPENED, None)


def test_a_decline_gives_the_reason_as_the_answer(feedback_town, new_case):
    with pytest.raises(ActionError, match="Give the reporter the reason."):
        decline_case(case=new_case, actor=feedback_town.handler, text="")
    decline_case(case=new_case, actor=feedback_town.handler, text="此处属于私人院落，不在村委会管理范围。")
    case = fresh(new_case)
    assert (case.status, case.answer, case.next_escalation_at) == (
        Status.DECLINED, "此处属于私人院落，不在村委会管理范围。", None,
    )
    assert case.closed_at is not None


def test_unrated_answers_are_closed_after_fifteen_days(feedback_town, new_case, clock):
    clock(MONDAY)
    answer_case(case=new_case, actor=feedback_town.handler, text="已处理")
    assert close_unrated_cases(now=MONDAY + datetime.timedelta(days=15)) == 0
    later = MONDAY + datetime.timedelta(days=15, seconds=1)
    assert close_unrated_cases(now=later) == 1
    case = fresh(new_case)
    assert (case.status, case.closed_at, case.solved) == (Status.CLOSED, later, None)
    assert ledger(case)[-1] == ("closed", "closed", "system:tongxin", True)
    assert close_unrated_cases(now=later) == 0


INVALID = [
    (
        "close before the answer",
        lambda town, case: close_case(case=case, actor=town.handler, text=""),
        "Only an answered case can be closed; answer it first.",
    ),
    (
        "reopen an open case",
        lambda town, case: reopen_case(case=case, actor=town.handler, text="x"),
        "Only an answered or closed case can be reopened.",
    ),
    (
        "verdict without an answer",
        lambda town, case: give_feedback(case=case, solved=True, satisfied=True),
        "This case has no answer waiting for your verdict.",
    ),
]


@pytest.mark.parametrize(("name", "act", "message"), INVALID, ids=[item[0] for item in INVALID])
def test_transitions_that_do_not_fit_the_status_are_refused(feedback_town, new_case, name, act, message):
    steps = CaseStep.objects.count()
    with pytest.raises(ActionError) as refusal:
        act(feedback_town, new_case)
    assert str(refusal.value.message) == message
    assert (fresh(new_case).status, CaseStep.objects.count()) == (Status.SUBMITTED, steps)


def test_acknowledging_twice_is_refused(feedback_town, new_case):
    acknowledge_case(case=new_case, actor=feedback_town.handler)
    with pytest.raises(ActionError, match="This case has been acknowledged already."):
        acknowledge_case(case=new_case, actor=feedback_town.handler)


@pytest.mark.parametrize("finish", ["close", "decline"])
def test_a_finished_case_cannot_be_worked_on(feedback_town, new_case, finish):
    town = feedback_town
    if finish == "close":
        answer_case(case=new_case, actor=town.handler, text="已处理")
        close_case(case=new_case, actor=town.handler, text="")
        label = "Closed"
    else:
        decline_case(case=new_case, actor=town.handler, text="不属实")
        label = "Declined"
    message = f"This case is {label}: it cannot be changed now."
    steps = CaseStep.objects.count()
    for act in (
        lambda: answer_case(case=new_case, actor=town.handler, text="再答"),
        lambda: record_progress(case=new_case, actor=town.handler, text="进展"),
        lambda: take_case(case=new_case, actor=town.handler),
        lambda: assign_case(case=new_case, actor=town.handler, workgroup=town.xiaozhai_office),
        lambda: decline_case(case=new_case, actor=town.handler, text="不属实"),
        lambda: refer_case(case=new_case, actor=town.handler, text="上报"),
    ):
        with pytest.raises(ActionError) as refusal:
            act()
        assert str(refusal.value.message) == message
    assert CaseStep.objects.count() == steps


@pytest.mark.parametrize("who", ["resident", "datian_handler", "supervisor", "anonymous"])
def test_only_the_case_workers_may_act_and_nothing_changes_otherwise(feedback_town, new_case, who):
    actor = AnonymousUser() if who == "anonymous" else getattr(feedback_town, who)
    before = (CaseStep.objects.count(), AuditEvent.objects.count())
    for act in (
        lambda: acknowledge_case(case=new_case, actor=actor),
        lambda: assign_case(case=new_case, actor=actor, handler=feedback_town.handler),
        lambda: take_case(case=new_case, actor=actor),
        lambda: record_progress(case=new_case, actor=actor, text="x"),
        lambda: answer_case(case=new_case, actor=actor, text="x"),
        lambda: decline_case(case=new_case, actor=actor, text="x"),
        lambda: refer_case(case=new_case, actor=actor, text="x"),
        lambda: set_published(case=new_case, actor=actor, published=False),
    ):
        with pytest.raises(PermissionDenied):
            act()
    assert (CaseStep.objects.count(), AuditEvent.objects.count()) == before
    assert fresh(new_case).status == Status.SUBMITTED


def test_assigning_checks_the_workgroup_and_the_handler(feedback_town, new_case):
    town = feedback_town
    with pytest.raises(ActionError, match="Choose a workgroup or a handler."):
        assign_case(case=new_case, actor=town.admin)
    with pytest.raises(ActionError, match="Cases go to a workgroup or an office, not to a place."):
        assign_case(case=new_case, actor=town.admin, workgroup=town.xiaozhai)
    with pytest.raises(ActionError, match="datian_handler cannot handle cases of this workgroup."):
        assign_case(case=new_case, actor=town.admin, handler=town.datian_handler)
    assign_case(case=new_case, actor=town.admin, workgroup=town.xiaozhai_office, handler=town.office_handler)
    case = fresh(new_case)
    assert (case.assigned_to, case.handler, case.status) == (town.xiaozhai_office, town.office_handler, Status.ASSIGNED)
    # Moved to another workgroup without a handler: it waits for dispatch again.
    assign_case(case=case, actor=town.admin, workgroup=town.sanitation)
    case = fresh(case)
    assert (case.assigned_to, case.handler, case.status) == (town.sanitation, None, Status.SUBMITTED)


def test_taking_a_case_twice_is_refused(feedback_town, new_case):
    take_case(case=new_case, actor=feedback_town.handler)
    with pytest.raises(ActionError, match="You already hold this case."):
        take_case(case=new_case, actor=feedback_town.handler)


def test_the_troubleshooter_takes_urgent_cases_only(feedback_town):
    urgent = file_case(feedback_town, category="water")
    general = file_case(feedback_town, category="roads")
    take_case(case=urgent, actor=feedback_town.duty_officer)
    assert (fresh(urgent).handler, fresh(urgent).status) == (feedback_town.duty_officer, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):
        take_case(case=general, actor=feedback_town.duty_officer)


def test_a_case_goes_up_to_the_office_above(feedback_town, new_case, clock):
    town = feedback_town
    with pytest.raises(ActionError, match="Say why the case goes up."):
        refer_case(case=new_case, actor=town.handler, text="")
    take_case(case=new_case, actor=town.handler)
    clock(MONDAY)
    refer_case(case=new_case, actor=town.handler, text="需要村委会协调")
    case = fresh(new_case)
    due = datetime.datetime(2026, 3, 12, tzinfo=SHANGHAI)
    assert (case.status, case.assigned_to, case.handler, case.assigned_at, case.answer_due, case.next_escalation_at) == (
        Status.REFERRED, town.xiaozhai_office, None, None, due, due,
    )
    refer_case(case=case, actor=town.office_handler, text="涉及全镇", to=town.town_government)
    assert fresh(case).assigned_to == town.town_government


@pytest.mark.parametrize("target", ["sanitation", "datian_office", "xiaozhai", "town", "council"])
def test_a_case_is_referred_up_only(feedback_town, target):
    town = feedback_town
    case = file_case(town, category="roads")  # in the hands of Xiaozhai's committee
    with pytest.raises(ActionError, match="There is no level above to refer this case to."):
        refer_case(case=case, actor=town.admin, text="上报", to=getattr(town, target))
    assert (fresh(case).status, fresh(case).assigned_to) == (Status.SUBMITTED, town.xiaozhai_office)


def test_a_case_at_the_top_cannot_be_referred(feedback_town):
    town = feedback_town
    case = file_case(town, category="roads")
    assign_case(case=case, actor=town.admin, workgroup=town.town_government)
    refer_case(case=case, actor=town.admin, text="上报市里")
    assert fresh(case).assigned_to == town.city
    with pytest.raises(ActionError, match="There is no level above to refer this case to."):
        refer_case(case=case, actor=town.admin, text="再上报")


def test_publishing_is_switched_with_an_internal_note(feedback_town, new_case):
    set_published(case=new_case, actor=feedback_town.handler, published=False, text="描述中有住址")
    assert fresh(new_case).published is False
    with pytest.raises(ActionError, match="The case is off the public board already."):
        set_published(case=new_case, actor=feedback_town.handler, published=False)
    assert ledger(new_case)[-1] == ("note", "submitted", "handler", False)
    assert CaseStep.objects.filter(case=new_case, kind="note").count() == 1
