"""Swapping duty turns: a volunteer asks, the other agrees, the organisation approves, and the
rota's rules still hold; each refusal names its reason and changes nothing; the pages show each
reader what they may do.

The `serving` rota started this Monday: week 1 is under way, so only weeks 2 and 3 can be swapped.
The planner's layout depends on the database's ids, so the volunteers of each scene are found
in the rows (`Cast`), with a check of the rules written apart from the actions (`keeps_rules`).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.duty.conftest import Serving, person_with_account, this_monday, violations
from tests.helpers import page_text, sign_in
from tongxin.community.models import RoleGrant, StaffRole
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent, Notification
from tongxin.duty.actions.rota import (
    add_volunteer,
    discard_rota,
    override_turn,
    plan_rota,
    publish_rota,
    set_unavailable,
)
from tongxin.duty.actions.swaps import (
    answer_swap,
    ask_swap,
    decide_swap,
    swap_choices,
    withdraw_swap,
)
from tongxin.duty.models import DutyTurn, RotaWeek, SwapRequest, SwapStatus, Volunteer

EN = {"accept-language": "en"}


# The cast ------------------------------------------------------------------------------------


def turns_of(rota) -> list[DutyTurn]:
    return list(
        DutyTurn.objects.filter(week__rota=rota)
        .select_related("week", "village", "volunteer__person__user", "volunteer__home_village")
        .order_by("week__number", "pk")
    )


def keeps_rules(weeks_of: dict[int, set[int]], turn: DutyTurn, other: DutyTurn) -> bool:
    """Would the rota keep its rules with the volunteers of the two turns exchanged?"""
    for mover, leaving, taking in ((turn, turn, other), (other, other, turn)):
        weeks = weeks_of[mover.volunteer_id] - {leaving.week.number}
        number = taking.week.number
        if weeks & {number - 1, number, number + 1}:
            return False
        if taking.village_id is not None and taking.village_id == mover.volunteer.home_village_id:
            return False
    return True


@dataclass
class Cast:
    asker: DutyTurn  # week 2, a village's team
    other: DutyTurn  # week 3, serving only then; the exchange keeps every rule
    teammate: DutyTurn  # week 2, on the asker's team
    neighbour: DutyTurn  # week 3, served week 1 too: in week 2 they would serve two weeks running
    local: DutyTurn  # week 3, on the team of the asker's home village
    same_week: DutyTurn  # week 2, another village's team; the exchange keeps every rule
    started: DutyTurn  # week 1
    allowed: set[int]  # the turns the asker's may be exchanged for
    turns: list[DutyTurn]
    weeks_of: dict[int, set[int]]  # volunteer → the numbers of the weeks they serve

    def partner(self, turn: DutyTurn, *, besides: set[int]) -> DutyTurn:
        """A turn of weeks 2 and 3 that `turn` may be exchanged for, none of `besides`."""
        return next(
            t for t in self.turns
            if t.week.number > 1 and t.pk not in besides and t.volunteer_id != turn.volunteer_id
            and (t.week_id, t.village_id) != (turn.week_id, turn.village_id) and keeps_rules(self.weeks_of, turn, t)
        )


def find_cast(rota) -> Cast:
    turns = turns_of(rota)
    weeks_of: dict[int, set[int]] = defaultdict(set)
    for turn in turns:
        weeks_of[turn.volunteer_id].add(turn.week.number)
    week = lambda number: [t for t in turns if t.week.number == number and t.village_id is not None]  # noqa: E731
    for asker in week(2):
        home = asker.volunteer.home_village_id
        others = [t for t in week(3) if weeks_of[t.volunteer_id] == {3} and keeps_rules(weeks_of, asker, t)]
        neighbours = [t for t in week(3) if 1 in weeks_of[t.volunteer_id] and t.village_id != home]
        locals_ = [t for t in week(3) if t.village_id == home]
        same_week = [t for t in week(2) if t.village_id != asker.village_id and keeps_rules(weeks_of, asker, t)]
        teammates = [t for t in week(2) if t.village_id == asker.village_id and t.pk != asker.pk]
        if others and neighbours and locals_ and same_week and teammates:
            allowed = {
                t.pk for t in turns
                if t.week.number > 1 and t.volunteer_id != asker.volunteer_id
                and (t.week_id, t.village_id) != (asker.week_id, asker.village_id) and keeps_rules(weeks_of, asker, t)
            }
            return Cast(asker, others[0], teammates[0], neighbours[0], locals_[0], same_week[0], week(1)[0], allowed, turns, weeks_of)
    raise AssertionError("no cast in this rota")


@pytest.fixture
def serving(town) -> Serving:
    """The conftest's rota (three weeks from this Monday), planned until its layout holds every
    scene of these tests: the planner's fair draw follows the volunteers' ids, which PostgreSQL
    does not reuse from one test to the next, so a layout may lack one. Each new try adds a
    volunteer to the pool, which changes the draw."""
    for attempt in range(1, 11):
        rota = plan_rota(actor=town.admin, organisation=town.town, start=this_monday(), weeks=3, team_size=3, troubleshooters=1)
        try:
            find_cast(rota)
        except AssertionError:
            discard_rota(actor=town.admin, rota=rota)
            person = person_with_account(f"候补{attempt:02d}", f"extra{attempt:02d}", town.villages[attempt % 3])
            add_volunteer(actor=town.admin, organisation=town.town, person=person, joined_on=datetime.date(2026, 1, 1))
            continue
        publish_rota(actor=town.admin, rota=rota)
        rota.refresh_from_db()
        return Serving(town=town, rota=rota, week=rota.rota_weeks.get(number=1))
    raise AssertionError("ten pools planned, and none has every scene of the swap tests")


@pytest.fixture
def cast(serving) -> Cast:
    return find_cast(serving.rota)


def account(turn: DutyTurn):
    return turn.volunteer.person.user


def name(turn: DutyTurn) -> str:
    return turn.volunteer.person.name


def fresh(turn: DutyTurn) -> DutyTurn:
    return DutyTurn.objects.select_related("week", "village", "volunteer__person__user").get(pk=turn.pk)


def day(value: datetime.date) -> str:
    with translation.override("en"):
        return date_format(value, "DATE_FORMAT")


def week_text(week: RotaWeek) -> str:
    return f"{day(week.start)} to {day(week.end)}"


def seat_text(turn: DutyTurn) -> str:
    return f"{week_text(turn.week)}: the team of {turn.village.name_en}"


def refusal(call) -> ActionError:
    with translation.override("en"), pytest.raises(ActionError) as error:
        call()
    return error.value


def state(serving):
    """Everything a refused step must leave as it was."""
    turns = list(DutyTurn.objects.filter(week__rota=serving.rota).order_by("pk").values_list("pk", "volunteer_id", "village_id", "grant_id"))
    swaps = list(SwapRequest.objects.order_by("pk").values_list("pk", "status"))
    grants = RoleGrant.objects.filter(revoked_at__isnull=True).count()
    return turns, swaps, grants, AuditEvent.objects.count(), Notification.objects.count()


def duty_officer_weeks(user) -> list[tuple[str, datetime.date]]:
    """The villages a volunteer is duty officer of, by the week each grant starts (local date)."""
    grants = RoleGrant.objects.filter(user=user, role=StaffRole.DUTY_OFFICER, revoked_at__isnull=True).select_related("organisation")
    return sorted((grant.organisation.name, timezone.localtime(grant.starts_at).date()) for grant in grants)


def asked(cast: Cast, reason: str = "") -> SwapRequest:
    return ask_swap(actor=account(cast.asker), turn=cast.asker, other_turn=cast.other, reason=reason)


def agreed(cast: Cast, reason: str = "") -> SwapRequest:
    return answer_swap(actor=account(cast.other), swap=asked(cast, reason), agree=True)


# The whole path ------------------------------------------------------------------------------


def test_ask_agree_approve_exchanges_the_turns_and_the_duty_officer_roles(serving, cast, django_capture_on_commit_callbacks):
    town = serving.town
    mine, theirs = cast.asker, cast.other
    asker, other = account(mine), account(theirs)
    assert duty_officer_weeks(asker) == [(mine.village.name, mine.week.start)]
    assert duty_officer_weeks(other) == [(theirs.village.name, theirs.week.start)]
    mail.outbox.clear()

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        swap = ask_swap(actor=asker, turn=mine, other_turn=theirs, reason="家里有事")
    assert (swap.status, swap.requested_by, swap.reason) == (SwapStatus.REQUESTED, asker, "家里有事")
    [message] = mail.outbox
    assert (message.to, message.subject) == ([other.email], f"[Tongxin] {name(mine)} asks to swap duty weeks with you")
    assert message.body == (
        f"{name(mine)} would take your turn and give you theirs:\n"
        f"- {name(mine)}: {seat_text(mine)}\n"
        f"- {name(theirs)}: {seat_text(theirs)}\n"
        "\nReason: 家里有事\n\n"
        f"{settings.SITE_URL}/duty/swaps/{swap.pk}/"
    )

    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        answer_swap(actor=other, swap=swap, agree=True)
    assert SwapRequest.objects.get().status == SwapStatus.ACCEPTED
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([asker.email], f"[Tongxin] {name(theirs)} agrees to swap duty weeks"),
    ]
    told = Notification.objects.get(user=town.admin)
    assert told.subject == "A swap of duty weeks waits for approval"
    assert told.body.startswith(f"{name(mine)} and {name(theirs)} agree to exchange these turns:\n")
    assert told.url == f"/duty/swaps/{swap.pk}/"

    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        decide_swap(actor=town.admin, swap=swap, approve=True, note="同意")
    after_mine, after_theirs = fresh(mine), fresh(theirs)
    assert (after_mine.volunteer, after_mine.planned_volunteer, after_mine.changed_by) == (theirs.volunteer, mine.volunteer, town.admin)
    assert (after_theirs.volunteer, after_theirs.planned_volunteer, after_theirs.changed_by) == (mine.volunteer, theirs.volunteer, town.admin)
    assert duty_officer_weeks(asker) == [(theirs.village.name, theirs.week.start)]
    assert duty_officer_weeks(other) == [(mine.village.name, mine.week.start)]
    assert violations(serving.rota) == []
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by, swap.decision_note) == (SwapStatus.APPROVED, town.admin, "同意")
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == sorted([
        (asker.email, "[Tongxin] Your swap of duty weeks is approved"),
        (other.email, "[Tongxin] Your swap of duty weeks is approved"),
    ])
    to_asker = next(message for message in mail.outbox if message.to == [asker.email])
    assert to_asker.body.startswith(f"You now serve this turn instead:\n- {seat_text(theirs)}\n\nNote from the organisation: 同意")
    ids = {"turn": mine.pk, "other_turn": theirs.pk, "volunteer": mine.volunteer_id, "other_volunteer": theirs.volunteer_id}
    events = list(AuditEvent.objects.filter(verb__startswith="duty.swap.").order_by("seq").values_list("verb", "actor_id", "data"))
    assert events == [
        ("duty.swap.ask", asker.pk, ids),
        ("duty.swap.answer", other.pk, {"agree": True}),
        ("duty.swap.decide", town.admin.pk, {"approve": True, "note": "同意", "closed": [], **ids}),
    ]


def test_two_turns_of_one_week_exchange_their_teams(serving, cast):
    mine, theirs = cast.asker, cast.same_week
    swap = ask_swap(actor=account(mine), turn=mine, other_turn=theirs)
    answer_swap(actor=account(theirs), swap=swap, agree=True)
    decide_swap(actor=serving.town.admin, swap=swap, approve=True)
    week = mine.week
    seats = dict(DutyTurn.objects.filter(week=week, volunteer__in=[mine.volunteer, theirs.volunteer]).values_list("volunteer_id", "village_id"))
    assert seats == {mine.volunteer_id: theirs.village_id, theirs.volunteer_id: mine.village_id}
    assert duty_officer_weeks(account(mine)) == [(theirs.village.name, week.start)]
    assert duty_officer_weeks(account(theirs)) == [(mine.village.name, week.start)]
    # Each seat remembers whom the planner put there.
    seat = DutyTurn.objects.get(week=week, village=mine.village, volunteer=theirs.volunteer)
    assert seat.planned_volunteer == mine.volunteer and seat.was_replaced
    assert violations(serving.rota) == []


def test_an_approved_swap_closes_the_other_requests_for_its_turns(serving, cast):
    # The volunteer asked has offered their own turn to someone else meanwhile.
    other = ask_swap(actor=account(cast.other), turn=cast.other, other_turn=cast.partner(cast.other, besides={cast.asker.pk}))
    swap = agreed(cast)
    decide_swap(actor=serving.town.admin, swap=swap, approve=True)
    other.refresh_from_db()
    assert (other.status, other.decision_note) == (SwapStatus.REFUSED, "The turn was exchanged in another swap.")
    assert AuditEvent.objects.get(verb="duty.swap.decide").data["closed"] == [other.pk]


def test_a_refused_swap_changes_no_turn_and_both_are_told(serving, cast, django_capture_on_commit_callbacks):
    swap = agreed(cast)
    before = list(DutyTurn.objects.order_by("pk").values_list("volunteer_id", "grant_id"))
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        decide_swap(actor=serving.town.admin, swap=swap, approve=False, note="人手不够")
    assert list(DutyTurn.objects.order_by("pk").values_list("volunteer_id", "grant_id")) == before
    assert SwapRequest.objects.get().status == SwapStatus.REFUSED
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == sorted([
        (account(cast.asker).email, "[Tongxin] Your swap of duty weeks is refused"),
        (account(cast.other).email, "[Tongxin] Your swap of duty weeks is refused"),
    ])
    assert mail.outbox[0].body.split("\n\n")[-2] == "Note from the organisation: 人手不够"


def test_the_asker_withdraws_and_may_ask_again(cast, django_capture_on_commit_callbacks):
    swap = asked(cast)
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        withdraw_swap(actor=account(cast.asker), swap=swap)
    assert SwapRequest.objects.get().status == SwapStatus.WITHDRAWN
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([account(cast.other).email], f"[Tongxin] {name(cast.asker)} has withdrawn the swap of duty weeks"),
    ]
    assert AuditEvent.objects.filter(verb="duty.swap.withdraw", target_id=str(swap.pk)).count() == 1
    asked(cast)
    assert SwapRequest.objects.filter(status=SwapStatus.REQUESTED).count() == 1


# Refusals: the message, and nothing changed ---------------------------------------------------


def test_the_choices_are_the_exchanges_that_keep_every_rule(cast, django_assert_max_num_queries):
    turn = DutyTurn.objects.select_related("week__rota", "village", "volunteer__person").get(pk=cast.asker.pk)
    with django_assert_max_num_queries(3):
        choices = swap_choices(turn)
    assert {choice.turn.pk for choice in choices} == cast.allowed
    assert {cast.other.pk, cast.same_week.pk} <= cast.allowed
    assert not {cast.neighbour.pk, cast.local.pk, cast.teammate.pk, cast.started.pk} & cast.allowed
    assert [choice.turns for choice in choices] == sorted(choice.turns for choice in choices)
    assert all(choice.turns == len(cast.weeks_of[choice.turn.volunteer_id]) for choice in choices)


def test_an_exchange_that_breaks_a_rule_is_refused_when_asked(serving, cast):
    before = state(serving)
    ask = lambda other: ask_swap(actor=account(cast.asker), turn=cast.asker, other_turn=other)  # noqa: E731
    error = refusal(lambda: ask(cast.neighbour))
    assert (error.message, error.status) == (
        f"{name(cast.neighbour)} serves in the week before or after: nobody serves two weeks running.", 409
    )
    error = refusal(lambda: ask(cast.local))
    assert (error.message, error.status) == (
        f"{name(cast.asker)} lives in {cast.local.village.name_en}, and this rota keeps volunteers off their home village's team.", 409
    )
    assert state(serving) == before


def test_an_unavailable_day_is_refused_when_asked(serving, cast):
    away = cast.asker.week.start + datetime.timedelta(days=2)
    set_unavailable(actor=account(cast.other), volunteer=cast.other.volunteer, date=away)
    before = state(serving)
    error = refusal(lambda: asked(cast))
    assert (error.message, error.status) == (f"{name(cast.other)} is unavailable on {day(away)}, in that week.", 409)
    assert state(serving) == before


def test_bad_asks_are_worded(serving, cast):
    town = serving.town
    ask = lambda other, **more: ask_swap(actor=account(cast.asker), turn=cast.asker, other_turn=other, **more)  # noqa: E731
    before = state(serving)
    error = refusal(lambda: ask(cast.started))
    assert (error.message, error.status) == (f"The week of {day(serving.week.start)} has started: its turns can no longer be swapped.", 409)
    assert refusal(lambda: ask(cast.teammate)).message == "You serve on the same team in that week: there is nothing to exchange."
    assert refusal(lambda: ask(cast.other, reason="长" * 2001)).message == "The reason is too long (at most 2000 characters)."
    assert state(serving) == before
    asked(cast)
    error = refusal(lambda: ask(cast.same_week))
    assert (error.message, error.status) == ("You have already asked to swap this turn: withdraw that request first.", 409)
    assert SwapRequest.objects.count() == 1
    before = state(serving)
    later = plan_rota(actor=town.admin, organisation=town.town, start=serving.rota.end + datetime.timedelta(days=1), weeks=2, team_size=3, troubleshooters=1)
    publish_rota(actor=town.admin, rota=later)
    elsewhere = DutyTurn.objects.filter(week__rota=later).exclude(volunteer=cast.asker.volunteer).first()
    assert refusal(lambda: ask(elsewhere)).message == "Both turns must be in the same rota."
    mine_later = DutyTurn.objects.filter(week__rota=later).exclude(volunteer=cast.asker.volunteer).first()
    assert refusal(
        lambda: ask_swap(actor=account(mine_later), turn=mine_later, other_turn=mine_later)
    ).message == "Both turns are yours: choose a turn of another volunteer."
    assert state(serving)[:2] == before[:2]  # publishing the second rota granted roles and told its volunteers


def test_only_the_volunteer_asks_for_their_own_turn_to_come(serving, cast):
    before = state(serving)
    for actor, turn in [
        (account(cast.other), cast.asker),  # not theirs
        (serving.town.admin, cast.asker),  # the admin replaces; they do not ask
        (account(cast.started), cast.started),  # their week has started
    ]:
        with pytest.raises(PermissionDenied):
            ask_swap(actor=actor, turn=turn, other_turn=cast.other)
    assert state(serving) == before


def test_a_rule_broken_since_the_ask_is_refused_at_approval(serving, cast):
    swap = agreed(cast)
    away = cast.asker.week.start + datetime.timedelta(days=4)
    set_unavailable(actor=account(cast.other), volunteer=cast.other.volunteer, date=away)
    before = state(serving)
    error = refusal(lambda: decide_swap(actor=serving.town.admin, swap=swap, approve=True))
    assert (error.message, error.status) == (f"{name(cast.other)} is unavailable on {day(away)}, in that week.", 409)
    assert state(serving) == before
    assert SwapRequest.objects.get().status == SwapStatus.ACCEPTED
    decide_swap(actor=serving.town.admin, swap=swap, approve=False)  # refusing it is still possible
    assert SwapRequest.objects.get().status == SwapStatus.REFUSED


def test_a_turn_the_organisation_gives_to_someone_else_ends_its_swaps(serving, cast):
    town = serving.town
    swap = asked(cast)
    newcomer = Volunteer.objects.create(organisation=town.town, person=town.resident, joined_on=serving.rota.start)
    override_turn(actor=town.admin, turn=cast.other, volunteer=newcomer)
    swap.refresh_from_db()
    assert (swap.status, swap.decided_by, swap.decision_note) == (
        "refused", town.admin, "The organisation gave one of the two turns to someone else."
    )
    before = state(serving)
    error = refusal(lambda: answer_swap(actor=town.resident.user, swap=swap, agree=True))
    assert (error.message, error.status) == ("This swap is no longer waiting for your answer.", 409)
    assert state(serving) == before


def test_wrong_person_and_wrong_state_change_nothing(serving, cast):
    town = serving.town
    swap = asked(cast)
    before = state(serving)
    for call in [
        lambda: answer_swap(actor=account(cast.asker), swap=swap, agree=True),  # the asker does not answer
        lambda: answer_swap(actor=town.admin, swap=swap, agree=True),
        lambda: withdraw_swap(actor=account(cast.other), swap=swap),
        lambda: decide_swap(actor=account(cast.other), swap=swap, approve=True),
        lambda: decide_swap(actor=town.other_admin, swap=swap, approve=True),
    ]:
        with pytest.raises(PermissionDenied):
            call()
    assert state(serving) == before
    error = refusal(lambda: decide_swap(actor=town.admin, swap=swap, approve=True))
    assert (error.message, error.status) == ("Only a swap both volunteers agreed to can be decided.", 409)
    answer_swap(actor=account(cast.other), swap=swap, agree=False)
    before = state(serving)
    assert refusal(lambda: answer_swap(actor=account(cast.other), swap=swap, agree=True)).message == (
        "This swap is no longer waiting for your answer."
    )
    assert refusal(lambda: withdraw_swap(actor=account(cast.asker), swap=swap)).message == (
        "This swap is decided already and cannot be withdrawn."
    )
    assert state(serving) == before


# The pages -----------------------------------------------------------------------------------


def test_the_volunteer_asks_on_the_page_among_the_allowed_turns(client, serving, cast):
    mine, theirs = cast.asker, cast.other
    sign_in(client, account(mine))
    text = page_text(client.get(f"/duty/turns/{mine.pk}/swap/", headers=EN))
    assert f"Swap a duty week Your turn {week_text(mine.week)}, the team of {mine.village.name_en}" in text
    assert f"{week_text(theirs.week)}, the team of {theirs.village.name_en} · {name(theirs)} · 1 turn" in text
    offered = {int(pk) for pk in re.findall(r'name="other_turn" value="(\d+)"', response_text(client, mine))}
    assert offered == cast.allowed
    refused = client.post(f"/duty/turns/{mine.pk}/swap/", {"other_turn": cast.neighbour.pk}, headers=EN)
    assert refused.status_code == 200
    assert f"{name(cast.neighbour)} serves in the week before or after: nobody serves two weeks running." in page_text(refused)
    assert SwapRequest.objects.count() == 0
    response = client.post(f"/duty/turns/{mine.pk}/swap/", {"other_turn": theirs.pk, "reason": "出差"}, headers=EN)
    swap = SwapRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/duty/swaps/{swap.pk}/"
    text = page_text(client.get(response["Location"], headers=EN))
    assert f"Asked: {name(theirs)} is told and may agree." in text
    assert f"Swap of duty weeks Asked Asked by {name(mine)}: {week_text(mine.week)}, the team of {mine.village.name_en}" in text
    assert f"Asked of {name(theirs)}: {week_text(theirs.week)}, the team of {theirs.village.name_en}" in text
    assert "Reason 出差" in text
    assert "Withdraw the request" in text and "I agree" not in text and "Approve" not in text


def response_text(client, turn: DutyTurn) -> str:
    return client.get(f"/duty/turns/{turn.pk}/swap/", headers=EN).content.decode()


def test_each_reader_sees_the_buttons_they_may_use_and_the_path_ends_exchanged(client, serving, cast):
    swap = asked(cast)
    url = f"/duty/swaps/{swap.pk}/"
    sign_in(client, account(cast.other))
    text = page_text(client.get(url, headers=EN))
    assert "I agree Decline" in text and "Withdraw the request" not in text
    assert client.post(f"{url}answer/", {"agree": "yes"}).status_code == 302
    text = page_text(client.get(url, headers=EN))
    assert "You agree: the organisation is asked to approve the swap." in text
    assert "Agreed by the other volunteer" in text and "I agree" not in text

    sign_in(client, serving.town.admin)
    text = page_text(client.get(url, headers=EN))
    assert "Approve Refuse" in text and "Withdraw the request" not in text
    assert client.post(f"{url}decide/", {"approve": "yes", "note": "好"}).status_code == 302
    text = page_text(client.get(url, headers=EN))
    assert "Approved: the two volunteers have exchanged their turns." in text
    assert "Note on the decision 好" in text and "Approve Refuse" not in text
    assert violations(serving.rota) == []
    assert fresh(cast.other).volunteer == cast.asker.volunteer


def test_a_refusal_on_the_page_is_a_message_and_changes_nothing(client, serving, cast):
    swap = agreed(cast)
    away = cast.asker.week.start + datetime.timedelta(days=1)
    set_unavailable(actor=serving.town.admin, volunteer=cast.other.volunteer, date=away)
    sign_in(client, serving.town.admin)
    before = state(serving)
    response = client.post(f"/duty/swaps/{swap.pk}/decide/", {"approve": "yes"}, headers=EN)
    assert response.status_code == 302
    assert f"{name(cast.other)} is unavailable on {day(away)}, in that week." in page_text(client.get(response["Location"], headers=EN))
    assert state(serving) == before


def test_the_queue_puts_agreed_swaps_first(client, serving, cast, django_assert_max_num_queries):
    mate = cast.teammate
    waiting = ask_swap(actor=account(mate), turn=mate, other_turn=cast.partner(mate, besides={cast.other.pk, cast.asker.pk}))
    approved = agreed(cast)
    third = cast.same_week
    declined = ask_swap(actor=account(third), turn=third, other_turn=cast.partner(third, besides={cast.other.pk, cast.asker.pk, mate.pk, waiting.other_turn_id}))
    answer_swap(actor=account(declined.other_turn), swap=declined, agree=False)
    sign_in(client, serving.town.admin)
    url = f"/organisations/{serving.town.town.pk}/duty/swaps/"
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url, headers=EN)
    text = page_text(response)
    assert "1 swap waits for your approval." in text
    assert [swap.pk for swap in response.context["page"].object_list] == [approved.pk, waiting.pk, declined.pk]
    assert text.index(f"Agreed by the other volunteer {name(cast.asker)}") < text.index(f"Asked {name(mate)}") < text.index(
        f"Declined by the other volunteer {name(third)}"
    )


@pytest.mark.parametrize("who", ["anonymous", "resident", "teammate", "other_admin"])
def test_outsiders_neither_see_nor_change_a_swap(client, serving, cast, who):
    town = serving.town
    if who != "anonymous":
        sign_in(client, {"resident": town.resident.user, "teammate": account(cast.teammate), "other_admin": town.other_admin}[who])
    swap = agreed(cast)
    before = state(serving)
    url = f"/duty/swaps/{swap.pk}/"
    assert client.get(url).status_code == 404
    for action, data in [("answer/", {"agree": "no"}), ("decide/", {"approve": "yes"}), ("withdraw/", {})]:
        assert client.post(url + action, data).status_code == 404
    denied = (302, 403) if who == "anonymous" else (403,)
    assert client.get(f"/duty/turns/{cast.asker.pk}/swap/").status_code in denied
    assert client.post(f"/duty/turns/{cast.asker.pk}/swap/", {"other_turn": cast.same_week.pk}).status_code in denied
    assert client.get(f"/organisations/{town.town.pk}/duty/swaps/").status_code in denied
    assert state(serving) == before


def test_the_involved_may_not_do_each_other_s_part(client, serving, cast):
    swap = asked(cast)
    url = f"/duty/swaps/{swap.pk}/"
    before = state(serving)
    sign_in(client, account(cast.asker))
    assert client.post(url + "answer/", {"agree": "yes"}).status_code == 403
    assert client.post(url + "decide/", {"approve": "yes"}).status_code == 403
    sign_in(client, account(cast.other))
    assert client.post(url + "withdraw/").status_code == 403
    assert client.get(f"/organisations/{serving.town.town.pk}/duty/swaps/").status_code == 403
    sign_in(client, serving.town.admin)
    assert client.post(url + "withdraw/").status_code == 403
    response = client.post(url + "decide/", {"approve": "yes"}, headers=EN)
    assert "Only a swap both volunteers agreed to can be decided." in page_text(client.get(response["Location"], headers=EN))
    assert state(serving) == before


def test_a_volunteer_cannot_offer_a_turn_whose_week_has_started(client, serving, cast):
    sign_in(client, account(cast.started))
    before = state(serving)
    assert client.get(f"/duty/turns/{cast.started.pk}/swap/").status_code == 403
    assert client.post(f"/duty/turns/{cast.started.pk}/swap/", {"other_turn": cast.other.pk}).status_code == 403
    assert state(serving) == before


def test_the_pages_read_in_chinese(client, serving, cast):
    zh = {"accept-language": "zh-hans"}
    sign_in(client, account(cast.asker))
    assert name(cast.other) in page_text(client.get(f"/duty/turns/{cast.asker.pk}/swap/", headers=zh))
    swap = agreed(cast, reason="出差")
    assert name(cast.other) in page_text(client.get(f"/duty/swaps/{swap.pk}/", headers=zh))
    sign_in(client, serving.town.admin)
    for url in (f"/duty/swaps/{swap.pk}/", f"/organisations/{serving.town.town.pk}/duty/swaps/", f"/organisations/{serving.town.town.pk}/duty/statistics/"):
        response = client.get(url, headers=zh)
        assert response.status_code == 200 and name(cast.asker) in page_text(response)


def test_the_swap_rules_see_the_rota_before(town):
    """Whoever serves a rota's last week may not be swapped into the next rota's first."""
    from tests.duty.conftest import MONDAY
    from tongxin.duty.actions.swaps import rota_facts, seat_refusal

    before = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY, weeks=2)
    publish_rota(actor=town.admin, rota=before)
    after = plan_rota(actor=town.admin, organisation=town.town, start=MONDAY + datetime.timedelta(weeks=2), weeks=2)
    rested = DutyTurn.objects.select_related("volunteer__person").filter(week__rota=before, week__number=2).first().volunteer
    seat = DutyTurn.objects.select_related("week", "village").filter(week__rota=after, week__number=1).exclude(
        village=rested.home_village
    ).first()
    with translation.override("en"):
        refusal = seat_refusal(after, rota_facts(after), rested, seat, ignoring=set())
    assert refusal == f"{rested.person.name} serves in the week before or after: nobody serves two weeks running."
