"""Two volunteers of a published rota exchange their turns: one asks, the other agrees, the
organisation approves. The rules of the rota (issue 6) are checked when the swap is asked and
again, under the rota's lock, when it is approved: a swap never leaves a rule broken.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError
from tongxin.core.notify import notify
from tongxin.feedback.policies import accounts_to_tell

from ..models import (
    OPEN_SWAP_STATUSES,
    DutyTurn,
    Rota,
    RotaStatus,
    SwapRequest,
    SwapStatus,
    Unavailability,
    Volunteer,
)
from ..permissions import (
    DUTY_MANAGERS,
    can_answer_swap,
    can_ask_swap,
    can_decide_swap,
    can_withdraw_swap,
)
from .rota import _account, _day, _lock, _turn_line, grant_turn, require

MAX_REASON = 2000
TURN_RELATIONS = ("week__rota__organisation", "village", "volunteer__person__user", "volunteer__home_village")


# ---------------------------------------------------------------------------------------------
# The rules, with two turns exchanged


@dataclass
class RotaFacts:
    """What the rules read about some volunteers of a rota: their turns (turn → week number)
    and their unavailable days within the rota."""

    weeks_of: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    away: dict[int, list[datetime.date]] = field(default_factory=lambda: defaultdict(list))


def rota_facts(rota: Rota, volunteer_ids: Iterable[int] | None = None) -> RotaFacts:
    """Two queries, for the given volunteers (everyone in the rota's pool when None).

    The turns are the rota's and, as `actions.rota.turns_near` reads them, those of the
    organisation's published rotas from the week before it to the week after; each is numbered
    by its week's place from the rota's start (0 the week before, `weeks + 1` the week after).
    """
    facts = RotaFacts()
    turns = DutyTurn.objects.filter(
        Q(week__rota=rota)
        | Q(
            week__rota__organisation=rota.organisation_id,
            week__rota__status=RotaStatus.PUBLISHED,
            week__start__range=(rota.start - datetime.timedelta(days=7), rota.end + datetime.timedelta(days=1)),
        )
    )
    days = Unavailability.objects.filter(volunteer__organisation_id=rota.organisation_id, date__range=(rota.start, rota.end))
    if volunteer_ids is not None:
        ids = list(volunteer_ids)
        turns, days = turns.filter(volunteer_id__in=ids), days.filter(volunteer_id__in=ids)
    for pk, volunteer_id, start in turns.values_list("pk", "volunteer_id", "week__start"):
        facts.weeks_of[volunteer_id][pk] = (start - rota.start).days // 7 + 1
    for volunteer_id, day in days.order_by("date").values_list("volunteer_id", "date"):
        facts.away[volunteer_id].append(day)
    return facts


def seat_refusal(rota: Rota, facts: RotaFacts, volunteer: Volunteer, seat: DutyTurn, ignoring: set[int]) -> str:
    """Why `volunteer` may not take the seat of `seat` (its week and village) once the turns in
    `ignoring` are out of the way: the first rule broken, worded as `actions.rota.refusal_for`
    words it; "" if none."""
    name = volunteer.person.display_name
    week = seat.week
    if volunteer.organisation_id != rota.organisation_id or not volunteer.active:
        return _("%(name)s is not in this organisation's pool.") % {"name": name}
    day = next((day for day in facts.away[volunteer.pk] if week.start <= day <= week.end), None)
    if day is not None:
        return _("%(name)s is unavailable on %(day)s, in that week.") % {"name": name, "day": _day(day)}
    numbers = {number for pk, number in facts.weeks_of[volunteer.pk].items() if pk not in ignoring}
    if week.number in numbers:
        return _("%(name)s already serves in that week.") % {"name": name}
    if numbers & {week.number - 1, week.number + 1}:
        return _("%(name)s serves in the week before or after: nobody serves two weeks running.") % {"name": name}
    if rota.avoid_home_village and seat.village_id is not None and volunteer.home_village_id == seat.village_id:
        return _("%(name)s lives in %(village)s, and this rota keeps volunteers off their home village's team.") % {
            "name": name, "village": seat.village.display_name,
        }
    return ""


def exchange_refusal(rota: Rota, facts: RotaFacts, turn: DutyTurn, other_turn: DutyTurn) -> str:
    """The first rule the exchange of the two turns' volunteers would break; "" if none."""
    ignoring = {turn.pk, other_turn.pk}
    return seat_refusal(rota, facts, turn.volunteer, other_turn, ignoring) or seat_refusal(
        rota, facts, other_turn.volunteer, turn, ignoring
    )


@dataclass(frozen=True)
class SwapChoice:
    turn: DutyTurn
    turns: int  # the other volunteer's turns in the rota


def swap_choices(turn: DutyTurn) -> list[SwapChoice]:
    """The turns of the rota that `turn` may be exchanged for, the other volunteer with the
    fewest turns first: three queries whatever the size of the rota (`turn` comes with its
    week's rota, its village and its volunteer's person)."""
    rota = turn.week.rota
    today = timezone.localdate()
    others = list(
        DutyTurn.objects.filter(week__rota=rota, week__start__gt=today, volunteer__person__user__isnull=False)
        .exclude(volunteer_id=turn.volunteer_id)
        .select_related(*TURN_RELATIONS)
    )
    facts = rota_facts(rota)
    choices = [
        SwapChoice(other, len(facts.weeks_of[other.volunteer_id]))
        for other in others
        if not _same_seat(turn, other) and not exchange_refusal(rota, facts, turn, other)
    ]
    return sorted(
        choices,
        key=lambda choice: (choice.turns, choice.turn.week.start, choice.turn.village is None,
                            choice.turn.village.path if choice.turn.village else "", choice.turn.pk),
    )


# ---------------------------------------------------------------------------------------------
# The steps of a swap


def ask_swap(*, actor: Any, turn: DutyTurn, other_turn: DutyTurn, reason: str = "") -> SwapRequest:
    """The volunteer of `turn` asks the volunteer of `other_turn` to exchange turns; the other
    is told. Refused, naming the rule, when the exchange would break one."""
    turn = _turn(turn.pk)
    require(can_ask_swap(actor, turn))
    other_turn = _turn(other_turn.pk)
    rota = turn.week.rota
    reason = reason.strip()
    if other_turn.week.rota_id != rota.pk:
        raise ActionError(_("Both turns must be in the same rota."))
    if other_turn.volunteer_id == turn.volunteer_id:
        raise ActionError(_("Both turns are yours: choose a turn of another volunteer."))
    if _same_seat(turn, other_turn):
        raise ActionError(_("You serve on the same team in that week: there is nothing to exchange."))
    if len(reason) > MAX_REASON:
        raise ActionError(_("The reason is too long (at most %(count)d characters).") % {"count": MAX_REASON})
    _check_not_started(other_turn)
    other_account = _user_of(other_turn.volunteer)
    if other_account is None:
        raise ActionError(
            _("%(name)s has no account here and cannot answer: ask the organisation to replace you instead.")
            % {"name": other_turn.volunteer.person.display_name}
        )
    with transaction.atomic():
        if SwapRequest.objects.filter(turn=turn, status__in=OPEN_SWAP_STATUSES).exists():
            raise ActionError(_("You have already asked to swap this turn: withdraw that request first."), status=409)
        refusal = exchange_refusal(rota, rota_facts(rota, [turn.volunteer_id, other_turn.volunteer_id]), turn, other_turn)
        if refusal:
            raise ActionError(refusal, status=409)
        try:
            with transaction.atomic():
                swap = SwapRequest.objects.create(
                    turn=turn, other_turn=other_turn, reason=reason, requested_by=_account(actor)
                )
        except IntegrityError:  # asked twice at the same moment
            raise ActionError(_("You have already asked to swap this turn: withdraw that request first."), status=409) from None
        record_audit(actor=actor, verb="duty.swap.ask", target=swap, data=_swap_data(swap))
        notify(
            users=[other_account],
            subject=_("%(name)s asks to swap duty weeks with you") % {"name": turn.volunteer.person.display_name},
            body=_swap_body(
                swap, _("%(name)s would take your turn and give you theirs:") % {"name": turn.volunteer.person.display_name}
            ),
            url=reverse("duty:swap", args=[swap.pk]),
        )
    return swap


def answer_swap(*, actor: Any, swap: SwapRequest, agree: bool) -> SwapRequest:
    """The other volunteer agrees (the organisation's admins are then asked to approve) or declines."""
    with transaction.atomic():
        swap = _locked(swap)
        require(can_answer_swap(actor, swap))
        if swap.status != SwapStatus.REQUESTED:
            raise ActionError(_("This swap is no longer waiting for your answer."), status=409)
        if agree:  # declining needs no check: it changes no turn
            _check_still_possible(swap)
        swap.status = SwapStatus.ACCEPTED if agree else SwapStatus.DECLINED
        swap.answered_at = timezone.now()
        swap.save(update_fields=["status", "answered_at"])
        record_audit(actor=actor, verb="duty.swap.answer", target=swap, data={"agree": agree})
        other = swap.other_turn.volunteer.person.display_name
        url = reverse("duty:swap", args=[swap.pk])
        if agree:
            notify(
                users=[_user_of(swap.turn.volunteer)],
                subject=_("%(name)s agrees to swap duty weeks") % {"name": other},
                body=_swap_body(swap, _("The organisation is asked to approve the swap:")),
                url=url,
            )
            organisation = swap.turn.week.rota.organisation
            notify(
                users=accounts_to_tell(organisation, DUTY_MANAGERS),
                subject=_("A swap of duty weeks waits for approval"),
                body=_swap_body(
                    swap,
                    _("%(asker)s and %(other)s agree to exchange these turns:")
                    % {"asker": swap.turn.volunteer.person.display_name, "other": other},
                ),
                url=url,
            )
        else:
            notify(
                users=[_user_of(swap.turn.volunteer)],
                subject=_("%(name)s declines to swap duty weeks") % {"name": other},
                body=_swap_body(swap, _("Your turns stay as they are:")),
                url=url,
            )
    return swap


def decide_swap(*, actor: Any, swap: SwapRequest, approve: bool, note: str = "") -> SwapRequest:
    """The organisation approves an agreed swap (the volunteers of the two turns are exchanged,
    with their duty-officer roles) or refuses it; both volunteers are told."""
    require(can_decide_swap(actor, swap))
    note = note.strip()
    with transaction.atomic():
        rota = _lock(swap.turn.week.rota)  # no other change of the rota checks its weeks against this one's past
        swap = _locked(swap)
        if swap.status != SwapStatus.ACCEPTED:
            raise ActionError(_("Only a swap both volunteers agreed to can be decided."), status=409)
        turn, other_turn = swap.turn, swap.other_turn
        data = {"approve": approve, "note": note} | _swap_data(swap)  # who held which turn before
        if approve:  # a refusal needs no check: it changes no turn, and clears the queue of stale swaps
            _check_still_possible(swap)
            refusal = exchange_refusal(rota, rota_facts(rota, [turn.volunteer_id, other_turn.volunteer_id]), turn, other_turn)
            if refusal:
                raise ActionError(refusal, status=409)
        swap.status = SwapStatus.APPROVED if approve else SwapStatus.REFUSED
        swap.decided_by, swap.decided_at, swap.decision_note = _account(actor), timezone.now(), note
        swap.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            _exchange(turn, other_turn, actor=actor)
            data["closed"] = _close_overtaken(swap, actor=actor)
        record_audit(actor=actor, verb="duty.swap.decide", target=swap, data=data)
        _tell_decision(swap)
    return swap


def withdraw_swap(*, actor: Any, swap: SwapRequest) -> SwapRequest:
    """Whoever asked takes the request back while it is open."""
    with transaction.atomic():
        swap = _locked(swap)
        require(can_withdraw_swap(actor, swap))
        if not swap.is_open:
            raise ActionError(_("This swap is decided already and cannot be withdrawn."), status=409)
        was_accepted = swap.status == SwapStatus.ACCEPTED
        swap.status = SwapStatus.WITHDRAWN
        swap.save(update_fields=["status"])
        record_audit(actor=actor, verb="duty.swap.withdraw", target=swap)
        notify(
            users=[_user_of(swap.other_turn.volunteer)],
            subject=_("%(name)s has withdrawn the swap of duty weeks") % {"name": swap.turn.volunteer.person.display_name},
            body=_swap_body(swap, _("Your turns stay as they are:")),
            url=reverse("duty:swap", args=[swap.pk]),
        )
        if was_accepted:
            notify(
                users=accounts_to_tell(swap.turn.week.rota.organisation, DUTY_MANAGERS),
                subject=_("A swap of duty weeks was withdrawn"),
                body=_swap_body(swap, _("It no longer waits for approval:")),
                url=reverse("duty:swap", args=[swap.pk]),
            )
    return swap


# ---------------------------------------------------------------------------------------------
# Helpers


def _turn(pk: int) -> DutyTurn:
    return DutyTurn.objects.select_related(*TURN_RELATIONS).get(pk=pk)


def _locked(swap: SwapRequest) -> SwapRequest:
    swap = SwapRequest.objects.select_for_update(of=("self",)).get(pk=swap.pk)
    swap.turn, swap.other_turn = _turn(swap.turn_id), _turn(swap.other_turn_id)
    return swap


def _same_seat(turn: DutyTurn, other: DutyTurn) -> bool:
    return turn.week_id == other.week_id and turn.village_id == other.village_id


def _check_not_started(*turns: DutyTurn) -> None:
    today = timezone.localdate()
    for turn in turns:
        if turn.week.start <= today:
            raise ActionError(
                _("The week of %(week)s has started: its turns can no longer be swapped.") % {"week": _day(turn.week.start)},
                status=409,
            )


def _check_still_possible(swap: SwapRequest) -> None:
    """Both weeks still to come, and neither turn changed hands since the swap was asked."""
    _check_not_started(swap.turn, swap.other_turn)
    for turn in (swap.turn, swap.other_turn):
        if turn.changed_at is not None and turn.changed_at > swap.requested_at:
            raise ActionError(_("One of the two turns has changed hands since the swap was asked."), status=409)


def _exchange(turn: DutyTurn, other_turn: DutyTurn, *, actor: Any) -> None:
    """Each seat gets the other's volunteer, keeps whom the planner chose, and its grant moves."""
    seat_volunteer = {turn.pk: other_turn.volunteer, other_turn.pk: turn.volunteer}
    planned = {t.pk: t.planned_volunteer_id or t.volunteer_id for t in (turn, other_turn)}
    now, account = timezone.now(), _account(actor)
    if turn.week_id == other_turn.week_id:
        # One week: a volunteer may serve it only once, even for a moment, so the two rows
        # exchange their seats (village and planned volunteer) and keep their volunteers.
        turn.village, other_turn.village = other_turn.village, turn.village
        turn.planned_volunteer_id, other_turn.planned_volunteer_id = planned[other_turn.pk], planned[turn.pk]
    else:
        for seat in (turn, other_turn):
            seat.planned_volunteer_id = planned[seat.pk]
            seat.volunteer = seat_volunteer[seat.pk]
    for seat in (turn, other_turn):
        seat.changed_by, seat.changed_at = account, now
        seat.reminded_at = None  # its new volunteer is reminded before the week, as anyone is
        seat.save(update_fields=["volunteer", "village", "planned_volunteer", "changed_by", "changed_at", "reminded_at"])
    for seat in (turn, other_turn):
        grant_turn(seat, actor=actor)


def _close_overtaken(swap: SwapRequest, *, actor: Any) -> list[int]:
    """Other open requests for either turn no longer mean what was asked: refuse them."""
    touched = [swap.turn_id, swap.other_turn_id]
    overtaken = SwapRequest.objects.filter(status__in=OPEN_SWAP_STATUSES).filter(
        Q(turn_id__in=touched) | Q(other_turn_id__in=touched)
    ).exclude(pk=swap.pk)
    ids = list(overtaken.values_list("pk", flat=True))
    overtaken.update(
        status=SwapStatus.REFUSED, decided_by=_account(actor), decided_at=timezone.now(),
        decision_note=_("The turn was exchanged in another swap."),
    )
    return ids


def _tell_decision(swap: SwapRequest) -> None:
    """Each volunteer hears the decision; after an exchange, each turn row holds its new volunteer."""
    approved = swap.status == SwapStatus.APPROVED
    subject = _("Your swap of duty weeks is approved") if approved else _("Your swap of duty weeks is refused")
    for turn in (swap.turn, swap.other_turn):
        volunteer = turn.volunteer
        if approved:
            body = _("You now serve this turn instead:\n- %(line)s") % {"line": _turn_line(turn)}
        else:
            body = _swap_body(swap, _("Your turns stay as they are:"))
        if swap.decision_note:
            body += "\n\n" + _("Note from the organisation: %(note)s") % {"note": swap.decision_note}
        notify(users=[_user_of(volunteer)], subject=subject, body=body, url=reverse("duty:swap", args=[swap.pk]))


def _swap_body(swap: SwapRequest, intro: str) -> str:
    lines = [
        intro,
        "- " + _("%(name)s: %(line)s") % {"name": swap.turn.volunteer.person.display_name, "line": _turn_line(swap.turn)},
        "- " + _("%(name)s: %(line)s") % {"name": swap.other_turn.volunteer.person.display_name, "line": _turn_line(swap.other_turn)},
    ]
    if swap.reason:
        lines += ["", _("Reason: %(reason)s") % {"reason": swap.reason}]
    return "\n".join(lines)


def _user_of(volunteer: Volunteer) -> Any:
    return volunteer.person.user if volunteer.person.user_id else None


def _swap_data(swap: SwapRequest) -> dict[str, Any]:
    return {
        "turn": swap.turn_id, "other_turn": swap.other_turn_id,
        "volunteer": swap.turn.volunteer_id, "other_volunteer": swap.other_turn.volunteer_id,
    }

