"""The morning meeting log as actions: problems become cases on the duty-officer channel, routed
like any case; follow-ups the same day; who may log, and nothing kept when a meeting is refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format

from tests.duty.conftest import this_monday
from tests.helpers import admin_of, organisation
from tongxin.community.models import Organisation, StaffRole
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.duty.actions.meetings import (
    ProblemIn,
    add_problem,
    can_follow_up,
    followed_up_same_day,
    log_morning_meeting,
    record_follow_up,
)
from tongxin.duty.actions.rota import plan_rota, publish_rota
from tongxin.duty.ledger import team_ledger
from tongxin.duty.models import FollowUp, MeetingProblem, MorningMeeting
from tongxin.feedback.actions import answer_case
from tongxin.feedback.models import Case, Category, Channel, Privacy, Status
from tongxin.feedback.permissions import cases_visible_to

DAY = datetime.timedelta(days=1)


def roads(description: str = "村口的路灯坏了", **fields) -> ProblemIn:
    fields.setdefault("privacy", Privacy.HIDDEN)
    if fields["privacy"] != Privacy.ANONYMOUS:
        fields.setdefault("reporter_name", "张大爷")
    return ProblemIn(description=description, category=Category.objects.get(code="roads"), **fields)


def member(serving, village: str = "东村", index: int = 0):
    return serving.team(village)[index].volunteer.person.user


def committee_of(town, village: str = "东村"):
    """The village committee (cases of the village go to it) and a handler there."""
    office = organisation(f"{village}村委会", f"{town.village(village).name_en} Committee", "village_committee", town.village(village))
    return office, admin_of(office, f"handler_{town.village(village).pk}", StaffRole.HANDLER)


def rows() -> tuple[int, ...]:
    return (MorningMeeting.objects.count(), MeetingProblem.objects.count(), Case.objects.count(),
            FollowUp.objects.count(), AuditEvent.objects.count())


def log(serving, actor=None, *, village: str = "东村", week=None, held_on: datetime.date | None = None, **fields) -> MorningMeeting:
    """A meeting of this week's team of `village` (logged by its first member unless `actor`), today."""
    return log_morning_meeting(
        actor=actor or member(serving, village), week=week or serving.week, village=serving.town.village(village),
        held_on=held_on or timezone.localdate(), **fields,
    )


def past_rota(town, weeks_ago: int, **sizes):
    """A published one-week rota whose week began `weeks_ago` Mondays ago."""
    start = this_monday() - datetime.timedelta(weeks=weeks_ago)
    rota = plan_rota(actor=town.admin, organisation=town.town, start=start, weeks=1, **sizes)
    publish_rota(actor=town.admin, rota=rota)
    return rota.rota_weeks.get()


# Logging --------------------------------------------------------------------------------------


def test_a_team_member_logs_a_meeting_whose_problems_become_routed_cases(serving):
    town = serving.town
    office, handler = committee_of(town)
    secretary = member(serving)
    today = timezone.localdate()
    meeting = log(
        serving, secretary, held_on=today, place="村委会议室", villagers_present=12, officials_present="李书记",
        notes="天气冷，来的人不多",
        problems=[roads(reporter_phone="13800000000", address="村口"), roads("邻居占道堆放杂物", privacy=Privacy.ANONYMOUS, urgent=True)],
    )
    assert (meeting.week, meeting.village, meeting.held_on, meeting.place, meeting.villagers_present) == (
        serving.week, town.village("东村"), today, "村委会议室", 12
    )
    assert (meeting.officials_present, meeting.notes, meeting.recorded_by) == ("李书记", "天气冷，来的人不多", secretary)
    problems = list(meeting.problems.select_related("case").order_by("number"))
    assert [problem.number for problem in problems] == [1, 2]
    first, second = problems[0].case, problems[1].case
    assert (first.channel, first.organisation, first.assigned_to, first.entered_by) == (Channel.DUTY, town.village("东村"), office, secretary)
    assert (first.reporter_name, first.reporter_phone, first.address, first.privacy) == ("张大爷", "13800000000", "村口", Privacy.HIDDEN)
    assert (second.description, second.privacy, second.reporter_name, second.reporter_phone, second.tier) == (
        "邻居占道堆放杂物", Privacy.ANONYMOUS, "", "", "emergency"
    )
    assert set(cases_visible_to(handler)) == {first, second}  # the village committee's workgroup has them
    event = AuditEvent.objects.get(verb="duty.meeting.log")
    assert event.data == {
        "week": serving.week.pk, "village": town.village("东村").pk, "held_on": today.isoformat(),
        "villagers_present": 12, "cases": [first.code, second.code],
    }


