"""An organisation's feedback settings: routing, deadlines, calendar, templates; admins only."""

import datetime

import pytest

from tests.helpers import page_text, sign_in
from tongxin.core.models import AuditEvent
from tongxin.feedback.models import CalendarDay, DeadlinePolicy, ResponseTemplate, RoutingRule


def settings_url(organisation):
    return f"/feedback-settings/{organisation.pk}/"


def counts():
    return (
        RoutingRule.objects.filter(active=True).count(),
        DeadlinePolicy.objects.count(),
        CalendarDay.objects.count(),
        ResponseTemplate.objects.count(),
    )


def test_anonymous_visitor_is_sent_to_sign_in(client, feedback_town):
    response = client.get(settings_url(feedback_town.xiaozhai))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={settings_url(feedback_town.xiaozhai)}"


@pytest.mark.parametrize("who", ["resident", "handler", "supervisor", "datian_handler"])
def test_only_admins_may_open_or_change(client, feedback_town, who):
    sign_in(client, getattr(feedback_town, who))
    before = counts()
    assert client.get(settings_url(feedback_town.xiaozhai)).status_code == 403
    response = client.post(
        settings_url(feedback_town.xiaozhai),
        {"change": "template_add", "template-title": "Hi", "template-text": "Hello"},
    )
    assert response.status_code == 403
    assert counts() == before


def test_page_shows_the_defaults(client, feedback_town):
    sign_in(client, feedback_town.admin)
    text = page_text(client.get(settings_url(feedback_town.xiaozhai)))
    assert "Emergency (danger to life or property) 1 hours 2 hours" in text
    assert "General 24 hours 7 working days" in text
    assert "Complex 24 hours 15 working days" in text
    assert "Every category → Sanitation Workgroup" not in text
    assert "Litter and rubbish → Sanitation Workgroup · priority 0" in text


def test_add_and_deactivate_a_routing_rule(client, feedback_town):
    sign_in(client, feedback_town.admin)
    response = client.post(
        settings_url(feedback_town.xiaozhai),
        {"change": "routing_add", "routing-workgroup": feedback_town.sanitation.pk, "routing-priority": "5"},
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(category__isnull=True)
    assert (rule.organisation, rule.workgroup, rule.priority, rule.active) == (
        feedback_town.xiaozhai, feedback_town.sanitation, 5, True
    )
    assert AuditEvent.objects.filter(verb="feedback.routing_rule.add").count() == 1
    response = client.post(settings_url(feedback_town.xiaozhai), {"change": "routing_deactivate", "id": rule.pk})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.active is False
    assert "The routing rule no longer routes new cases." in page_text(client.get(settings_url(feedback_town.xiaozhai)))


def test_routing_rule_must_point_within_the_subtree(client, feedback_town):
    sign_in(client, feedback_town.admin)
    response = client.post(
        settings_url(feedback_town.xiaozhai),
        {"change": "routing_add", "routing-workgroup": feedback_town.datian_office.pk, "routing-priority": "0"},
    )
    assert response.status_code == 400
    assert RoutingRule.objects.count() == 1


def test_add_and_remove_a_deadline_policy(client, feedback_town):
    sign_in(client, feedback_town.admin)
    data = {
        "change": "policy_add",
        "policy-tier": "general",
        "policy-dispatch_amount": "12",
        "policy-dispatch_unit": "hours",
        "policy-answer_amount": "5",
        "policy-answer_unit": "working_days",
    }
    assert client.post(settings_url(feedback_town.xiaozhai), data).status_code == 302
    policy = DeadlinePolicy.objects.get()
    assert (policy.organisation, policy.tier, policy.dispatch_amount, policy.answer_amount, policy.answer_unit) == (
        feedback_town.xiaozhai, "general", 12, 5, "working_days"
    )
    text = page_text(client.get(settings_url(feedback_town.xiaozhai)))
    assert "General · Every category · dispatch within 12 hours · answer within 5 working days" in text
    response = client.post(settings_url(feedback_town.xiaozhai), data)
    assert response.status_code == 400
    assert "There is already a policy for this tier and category here: remove it first." in page_text(response)
    assert client.post(settings_url(feedback_town.xiaozhai), {"change": "policy_remove", "id": policy.pk}).status_code == 302
    assert DeadlinePolicy.objects.count() == 0


@pytest.mark.parametrize(
    ("dispatch", "answer", "message"),
    [
        (("0", "hours"), ("5", "hours"), "A period must be longer than zero."),
        (("5", "hours"), ("-1", "hours"), "A period must be longer than zero."),
        (("10", "hours"), ("5", "hours"), "The answer cannot be due before the case must be dispatched."),
    ],
)
def test_deadline_policy_is_checked(client, feedback_town, dispatch, answer, message):
    sign_in(client, feedback_town.admin)
    response = client.post(
        settings_url(feedback_town.xiaozhai),
        {
            "change": "policy_add",
            "policy-tier": "general",
            "policy-dispatch_amount": dispatch[0],
            "policy-dispatch_unit": dispatch[1],
            "policy-answer_amount": answer[0],
            "policy-answer_unit": answer[1],
        },
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert DeadlinePolicy.objects.count() == 0


def test_add_and_remove_a_calendar_day(client, feedback_town):
    sign_in(client, feedback_town.admin)
    data = {"change": "day_add", "day-day": "2026-10-01", "day-working": "0", "day-name": "National Day"}
    assert client.post(settings_url(feedback_town.xiaozhai), data).status_code == 302
    entry = CalendarDay.objects.get()
    assert (entry.organisation, entry.day, entry.working, entry.name) == (
        feedback_town.xiaozhai, datetime.date(2026, 10, 1), False, "National Day"
    )
    assert "2026-10-01 Holiday · National Day" in page_text(client.get(settings_url(feedback_town.xiaozhai)))
    assert client.post(settings_url(feedback_town.xiaozhai), data).status_code == 400
    assert client.post(settings_url(feedback_town.xiaozhai), {"change": "day_remove", "id": entry.pk}).status_code == 302
    assert CalendarDay.objects.count() == 0


def test_add_and_remove_a_response_template(client, feedback_town):
    sign_in(client, feedback_town.admin)
    sanitation = feedback_town.category("sanitation")
    data = {"change": "template_add", "template-title": "Emptied", "template-text": "We emptied the bins.",
            "template-category": sanitation.pk}
    assert client.post(settings_url(feedback_town.xiaozhai), data).status_code == 302
    template = ResponseTemplate.objects.get()
    assert (template.organisation, template.category, template.title) == (feedback_town.xiaozhai, sanitation, "Emptied")
    assert client.post(settings_url(feedback_town.xiaozhai), {"change": "template_remove", "id": template.pk}).status_code == 302
    assert ResponseTemplate.objects.count() == 0
    assert AuditEvent.objects.filter(verb__startswith="feedback.response_template.").count() == 2


def test_cannot_remove_another_organisations_settings(client, feedback_town):
    theirs = ResponseTemplate.objects.create(organisation=feedback_town.datian, title="Theirs", text="x")
    sign_in(client, feedback_town.admin)
    response = client.post(settings_url(feedback_town.xiaozhai), {"change": "template_remove", "id": theirs.pk})
    assert response.status_code == 404
    assert ResponseTemplate.objects.count() == 1


def test_unknown_change_is_404(client, feedback_town):
    sign_in(client, feedback_town.admin)
    assert client.post(settings_url(feedback_town.xiaozhai), {"change": "drop_tables"}).status_code == 404
