"""The three rates: exact numbers from hand-made cases, grouped by workgroup, place and local month;
the public rates page; the SVG charts."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.feedback.conftest import file_case
from tests.helpers import page_text
from tongxin.feedback import charts
from tongxin.feedback import rates as queries
from tongxin.feedback.actions import answer_case, give_feedback, merge_case, take_case
from tongxin.feedback.models import Case

pytestmark = pytest.mark.usefixtures("in_english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def stamp(case: Case, **fields) -> None:
    Case.objects.filter(pk=case.pk).update(**fields)


def handled(town, handler, *, solved: bool, satisfied: bool, **filing) -> Case:
    """A case taken up, answered and given a verdict, through the actions."""
    case = file_case(town, **filing)
    take_case(case=case, actor=handler)
    answer_case(case=case, actor=handler, text="已处理")
    give_feedback(case=Case.objects.get(pk=case.pk), solved=solved, satisfied=satisfied)
    return case


def on_time(case: Case, day: int, *, dispatched_late: bool = False, answered_late: bool = False) -> None:
    """March timestamps: dispatch due a day after submission, the answer a week after."""
    stamp(
        case,
        submitted_at=at(3, day),
        dispatch_due=at(3, day + 1),
        assigned_at=at(3, day + 2) if dispatched_late else at(3, day, 12),
        answer_due=at(3, day + 7),
        answered_at=at(3, day + 8) if answered_late else at(3, day + 2),
    )


@pytest.fixture
def month_of_cases(feedback_town):
    """Sanitation: 5 rated cases in March (+1 merged, +1 in April); the office 1; Datian 1 in April."""
    town = feedback_town
    s1 = file_case(town, description="s1")
    s5 = file_case(town, description="s5")
    merge_case(case=s5, into=s1, actor=town.handler)
    take_case(case=s1, actor=town.handler)
    answer_case(case=s1, actor=town.handler, text="已清运")
    give_feedback(case=Case.objects.get(pk=s1.pk), solved=True, satisfied=True)
    on_time(s1, 2)
    stamp(s5, submitted_at=at(3, 3))
    s2 = handled(town, town.handler, solved=False, satisfied=False, description="s2")
    on_time(s2, 4, dispatched_late=True, answered_late=True)
    s3 = handled(town, town.handler, solved=True, satisfied=False, description="s3")
    on_time(s3, 6)
    s4 = file_case(town, description="s4")  # never dispatched, its dispatch deadline long past
    stamp(s4, submitted_at=at(3, 20), dispatch_due=at(3, 21))
    s6 = file_case(town, description="s6")  # the last minutes of March, local time; still inside its window
    stamp(s6, submitted_at=at(3, 31, 23, 30), dispatch_due=timezone.now() + datetime.timedelta(days=1))
    s7 = file_case(town, description="s7")  # the first minutes of April, local time (still March in UTC)
    stamp(s7, submitted_at=at(4, 1, 0, 30), dispatch_due=at(4, 2))
    o1 = handled(town, town.office_handler, solved=True, satisfied=True, category="roads", description="o1")
    on_time(o1, 10)
    d1 = handled(town, town.datian_handler, solved=True, satisfied=False, category="roads", place=town.datian, description="d1")
    stamp(d1, submitted_at=at(4, 5), dispatch_due=at(4, 6), assigned_at=at(4, 5, 10), answered_at=at(4, 6), answer_due=at(4, 12))
    return town


def test_workgroup_rates_have_exact_counts(month_of_cases):
    town = month_of_cases

    units = {unit.name: unit.rates for unit in queries.workgroup_rates(town.xiaozhai, MARCH)}

    assert units == {
        "Sanitation Workgroup": queries.Rates(
            cases=5, dispatch_settled=4, dispatched_on_time=2, answered=3, answered_in_time=2, verdicts=3, solved=2, satisfied=1
        ),
        "Xiaozhai Village Committee": queries.Rates(
            cases=1, dispatch_settled=1, dispatched_on_time=1, answered=1, answered_in_time=1, verdicts=1, solved=1, satisfied=1
        ),
    }
    sanitation = units["Sanitation Workgroup"]
    assert (sanitation.response, sanitation.resolution, sanitation.satisfaction) == (0.5, 2 / 3, 1 / 3)


def test_ranking_puts_the_best_first_and_the_unrated_last(month_of_cases):
    units = queries.workgroup_rates(month_of_cases.xiaozhai, MARCH)

    assert [unit.name for unit in queries.ranked(units, "response")] == ["Xiaozhai Village Committee", "Sanitation Workgroup"]
    assert [unit.name for unit in queries.ranked(units, "cases")] == ["Sanitation Workgroup", "Xiaozhai Village Committee"]
    empty = queries.UnitRates(organisation_id=0, name="A", rates=queries.Rates(cases=2))
    assert queries.ranked([empty, *units], "satisfaction")[-1] is empty


def test_months_are_local_months(month_of_cases):
    town = month_of_cases

    history = queries.monthly_rates(town.town, APRIL, months=3)

    assert [(entry.month, entry.rates.cases) for entry in history] == [
        (datetime.date(2026, 2, 1), 0),
        (MARCH, 6),
        (APRIL, 2),
    ]
    assert history[0].rates.response is None
    march = history[1].rates
    assert (march.response, march.resolution, march.satisfaction) == (0.6, 0.75, 0.5)
    assert queries.rates_in_month(town.town, MARCH) == march


def test_place_rates_sum_each_subtree(month_of_cases):
    town = month_of_cases

    places = queries.place_rates(town.town, [town.xiaozhai, town.datian], APRIL)

    assert [(unit.name, unit.rates.cases, unit.rates.verdicts, unit.rates.satisfied) for unit in places] == [
        ("Xiaozhai Village", 1, 0, 0),
        ("Datian Village", 1, 1, 0),
    ]


def test_one_topic_a_month(month_of_cases):
    town = month_of_cases

    march = queries.month_topic(town.xiaozhai, MARCH)
    april = queries.month_topic(town.xiaozhai, APRIL)

    assert march.current == queries.MonthTopic(category_id=town.category("sanitation").pk, name="Litter and rubbish", count=5, previous_count=0)
    assert march.previous is None
    assert april.current.count == 1
    assert (april.previous.name, april.previous.previous_count, april.previous.count, april.previous.fell) == (
        "Litter and rubbish", 5, 1, True
    )


def test_rates_queries_are_one_each(month_of_cases, django_assert_num_queries):
    town = month_of_cases
    with django_assert_num_queries(5):
        queries.workgroup_rates(town.town, MARCH)
        queries.place_rates(town.town, [town.xiaozhai, town.datian], MARCH)
        queries.monthly_rates(town.town, MARCH)
        queries.rates_in_month(town.town, MARCH)
        queries.month_topic(town.town, MARCH)


def test_rates_page_ranks_workgroups_with_exact_numbers(client, month_of_cases):
    response = client.get(f"/rates/{month_of_cases.xiaozhai.pk}/?month=2026-03")

    assert response.status_code == 200
    text = page_text(response)
    assert (
        "1 Xiaozhai Village Committee 100% 100% 100% 1 1 1 "
        "2 Sanitation Workgroup 50% 67% 33% 5 2 3"
    ) in text
    assert "The most frequent problem this month: Litter and rubbish , 5 cases (the month before: 0 cases)." in text
    html = response.content.decode()
    assert '<option value="2026-03" selected>' in html
    assert html.count('role="img"') == 2


def test_rates_page_sorts_by_the_chosen_column(client, month_of_cases):
    text = page_text(client.get(f"/rates/{month_of_cases.xiaozhai.pk}/?month=2026-03&sort=cases"))

    assert "1 Sanitation Workgroup 50% 67% 33% 5 2 3 2 Xiaozhai Village Committee" in text


def test_rates_page_of_everywhere_and_its_queries(client, month_of_cases, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/rates/?month=2026-04")

    text = page_text(response)
    assert "The three rates: All places" in text
    assert "Last month's topic, Litter and rubbish: 5 cases then, 1 this month. Its cases fell." in text


def test_rates_page_falls_back_to_this_month(client, feedback_town):
    this_month = f"{timezone.localtime():%Y-%m}"
    for month in ["2999-01", "nonsense", "2026-13"]:
        html = client.get(f"/rates/{feedback_town.town.pk}/?month={month}").content.decode()
        assert f'<option value="{this_month}" selected>' in html


def test_rates_of_unknown_organisation_is_not_found(client, db):
    assert client.get("/rates/999999/").status_code == 404


def test_bar_chart_escapes_text_and_is_labelled():
    svg = charts.bar_chart(title='Rates <"&">', bars=[("<script>alert(1)</script>", 0.5), ("B & C", None)])

    root = ET.fromstring(svg)
    assert "<script>" not in svg
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Rates <"&">. <script>alert(1)</script>: 50%; B & C: –'
    assert root.findtext("{http://www.w3.org/2000/svg}title") == 'Rates <"&">'


def test_line_chart_breaks_the_line_where_nothing_was_rated():
    svg = charts.line_chart(title="T", labels=["1", "2", "3", "4"], series=[("R", [0.5, None, 1.0, 0.0])])

    root = ET.fromstring(svg)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    # A lone point (March, before the gap) is a marker only; April to May is a line.
    assert [line.get("points") for line in lines] == ["472.0,16.0 680.0,244.0"]
    assert len(root.findall("{http://www.w3.org/2000/svg}circle")) == 3 + 1  # three points and the legend


@given(text=st.text(), value=st.one_of(st.none(), st.floats(min_value=-2, max_value=2)))
def test_any_text_gives_well_formed_svg_that_says_it(text, value):
    clean = "".join(ch for ch in text if ch.isprintable())
    for svg in (
        charts.bar_chart(title=clean, bars=[(clean, value)]),
        charts.line_chart(title=clean, labels=[clean, "b"], series=[(clean, [value, 0.5])]),
    ):
        root = ET.fromstring(svg)
        assert root.findtext("{http://www.w3.org/2000/svg}title") == clean


def test_percent_rounds_to_whole_numbers():
    assert [charts.percent(value) for value in (None, 0, 2 / 3, 1)] == ["–", "0%", "67%", "100%"]