def test_an_anonymous_villager_leaves_no_name_or_phone_even_when_typed(serving):
    log(serving, problems=[roads(privacy=Privacy.ANONYMOUS, reporter_name="王秘密", reporter_phone="13912345678")])
    case = Case.objects.get()
    assert (case.privacy, case.reporter_name, case.reporter_phone, case.reporter_id) == (Privacy.ANONYMOUS, "", "", None)
    for event in AuditEvent.objects.all():
        assert "王秘密" not in str(event.data) and "13912345678" not in str(event.data)
    assert "王秘密" not in str(list(MorningMeeting.objects.values())) + str(list(MeetingProblem.objects.values()))


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (lambda: roads("   "), "Problem 2: describe what the villager raised."),
        (lambda: roads(reporter_name=""), "Problem 2: give the villager's name, or mark the problem anonymous if they ask."),
        (lambda: roads(privacy="secret"), "Problem 2: choose who may see the villager's name."),
        (lambda: roads("x" * 5001), "Problem 2: The description is longer than 5000 characters."),
    ],
)
def test_a_bad_problem_refuses_the_whole_meeting_and_nothing_is_kept(serving, problem, message):
    before = rows()
    with pytest.raises(ActionError) as refused:
        log(serving, problems=[roads(), problem()])
    assert refused.value.message == message
    assert rows() == before


def test_an_inactive_category_refuses_the_meeting(serving):
    Category.objects.filter(code="roads").update(active=False)
    before = rows()
    with pytest.raises(ActionError) as refused:
        log(serving, problems=[roads()])
    assert refused.value.message == "Problem 1: This category no longer takes new cases."
    assert rows() == before


def test_one_meeting_a_village_a_day(serving):
    log(serving)
    before = rows()
    with pytest.raises(ActionError) as refused:
        log(serving, actor=member(serving, index=1), problems=[roads()])
    day = date_format(timezone.localdate(), "DATE_FORMAT")
    assert refused.value.status == 409
    assert refused.value.message == f"The morning meeting of East Village on {day} is logged already: add the problems to it."
    assert rows() == before
    log(serving, village="西村")  # another village, the same day
    assert MorningMeeting.objects.count() == 2


def test_the_meeting_is_held_in_the_week_and_not_in_the_future(serving):
    town = serving.town
    before = rows()
    with pytest.raises(ActionError) as refused:
        log(serving, held_on=serving.week.start - DAY)
    assert refused.value.message.startswith("The meeting must be held in the team's week, from ")
    week2 = serving.week_number(2)
    with pytest.raises(ActionError) as refused:
        log(serving, town.admin, week=week2, held_on=week2.start)
    assert refused.value.message == "A meeting can only be logged once it has been held."
    with pytest.raises(ActionError) as refused:
        log(serving, villagers_present=-1)
    assert refused.value.message == "The number of villagers who came cannot be negative."
    assert rows() == before


def test_only_the_organisations_villages_have_teams(serving):
    town = serving.town
    far = Organisation.objects.get(name="远山村")
    with pytest.raises(ActionError) as refused:
        log_morning_meeting(actor=town.admin, week=serving.week, village=far, held_on=timezone.localdate())
    assert refused.value.message == "Yuanshan Village is not one of the villages of Tongxin Town."
    with pytest.raises(PermissionDenied):
        log_morning_meeting(actor=town.other_admin, week=serving.week, village=far, held_on=timezone.localdate())
    assert MorningMeeting.objects.count() == 0


@pytest.mark.parametrize("who", ["resident", "west_team", "other_admin", "next_week_team"])
def test_only_the_team_and_the_admin_keep_the_record(serving, who):
    town = serving.town
    actor = {
        "resident": town.resident.user,
        "west_team": member(serving, "西村"),
        "other_admin": town.other_admin,
        "next_week_team": serving.week_number(2).turns.filter(village=town.village("东村")).first().volunteer.person.user,
    }[who]
    meeting = log(serving, problems=[roads()])
    before = rows()
    with pytest.raises(PermissionDenied):
        log(serving, actor, held_on=serving.week.start)
    with pytest.raises(PermissionDenied):
        add_problem(actor=actor, meeting=meeting, problem=roads())
    with pytest.raises(PermissionDenied):
        record_follow_up(actor=actor, problem=meeting.problems.get(), held_on=timezone.localdate(), officials="李书记", outcome="明天修")
    assert rows() == before


def test_the_troubleshooter_and_the_admin_log_for_any_village(serving):
    town = serving.town
    log(serving, serving.troubleshooter.volunteer.person.user, village="南村", problems=[roads()])
    log(serving, town.admin, village="西村", problems=[roads()])
    assert sorted(Case.objects.values_list("organisation__name", flat=True)) == ["南村", "西村"]


def test_a_problem_added_later_takes_the_next_number(serving):
    meeting = log(serving, problems=[roads(), roads("井盖丢了")])
    problem = add_problem(actor=member(serving, index=2), meeting=meeting, problem=roads("垃圾没人收", privacy=Privacy.ANONYMOUS))
    assert (problem.number, problem.case.description, problem.case.channel) == (3, "垃圾没人收", Channel.DUTY)
    assert AuditEvent.objects.filter(verb="duty.problem.add").get().data == {"number": 3, "case": problem.case.code}
    before = rows()
    with pytest.raises(ActionError) as refused:
        add_problem(actor=member(serving), meeting=meeting, problem=roads(reporter_name=""))
    assert refused.value.message == "Problem 4: give the villager's name, or mark the problem anonymous if they ask."
    assert rows() == before


