"""The case list of the workbench: who may open it, what it lists, its filters, counts and queries."""

import datetime

import pytest
from django.utils import timezone

from tests.feedback.conftest import file_case
from tests.helpers import page_text, sign_in
from tongxin.feedback.actions import answer_case, take_case
from tongxin.feedback.models import Case, Channel, Privacy


def listed(response) -> list[str]:
    """The tracking codes in the list, in order."""
    return [case.code for case in response.context["page"].object_list]


def test_anonymous_visitor_is_sent_to_sign_in(client, feedback_town):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cases/"


def test_account_without_a_case_role_gets_403(client, feedback_town, new_case):
    sign_in(client, feedback_town.resident)
    assert client.get("/cases/").status_code == 403


def test_handler_sees_cases_of_their_scope_only(client, feedback_town, new_case):
    datian_case = file_case(feedback_town, category="roads", place=feedback_town.datian, description="路上有坑")
    sign_in(client, feedback_town.handler)
    response = client.get("/cases/")
    assert response.status_code == 200
    assert listed(response) == [new_case.code]
    sign_in(client, feedback_town.datian_handler)
    assert listed(client.get("/cases/")) == [datian_case.code]


def test_row_shows_the_case_at_a_glance(client, feedback_town, new_case):
    Case.objects.filter(pk=new_case.pk).update(answer_due=timezone.now() - datetime.timedelta(hours=1), escalation_level=2)
    sign_in(client, feedback_town.handler)
    text = page_text(client.get("/cases/"))
    assert "Open 1 Overdue 1 Awaiting the reporter's verdict 0" in text
    assert f"{new_case.code} 垃圾桶满了没人清理 Litter and rubbish Xiaozhai Village Sanitation Workgroup Submitted" in text
    assert "overdue 2" in text


def test_counts_awaiting_verdict(client, feedback_town, new_case):
    answer_case(case=new_case, actor=feedback_town.handler, text="Done.")
    file_case(feedback_town)
    sign_in(client, feedback_town.supervisor)
    assert "Open 1 Overdue 0 Awaiting the reporter's verdict 1" in page_text(client.get("/cases/"))


def test_filters(client, feedback_town, new_case):
    roads = file_case(feedback_town, category="roads", description="路灯坏了", channel=Channel.WEB)
    anonymous = file_case(feedback_town, privacy=Privacy.ANONYMOUS, description="狗叫")
    answered = file_case(feedback_town, description="水沟堵了")
    answer_case(case=answered, actor=feedback_town.handler, text="Cleared.")
    take_case(case=new_case, actor=feedback_town.admin)
    Case.objects.filter(pk=anonymous.pk).update(answer_due=timezone.now() - datetime.timedelta(hours=1))
    sign_in(client, feedback_town.admin)
    assert set(listed(client.get("/cases/", {"status": "open"}))) == {new_case.code, roads.code, anonymous.code}
    assert listed(client.get("/cases/", {"status": "overdue"})) == [anonymous.code]
    assert listed(client.get("/cases/", {"status": "answered"})) == [answered.code]
    assert listed(client.get("/cases/", {"category": roads.category.pk})) == [roads.code]
    assert listed(client.get("/cases/", {"mine": "on"})) == [new_case.code]
    assert listed(client.get("/cases/", {"q": "路灯"})) == [roads.code]
    assert listed(client.get("/cases/", {"q": anonymous.code.lower()})) == [anonymous.code]
    assert listed(client.get("/cases/", {"workgroup": feedback_town.xiaozhai_office.pk})) == [roads.code]
    assert listed(client.get("/cases/", {"organisation": feedback_town.datian.pk})) == []
    assert set(listed(client.get("/cases/", {"organisation": feedback_town.xiaozhai.pk}))) == {
        new_case.code, roads.code, anonymous.code, answered.code
    }
    assert listed(client.get("/cases/", {"channel": Channel.HOTLINE})) == []
    assert len(listed(client.get("/cases/", {"tier": "general"}))) == 4


def test_submitted_date_range_and_sorting(client, feedback_town, new_case):
    older = file_case(feedback_town, description="旧的")
    Case.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=10))
    sign_in(client, feedback_town.handler)
    today = timezone.localdate()
    assert listed(client.get("/cases/", {"submitted_from": today.isoformat()})) == [new_case.code]
    assert listed(client.get("/cases/", {"submitted_to": (today - datetime.timedelta(days=5)).isoformat()})) == [older.code]
    assert listed(client.get("/cases/")) == [new_case.code, older.code]
    assert listed(client.get("/cases/", {"sort": "oldest"})) == [older.code, new_case.code]


def test_list_is_paginated_by_50(client, feedback_town):
    for number in range(51):
        file_case(feedback_town, description=f"垃圾 {number}")
    sign_in(client, feedback_town.handler)
    first = client.get("/cases/")
    assert len(listed(first)) == 50
    assert "Page 1 of 2" in page_text(first)
    assert len(listed(client.get("/cases/", {"page": 2}))) == 1


@pytest.mark.parametrize("cases", [1, 12])
def test_query_count_does_not_grow_with_the_cases(client, feedback_town, django_assert_max_num_queries, cases):
    for number in range(cases):
        file_case(feedback_town, category="roads" if number % 2 else "sanitation", description=f"问题 {number}")
    sign_in(client, feedback_town.admin)
    with django_assert_max_num_queries(14):
        response = client.get("/cases/", {"status": "open", "sort": "deadline"})
    assert len(listed(response)) == cases
