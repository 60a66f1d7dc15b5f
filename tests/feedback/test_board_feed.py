"""The board's Atom feed: the newest published cases of a place, naming the place and never the reporter."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
import zoneinfo

import pytest

from tests.feedback.conftest import file_case
from tongxin.feedback.actions import answer_case, merge_case, set_published, take_case
from tongxin.feedback.models import Case, Privacy

pytestmark = pytest.mark.usefixtures("in_english")

ATOM = "{http://www.w3.org/2005/Atom}"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def filed_at(town, day: int, description: str, **fields) -> Case:
    case = file_case(town, description=description, **fields)
    Case.objects.filter(pk=case.pk).update(submitted_at=datetime.datetime(2026, 4, day, 9, tzinfo=SHANGHAI))
    return Case.objects.get(pk=case.pk)


def feed(client, organisation_id: int) -> ET.Element:
    response = client.get(f"/board/{organisation_id}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def test_feed_lists_published_cases_newest_first_with_exact_fields(client, feedback_town):
    filed_at(feedback_town, 1, "路灯坏了\n晚上很黑", category="street_lights")
    answered = filed_at(feedback_town, 2, "垃圾桶满了没人清理")
    take_case(case=answered, actor=feedback_town.handler)
    answer_case(case=answered, actor=feedback_town.handler, text="已清运")
    hidden = filed_at(feedback_town, 3, "不宜公开的事")
    set_published(case=hidden, actor=feedback_town.handler, published=False)
    duplicate = filed_at(feedback_town, 4, "垃圾桶又满了")
    merge_case(case=duplicate, into=answered, actor=feedback_town.handler)
    filed_at(feedback_town, 5, "大田的路坏了", category="roads", place=feedback_town.datian)
    place = feedback_town.xiaozhai.pk

    root = feed(client, place)

    assert root.findtext(f"{ATOM}title") == "Cases in Xiaozhai Village"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["垃圾桶满了没人清理", "路灯坏了"]
    first, second = entries
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver/board/{place}/#case-{answered.pk}"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Xiaozhai Village"
    assert [category.get("term") for category in first.findall(f"{ATOM}category")] == ["Litter and rubbish"]
    assert first.findtext(f"{ATOM}summary") == "<p>垃圾桶满了没人清理</p><p>Category: Litter and rubbish · Status: Answered</p>"
    assert second.findtext(f"{ATOM}summary") == "<p>路灯坏了<br>晚上很黑</p><p>Category: Street lights · Status: Submitted</p>"
    answered.refresh_from_db()
    assert datetime.datetime.fromisoformat(first.findtext(f"{ATOM}updated")) == answered.updated_at
    assert first.findtext(f"{ATOM}id") == f"tag:tongxin,{answered.submitted_at:%Y-%m-%d}:case/{answered.pk}"


def test_feed_carries_no_personal_data(client, feedback_town):
    cases = [
        filed_at(feedback_town, 1, "公开姓名", reporter_name="王芳", reporter_phone="13900001111", reporter_email="wf@example.org"),
        filed_at(feedback_town, 2, "隐藏姓名", privacy=Privacy.HIDDEN, reporter_name="李雷", reporter_phone="13800002222"),
        filed_at(feedback_town, 3, "匿名", privacy=Privacy.ANONYMOUS),
    ]

    content = client.get(f"/board/{feedback_town.xiaozhai.pk}/feed.atom").content.decode()

    for secret in ["王芳", "李雷", "13900001111", "13800002222", "wf@example.org", *[case.code for case in cases]]:
        assert secret not in content
    assert content.count("<name>Xiaozhai Village</name>") == 3


def test_feed_escapes_the_residents_text(client, feedback_town):
    filed_at(feedback_town, 1, "<script>alert(1)</script> & 路灯")

    root = feed(client, feedback_town.xiaozhai.pk)

    summary = root.find(f"{ATOM}entry/{ATOM}summary").text
    assert summary.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; 路灯</p>")


def test_feed_has_at_most_fifty_entries_in_constant_queries(client, feedback_town, django_assert_max_num_queries):
    for number in range(52):
        file_case(feedback_town, description=f"第{number}件")

    with django_assert_max_num_queries(3):
        root = feed(client, feedback_town.town.pk)

    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert len(titles) == 50
    assert titles[0] == "第51件" and titles[-1] == "第2件"
