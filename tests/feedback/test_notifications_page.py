"""The in-app notifications: one's own list, newest first, unread marked; opening and marking read."""

import pytest
from django.utils import timezone

from tests.helpers import page_text, sign_in
from tongxin.core.models import Notification


def note(user, subject, url="", read=False):
    return Notification.objects.create(
        user=user, subject=subject, body="", url=url, read_at=timezone.now() if read else None
    )


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


def test_lists_own_notifications_newest_first_unread_marked(client, feedback_town):
    note(feedback_town.handler, "First", read=True)
    note(feedback_town.handler, "Second")
    note(feedback_town.datian_handler, "Not mine")
    sign_in(client, feedback_town.handler)
    response = client.get("/notifications/")
    text = page_text(response)
    assert response.status_code == 200
    assert "New Second" in text
    assert text.index("Second") < text.index("First")
    assert "Not mine" not in text
    assert "Mark all as read" in text


def test_new_case_notifies_the_workgroup_and_links_to_the_case(client, feedback_town, new_case):
    notification = Notification.objects.get(user=feedback_town.handler)
    sign_in(client, feedback_town.handler)
    response = client.get("/notifications/", {"open": notification.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{new_case.code}/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_read(client, feedback_town):
    note(feedback_town.handler, "One")
    note(feedback_town.handler, "Two")
    other = note(feedback_town.datian_handler, "Theirs")
    sign_in(client, feedback_town.handler)
    response = client.post("/notifications/")
    assert response.status_code == 302
    assert Notification.objects.filter(user=feedback_town.handler, read_at__isnull=True).count() == 0
    other.refresh_from_db()
    assert other.read_at is None
    assert "Mark all as read" not in page_text(client.get("/notifications/"))


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_opening_never_leaves_the_site(client, feedback_town, url):
    notification = note(feedback_town.handler, "Link", url=url)
    sign_in(client, feedback_town.handler)
    response = client.get("/notifications/", {"open": notification.pk})
    assert response["Location"] == "/notifications/"


def test_cannot_open_someone_elses_notification(client, feedback_town):
    theirs = note(feedback_town.datian_handler, "Theirs", url="/cases/")
    sign_in(client, feedback_town.handler)
    assert client.get("/notifications/", {"open": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_list_is_paginated_and_queries_are_bounded(client, feedback_town, django_assert_max_num_queries):
    Notification.objects.bulk_create(Notification(user=feedback_town.handler, subject=f"N{i}") for i in range(55))
    sign_in(client, feedback_town.handler)
    with django_assert_max_num_queries(12):
        response = client.get("/notifications/")
    assert len(response.context["page"].object_list) == 50
    assert len(client.get("/notifications/", {"page": 2}).context["page"].object_list) == 5
