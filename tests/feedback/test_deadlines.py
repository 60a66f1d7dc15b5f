from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongxin.feedback.deadlines import (
    ACKNOWLEDGE_WITHIN,
    DEFAULT_RULES,
    Period,
    Tier,
    TierRule,
    Unit,
    WorkingCalendar,
    due_after,
    elapsed_fraction,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAIN = WorkingCalendar()

# 2025: National Day and Mid-Autumn together, 1–8 October off; Sunday 28 September and
# Saturday 11 October are make-up working days.
NATIONAL_DAY_2025 = WorkingCalendar(
    holidays=frozenset(date(2025, 10, day) for day in range(1, 9)),
    working_days=frozenset({date(2025, 9, 28), date(2025, 10, 11)}),
)


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_default_rules_follow_the_12345_table():
    assert DEFAULT_RULES == {
        Tier.EMERGENCY: TierRule(dispatch=Period(1, Unit.HOURS), answer=Period(2, Unit.HOURS)),
        Tier.UTILITIES: TierRule(dispatch=Period(2, Unit.HOURS), answer=Period(24, Unit.HOURS)),
        Tier.GENERAL: TierRule(
            dispatch=Period(24, Unit.HOURS), answer=Period(7, Unit.WORKING_DAYS)
        ),
        Tier.COMPLEX: TierRule(
            dispatch=Period(24, Unit.HOURS), answer=Period(15, Unit.WORKING_DAYS)
        ),
    }
    assert ACKNOWLEDGE_WITHIN == Period(2, Unit.HOURS)


def test_enum_values_are_the_stored_strings():
    assert [unit.value for unit in Unit] == ["hours", "days", "working_days"]
    assert [tier.value for tier in Tier] == ["emergency", "utilities", "general", "complex"]


def test_period_takes_a_stored_string_unit():
    period = Period(7, "working_days")

    assert period.unit is Unit.WORKING_DAYS
    assert period == Period(7, Unit.WORKING_DAYS)


def test_period_refuses_negative_amounts_and_unknown_units():
    with pytest.raises(ValueError):
        Period(-1, Unit.DAYS)
    with pytest.raises(ValueError):
        Period(1, "fortnights")


def test_working_days_from_friday_afternoon_end_on_the_second_tuesday():
    filed = shanghai(2025, 6, 13, 15, 0)  # a Friday

    due = due_after(filed, Period(7, Unit.WORKING_DAYS), PLAIN)

    assert due == shanghai(2025, 6, 25, 0, 0)  # the end of Tuesday 24 June
    assert due.tzinfo is SHANGHAI


def test_working_days_skip_the_weekend_when_filed_on_saturday():
    assert due_after(shanghai(2025, 6, 14, 9, 0), Period(1, Unit.WORKING_DAYS), PLAIN) == shanghai(
        2025, 6, 17, 0, 0
    )


def test_general_case_before_national_day_counts_make_up_days():
    filed = shanghai(2025, 9, 26, 15, 0)  # Friday before the holiday
    general = DEFAULT_RULES[Tier.GENERAL].answer

    # Sun 28 Sep (make-up), Mon 29, Tue 30, Thu 9 Oct, Fri 10, Sat 11 (make-up), Mon 13.
    assert due_after(filed, general, NATIONAL_DAY_2025) == shanghai(2025, 10, 14, 0, 0)
    # Without the holiday calendar: Mon 29 Sep to Tue 7 Oct.
    assert due_after(filed, general, PLAIN) == shanghai(2025, 10, 8, 0, 0)


def test_complex_case_filed_on_the_eve_of_national_day():
    filed = shanghai(2025, 9, 30, 10, 0)

    # 9, 10, 11, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27, 28 October.
    due = due_after(filed, DEFAULT_RULES[Tier.COMPLEX].answer, NATIONAL_DAY_2025)

    assert due == shanghai(2025, 10, 29, 0, 0)


def test_case_filed_during_the_holiday_starts_counting_after_it():
    filed = shanghai(2025, 10, 3, 20, 30)

    assert due_after(filed, Period(1, Unit.WORKING_DAYS), NATIONAL_DAY_2025) == shanghai(
        2025, 10, 10, 0, 0
    )


def test_hours_do_not_wait_for_the_holiday():
    filed = shanghai(2025, 10, 1, 23, 30)

    assert due_after(filed, DEFAULT_RULES[Tier.EMERGENCY].answer, NATIONAL_DAY_2025) == shanghai(
        2025, 10, 2, 1, 30
    )
    assert due_after(filed, DEFAULT_RULES[Tier.UTILITIES].answer, NATIONAL_DAY_2025) == shanghai(
        2025, 10, 2, 23, 30
    )


def test_calendar_days_end_at_the_end_of_the_last_day():
    filed = shanghai(2025, 10, 1, 23, 30)

    assert due_after(filed, Period(7, Unit.DAYS), NATIONAL_DAY_2025) == shanghai(2025, 10, 9, 0, 0)


def test_zero_period_is_due_at_once():
    filed = shanghai(2025, 10, 1, 23, 30)

    for unit in Unit:
        assert due_after(filed, Period(0, unit), NATIONAL_DAY_2025) == filed


def test_naive_start_gives_naive_deadline():
    due = due_after(datetime(2025, 6, 13, 15, 0), Period(7, Unit.WORKING_DAYS), PLAIN)

    assert due == datetime(2025, 6, 25, 0, 0)
    assert due.tzinfo is None


def test_hours_are_real_hours_across_a_clock_change():
    berlin = ZoneInfo("Europe/Berlin")
    before_change = datetime(2025, 3, 30, 1, 30, tzinfo=berlin)  # clocks jump 02:00 -> 03:00

    due = due_after(before_change, Period(2, Unit.HOURS), PLAIN)

    assert due == datetime(2025, 3, 30, 4, 30, tzinfo=berlin)
    assert due.astimezone(UTC) - before_change.astimezone(UTC) == timedelta(hours=2)


def test_a_calendar_without_working_days_is_refused():
    never = WorkingCalendar(weekend=frozenset(range(7)))

    with pytest.raises(ValueError):
        due_after(shanghai(2025, 6, 13, 15, 0), Period(1, Unit.WORKING_DAYS), never)


def test_a_make_up_day_works_even_when_every_weekday_is_weekend():
    only_one_day = WorkingCalendar(
        weekend=frozenset(range(7)), working_days=frozenset({date(2026, 3, 1)})
    )

    assert due_after(
        shanghai(2025, 6, 13, 15, 0), Period(1, Unit.WORKING_DAYS), only_one_day
    ) == shanghai(2026, 3, 2, 0, 0)


def test_is_working_day():
    assert NATIONAL_DAY_2025.is_working_day(date(2025, 9, 26))  # Friday
    assert not NATIONAL_DAY_2025.is_working_day(date(2025, 9, 27))  # Saturday
    assert NATIONAL_DAY_2025.is_working_day(date(2025, 9, 28))  # make-up Sunday
    assert not NATIONAL_DAY_2025.is_working_day(date(2025, 10, 1))  # Wednesday, holiday
    assert NATIONAL_DAY_2025.is_working_day(date(2025, 10, 11))  # make-up Saturday


def test_an_organisation_holiday_cancels_a_site_make_up_day():
    village = WorkingCalendar(holidays=frozenset({date(2025, 10, 11)}))

    assert not NATIONAL_DAY_2025.merged(village).is_working_day(date(2025, 10, 11))


def test_merged_unions_days_and_takes_the_other_weekend():
    site = WorkingCalendar(
        holidays=frozenset({date(2025, 1, 1)}), working_days=frozenset({date(2025, 1, 26)})
    )
    market_town = WorkingCalendar(
        holidays=frozenset({date(2025, 3, 3)}),
        working_days=frozenset({date(2025, 3, 2)}),
        weekend=frozenset({0}),
    )

    assert site.merged(market_town) == WorkingCalendar(
        holidays=frozenset({date(2025, 1, 1), date(2025, 3, 3)}),
        working_days=frozenset({date(2025, 1, 26), date(2025, 3, 2)}),
        weekend=frozenset({0}),
    )


def test_elapsed_fraction():
    start = shanghai(2025, 6, 13, 10, 0)
    due = shanghai(2025, 6, 13, 12, 0)

    assert elapsed_fraction(start, due, shanghai(2025, 6, 13, 9, 0)) == 0.0
    assert elapsed_fraction(start, due, start) == 0.0
    assert elapsed_fraction(start, due, shanghai(2025, 6, 13, 10, 30)) == 0.25
    assert elapsed_fraction(start, due, due) == 1.0
    assert elapsed_fraction(start, due, shanghai(2025, 6, 13, 13, 0)) == 1.5


def test_elapsed_fraction_of_a_zero_period():
    moment = shanghai(2025, 6, 13, 10, 0)

    assert elapsed_fraction(moment, moment, moment) == 1.0
    assert elapsed_fraction(moment, moment, moment - timedelta(seconds=1)) == 0.0


def test_elapsed_fraction_compares_instants_not_wall_clocks():
    start = datetime(2025, 6, 13, 10, 0, tzinfo=SHANGHAI)
    due = datetime(2025, 6, 13, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    now = datetime(2025, 6, 13, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai

    assert elapsed_fraction(start, due, now) == 0.5


# Properties -----------------------------------------------------------------------------------

days_2020s = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
starts = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=SHANGHAI)
)
periods = st.builds(Period, amount=st.integers(0, 40), unit=st.sampled_from(Unit))
calendars = st.builds(
    WorkingCalendar,
    holidays=st.frozensets(days_2020s, max_size=30),
    working_days=st.frozensets(days_2020s, max_size=10),
    weekend=st.frozensets(st.integers(0, 6), max_size=3),
)


@given(starts, periods, calendars)
def test_due_is_never_before_start(start, period, calendar):
    assert due_after(start, period, calendar) >= start


@given(starts, starts, periods, calendars)
def test_due_is_monotone_in_start(one, other, period, calendar):
    earlier, later = sorted([one, other])

    assert due_after(earlier, period, calendar) <= due_after(later, period, calendar)


@given(starts, st.integers(0, 40), st.integers(0, 40), st.sampled_from(Unit), calendars)
def test_due_is_monotone_in_amount(start, one, other, unit, calendar):
    shorter, longer = sorted([one, other])

    assert due_after(start, Period(shorter, unit), calendar) <= due_after(
        start, Period(longer, unit), calendar
    )


@given(starts, st.integers(1, 40), calendars)
def test_working_day_deadline_falls_at_midnight_after_a_working_day(start, amount, calendar):
    due = due_after(start, Period(amount, Unit.WORKING_DAYS), calendar)

    assert due.tzinfo is SHANGHAI
    assert (due.hour, due.minute, due.second, due.microsecond) == (0, 0, 0, 0)
    assert calendar.is_working_day(due.date() - timedelta(days=1))


@given(starts, st.integers(1, 40), calendars)
def test_working_day_deadline_counts_exactly_amount_working_days(start, amount, calendar):
    due = due_after(start, Period(amount, Unit.WORKING_DAYS), calendar)
    counted = [
        start.date() + timedelta(days=offset)
        for offset in range(1, (due.date() - start.date()).days)
    ]

    assert sum(calendar.is_working_day(day) for day in counted) == amount


@given(starts, periods, calendars, days_2020s)
def test_adding_a_holiday_never_brings_a_deadline_forward(start, period, calendar, holiday):
    more_holidays = calendar.merged(
        WorkingCalendar(holidays=frozenset({holiday}), weekend=calendar.weekend)
    )

    assert due_after(start, period, more_holidays) >= due_after(start, period, calendar)


@given(starts, periods, calendars, days_2020s)
def test_adding_a_make_up_day_never_pushes_a_deadline_back(start, period, calendar, make_up):
    more_work = calendar.merged(
        WorkingCalendar(working_days=frozenset({make_up}), weekend=calendar.weekend)
    )

    assert due_after(start, period, more_work) <= due_after(start, period, calendar)


@given(calendars, calendars, calendars)
def test_merged_is_associative(one, two, three):
    assert one.merged(two).merged(three) == one.merged(two.merged(three))


@given(calendars)
def test_merged_with_itself_or_nothing_changes_nothing(calendar):
    assert calendar.merged(calendar) == calendar
    assert calendar.merged(WorkingCalendar(weekend=calendar.weekend)) == calendar
    assert WorkingCalendar().merged(calendar) == calendar


@given(calendars, calendars, days_2020s)
def test_merged_calendar_works_a_day_only_if_no_one_has_it_off(one, two, day):
    merged = one.merged(two)
    same_weekend = WorkingCalendar(one.holidays, one.working_days, two.weekend)

    if merged.is_working_day(day):
        assert day not in one.holidays | two.holidays
    if same_weekend.is_working_day(day) or two.is_working_day(day):
        assert merged.is_working_day(day) or day in one.holidays | two.holidays


@given(starts, st.integers(1, 10_000), st.integers(0, 20_000))
def test_elapsed_fraction_is_proportional(start, total, later):
    due = start + timedelta(minutes=total)
    now = start + timedelta(minutes=later)

    fraction = elapsed_fraction(start, due, now)

    assert fraction >= 0.0
    assert fraction == pytest.approx(later / total)
    assert (fraction >= 1.0) == (now >= due)
