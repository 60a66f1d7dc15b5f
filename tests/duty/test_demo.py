"""The demo town's duty rota: built through the duty actions, every rule kept, a week under way
with its meetings, cases, follow-ups, tasks, diary and handovers; built once only."""

import random

import pytest
from django.utils import timezone

from tests.duty.conftest import violations
from tests.helpers import page_text
from tongxin.community.demo import build_demo_town
from tongxin.community.models import RoleGrant, StaffRole
from tongxin.core.audit import verify_chain
from tongxin.duty.demo import RAISED_BY, build_demo_duty
from tongxin.duty.models import (
    DiaryEntry,
    DutyTurn,
    FollowUp,
    Handover,
    MeetingProblem,
    MorningMeeting,
    Rota,
    WeeklyTask,
)
from tongxin.feedback.demo import build_demo_cases

EN = {"accept-language": "en"}


@pytest.fixture
def demo(db):
    town = build_demo_town(seed=2014).town
    build_demo_cases(town=town, rng=random.Random(2014))
    summary = build_demo_duty(town=town, rng=random.Random(2014))
    return town, summary


def test_the_demo_rota_is_a_published_quarter_that_keeps_every_rule(demo):
    town, summary = demo
    rota = Rota.objects.get(organisation=town)
    assert (rota.status, rota.weeks, rota.team_size, rota.troubleshooters) == ("published", 13, 3, 1)
    assert (summary.volunteers, summary.turns, summary.weeks) == (36, 130, 13)
    assert violations(rota) == []


def test_the_duty_officer_login_serves_on_a_village_team_this_week(demo):
    today = timezone.localdate()
    turn = DutyTurn.objects.select_related("week", "village").get(
        volunteer__person__user__username="duty-officer", week__start__lte=today, week__start__gt=today - timezone.timedelta(days=7)
    )
    assert turn.village is not None
    grant = RoleGrant.objects.active().get(user__username="duty-officer", organisation=turn.village)
    assert grant.role == StaffRole.DUTY_OFFICER and grant == turn.grant
    assert DiaryEntry.objects.filter(turn=turn).count() == (today - turn.week.start).days


def test_the_weeks_lived_have_meetings_cases_follow_ups_tasks_and_handovers(demo):
    today = timezone.localdate()
    lived = (today - Rota.objects.get().start).days // 7  # whole weeks over
    meetings = MorningMeeting.objects.count()
    assert meetings >= 3 * 2 * lived
    problems = MeetingProblem.objects.select_related("case")
    assert {problem.case.channel for problem in problems} == {"duty"}
    assert FollowUp.objects.count() == problems.count()
    assert {problem.case.status for problem in problems} == {"answered", "submitted"}
    assert Handover.objects.count() == 3 * lived
    assert WeeklyTask.objects.filter(done=True).count() >= 2 * 3 * lived
    assert verify_chain().intact


def test_a_demo_village_s_bulletin_shows_its_week(client, demo):
    village = MorningMeeting.objects.order_by("-held_on").first().village
    text = page_text(client.get(f"/villages/{village.pk}/duty/bulletin/", headers=EN))
    assert "走访独居老人和困难家庭" in text
    assert not [name for name in RAISED_BY if name in text]  # on the cases, never on the bulletin


def test_running_the_demo_again_adds_nothing(demo):
    town, _summary = demo
    counts = (DutyTurn.objects.count(), MorningMeeting.objects.count(), WeeklyTask.objects.count())
    build_demo_duty(town=town, rng=random.Random(2014))
    assert (DutyTurn.objects.count(), MorningMeeting.objects.count(), WeeklyTask.objects.count()) == counts
