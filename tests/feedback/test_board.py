"""The public board and its kiosk view: public fields only, this week and this month, constant queries."""

from __future__ import annotations

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.test import Client

from tests.feedback.conftest import file_case
from tests.helpers import page_text
from tongxin.feedback.actions import answer_case, merge_case, record_progress, set_published, take_case
from tongxin.feedback.models import Case, Privacy

pytestmark = pytest.mark.usefixtures("in_english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday: the week began on Monday 13 April, the month on 1 April.
WEDNESDAY = datetime.datetime(2026, 4, 15, 10, 0, tzinfo=SHANGHAI)
# A Thursday whose week began on Monday 30 March, in the month before.
THURSDAY = datetime.datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI)


def local(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=SHANGHAI)


def filed_at(town, when: datetime.datetime, description: str, **fields) -> Case:
    case = file_case(town, description=description, **fields)
    Case.objects.filter(pk=case.pk).update(submitted_at=when)
    return Case.objects.get(pk=case.pk)


def board_at(client: Client, organisation_id: int, now: datetime.datetime, query: str = ""):
    with mock.patch("django.utils.timezone.now", return_value=now):
        return client.get(f"/board/{organisation_id}/{query}")


def section(response, start: str, end: str) -> str:
    """The markup between two headings' ids: one list of the board."""
    html = response.content.decode()
    return html[html.index(f'id="{start}"') : html.index(f'id="{end}"')]


def test_board_shows_public_name_and_never_hidden_data(client, feedback_town):
    public = filed_at(
        feedback_town, local(2026, 4, 14, 9), "路灯坏了", category="street_lights",
        reporter_name="王芳", reporter_phone="13900001111", reporter_email="wangfang@example.org",
    )
    hidden = filed_at(
        feedback_town, local(2026, 4, 14, 10), "垃圾没人收", privacy=Privacy.HIDDEN,
        reporter_name="李雷", reporter_phone="13800002222", reporter_email="lilei@example.org",
    )
    anonymous = filed_at(feedback_town, local(2026, 4, 14, 11), "噪音扰民", category="noise", privacy=Privacy.ANONYMOUS)
    record_progress(case=hidden, actor=feedback_town.handler, text="内部备注：联系李雷家属", public=False)

    response = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY)

    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "Reported by 王芳" in text
    assert "路灯坏了" in text and "垃圾没人收" in text and "噪音扰民" in text
    for secret in [
        "李雷", "13900001111", "13800002222", "wangfang@example.org", "lilei@example.org",
        "内部备注", public.code, hidden.code, anonymous.code,
    ]:
        assert secret not in html


def test_board_shows_public_fields_and_the_answer(client, feedback_town):
    case = filed_at(feedback_town, local(2026, 4, 14, 9), "垃圾桶满了没人清理")
    take_case(case=case, actor=feedback_town.handler)
    answer_case(case=case, actor=feedback_town.handler, text="已安排清运，每天两次。")

    text = page_text(board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY))

    assert (
        "垃圾桶满了没人清理 Answered · answered in time Category Litter and rubbish Place Xiaozhai Village "
        "Kind Problem Reported April 14, 2026"
    ) in text
    assert "Answer 已安排清运，每天两次。" in text
    assert "Sanitation Workgroup" in text[text.index("The workgroups' rates this month") :]


def test_unpublished_and_merged_cases_are_absent(client, feedback_town):
    kept = filed_at(feedback_town, local(2026, 4, 14, 9), "主干道积水")
    hidden = filed_at(feedback_town, local(2026, 4, 14, 10), "不宜公开的事")
    duplicate = filed_at(feedback_town, local(2026, 4, 14, 11), "重复的积水报告")
    set_published(case=hidden, actor=feedback_town.handler, published=False, text="涉及个人信息")
    merge_case(case=duplicate, into=kept, actor=feedback_town.handler)

    text = page_text(board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY))

    assert "主干道积水" in text
    assert "不宜公开的事" not in text
    assert "重复的积水报告" not in text
    assert "Received 1 1" in text


def test_week_starts_on_monday_and_month_on_the_first_local_time(client, feedback_town):
    filed_at(feedback_town, local(2026, 4, 13, 0, 0), "周一零点")
    filed_at(feedback_town, local(2026, 4, 12, 23, 59), "周日深夜")
    filed_at(feedback_town, local(2026, 4, 1, 0, 0), "月初零点")
    filed_at(feedback_town, local(2026, 3, 31, 23, 59), "上月最后")
    filed_at(feedback_town, local(2026, 4, 15, 10, 1), "尚未发生")

    response = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY)
    text = page_text(response)

    week = section(response, "week-title", "earlier-title")
    earlier = section(response, "earlier-title", "rates-title")
    assert "周一零点" in week and "周日深夜" not in week
    assert "周日深夜" in earlier and "月初零点" in earlier
    assert "上月最后" not in text and "尚未发生" not in text
    assert "Received 1 3" in text


