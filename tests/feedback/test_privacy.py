"""A reporter who hides their name, or stays anonymous, is hidden on every surface at once.

One hidden-name and one anonymous case, both answered and published, then every public page,
feed, open-data and API answer that could show them is read, with every log record kept: the
reporter's name, phone and email appear in none of them. Handlers of the case see the hidden
name (and nobody sees anything of the anonymous reporter, who left nothing to see).
"""

import logging

import pytest
from django.core import mail

from tests.feedback.conftest import file_case
from tests.helpers import sign_in
from tongxin.accounts.actions import issue_api_token
from tongxin.core.models import Notification
from tongxin.feedback.actions import answer_case, take_case
from tongxin.feedback.models import Privacy

NAME, PHONE, EMAIL = "隐名人", "13912345678", "hidden.reporter@example.org"


@pytest.fixture
def reported(feedback_town, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        hidden = file_case(
            feedback_town,
            privacy=Privacy.HIDDEN,
            reporter_name=NAME,
            reporter_phone=PHONE,
            reporter_email=EMAIL,
            description="小区门口路灯坏了一个星期",
            category="street_lights",
        )
        anonymous = file_case(feedback_town, privacy=Privacy.ANONYMOUS, description="垃圾站夜里有人乱倒建筑垃圾", pin="2580")
        for case in (hidden, anonymous):
            take_case(case=case, actor=feedback_town.handler if case.assigned_to == feedback_town.sanitation else feedback_town.office_handler)
        answer_case(case=hidden, actor=feedback_town.office_handler, text="已更换灯泡。")
        answer_case(case=anonymous, actor=feedback_town.handler, text="已安排夜间巡查。")
    return {"hidden": hidden, "anonymous": anonymous}


def public_surfaces(town, cases) -> list[str]:
    """What anyone, or another village's handler, can read about the two cases."""
    village, other = town.xiaozhai.pk, issue_api_token(actor=town.datian_handler, user=town.datian_handler, name="x")[1]
    paths = [
        f"/board/{village}/",
        f"/board/{town.town.pk}/",
        f"/board/{village}/kiosk/",
        f"/board/{village}/feed.atom",
        f"/rates/{village}/",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{cases['hidden'].code}.json",
        f"/open311/v2/requests/{cases['anonymous'].code}.xml",
        "/open311/v2/servicerequestupdates.xml",
        "/open311/v2/servicerequestupdates.json",
        f"/api/v1/cases/{cases['hidden'].code}",
        f"/api/v1/cases/{cases['hidden'].code}/steps",
        f"/api/v1/cases/{cases['anonymous'].code}?pin=2580",
        f"/track/{cases['hidden'].code}/",
    ]
    from django.test import Client

    client = Client()
    bodies = [client.get(path).content.decode() for path in paths]
    bodies.append(client.get("/api/v1/cases", headers={"Authorization": f"Bearer {other}"}).content.decode())
    return bodies


def test_no_public_surface_and_no_log_shows_a_hidden_or_anonymous_reporter(feedback_town, reported, caplog):
    caplog.set_level(logging.DEBUG)

    bodies = public_surfaces(feedback_town, reported)

    assert all(len(body) > 0 for body in bodies)
    for body in bodies:
        for secret in (NAME, PHONE, EMAIL):
            assert secret not in body
    # The board and Open311 do show the cases themselves, just not who reported them.
    assert "小区门口路灯坏了一个星期" in bodies[0] and "已更换灯泡。" in bodies[0]
    assert "垃圾站夜里有人乱倒建筑垃圾" in bodies[6]
    for record in caplog.records:
        for secret in (NAME, PHONE, EMAIL):
            assert secret not in record.getMessage()


def test_handlers_are_told_of_the_case_without_the_reporter_and_only_the_reporter_gets_the_answer(reported):
    to_handlers = Notification.objects.all()
    to_reporter = [message for message in mail.outbox if EMAIL in message.to]

    assert sorted(to_handlers.values_list("user__username", flat=True)) == ["handler", "office_handler"]
    for notification in to_handlers:
        for secret in (NAME, PHONE, EMAIL):
            assert secret not in notification.subject + notification.body
    assert [message.to for message in mail.outbox] == [[EMAIL], [EMAIL]]
    assert [message.subject for message in to_reporter] == [
        f"[Tongxin] We received your case {reported['hidden'].code}",
        f"[Tongxin] Your case {reported['hidden'].code} has been answered",
    ]


def test_the_case_handlers_see_the_hidden_name_and_nothing_of_the_anonymous_reporter(client, feedback_town, reported):
    sign_in(client, feedback_town.office_handler)
    hidden_page = client.get(f"/cases/{reported['hidden'].code}/").content.decode()
    assert NAME in hidden_page and PHONE in hidden_page and EMAIL in hidden_page

    sign_in(client, feedback_town.handler)
    anonymous_page = client.get(f"/cases/{reported['anonymous'].code}/").content.decode()
    assert "Anonymous" in anonymous_page
    anonymous = reported["anonymous"]
    anonymous.refresh_from_db()
    assert (anonymous.reporter_name, anonymous.reporter_phone, anonymous.reporter_email, anonymous.reporter_id) == (
        "", "", "", None
    )
