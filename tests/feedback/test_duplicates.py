"""Likely duplicates at intake: recent cases of the same category in the same village, ranked by text."""

import datetime

import pytest
from django.utils import timezone

from tests.feedback.conftest import file_case
from tests.helpers import organisation
from tongxin.feedback.actions import answer_case, close_case, merge_case, set_published
from tongxin.feedback.duplicates import likely_duplicates, village_of
from tongxin.feedback.models import Case


def duplicates_of(town, text, **kwargs):
    kwargs.setdefault("category", town.category("street_lights"))
    kwargs.setdefault("organisation", town.xiaozhai)
    return [case.description for case in likely_duplicates(text=text, **kwargs)]


def lamp(town, description, **fields):
    return file_case(town, category="street_lights", description=description, **fields)


def test_chinese_reports_of_the_same_problem_rank_first(feedback_town):
    lamp(feedback_town, "村口路灯一直不亮")
    lamp(feedback_town, "村口的路灯坏了，晚上很黑")
    lamp(feedback_town, "文化广场路灯不亮")  # a lamp, but another one
    lamp(feedback_town, "学校门口缺少照明")
    lamp(feedback_town, "村口那盏路灯坏了")
    assert duplicates_of(feedback_town, "村口路灯坏了好几天") == [
        "村口那盏路灯坏了",
        "村口的路灯坏了，晚上很黑",
        "村口路灯一直不亮",
    ]


def test_only_the_same_category_village_and_last_30_days(feedback_town, django_assert_max_num_queries):
    lamp(feedback_town, "村口的路灯坏了")
    file_case(feedback_town, category="roads", description="村口的路灯坏了")  # another category
    lamp(feedback_town, "村口的路灯坏了 大田", place=feedback_town.datian)  # another village
    old = lamp(feedback_town, "村口的路灯坏了 旧")
    Case.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=31))
    with django_assert_max_num_queries(2):
        found = duplicates_of(feedback_town, "村口的路灯坏了")
    assert found == ["村口的路灯坏了"]


def test_a_grid_looks_in_its_whole_village(feedback_town):
    lamp(feedback_town, "村口的路灯坏了")
    assert village_of(feedback_town.grid) == feedback_town.xiaozhai
    assert duplicates_of(feedback_town, "村口的路灯坏了", organisation=feedback_town.grid) == ["村口的路灯坏了"]


def test_answered_cases_count_but_closed_merged_and_unpublished_do_not(feedback_town):
    answered = lamp(feedback_town, "村口的路灯坏了 甲")
    answer_case(case=answered, actor=feedback_town.office_handler, text="已修")
    closed = lamp(feedback_town, "村口的路灯坏了 乙")
    answer_case(case=closed, actor=feedback_town.office_handler, text="已修")
    close_case(case=closed, actor=feedback_town.office_handler, text="")
    hidden = lamp(feedback_town, "村口的路灯坏了 丙")
    set_published(case=hidden, actor=feedback_town.office_handler, published=False)
    main = lamp(feedback_town, "村口的路灯坏了 丁")
    merged = lamp(feedback_town, "村口的路灯坏了 戊")
    merge_case(case=merged, into=main, actor=feedback_town.office_handler)
    assert sorted(duplicates_of(feedback_town, "村口的路灯坏了")) == ["村口的路灯坏了 丁", "村口的路灯坏了 甲"]
    # Handlers merging cases may see unpublished ones.
    assert "村口的路灯坏了 丙" in duplicates_of(feedback_town, "村口的路灯坏了", published_only=False)


def test_a_case_is_not_its_own_duplicate(feedback_town):
    case = lamp(feedback_town, "村口的路灯坏了")
    assert duplicates_of(feedback_town, case.description, exclude=case) == []


def test_a_nearby_map_point_ranks_above_a_far_one(feedback_town):
    lamp(feedback_town, "路灯坏了 远处", latitude="28.900000", longitude="121.200000")
    lamp(feedback_town, "路灯坏了 近处", latitude="28.858200", longitude="121.145600")
    found = duplicates_of(feedback_town, "路灯坏了", latitude=28.8582, longitude=121.1456)
    assert found == ["路灯坏了 近处", "路灯坏了 远处"]


def test_at_most_limit_and_nothing_for_empty_text(feedback_town):
    for number in range(7):
        lamp(feedback_town, f"村口的路灯坏了{number}")
    assert len(duplicates_of(feedback_town, "村口的路灯坏了")) == 5
    assert len(duplicates_of(feedback_town, "村口的路灯坏了", limit=2)) == 2
    assert duplicates_of(feedback_town, "  ") == []


def test_a_place_outside_any_village_uses_itself(feedback_town):
    street = organisation("东街", "East Street", "street", feedback_town.city)
    assert village_of(street) == street
    assert village_of(feedback_town.xiaozhai) == feedback_town.xiaozhai


@pytest.mark.parametrize("now_offset_days", [0, 29])
def test_now_can_be_given(feedback_town, now_offset_days):
    lamp(feedback_town, "村口的路灯坏了")
    now = timezone.now() + datetime.timedelta(days=now_offset_days)
    assert duplicates_of(feedback_town, "村口的路灯坏了", now=now) == ["村口的路灯坏了"]