def test_week_begun_last_month_lists_and_counts_its_cases_once(client, feedback_town):
    filed_at(feedback_town, local(2026, 3, 31, 8), "上周二的事")
    filed_at(feedback_town, local(2026, 4, 1, 8), "本月一号的事")
    filed_at(feedback_town, local(2026, 3, 29, 8), "上周日的事")

    response = board_at(client, feedback_town.xiaozhai.pk, THURSDAY)
    text = page_text(response)

    week = section(response, "week-title", "earlier-title")
    assert "本月一号的事" in week and "上周二的事" in week
    assert "Earlier this month No other cases this month." in text
    assert "上周日的事" not in text
    assert "Received 2 1" in text


def test_progress_counts_answered_closed_open_and_overdue(client, feedback_town):
    answered = filed_at(feedback_town, local(2026, 4, 14, 9), "已答复的事")
    take_case(case=answered, actor=feedback_town.handler)
    answer_case(case=answered, actor=feedback_town.handler, text="处理好了")
    late = filed_at(feedback_town, local(2026, 4, 2, 9), "逾期的事")
    Case.objects.filter(pk=late.pk).update(answer_due=local(2026, 4, 9, 9))
    filed_at(feedback_town, local(2026, 4, 14, 12), "刚收到的事")

    text = page_text(board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY))

    assert "Received 2 3 Answered 1 1 Closed 0 0 Still open 1 2 Overdue 0 1" in text


def test_board_of_the_town_includes_its_villages_and_not_other_towns(client, feedback_town):
    filed_at(feedback_town, local(2026, 4, 14, 9), "小寨的事")
    filed_at(feedback_town, local(2026, 4, 14, 9), "大田的事", category="roads", place=feedback_town.datian)

    town_text = page_text(board_at(client, feedback_town.town.pk, WEDNESDAY))
    datian_text = page_text(board_at(client, feedback_town.datian.pk, WEDNESDAY))

    assert "小寨的事" in town_text and "大田的事" in town_text
    assert "大田的事" in datian_text and "小寨的事" not in datian_text


def test_board_of_a_body_is_its_places_board(client, feedback_town):
    filed_at(feedback_town, local(2026, 4, 14, 9), "小寨的事")

    text = page_text(board_at(client, feedback_town.sanitation.pk, WEDNESDAY))

    assert "Public board of Xiaozhai Village" in text
    assert "小寨的事" in text


def test_long_lists_are_paged_with_constant_queries(client, feedback_town, django_assert_max_num_queries):
    for number in range(3):
        filed_at(feedback_town, local(2026, 4, 14, 9, number), f"第{number}件")
    with django_assert_max_num_queries(8):
        few = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY)
    for number in range(3, 53):
        filed_at(feedback_town, local(2026, 4, 14, 9, number), f"第{number}件")

    with django_assert_max_num_queries(8):
        first = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY)
    second = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY, "?week_page=2")

    assert "More cases" not in page_text(few)
    first_text, second_text = page_text(first), page_text(second)
    assert first_text.count("Reported by 王芳") == 50
    assert "第52件" in first_text and "第3件" in first_text and "第2件" not in first_text
    assert 'href="?week_page=2#week-title"' in first.content.decode()
    assert second_text.count("Reported by 王芳") == 3
    assert "第2件" in second_text and "第0件" in second_text and "Newer cases" in second_text


def test_board_needs_no_sign_in_and_links_rates_feed_and_kiosk(client, feedback_town):
    html = board_at(client, feedback_town.xiaozhai.pk, WEDNESDAY).content.decode()
    pk = feedback_town.xiaozhai.pk

    assert f'href="/rates/{pk}/"' in html
    assert f'href="/board/{pk}/feed.atom"' in html
    assert f'href="/board/{pk}/kiosk/"' in html


@pytest.mark.parametrize("page", ["", "kiosk/", "feed.atom"])
def test_unknown_organisation_is_not_found(client, db, page):
    assert client.get(f"/board/999999/{page}").status_code == 404


def test_kiosk_has_no_navigation_reloads_and_shows_the_qr_code(client, feedback_town):
    case = filed_at(
        feedback_town, local(2026, 4, 14, 9), "路灯坏了", privacy=Privacy.HIDDEN, reporter_name="李雷",
        reporter_phone="13800002222",
    )
    with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY):
        response = client.get(f"/board/{feedback_town.xiaozhai.pk}/kiosk/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "site-nav" not in html and "<nav" not in html
    assert '<meta http-equiv="refresh" content="300">' in html
    assert "<svg" in html and "Scan to report a problem" in html
    assert f'href="/kiosk/{feedback_town.xiaozhai.pk}/"' in html
    assert html.count('class="kiosk-slide"') == 4
    assert "路灯坏了" in page_text(response)
    for secret in ["李雷", "13800002222", case.code]:
        assert secret not in html


def test_kiosk_queries_are_constant(client, feedback_town, django_assert_max_num_queries):
    for number in range(10):
        case = filed_at(feedback_town, local(2026, 4, 14, 9, number), f"第{number}件")
        take_case(case=case, actor=feedback_town.handler)
        answer_case(case=case, actor=feedback_town.handler, text=f"答复{number}")

    with django_assert_max_num_queries(6), mock.patch("django.utils.timezone.now", return_value=WEDNESDAY):
        response = client.get(f"/board/{feedback_town.xiaozhai.pk}/kiosk/")

    assert "答复9" in page_text(response)
