"""Where a case goes (routing rules, the place's office) and when it is due (tiers, policies, calendar)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.feedback.conftest import file_case
from tests.helpers import organisation
from tongxin.feedback.models import CalendarDay, DeadlinePolicy, RoutingRule
from tongxin.feedback.policies import (
    accounts_to_tell,
    answer_due_from,
    case_deadlines,
    deadline_rule,
    office_above,
    office_of,
    route_case,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 25 September 2026, 15:00 in Shanghai: the National Day holiday starts the next Thursday.
FRIDAY = datetime.datetime(2026, 9, 25, 15, 0, tzinfo=SHANGHAI)


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def national_day(db):
    for day in range(1, 8):
        CalendarDay.objects.create(day=datetime.date(2026, 10, day), working=False, name="国庆节")
    CalendarDay.objects.create(day=datetime.date(2026, 10, 10), working=True, name="国庆调休")


@pytest.fixture
def clock(monkeypatch):
    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


# -- Routing ---------------------------------------------------------------------------------------


def test_a_rule_for_the_category_sends_the_case_to_its_workgroup(feedback_town):
    town = feedback_town
    assert route_case(organisation=town.xiaozhai, category=town.category("sanitation")) == town.sanitation
    assert file_case(town).assigned_to == town.sanitation


def test_with_no_rule_the_case_goes_to_the_village_office(feedback_town):
    town = feedback_town
    assert route_case(organisation=town.xiaozhai, category=town.category("roads")) == town.xiaozhai_office
    assert route_case(organisation=town.datian, category=town.category("sanitation")) == town.datian_office


def test_a_grid_case_goes_to_its_village_office_or_the_village_rule(feedback_town):
    town = feedback_town
    assert office_of(town.grid) == town.xiaozhai_office
    assert route_case(organisation=town.grid, category=town.category("roads")) == town.xiaozhai_office
    assert route_case(organisation=town.grid, category=town.category("sanitation")) == town.sanitation
    assert file_case(town, category="roads", place=town.grid).assigned_to == town.xiaozhai_office


def test_a_rule_for_the_category_beats_a_nearer_rule_for_every_category(feedback_town):
    town = feedback_town
    RoutingRule.objects.create(organisation=town.grid, category=None, workgroup=town.xiaozhai_office)
    RoutingRule.objects.create(organisation=town.town, category=town.category("roads"), workgroup=town.town_government)
    assert route_case(organisation=town.grid, category=town.category("roads")) == town.town_government
    assert route_case(organisation=town.grid, category=town.category("water")) == town.xiaozhai_office


def test_between_rules_of_the_same_kind_the_nearer_place_then_the_priority_wins(feedback_town):
    town = feedback_town
    roads = town.category("roads")
    patrol = organisation("治安巡逻组", "Patrol Workgroup", "workgroup", town.xiaozhai)
    RoutingRule.objects.create(organisation=town.town, category=roads, workgroup=town.town_government, priority=9)
    RoutingRule.objects.create(organisation=town.xiaozhai, category=roads, workgroup=town.sanitation)
    assert route_case(organisation=town.xiaozhai, category=roads) == town.sanitation
    RoutingRule.objects.create(organisation=town.xiaozhai, category=roads, workgroup=patrol, priority=1)
    assert route_case(organisation=town.xiaozhai, category=roads) == patrol
    assert route_case(organisation=town.datian, category=roads) == town.town_government


def test_inactive_rules_and_dissolved_workgroups_are_passed_over(feedback_town):
    town = feedback_town
    RoutingRule.objects.filter(workgroup=town.sanitation).update(active=False)
    assert route_case(organisation=town.xiaozhai, category=town.category("sanitation")) == town.xiaozhai_office
    RoutingRule.objects.filter(workgroup=town.sanitation).update(active=True)
    town.sanitation.dissolved_on = datetime.date(2026, 1, 1)
    town.sanitation.save()
    assert route_case(organisation=town.xiaozhai, category=town.category("sanitation")) == town.xiaozhai_office


def test_offices_one_level_up(feedback_town):
    town = feedback_town
    assert office_of(town.town) == town.town_government
    assert office_above(town.sanitation) == town.xiaozhai_office
    assert office_above(town.xiaozhai_office) == town.town_government
    assert office_above(town.grid) == town.xiaozhai_office
    # The city has no government in this tree: the city itself answers, and nothing is above it.
    assert office_above(town.town_government) == town.city
    assert office_above(town.city) is None


def test_the_nearest_holders_of_a_role_are_told(feedback_town):
    town = feedback_town
    assert accounts_to_tell(town.sanitation, ("handler",)) == [town.handler]
    # Nobody holds a role on the council: those above it, on the town, are told.
    assert accounts_to_tell(town.council, ("supervisor",)) == [town.supervisor]
    assert accounts_to_tell(town.city, ("supervisor",)) == []


# -- Deadlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "dispatch_due", "answer_due"),
    [
        ("emergency", at(2026, 9, 25, 16, 0), at(2026, 9, 25, 17, 0)),
        ("utilities", at(2026, 9, 25, 17, 0), at(2026, 9, 26, 15, 0)),
        ("general", at(2026, 9, 26, 15, 0), at(2026, 10, 7)),
        ("complex", at(2026, 9, 26, 15, 0), at(2026, 10, 17)),
    ],
)
def test_each_tier_has_its_deadlines(feedback_town, tier, dispatch_due, answer_due):
    deadlines = case_deadlines(organisation=feedback_town.xiaozhai, category=feedback_town.category("roads"), tier=tier, start=FRIDAY)
    assert deadlines == {
        "acknowledge_due": at(2026, 9, 25, 17, 0),
        "dispatch_due": dispatch_due,
        "answer_due": answer_due,
    }


def test_holidays_and_make_up_days_move_the_answer_deadline(feedback_town, national_day):
    deadlines = case_deadlines(
        organisation=feedback_town.xiaozhai, category=feedback_town.category("roads"), tier="general", start=FRIDAY
    )
    # Mon 28, Tue 29, Wed 30 September; 1-7 October off; Thu 8, Fri 9, Sat 10 (made up), Mon 12.
    assert deadlines["answer_due"] == at(2026, 10, 13)
    assert deadlines["dispatch_due"] == at(2026, 9, 26, 15, 0)  # hours run through holidays


def test_a_place_calendar_day_overrides_the_site_one(feedback_town, national_day):
    CalendarDay.objects.create(organisation=feedback_town.xiaozhai, day=datetime.date(2026, 10, 10), working=False)
    roads = feedback_town.category("roads")
    assert case_deadlines(organisation=feedback_town.xiaozhai, category=roads, tier="general", start=FRIDAY)[
        "answer_due"
    ] == at(2026, 10, 14)
    assert case_deadlines(organisation=feedback_town.datian, category=roads, tier="general", start=FRIDAY)[
        "answer_due"
    ] == at(2026, 10, 13)


def test_working_days_end_at_midnight_in_shanghai_whatever_zone_is_active(feedback_town):
    # 20:00 UTC on Thursday is 04:00 on Friday in Shanghai: Friday is the day the case arrived.
    start = datetime.datetime(2026, 9, 24, 20, 0, tzinfo=datetime.UTC)
    with timezone.override("America/New_York"):
        deadlines = case_deadlines(
            organisation=feedback_town.xiaozhai, category=feedback_town.category("roads"), tier="general", start=start
        )
    assert deadlines["answer_due"] == at(2026, 10, 7)
    assert deadlines["answer_due"].utcoffset() == datetime.timedelta(hours=8)


def test_the_most_specific_policy_wins(feedback_town):
    town = feedback_town
    roads, water = town.category("roads"), town.category("water")
    DeadlinePolicy.objects.create(tier="general", dispatch_amount=4, dispatch_unit="hours", answer_amount=3, answer_unit="days")
    DeadlinePolicy.objects.create(
        organisation=town.town, tier="general", dispatch_amount=8, dispatch_unit="hours", answer_amount=5, answer_unit="working_days"
    )
    DeadlinePolicy.objects.create(
        organisation=town.town, category=roads, tier="general",
        dispatch_amount=2, dispatch_unit="hours", answer_amount=2, answer_unit="working_days",
    )
    DeadlinePolicy.objects.create(
        organisation=town.xiaozhai, tier="general", dispatch_amount=12, dispatch_unit="hours", answer_amount=1, answer_unit="days"
    )
    rule = deadline_rule(organisation=town.xiaozhai, category=roads, tier="general")
    assert (rule.dispatch.amount, rule.dispatch.unit, rule.answer.amount, rule.answer.unit) == (12, "hours", 1, "days")
    rule = deadline_rule(organisation=town.datian, category=roads, tier="general")
    assert (rule.dispatch.amount, rule.answer.amount, rule.answer.unit) == (2, 2, "working_days")
    rule = deadline_rule(organisation=town.datian, category=water, tier="general")
    assert (rule.dispatch.amount, rule.answer.amount) == (8, 5)
    rule = deadline_rule(organisation=town.city, category=water, tier="general")
    assert (rule.dispatch.amount, rule.answer.amount, rule.answer.unit) == (4, 3, "days")
    rule = deadline_rule(organisation=town.xiaozhai, category=water, tier="utilities")
    assert (rule.dispatch.amount, rule.dispatch.unit, rule.answer.amount) == (2, "hours", 24)
    assert case_deadlines(organisation=town.datian, category=roads, tier="general", start=FRIDAY) == {
        "acknowledge_due": at(2026, 9, 25, 17, 0),
        "dispatch_due": at(2026, 9, 25, 17, 0),
        "answer_due": at(2026, 9, 30),
    }


def test_a_submitted_case_carries_its_deadlines(feedback_town, national_day, clock):
    clock(FRIDAY)
    case = file_case(feedback_town)
    case.refresh_from_db()
    assert (case.submitted_at, case.acknowledge_due, case.dispatch_due, case.answer_due, case.next_escalation_at) == (
        FRIDAY,
        at(2026, 9, 25, 17, 0),
        at(2026, 9, 26, 15, 0),
        at(2026, 10, 13),
        at(2026, 9, 26, 15, 0),
    )
    assert case.tier == "general"


def test_a_fresh_answer_deadline_counts_from_its_start(feedback_town, national_day):
    due = answer_due_from(
        organisation=feedback_town.xiaozhai, category=feedback_town.category("roads"), tier="general", start=at(2026, 9, 30, 23, 0)
    )
    # Thu 8, Fri 9, Sat 10 (made up), Mon 12, Tue 13, Wed 14, Thu 15.
    assert due == at(2026, 10, 16)
