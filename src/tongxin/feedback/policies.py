"""The settings a case is measured against: where it goes, when it is due, who is told.

Each function reads the organisation tree and the feedback settings, and hands plain values
to the pure rules in `deadlines.py`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tongxin.community.models import PLACE_KINDS, Organisation, OrganisationKind, RoleGrant

from .deadlines import ACKNOWLEDGE_WITHIN, DEFAULT_RULES, Period, Tier, TierRule, Unit, WorkingCalendar, due_after
from .models import CalendarDay, Category, DeadlinePolicy, RoutingRule

# The body that answers residents for a place when no workgroup is set: its committee, or
# at the town and city levels its government.
OFFICE_KINDS = (OrganisationKind.VILLAGE_COMMITTEE, OrganisationKind.GOVERNMENT)


def _lineage(organisation: Organisation) -> list[Organisation]:
    """The organisation and its ancestors, nearest first.

    Read once per instance and path: filing a case asks for it when routing, for the deadline
    policy and for the calendar. Keyed by the path, so a move is never answered from before it.
    """
    path, ancestors = organisation.__dict__.get("_feedback_lineage", ("", []))
    if path != organisation.path:
        ancestors = list(organisation.ancestors())
        organisation.__dict__["_feedback_lineage"] = (organisation.path, ancestors)
    return [organisation, *reversed(ancestors)]


def nearest_place(organisation: Organisation) -> Organisation:
    return organisation if organisation.is_place else (organisation.place() or organisation)


def office_of(place: Organisation) -> Organisation:
    """Who answers for a place: its village committee or government, else the place itself.

    A grid has no office of its own: its village's office answers for it.
    """
    for candidate in _lineage(nearest_place(place)):
        if candidate.kind not in PLACE_KINDS:
            continue
        office = (
            Organisation.objects.active()
            .filter(parent=candidate, kind__in=OFFICE_KINDS)
            .order_by("kind", "pk")
            .first()
        )
        if office is not None:
            return office
        if candidate.kind != OrganisationKind.GRID:
            return candidate
    return place


def office_above(organisation: Organisation) -> Organisation | None:
    """The office one level up from whoever holds a case now; None at the top of the tree."""
    place = nearest_place(organisation)
    if organisation.kind in OFFICE_KINDS or organisation.pk == place.pk:
        place = place.parent and nearest_place(place.parent)
    while place is not None and place.kind == OrganisationKind.GRID:
        place = place.parent and nearest_place(place.parent)
    if place is None:
        return None
    office = office_of(place)
    return None if office.pk == organisation.pk else office


def route_case(*, organisation: Organisation, category: Category) -> Organisation:
    """The workgroup a new case goes to.

    Among active rules for the case's place or any place above it, a rule for the category beats
    a rule for every category; then the nearer place wins; then the higher priority. With no
    rule, the place's office (`office_of`).
    """
    lineage = _lineage(organisation)
    depth = {org.pk: index for index, org in enumerate(lineage)}
    rules = (
        RoutingRule.objects.filter(active=True, organisation_id__in=list(depth))
        .filter(Q(category=category) | Q(category__isnull=True))
        .select_related("workgroup")
    )
    ranked = sorted(
        rules, key=lambda rule: (rule.category_id is None, depth[rule.organisation_id], -rule.priority, rule.pk)
    )
    for rule in ranked:
        if rule.workgroup.dissolved_on is None:
            return rule.workgroup
    return office_of(organisation)


def deadline_rule(*, organisation: Organisation, category: Category, tier: str) -> TierRule:
    """The tier's periods for this place and category: the most specific policy, else RULES.md §3.

    A policy of the place or a place above beats a site-wide one; the nearer place wins; for the
    same place, a policy for the category beats one for every category.
    """
    lineage = _lineage(organisation)
    depth = {org.pk: index for index, org in enumerate(lineage)}
    policies = DeadlinePolicy.objects.filter(tier=tier).filter(
        Q(organisation_id__in=list(depth)) | Q(organisation__isnull=True)
    ).filter(Q(category=category) | Q(category__isnull=True))
    best = min(
        policies,
        key=lambda policy: (
            policy.organisation_id is None,
            depth.get(policy.organisation_id, 0),
            policy.category_id is None,
        ),
        default=None,
    )
    if best is None:
        return DEFAULT_RULES[Tier(tier)]
    return TierRule(
        dispatch=Period(best.dispatch_amount, Unit(best.dispatch_unit)),
        answer=Period(best.answer_amount, Unit(best.answer_unit)),
    )


def working_calendar(organisation: Organisation) -> WorkingCalendar:
    """Site-wide holidays and make-up working days, overlaid by those of the place and above.

    A nearer organisation's entry for a day wins over a farther one's, and over the site's.
    """
    lineage = _lineage(organisation)
    rank = {org.pk: index for index, org in enumerate(lineage)}
    entries = CalendarDay.objects.filter(Q(organisation_id__in=list(rank)) | Q(organisation__isnull=True))
    chosen: dict[datetime.date, tuple[int, bool]] = {}
    for entry in entries:
        entry_rank = rank.get(entry.organisation_id, len(rank)) if entry.organisation_id else len(rank)
        if entry.day not in chosen or entry_rank < chosen[entry.day][0]:
            chosen[entry.day] = (entry_rank, entry.working)
    return WorkingCalendar(
        holidays=frozenset(day for day, (_rank, working) in chosen.items() if not working),
        working_days=frozenset(day for day, (_rank, working) in chosen.items() if working),
    )


def case_deadlines(
    *, organisation: Organisation, category: Category, tier: str, start: datetime.datetime
) -> dict[str, datetime.datetime]:
    """acknowledge_due, dispatch_due and answer_due for a case received at `start`."""
    calendar = working_calendar(organisation)
    rule = deadline_rule(organisation=organisation, category=category, tier=tier)
    start = _site_time(start)
    return {
        "acknowledge_due": due_after(start, ACKNOWLEDGE_WITHIN, calendar),
        "dispatch_due": due_after(start, rule.dispatch, calendar),
        "answer_due": due_after(start, rule.answer, calendar),
    }


def answer_due_from(
    *, organisation: Organisation, category: Category, tier: str, start: datetime.datetime
) -> datetime.datetime:
    """A fresh answer deadline from `start`: after a reopening, a referral or an escalation."""
    rule = deadline_rule(organisation=organisation, category=category, tier=tier)
    return due_after(_site_time(start), rule.answer, working_calendar(organisation))


def _site_time(moment: datetime.datetime) -> datetime.datetime:
    # Working days end at the site's midnight: not UTC's, nor that of a time zone a request activated.
    return timezone.localtime(moment, timezone.get_default_timezone())


def accounts_to_tell(organisation: Organisation, roles: tuple[str, ...]) -> list[Any]:
    """Accounts holding one of the roles right on the organisation, else on the nearest above.

    A town-wide handler is not told of every village case: the nearest holders are.
    """
    user_model = get_user_model()
    for candidate in _lineage(organisation):
        user_ids = RoleGrant.objects.active().filter(organisation=candidate, role__in=roles).values("user_id")
        users = list(user_model.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
        if users:
            return users
    return []