# After the week ---------------------------------------------------------------------------------


def test_after_the_week_the_team_writes_up_but_can_no_longer_file_cases(town):
    week = past_rota(town, weeks_ago=1)  # last week: the record is open for a week more
    village = town.village("东村")
    secretary = week.turns.filter(village=village).first().volunteer.person.user
    before = rows()
    with pytest.raises(ActionError) as refused:
        log_morning_meeting(actor=secretary, week=week, village=village, held_on=week.start, problems=[roads()])
    assert refused.value.status == 403
    assert refused.value.message == (
        "Your duty week is over, so problems can no longer be filed as cases in your name. "
        "Ask the organisation's administrator to add them."
    )
    assert rows() == before
    meeting = log_morning_meeting(actor=secretary, week=week, village=village, held_on=week.start, villagers_present=5)
    with pytest.raises(ActionError):
        add_problem(actor=secretary, meeting=meeting, problem=roads())
    # The organisation's admin still files what the team heard.
    assert add_problem(actor=town.admin, meeting=meeting, problem=roads()).number == 1


def test_once_the_record_is_closed_the_team_can_no_longer_log(town):
    week = past_rota(town, weeks_ago=3)
    village = town.village("东村")
    secretary = week.turns.filter(village=village).first().volunteer.person.user
    with pytest.raises(PermissionDenied):
        log_morning_meeting(actor=secretary, week=week, village=village, held_on=week.start)
    assert MorningMeeting.objects.count() == 0


# Follow-ups -------------------------------------------------------------------------------------


def test_a_follow_up_the_same_day_or_later(serving):
    today = timezone.localdate()
    meeting = log(serving, problems=[roads()])
    problem = meeting.problems.get()
    assert not followed_up_same_day(problem)
    follow_up = record_follow_up(actor=member(serving, index=1), problem=problem, held_on=today, officials=" 李书记、王主任 ", outcome="明天派人修")
    assert (follow_up.officials, follow_up.outcome, follow_up.recorded_by) == ("李书记、王主任", "明天派人修", member(serving, index=1))
    assert followed_up_same_day(problem)
    assert AuditEvent.objects.get(verb="duty.follow_up.record").data == {
        "follow_up": follow_up.pk, "case": problem.case.code, "held_on": today.isoformat(), "same_day": True,
    }


def test_a_bad_follow_up_is_refused(serving):
    meeting = log(serving, problems=[roads()])
    problem = meeting.problems.get()
    before = rows()
    cases = [
        ({"held_on": meeting.held_on - DAY}, "A follow-up cannot come before the meeting where the problem was raised, on "),
        ({"held_on": timezone.localdate() + DAY}, "A follow-up can only be recorded once it has happened."),
        ({"officials": "  "}, "Say which officials you met."),
        ({"outcome": ""}, "Write what was agreed."),
    ]
    for change, message in cases:
        fields = {"held_on": meeting.held_on, "officials": "李书记", "outcome": "明天修"} | change
        with pytest.raises(ActionError) as refused:
            record_follow_up(actor=member(serving), problem=problem, **fields)
        assert refused.value.message.startswith(message)
    assert rows() == before


def test_a_later_team_follows_up_what_an_earlier_team_left_open(serving):
    town = serving.town
    _office, handler = committee_of(town)
    last_week = past_rota(town, weeks_ago=1, team_size=1, troubleshooters=0)
    village = town.village("东村")
    meeting = log_morning_meeting(
        actor=town.admin, week=last_week, village=village, held_on=last_week.start, problems=[roads(), roads("井盖丢了")]
    )
    still_open, answered_before = list(meeting.problems.order_by("number"))
    # The second problem was answered before this week began: it is not carried over.
    answer_case(case=answered_before.case, actor=handler, text="已修好")
    Case.objects.filter(pk=answered_before.case_id).update(answered_at=timezone.now() - datetime.timedelta(days=8))
    # Someone of this week's team who was not on last week's rota.
    this_team = next(
        turn.volunteer.person.user for turn in serving.team("东村") if not last_week.turns.filter(volunteer=turn.volunteer).exists()
    )
    assert [(line.problem, line.carried_over) for line in team_ledger(serving.week, village)] == [(still_open, True)]
    assert can_follow_up(this_team, still_open)
    assert not can_follow_up(this_team, MeetingProblem.objects.get(pk=answered_before.pk))
    outsider = next(
        turn.volunteer.person.user for turn in serving.team("西村") if not last_week.turns.filter(volunteer=turn.volunteer).exists()
    )
    assert not can_follow_up(outsider, still_open)
    follow_up = record_follow_up(actor=this_team, problem=still_open, held_on=timezone.localdate(), officials="李书记", outcome="催办")
    assert not followed_up_same_day(still_open, [follow_up])
    with pytest.raises(PermissionDenied):
        record_follow_up(actor=outsider, problem=still_open, held_on=timezone.localdate(), officials="李书记", outcome="催办")
    assert Case.objects.get(pk=answered_before.case_id).status == Status.ANSWERED
