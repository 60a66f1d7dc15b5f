"""The three rates, public: workgroups ranked for a month, places compared, twelve months charted,
and "one topic a month" (RULES.md §3). The numbers come from `feedback/rates.py`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongxin.community.models import Organisation

from .. import charts
from .. import rates as queries

SORTS = ("response", "resolution", "satisfaction", "cases")
MONTHS_CHARTED = 12
MONTHS_OFFERED = 24
BARS_SHOWN = 15


@dataclass(frozen=True)
class RateRow:
    """A workgroup's or place's line of a rates table, every number already worded."""

    rank: int
    name: str
    cases: int
    answered_in_time: int
    verdicts: int
    response: str
    resolution: str
    satisfaction: str


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class MonthRow:
    label: str
    cases: int
    response: str
    resolution: str
    satisfaction: str


def rate_rows(units: Iterable[queries.UnitRates]) -> list[RateRow]:
    return [
        RateRow(
            rank=rank,
            name=unit.name,
            cases=unit.rates.cases,
            answered_in_time=unit.rates.answered_in_time,
            verdicts=unit.rates.verdicts,
            response=charts.percent(unit.rates.response),
            resolution=charts.percent(unit.rates.resolution),
            satisfaction=charts.percent(unit.rates.satisfaction),
        )
        for rank, unit in enumerate(units, start=1)
    ]


def rate_label(key: str) -> str:
    return {
        "response": _("Response rate"),
        "resolution": _("Resolution rate"),
        "satisfaction": _("Satisfaction rate"),
        "cases": _("Cases"),
    }[key]


def chosen_month(value: str | None, this_month: datetime.date) -> datetime.date:
    """The month asked for as "2026-11"; this month when absent, malformed or in the future."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        asked = datetime.date(year, month, 1)
    except ValueError:
        return this_month
    return asked if asked <= this_month else this_month


def month_label(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def sort_links(query: QueryDict, current: str) -> list[SortLink]:
    links = []
    for key in SORTS:
        changed = query.copy()
        changed["sort"] = key
        links.append(SortLink(key=key, label=rate_label(key), url=f"?{changed.urlencode()}#ranking-title", current=key == current))
    return links


@require_GET
def rates(request: HttpRequest, organisation_id: int | None = None) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=organisation_id) if organisation_id is not None else None
    now = timezone.now()
    this_month = timezone.localtime(now).date().replace(day=1)
    month = chosen_month(request.GET.get("month"), this_month)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "response"
    place_name = organisation.display_name if organisation is not None else _("All places")

    workgroups = queries.ranked(queries.workgroup_rates(organisation, month, now=now), sort)
    sub_places = list(
        (Organisation.objects.filter(parent=organisation) if organisation is not None else Organisation.objects.filter(parent=None))
        .places()
        .order_by("path")
    )
    places = queries.ranked(queries.place_rates(organisation, sub_places, month, now=now), sort) if sub_places else []
    total = queries.rates_in_month(organisation, month, now=now)
    history = queries.monthly_rates(organisation, month, months=MONTHS_CHARTED, now=now)
    topic = queries.month_topic(organisation, month)

    trend = charts.line_chart(
        title=_("The three rates in %(place)s, month by month") % {"place": place_name},
        labels=[f"{entry.month:%Y-%m}" for entry in history],
        series=[(rate_label(key), [entry.rates.rate(key) for entry in history]) for key in SORTS[:3]],
    )
    bars = charts.bar_chart(
        title=_("%(rate)s of the workgroups, %(month)s") % {"rate": rate_label(sort), "month": month_label(month)},
        bars=[
            (unit.name, unit.rates.cases / max(workgroups[0].rates.cases, 1) if sort == "cases" else unit.rates.rate(sort))
            for unit in workgroups[:BARS_SHOWN]
        ],
    )
    context = {
        "organisation": organisation,
        "place_name": place_name,
        "month": month,
        "month_label": month_label(month),
        "months": [
            (f"{offered:%Y-%m}", month_label(offered), offered == month)
            for offered in (queries.add_months(this_month, -back) for back in range(MONTHS_OFFERED))
        ],
        "sort": sort,
        "sort_links": sort_links(request.GET, sort),
        "total": rate_rows([queries.UnitRates(organisation_id=0, name=place_name, rates=total)])[0],
        "workgroups": rate_rows(workgroups),
        "places": rate_rows(places),
        "history": [
            MonthRow(
                label=month_label(entry.month),
                cases=entry.rates.cases,
                response=charts.percent(entry.rates.response),
                resolution=charts.percent(entry.rates.resolution),
                satisfaction=charts.percent(entry.rates.satisfaction),
            )
            for entry in history
        ],
        "topic": topic,
        # Markup built by charts.py, which escapes every text it is given.
        "trend_chart": mark_safe(trend),  # noqa: S308
        "bar_chart": mark_safe(bars) if workgroups else "",  # noqa: S308
        "board_url": reverse("feedback:board", args=[organisation.pk]) if organisation is not None else "",
    }
    return render(request, "feedback/rates.html", context)
