"""Changes to an organisation's feedback settings: routing rules, deadline policies, calendar days, templates.

These are settings, not cases: no ledger, but each change is checked against
`can_manage_feedback_settings`, made in one transaction and written to the audit log.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tongxin.community.models import Organisation
from tongxin.core.audit import record_audit
from tongxin.core.errors import ActionError

from .deadlines import Tier, Unit
from .models import CalendarDay, Category, DeadlinePolicy, ResponseTemplate, RoutingRule
from .permissions import can_manage_feedback_settings

MAX_TEMPLATE_TEXT = 5000


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# -- Routing ---------------------------------------------------------------------------------------


def add_routing_rule(
    *, actor: Any, organisation: Organisation, workgroup: Organisation, category: Category | None = None, priority: int = 0
) -> RoutingRule:
    """Cases of the category (or of every category) in the organisation's subtree go to the workgroup."""
    _require(can_manage_feedback_settings(actor, organisation))
    if workgroup.is_place or workgroup.dissolved_on is not None:
        raise ActionError(_("Cases go to a workgroup or an office, not to a place."))
    if not workgroup.is_within(organisation):
        raise ActionError(_("Choose a workgroup or office within %(organisation)s.") % {"organisation": organisation.display_name})
    with transaction.atomic():
        rule = RoutingRule.objects.create(organisation=organisation, category=category, workgroup=workgroup, priority=priority)
        record_audit(
            actor=actor,
            verb="feedback.routing_rule.add",
            target=rule,
            data={"category": category.code if category else None, "workgroup": workgroup.pk, "priority": priority},
        )
    return rule


def deactivate_routing_rule(*, actor: Any, rule: RoutingRule) -> RoutingRule:
    """The rule stops routing new cases; it stays on record, as cases were routed by it."""
    _require(can_manage_feedback_settings(actor, rule.organisation))
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        if rule.active:
            rule.active = False
            rule.save(update_fields=["active"])
            record_audit(actor=actor, verb="feedback.routing_rule.deactivate", target=rule)
    return rule


# -- Deadlines -------------------------------------------------------------------------------------


def add_deadline_policy(
    *,
    actor: Any,
    organisation: Organisation,
    tier: str,
    dispatch_amount: int,
    dispatch_unit: str,
    answer_amount: int,
    answer_unit: str,
    category: Category | None = None,
) -> DeadlinePolicy:
    """The tier's dispatch and answer periods for the organisation's subtree (and the category, if given)."""
    _require(can_manage_feedback_settings(actor, organisation))
    if tier not in list(Tier) or dispatch_unit not in list(Unit) or answer_unit not in list(Unit):
        raise ActionError(_("Choose a tier and the units of time."))
    if dispatch_amount <= 0 or answer_amount <= 0:
        raise ActionError(_("A period must be longer than zero."))
    if dispatch_unit == answer_unit and answer_amount < dispatch_amount:
        raise ActionError(_("The answer cannot be due before the case must be dispatched."))
    with transaction.atomic():
        taken = DeadlinePolicy.objects.filter(organisation=organisation, category=category, tier=tier).exists()
        if taken:
            raise ActionError(_("There is already a policy for this tier and category here: remove it first."))
        policy = DeadlinePolicy.objects.create(
            organisation=organisation,
            category=category,
            tier=tier,
            dispatch_amount=dispatch_amount,
            dispatch_unit=dispatch_unit,
            answer_amount=answer_amount,
            answer_unit=answer_unit,
        )
        record_audit(
            actor=actor,
            verb="feedback.deadline_policy.add",
            target=policy,
            data={
                "tier": tier,
                "category": category.code if category else None,
                "dispatch": [dispatch_amount, dispatch_unit],
                "answer": [answer_amount, answer_unit],
            },
        )
    return policy


def remove_deadline_policy(*, actor: Any, policy: DeadlinePolicy) -> None:
    """New cases fall back to the next policy up, or the defaults; existing deadlines stay."""
    _require(policy.organisation is not None and can_manage_feedback_settings(actor, policy.organisation))
    with transaction.atomic():
        record_audit(
            actor=actor,
            verb="feedback.deadline_policy.remove",
            target=policy,
            data={"tier": policy.tier, "dispatch": [policy.dispatch_amount, policy.dispatch_unit],
                  "answer": [policy.answer_amount, policy.answer_unit]},
        )
        policy.delete()


# -- Calendar --------------------------------------------------------------------------------------


def add_calendar_day(
    *, actor: Any, organisation: Organisation, day: datetime.date, working: bool, name: str = ""
) -> CalendarDay:
    """A holiday, or a make-up working day, for the organisation's subtree."""
    _require(can_manage_feedback_settings(actor, organisation))
    name = name.strip()
    if len(name) > 100:
        raise ActionError(_("The name is longer than %(limit)s characters.") % {"limit": 100})
    with transaction.atomic():
        if CalendarDay.objects.filter(organisation=organisation, day=day).exists():
            raise ActionError(_("This day is in the calendar already: remove it first."))
        entry = CalendarDay.objects.create(organisation=organisation, day=day, working=working, name=name)
        record_audit(
            actor=actor, verb="feedback.calendar_day.add", target=entry, data={"day": day.isoformat(), "working": working}
        )
    return entry


def remove_calendar_day(*, actor: Any, entry: CalendarDay) -> None:
    _require(entry.organisation is not None and can_manage_feedback_settings(actor, entry.organisation))
    with transaction.atomic():
        record_audit(
            actor=actor,
            verb="feedback.calendar_day.remove",
            target=entry,
            data={"day": entry.day.isoformat(), "working": entry.working},
        )
        entry.delete()


# -- Response templates ----------------------------------------------------------------------------


def add_response_template(
    *, actor: Any, organisation: Organisation, title: str, text: str, category: Category | None = None
) -> ResponseTemplate:
    """A reusable answer for the handlers of the organisation's subtree."""
    _require(can_manage_feedback_settings(actor, organisation))
    title, text = title.strip(), text.strip()
    if not title or len(title) > 100:
        raise ActionError(_("Give the template a title of at most 100 characters."))
    if not text or len(text) > MAX_TEMPLATE_TEXT:
        raise ActionError(_("Write the template's text, at most %(limit)s characters.") % {"limit": MAX_TEMPLATE_TEXT})
    with transaction.atomic():
        template = ResponseTemplate.objects.create(organisation=organisation, category=category, title=title, text=text)
        record_audit(
            actor=actor,
            verb="feedback.response_template.add",
            target=template,
            data={"category": category.code if category else None},
        )
    return template


def remove_response_template(*, actor: Any, template: ResponseTemplate) -> None:
    _require(template.organisation is not None and can_manage_feedback_settings(actor, template.organisation))
    with transaction.atomic():
        record_audit(actor=actor, verb="feedback.response_template.remove", target=template)
        template.delete()
