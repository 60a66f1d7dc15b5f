"""Case deadlines: adding hours, days or working days to the moment a case arrived.

The tiers and their periods follow Beijing's 12345 hotline practice (RULES.md §3). A period in
hours is an exact duration, because an emergency does not wait for Monday. A period in days or
working days ends at the end of a local day: a case is due "by the end of" its last day, which
is how residents and handlers read a deadline. Which days are worked is a `WorkingCalendar`:
the weekend, public holidays and the make-up working days (调休) that come with them. The site
keeps one calendar and an organisation may add its own days on top (`WorkingCalendar.merged`).

No Django here: the models store tiers and periods, and pass plain values in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum


class Unit(StrEnum):
    HOURS = "hours"  # clock hours, an exact duration
    DAYS = "days"  # calendar days, ending at the end of the last day
    WORKING_DAYS = "working_days"  # days the calendar works, ending at the end of the last


class Tier(StrEnum):
    EMERGENCY = "emergency"  # danger to life or property
    UTILITIES = "utilities"  # water, power, gas, heating
    GENERAL = "general"
    COMPLEX = "complex"


@dataclass(frozen=True)
class Period:
    """A length of time in one unit; `Period(7, Unit.WORKING_DAYS)`."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"A period cannot be negative: {self.amount}")
        # Stored values come back from the database as plain strings; keep the enum.
        object.__setattr__(self, "unit", Unit(self.unit))


@dataclass(frozen=True)
class TierRule:
    """How soon a case of one tier must be dispatched to a handler, and answered."""

    dispatch: Period
    answer: Period


DEFAULT_RULES: dict[Tier, TierRule] = {
    Tier.EMERGENCY: TierRule(dispatch=Period(1, Unit.HOURS), answer=Period(2, Unit.HOURS)),
    Tier.UTILITIES: TierRule(dispatch=Period(2, Unit.HOURS), answer=Period(24, Unit.HOURS)),
    Tier.GENERAL: TierRule(dispatch=Period(24, Unit.HOURS), answer=Period(7, Unit.WORKING_DAYS)),
    Tier.COMPLEX: TierRule(dispatch=Period(24, Unit.HOURS), answer=Period(15, Unit.WORKING_DAYS)),
}

# Online submissions are acknowledged within 2 hours, whatever their tier.
ACKNOWLEDGE_WITHIN = Period(2, Unit.HOURS)

# A calendar that has gone this long without a working day has none: stop looking.
MAX_DAYS_WITHOUT_WORK = 3 * 366


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are worked: weekdays outside `weekend`, less holidays, plus make-up days.

    A date listed both as a holiday and as a make-up working day is a day off: merging an
    organisation's days off onto the site's calendar must be able to cancel a make-up day.
    """

    holidays: frozenset[date] = frozenset()  # days off that would otherwise be worked
    working_days: frozenset[date] = frozenset()  # make-up days (调休) that would otherwise be weekend
    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday() numbers: Saturday, Sunday

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.working_days or day.weekday() not in self.weekend

    def merged(self, other: WorkingCalendar) -> WorkingCalendar:
        """This calendar with `other`'s days added on top; `other`'s weekend replaces ours."""
        return WorkingCalendar(
            holidays=self.holidays | other.holidays,
            working_days=self.working_days | other.working_days,
            weekend=other.weekend,
        )


def due_after(start: datetime, period: Period, calendar: WorkingCalendar) -> datetime:
    """When something that started at `start` is due, `period` later.

    - HOURS: exactly that many hours after `start` (measured in real time, across any
      daylight-saving change).
    - DAYS: the end of the N-th calendar day after `start`'s date.
    - WORKING_DAYS: the end of the N-th working day, counting from the day after `start`'s date;
      the day a case arrives never counts. A case filed on Friday at 15:00 with 7 working days,
      in a week without holidays, is due at the end of the Tuesday 11 days later.

    "The end of a day" is the next day's 00:00 in `start`'s time zone (naive if `start` is).
    A zero period is due at `start` itself. Raises ValueError if the calendar has no working
    day for years on end.
    """
    if period.amount == 0:
        return start
    if period.unit == Unit.HOURS:
        return _add_exact(start, timedelta(hours=period.amount))
    if period.unit == Unit.DAYS:
        last_day = start.date() + timedelta(days=period.amount)
    else:
        last_day = _nth_working_day_after(start.date(), period.amount, calendar)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=start.tzinfo)


def elapsed_fraction(start: datetime, due: datetime, now: datetime) -> float:
    """The share of the time from `start` to `due` used up at `now`: 0 before, over 1 when late."""
    if _instant(due) <= _instant(start):
        return 1.0 if _instant(now) >= _instant(due) else 0.0
    used = (_instant(now) - _instant(start)) / (_instant(due) - _instant(start))
    return max(0.0, used)


def _nth_working_day_after(day: date, count: int, calendar: WorkingCalendar) -> date:
    found = 0
    idle = 0
    while found < count:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            found += 1
            idle = 0
        else:
            idle += 1
            if idle > MAX_DAYS_WITHOUT_WORK:
                raise ValueError("The working calendar has no working days.")
    return day


def _add_exact(start: datetime, duration: timedelta) -> datetime:
    # Aware arithmetic in Python moves the wall clock; go through UTC so hours are real hours.
    if start.tzinfo is None:
        return start + duration
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def _instant(moment: datetime) -> datetime:
    # Subtracting two datetimes that share a tzinfo ignores offsets; UTC makes durations exact.
    return moment if moment.tzinfo is None else moment.astimezone(UTC)
