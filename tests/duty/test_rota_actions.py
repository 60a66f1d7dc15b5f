"""The duty actions: the pool, unavailable days, planning a rota from the pool, replacing a
volunteer or filling a seat without breaking a rule, publishing and telling the volunteers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import translation

from tests.duty.conftest import MONDAY, person_with_account, violations
from tests.helpers import organisation
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent, Notification
from tongxin.duty.actions.rota import (
    add_volunteer,
    candidates_for,
    clear_unavailable,
    discard_rota,
    fill_gap,
    override_turn,
    plan_rota,
    publish_rota,
    retire_volunteer,
    set_unavailable,
    update_volunteer,
)
from tongxin.duty.models import DutyGap, DutyTurn, Rota, RotaStatus, Unavailability, Volunteer


def quarter(town, **settings):
    settings = {"start": MONDAY, "weeks": 13} | settings
    return plan_rota(actor=town.admin, organisation=town.town, **settings)


def _refusal(call) -> ActionError:
    with translation.override("en"), pytest.raises(ActionError) as error:
        call()
    return error.value


# The pool ------------------------------------------------------------------------------------


def test_a_volunteer_s_home_village_is_where_they_live(town):
    volunteer = town.volunteer("vol02")
    assert volunteer.home_village == town.village("西村")
    assert (volunteer.active, volunteer.experienced, volunteer.joined_on) == (True, False, datetime.date(2026, 1, 1))
    assert AuditEvent.objects.filter(verb="duty.volunteer.add", target_id=str(volunteer.pk)).count() == 1


def test_someone_living_in_a_grid_has_its_village_as_home(town):
    grid = organisation("东村一组", "East Village Grid 1", "grid", town.village("东村"))
    person = person_with_account("网格员", "grid_person", grid)
    assert add_volunteer(actor=town.admin, organisation=town.town, person=person).home_village == town.village("东村")


def test_someone_living_elsewhere_has_no_home_village_in_the_pool(town):
    far = person_with_account("远山人", "far", town.other_town.children.get())
    assert add_volunteer(actor=town.admin, organisation=town.town, person=far).home_village is None


def test_a_home_village_outside_the_organisation_is_refused(town):
    error = _refusal(lambda: add_volunteer(
        actor=town.admin, organisation=town.town, person=town.resident, home_village=town.other_town.children.get()
    ))
    assert error.message == "The home village must be a village or community of Tongxin Town."
    error = _refusal(lambda: add_volunteer(actor=town.admin, organisation=town.town, person=town.resident, home_village=town.committee))
    assert error.message == "The home village must be a village or community of Tongxin Town."
    assert not Volunteer.objects.filter(person=town.resident).exists()


def test_nobody_is_in_a_pool_twice_and_a_retired_volunteer_comes_back(town):
    person = town.volunteer("vol05").person
    error = _refusal(lambda: add_volunteer(actor=town.admin, organisation=town.town, person=person))
    assert (error.status, error.message) == (409, "志愿者005 is already in the pool.")
    retire_volunteer(actor=town.admin, volunteer=town.volunteer("vol05"))
    back = add_volunteer(actor=town.admin, organisation=town.town, person=person, experienced=True)
    assert (back.pk, back.active, back.experienced) == (town.volunteer("vol05").pk, True, True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.create(organisation=town.town, person=person, joined_on=MONDAY)


def test_only_the_organisation_s_admin_manages_the_pool(town):
    events = AuditEvent.objects.count()
    for actor in (town.account("vol01"), town.other_admin):
        with pytest.raises(PermissionDenied):
            add_volunteer(actor=actor, organisation=town.town, person=town.resident)
        with pytest.raises(PermissionDenied):
            update_volunteer(actor=actor, volunteer=town.volunteer("vol02"), experienced=True)
        with pytest.raises(PermissionDenied):
            retire_volunteer(actor=actor, volunteer=town.volunteer("vol02"))
        with pytest.raises(PermissionDenied):
            plan_rota(actor=actor, organisation=town.town, start=MONDAY, weeks=4)
    assert (Volunteer.objects.count(), Rota.objects.count(), AuditEvent.objects.count()) == (24, 0, events)
    assert Volunteer.objects.get(pk=town.volunteer("vol02").pk).experienced is False


def test_a_volunteer_marks_their_own_days_and_nobody_else_s(town):
    me = town.volunteer("vol03")
    day = set_unavailable(actor=town.account("vol03"), volunteer=me, date=MONDAY, reason="体检")
    assert (day.date, day.reason) == (MONDAY, "体检")
    set_unavailable(actor=town.account("vol03"), volunteer=me, date=MONDAY, reason="住院")  # the same day: the reason changes
    assert list(Unavailability.objects.values_list("date", "reason")) == [(MONDAY, "住院")]
    with pytest.raises(PermissionDenied):
        set_unavailable(actor=town.account("vol04"), volunteer=me, date=MONDAY + datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        clear_unavailable(actor=town.account("vol04"), volunteer=me, date=MONDAY)
    set_unavailable(actor=town.admin, volunteer=me, date=MONDAY + datetime.timedelta(days=2))  # the admin may too
    clear_unavailable(actor=town.account("vol03"), volunteer=me, date=MONDAY)
    assert list(Unavailability.objects.values_list("date", flat=True)) == [MONDAY + datetime.timedelta(days=2)]
    assert _refusal(lambda: clear_unavailable(actor=town.admin, volunteer=me, date=MONDAY)).status == 404


# Planning ------------------------------------------------------------------------------------


def test_a_quarter_is_planned_as_a_draft_that_keeps_every_rule(town):
    set_unavailable(actor=town.admin, volunteer=town.volunteer("vol07"), date=MONDAY + datetime.timedelta(days=10))
    rota = quarter(town)
    assert (rota.status, rota.weeks, rota.team_size, rota.troubleshooters, rota.avoid_home_village) == (
        RotaStatus.DRAFT, 13, 3, 1, True,
    )
    assert violations(rota) == []
    assert DutyTurn.objects.filter(week__rota=rota).count() == 13 * 10  # 3 villages × 3 + 1, every week full
    assert not DutyGap.objects.filter(week__rota=rota).exists()
    assert not DutyTurn.objects.filter(week__rota=rota, week__number=2, volunteer=town.volunteer("vol07")).exists()
    assert not DutyTurn.objects.filter(village=town.committee).exists()  # bodies get no team
    event = AuditEvent.objects.get(verb="duty.rota.plan")
    assert (event.data["turns"], event.data["volunteers"], event.data["villages"], event.data["empty_seats"]) == (130, 24, 3, 0)


def test_every_team_has_an_experienced_volunteer_in_the_first_week(town):
    rota = quarter(town, weeks=1)
    for village in town.villages:
        team = Volunteer.objects.filter(turns__week__rota=rota, turns__village=village)
        assert team.filter(experienced=True).exists(), village


def test_seats_nobody_can_take_are_stored_as_gaps(town):
    for account in [f"vol{n:02d}" for n in range(13, 25)]:
        retire_volunteer(actor=town.admin, volunteer=town.volunteer(account))
    rota = quarter(town, weeks=4)  # 12 volunteers for 10 seats a week, never two weeks running
    assert violations(rota) == []
    missing = sum(DutyGap.objects.filter(week__rota=rota).values_list("missing", flat=True))
    assert DutyTurn.objects.filter(week__rota=rota).count() + missing == 4 * 10
    assert missing > 0


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({"weeks": 0}, "Plan from 1 to 520 weeks."),
        ({"team_size": 0}, "A village team has from 1 to 12 secretaries."),
        ({"troubleshooters": -1}, "A week has from 0 to 20 troubleshooters."),
    ],
)
def test_impossible_numbers_are_refused(town, numbers, message):
    assert _refusal(lambda: quarter(town, **numbers)).message == message
    assert Rota.objects.count() == 0


def test_a_pool_without_volunteers_or_villages_cannot_plan(town):
    yuanshan_admin = town.other_admin
    assert _refusal(lambda: plan_rota(actor=yuanshan_admin, organisation=town.other_town, start=MONDAY, weeks=4)).message == (
        "The pool has no volunteers yet: add them before planning a rota."
    )
    body = organisation("无村组织", "No Villages", "social_organisation", town.other_town)
    add_volunteer(actor=yuanshan_admin, organisation=body, person=person_with_account("某人", "someone", None))
    assert _refusal(lambda: plan_rota(actor=yuanshan_admin, organisation=body, start=MONDAY, weeks=4)).message == (
        "No Villages has no villages or communities to send teams to."
    )


# Replacing and filling -----------------------------------------------------------------------


def _turn(rota, week, village=None, *, exclude=()):
    turns = DutyTurn.objects.filter(week__rota=rota, week__number=week, village=village).exclude(volunteer__in=exclude)
    return turns.select_related("week__rota", "village", "volunteer").first()


def _serving(rota, week):
    return set(DutyTurn.objects.filter(week__rota=rota, week__number=week).values_list("volunteer_id", flat=True))


def _free_in(rota, week, village=None):
    """Someone the rules let take a seat in `week`."""
    return candidates_for(rota, rota.rota_weeks.get(number=week), village)[0].volunteer


def newcomers(town):
    """Three volunteers joining after the plan, one from each village: free every week."""
    joined = {}
    for number, village in enumerate(town.villages, start=1):
        person = person_with_account(f"新人{number}", f"new{number}", village)
        joined[village.name] = add_volunteer(actor=town.admin, organisation=town.town, person=person)
    return joined


def test_a_replacement_that_breaks_a_rule_is_refused_naming_the_rule(town):
    rota = quarter(town, weeks=4)
    joined = newcomers(town)
    east = town.village("东村")
    turn = _turn(rota, 2, east)
    same_week = Volunteer.objects.get(pk=next(iter(_serving(rota, 2) - {turn.volunteer_id})))
    last_week = Volunteer.objects.filter(pk__in=(_serving(rota, 1) | _serving(rota, 3)) - _serving(rota, 2)).first()
    error = _refusal(lambda: override_turn(actor=town.admin, turn=turn, volunteer=same_week))
    assert (error.status, error.message) == (409, f"{same_week.person.name} already serves in that week.")
    error = _refusal(lambda: override_turn(actor=town.admin, turn=turn, volunteer=last_week))
    assert error.message == f"{last_week.person.name} serves in the week before or after: nobody serves two weeks running."
    local = joined["东村"]
    error = _refusal(lambda: override_turn(actor=town.admin, turn=turn, volunteer=local))
    assert error.message == (
        f"{local.person.name} lives in East Village, and this rota keeps volunteers off their home village's team."
    )
    away = joined["西村"]
    Unavailability.objects.create(volunteer=away, date=turn.week.start + datetime.timedelta(days=6))
    error = _refusal(lambda: override_turn(actor=town.admin, turn=turn, volunteer=away))
    assert error.message.startswith(f"{away.person.name} is unavailable on ")
    assert not DutyTurn.objects.filter(planned_volunteer__isnull=False).exists()
    assert violations(rota) == []


def test_a_replacement_keeps_whom_the_planner_chose(town):
    rota = quarter(town, weeks=4)
    turn = _turn(rota, 2, town.village("西村"))
    planned = turn.volunteer
    newcomers(town)
    newcomer = _free_in(rota, 2, town.village("西村"))
    override_turn(actor=town.admin, turn=turn, volunteer=newcomer)
    turn.refresh_from_db()
    assert (turn.volunteer, turn.planned_volunteer, turn.was_replaced, turn.changed_by) == (newcomer, planned, True, town.admin)
    event = AuditEvent.objects.get(verb="duty.turn.override")
    assert (event.data["from"], event.data["to"]) == (planned.pk, newcomer.pk)
    assert violations(rota) == []
    assert Notification.objects.count() == 0  # a draft: nobody is told yet


def test_an_empty_seat_is_filled_by_someone_free(town):
    for account in [f"vol{n:02d}" for n in range(13, 25)]:
        retire_volunteer(actor=town.admin, volunteer=town.volunteer(account))
    rota = quarter(town, weeks=4)
    gap = DutyGap.objects.filter(week__rota=rota).select_related("week__rota", "village").first()
    add_volunteer(actor=town.admin, organisation=town.town, person=town.resident)
    newcomer = Volunteer.objects.get(person=town.resident)
    if gap.village == newcomer.home_village:
        update_volunteer(actor=town.admin, volunteer=newcomer, home_village=None)
    missing = gap.missing
    turn = fill_gap(actor=town.admin, gap=gap, volunteer=newcomer)
    assert (turn.week, turn.village_id) == (gap.week, gap.village_id)
    assert DutyGap.objects.filter(pk=gap.pk).first() is None if missing == 1 else DutyGap.objects.get(pk=gap.pk).missing == missing - 1
    assert violations(rota) == []


def test_one_turn_a_week_is_kept_by_the_database_too(town):
    rota = quarter(town, weeks=1)
    turn = _turn(rota, 1, None)
    with pytest.raises(IntegrityError), transaction.atomic():
        DutyTurn.objects.create(week=turn.week, volunteer=turn.volunteer, village=town.village("南村"))


# Availability against the rota ---------------------------------------------------------------


def test_a_day_off_in_a_week_on_duty_is_refused_until_someone_replaces_them(town):
    rota = quarter(town, weeks=2)
    turn = _turn(rota, 2, town.village("南村"))
    error = _refusal(lambda: set_unavailable(actor=turn.volunteer.person.user, volunteer=turn.volunteer, date=turn.week.start + datetime.timedelta(days=3)))
    assert error.status == 409
    assert "is on duty in the week of" in error.message
    assert not Unavailability.objects.exists()


def test_a_volunteer_with_turns_to_come_cannot_leave_the_pool(town):
    rota = quarter(town, start=datetime.date.today() + datetime.timedelta(days=7), weeks=2)
    volunteer = DutyTurn.objects.filter(week__rota=rota).first().volunteer
    error = _refusal(lambda: retire_volunteer(actor=town.admin, volunteer=volunteer))
    assert error.message.endswith("turn to come: replace them in it first.")
    assert Volunteer.objects.get(pk=volunteer.pk).active


def test_moving_home_to_the_village_one_serves_in_is_refused(town):
    rota = quarter(town, start=datetime.date.today() + datetime.timedelta(days=7), weeks=1)
    turn = _turn(rota, 1, town.village("东村"))
    error = _refusal(lambda: update_volunteer(actor=town.admin, volunteer=turn.volunteer, home_village=town.village("东村")))
    assert "East Village" in error.message and error.status == 409


# Publishing ----------------------------------------------------------------------------------


def test_publishing_tells_every_volunteer_their_weeks(town):
    rota = quarter(town, weeks=4)
    with translation.override("en"):
        publish_rota(actor=town.admin, rota=rota)
    rota.refresh_from_db()
    assert rota.status == RotaStatus.PUBLISHED and rota.published_at is not None
    on_rota = set(DutyTurn.objects.filter(week__rota=rota).values_list("volunteer__person__user", flat=True))
    assert set(Notification.objects.values_list("user", flat=True)) == on_rota
    turn = _turn(rota, 1, town.village("东村"))
    note = Notification.objects.get(user=turn.volunteer.person.user)
    assert note.subject == "Your duty weeks for Tongxin Town"
    assert "- Jan. 4, 2027 to Jan. 10, 2027: the team of East Village" in note.body
    assert note.url == "/duty/me/"
    assert _refusal(lambda: publish_rota(actor=town.admin, rota=rota)).status == 409
    assert _refusal(lambda: discard_rota(actor=town.admin, rota=rota)).status == 409


def test_a_replacement_in_a_published_rota_tells_both_volunteers(town):
    rota = quarter(town, weeks=4)
    publish_rota(actor=town.admin, rota=rota)
    Notification.objects.all().delete()
    turn = _turn(rota, 3, None)
    before = turn.volunteer
    newcomers(town)
    after = _free_in(rota, 3)
    with translation.override("en"):
        override_turn(actor=town.admin, turn=turn, volunteer=after)
    assert Notification.objects.get(user=before.person.user).subject == "A duty week of yours has changed"
    assert Notification.objects.get(user=after.person.user).subject == "Your duty weeks for Tongxin Town"


def test_a_draft_can_be_thrown_away(town):
    rota = quarter(town, weeks=2)
    discard_rota(actor=town.admin, rota=rota)
    assert (Rota.objects.count(), DutyTurn.objects.count()) == (0, 0)
    assert AuditEvent.objects.filter(verb="duty.rota.discard").count() == 1


# Between two rotas ---------------------------------------------------------------------------


def test_nobody_serves_the_last_week_of_one_rota_and_the_first_of_the_next(town):
    first = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2)
    publish_rota(actor=town.admin, rota=first)
    last_week = set(DutyTurn.objects.filter(week__rota=first, week__number=2).values_list("volunteer_id", flat=True))
    assert len(last_week) == 10

    following = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY + datetime.timedelta(weeks=2), weeks=2)
    first_week = following.rota_weeks.get(number=1)
    assert not last_week & set(DutyTurn.objects.filter(week=first_week).values_list("volunteer_id", flat=True))
    assert not last_week & {candidate.volunteer.pk for candidate in candidates_for(following, first_week, None)}

    rested = Volunteer.objects.select_related("person").get(pk=min(last_week))
    turn = DutyTurn.objects.filter(week=first_week, village__isnull=False).exclude(volunteer__home_village=rested.home_village).first()
    with translation.override("en"), pytest.raises(ActionError) as refused:
        override_turn(actor=town.admin, turn=turn, volunteer=rested)
    assert refused.value.message == f"{rested.person.name} serves in the week before or after: nobody serves two weeks running."
    assert DutyTurn.objects.get(pk=turn.pk).volunteer_id == turn.volunteer_id
