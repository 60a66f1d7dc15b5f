"""The reporter is told by email (and in the app) when the case is received, answered or declined,
in the language they wrote in; an anonymous reporter is told nothing, by design."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests.feedback.conftest import file_case
from tongxin.core.models import Notification
from tongxin.feedback.actions import answer_case, decline_case, merge_case, submit_case
from tongxin.feedback.models import Channel, Privacy


@pytest.fixture
def sent(monkeypatch):
    """What actions leave for after the commit (the emails) runs at once: the test's transaction never commits."""
    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())
    return mail.outbox


def to_reporter(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_the_reporter_is_told_the_case_was_received(feedback_town, sent):
    case = file_case(feedback_town, reporter_email="wangfang@example.org")
    [message] = to_reporter("wangfang@example.org")
    # Seven working days, ending at midnight: read as the end of the last day.
    last_day = timezone.localtime(case.answer_due).date() - datetime.timedelta(days=1)
    due = f"{date_format(last_day, 'DATE_FORMAT')}, end of the day"
    assert timezone.localtime(case.answer_due).time() == datetime.time(0)
    assert message.subject == f"[Tongxin] We received your case {case.code}"
    assert message.body == (
        "Dear 王芳,\n\n"
        f"We received your case {case.code} (Litter and rubbish, Xiaozhai Village).\n"
        f"You will have an answer by {due}.\n\n"
        f"Follow your case with its tracking code {case.code}:\n"
        f"http://localhost:8000{case.get_tracking_url()}\n\n"
    )


def test_the_answer_and_a_decline_reach_the_reporter(feedback_town, sent):
    town = feedback_town
    answered = file_case(town, reporter_email="a@example.org")
    declined = file_case(town, reporter_email="b@example.org")
    answer_case(case=answered, actor=town.handler, text="垃圾已清运。")
    decline_case(case=declined, actor=town.handler, text="该垃圾点属于邻村。")
    received, answer = to_reporter("a@example.org")
    assert answer.subject == f"[Tongxin] Your case {answered.code} has been answered"
    assert f"Your case {answered.code} has been answered:\n\n垃圾已清运。\n\n" in answer.body
    assert "Is the problem solved? Are you satisfied with the answer?" in answer.body
    received, decline = to_reporter("b@example.org")
    assert decline.subject == f"[Tongxin] Your case {declined.code} was declined"
    assert f"Your case {declined.code} was declined, for this reason:\n\n该垃圾点属于邻村。" in decline.body


def test_the_email_is_in_the_language_the_reporter_wrote_in(feedback_town, sent):
    with translation.override("zh-hans"):
        case = file_case(feedback_town, reporter_email="wangfang@example.org")
    assert case.language == "zh-hans"
    answer_case(case=case, actor=feedback_town.handler, text="已处理")  # the handler works in English
    received, answered = to_reporter("wangfang@example.org")
    for message in (received, answered):
        assert "王芳" in message.body
    # Names that are data in both languages come out in the reporter's.
    assert "环境卫生与垃圾" in received.body and "小寨村" in received.body
    assert "Litter and rubbish" not in received.body


def test_an_account_holder_is_told_in_the_app_too(feedback_town, sent):
    case = submit_case(
        actor=feedback_town.resident,
        channel=Channel.WEB,
        category=feedback_town.category("roads"),
        description="桥面有坑",
        organisation=feedback_town.xiaozhai,
        privacy=Privacy.HIDDEN,
    )
    notice = Notification.objects.get(user=feedback_town.resident)
    assert (notice.subject, notice.url) == (f"We received your case {case.code}", case.get_tracking_url())
    assert [message.subject for message in to_reporter("resident@example.org")] == [
        f"[Tongxin] We received your case {case.code}"
    ]


def test_an_anonymous_reporter_gets_nothing(feedback_town, sent):
    case = file_case(feedback_town, privacy=Privacy.ANONYMOUS, actor=feedback_town.resident)
    answer_case(case=case, actor=feedback_town.handler, text="已处理")
    assert to_reporter("resident@example.org") == []
    assert not Notification.objects.filter(user=feedback_town.resident).exists()


def test_a_reporter_without_an_address_gets_no_email(feedback_town, sent):
    file_case(feedback_town, actor=AnonymousUser(), reporter_phone="13800000000")
    assert [message for message in mail.outbox if message.subject.startswith("[Tongxin] We received")] == []


def test_what_staff_are_told_never_names_a_hidden_reporter(feedback_town, sent):
    town = feedback_town
    town.handler.email = "handler@example.org"
    town.handler.save()
    case = file_case(town, privacy=Privacy.HIDDEN, reporter_name="李秘密", reporter_email="li@example.org", reporter_phone="13912345678")
    [message] = to_reporter("handler@example.org")
    assert message.subject == f"[Tongxin] New case {case.code}: 垃圾桶满了没人清理"
    for secret in ("李秘密", "li@example.org", "13912345678"):
        assert secret not in message.body
        assert not Notification.objects.filter(user=town.handler, body__contains=secret).exists()


def test_the_reporters_of_merged_cases_get_the_answer(feedback_town, sent):
    town = feedback_town
    main = file_case(town, reporter_email="a@example.org")
    duplicate = file_case(town, reporter_email="b@example.org", description="垃圾桶已经满了三天")
    merge_case(case=duplicate, into=main, actor=town.handler)
    answer_case(case=main, actor=town.handler, text="已清运")
    for address in ("a@example.org", "b@example.org"):
        assert [message.subject.split(" ", 1)[1] for message in to_reporter(address)][-1].startswith("Your case")
    [answer] = [message for message in to_reporter("b@example.org") if "answered" in message.subject]
    assert answer.subject == f"[Tongxin] Your case {duplicate.code} has been answered"
    assert "已清运" in answer.body
