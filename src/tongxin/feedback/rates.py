"""The three rates (RULES.md §3) and the month's topic, counted in the database.

A case belongs to the month (local time) in which it was submitted; merged cases are left out,
since the case they were merged into carries them. Unpublished cases count: a rate says how a
workgroup served every reporter, and publishes no case.

- RESPONSE rate: of the cases whose dispatch is settled (dispatched, or the dispatch deadline
  has passed), the share dispatched on time (`assigned_at <= dispatch_due`). A case still
  inside its dispatch window counts neither way.
- RESOLUTION rate: of the cases with the reporter's verdict (`solved` not null), the share solved.
- SATISFACTION rate: of the cases with the reporter's verdict, the share satisfied.

Each figure comes from one aggregate query (COUNT ... FILTER), grouped by workgroup, by place or
by month; never a query per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tongxin.community.models import Organisation
from tongxin.core.i18n import localised

from .models import Case, Status

RATE_NAMES = ("response", "resolution", "satisfaction")


@dataclass(frozen=True)
class Rates:
    """Counts of a group of cases, and the three rates they give (None: nothing to rate yet)."""

    cases: int = 0
    dispatch_settled: int = 0
    dispatched_on_time: int = 0
    answered: int = 0
    answered_in_time: int = 0
    verdicts: int = 0
    solved: int = 0
    satisfied: int = 0

    @property
    def response(self) -> float | None:
        return _share(self.dispatched_on_time, self.dispatch_settled)

    @property
    def resolution(self) -> float | None:
        return _share(self.solved, self.verdicts)

    @property
    def satisfaction(self) -> float | None:
        return _share(self.satisfied, self.verdicts)

    def rate(self, name: str) -> float | None:
        return getattr(self, name) if name in RATE_NAMES else None

    def __add__(self, other: Rates) -> Rates:
        return Rates(**{name: getattr(self, name) + getattr(other, name) for name in _COUNT_NAMES})


_COUNT_NAMES = tuple(Rates.__dataclass_fields__)


@dataclass(frozen=True)
class UnitRates:
    """The rates of one workgroup or place."""

    organisation_id: int
    name: str
    rates: Rates


@dataclass(frozen=True)
class MonthRates:
    month: datetime.date  # the first day of the month
    rates: Rates


@dataclass(frozen=True)
class MonthTopic:
    """"One topic a month": the month's most frequent category, and its count the month before."""

    category_id: int
    name: str
    count: int
    previous_count: int

    @property
    def fell(self) -> bool:
        return self.count < self.previous_count


@dataclass(frozen=True)
class TopicReport:
    """This month's topic, and how last month's topic fared this month (did its cases fall?)."""

    current: MonthTopic | None
    previous: MonthTopic | None = field(default=None)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _count_expressions(now: datetime.datetime) -> dict[str, Any]:
    """The COUNT ... FILTER expressions, prefixed "n_" so none shadows a field of Case (solved, satisfied)."""
    dispatched = Q(assigned_at__isnull=False)
    return {
        "n_cases": Count("pk"),
        "n_dispatch_settled": Count("pk", filter=dispatched | Q(dispatch_due__lt=now)),
        "n_dispatched_on_time": Count("pk", filter=dispatched & Q(assigned_at__lte=F("dispatch_due"))),
        "n_answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "n_answered_in_time": Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due"))),
        "n_verdicts": Count("pk", filter=Q(solved__isnull=False)),
        "n_solved": Count("pk", filter=Q(solved=True)),
        "n_satisfied": Count("pk", filter=Q(solved__isnull=False, satisfied=True)),
    }


def _rates_of(row: dict[str, Any]) -> Rates:
    return Rates(**{name: row[f"n_{name}"] for name in _COUNT_NAMES})


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a local day as an aware datetime (the site's time zone, not the server's)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a local month."""
    first = month_start(month)
    return local_midnight(first), local_midnight(add_months(first, 1))


def rated_cases(organisation: Organisation | None) -> QuerySet[Case]:
    """The cases the rates count: those of the place's subtree (all, without one), merged ones left out."""
    cases = Case.objects.exclude(status=Status.MERGED)
    return cases.within(organisation) if organisation is not None else cases


def rates_in_month(organisation: Organisation | None, month: datetime.date, *, now: datetime.datetime | None = None) -> Rates:
    """The month's rates over the whole subtree: one query."""
    start, end = month_bounds(month)
    row = rated_cases(organisation).submitted_between(start, end).aggregate(**_count_expressions(now or timezone.now()))
    return _rates_of(row)


def workgroup_rates(
    organisation: Organisation | None, month: datetime.date, *, now: datetime.datetime | None = None
) -> list[UnitRates]:
    """Each workgroup's rates on the month's cases of the subtree (by `assigned_to`): one query."""
    start, end = month_bounds(month)
    rows = (
        rated_cases(organisation)
        .submitted_between(start, end)
        .filter(assigned_to__isnull=False)
        .values("assigned_to", "assigned_to__name", "assigned_to__name_en")
        .annotate(**_count_expressions(now or timezone.now()))
        .order_by("assigned_to")
    )
    return [
        UnitRates(
            organisation_id=row["assigned_to"],
            name=localised(row["assigned_to__name"], row["assigned_to__name_en"]),
            rates=_rates_of(row),
        )
        for row in rows
    ]


def place_rates(
    organisation: Organisation, places: Iterable[Organisation], month: datetime.date, *, now: datetime.datetime | None = None
) -> list[UnitRates]:
    """The rates of each given place's subtree (e.g. the villages of a town) for the month: one query.

    The database groups by the case's own place; the sums up each given place's subtree happen
    here, by path prefix, so any depth of places costs the same single query.
    """
    start, end = month_bounds(month)
    rows = (
        rated_cases(organisation)
        .submitted_between(start, end)
        .values("organisation__path")
        .annotate(**_count_expressions(now or timezone.now()))
        .order_by("organisation__path")
    )
    by_path = [(row["organisation__path"], _rates_of(row)) for row in rows]
    result = []
    for place in places:
        total = sum((rates for path, rates in by_path if path.startswith(place.path)), Rates())
        result.append(UnitRates(organisation_id=place.pk, name=place.display_name, rates=total))
    return result


def monthly_rates(
    organisation: Organisation | None, last_month: datetime.date, *, months: int = 12, now: datetime.datetime | None = None
) -> list[MonthRates]:
    """The subtree's rates for each of the `months` months up to `last_month`, oldest first: one query."""
    first = add_months(month_start(last_month), 1 - months)
    start, _ = month_bounds(first)
    _, end = month_bounds(last_month)
    rows = (
        rated_cases(organisation)
        .submitted_between(start, end)
        .annotate(month=TruncMonth("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(**_count_expressions(now or timezone.now()))
        .order_by("month")
    )
    found = {_as_date(row["month"]): _rates_of(row) for row in rows}
    return [MonthRates(month=add_months(first, i), rates=found.get(add_months(first, i), Rates())) for i in range(months)]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def month_topic(organisation: Organisation | None, month: datetime.date) -> TopicReport:
    """"One topic a month" (RULES.md §3): the month's most frequent category, compared with the month
    before; and last month's topic, with whether its cases fell this month. One query over both months.
    """
    previous_month = add_months(month_start(month), -1)
    start, _ = month_bounds(previous_month)
    _, end = month_bounds(month)
    this_start, _ = month_bounds(month)
    rows = (
        rated_cases(organisation)
        .submitted_between(start, end)
        .values("category", "category__name", "category__name_en", "category__order", "category__code")
        .annotate(
            n_now=Count("pk", filter=Q(submitted_at__gte=this_start)), n_before=Count("pk", filter=Q(submitted_at__lt=this_start))
        )
        .order_by("category__order", "category__code")
    )
    rows = list(rows)

    def topic(key: str) -> MonthTopic | None:
        # The most cases wins; between equals, the category listed first (rows come in list order).
        best = max(rows, key=lambda row: row[key], default=None)
        if best is None or best[key] == 0:
            return None
        return MonthTopic(
            category_id=best["category"],
            name=localised(best["category__name"], best["category__name_en"]),
            count=best["n_now"],
            previous_count=best["n_before"],
        )

    return TopicReport(current=topic("n_now"), previous=topic("n_before"))


def ranked(units: Iterable[UnitRates], by: str) -> list[UnitRates]:
    """Best first on one rate (`by`, or the case count); units with nothing to rate go last."""
    def key(unit: UnitRates) -> tuple[bool, float, int, str]:
        value = unit.rates.cases if by == "cases" else unit.rates.rate(by)
        return (value is None, -(value or 0), -unit.rates.cases, unit.name)

    return sorted(units, key=key)
