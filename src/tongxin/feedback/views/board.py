"""The public board of a place: this week's and this month's cases, their progress, the rates;
its full-screen kiosk view for the community screen; its Atom feed.

Public fields only. Every case reaches the templates as a `BoardCase`, built here from a
whitelist of fields, so no reporter contact, hidden name, internal note or tracking code can
reach a public page by a slip in a template.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import segno
from django.contrib.syndication.views import Feed
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongxin.community.models import Organisation

from .. import rates as rates_queries
from ..models import OPEN_STATUSES, Case, Status
from .rates import rate_rows

CASES_PER_LIST = 50
FEED_ITEMS = 50
BOARD_RATES_SHOWN = 10
KIOSK_RECENT = 6
KIOSK_RELOAD_SECONDS = 300
# The web report form reads the place from this query parameter (intake.report).
REPORT_PLACE_PARAMETER = "place"

# What the board reads of a case: nothing about the reporter beyond what `public_reporter_name` needs.
PUBLIC_FIELDS = (
    "pk",
    "description",
    "kind",
    "status",
    "privacy",
    "reporter_name",
    "submitted_at",
    "answer_due",
    "answered_at",
    "answer",
    "updated_at",
    "category__name",
    "category__name_en",
    "organisation__name",
    "organisation__name_en",
)


@dataclass(frozen=True)
class BoardCase:
    """A case as the public may read it, every field already worded."""

    anchor: str
    title: str
    category: str
    place: str
    kind: str
    status: str
    submitted_at: datetime.datetime
    answer_due: datetime.datetime
    answered: bool
    answered_in_time: bool | None
    answer: str
    reporter_name: str


@dataclass(frozen=True)
class Progress:
    received: int
    answered: int
    closed: int
    open: int
    overdue: int


@dataclass(frozen=True)
class BoardList:
    """One page of a list, newest first, with the page numbers either side (None: no such page)."""

    cases: list[BoardCase]
    page: int
    newer_url: str
    older_url: str


def board_case(case: Case) -> BoardCase:
    answered = case.answered_at is not None
    return BoardCase(
        anchor=f"case-{case.pk}",
        title=case.title,
        category=case.category.display_name,
        place=case.organisation.display_name,
        kind=case.get_kind_display(),
        status=case.get_status_display(),
        submitted_at=case.submitted_at,
        answer_due=case.answer_due,
        answered=answered,
        answered_in_time=(case.answered_at <= case.answer_due) if answered else None,
        # An answer is the workgroup's public statement; a decline's reason is one too.
        answer=case.answer if answered or case.status == Status.DECLINED else "",
        reporter_name=case.public_reporter_name,
    )


def board_place(organisation_id: int) -> Organisation:
    """The place whose board this is: a body's board is its place's (404 for no such organisation)."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return organisation if organisation.is_place else (organisation.place() or organisation)


def public_cases(place: Organisation) -> QuerySet[Case]:
    return (
        Case.objects.within(place)
        .published()
        .select_related("category", "organisation")
        .only(*PUBLIC_FIELDS)
        .order_by("-submitted_at", "-pk")
    )


def week_and_month(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The local starts of this week (Monday) and this month."""
    today = timezone.localtime(now).date()
    monday = today - datetime.timedelta(days=today.weekday())
    return rates_queries.local_midnight(monday), rates_queries.local_midnight(today.replace(day=1))


def progress(place: Organisation, week_start: datetime.datetime, month_start: datetime.datetime, now: datetime.datetime) -> dict[str, Progress]:
    """Counts for the week and the month in one aggregate query (a week may begin in last month)."""
    periods = {"week": Q(submitted_at__gte=week_start), "month": Q(submitted_at__gte=month_start)}
    states = {
        "received": Q(),
        "answered": Q(answered_at__isnull=False),
        "closed": Q(status=Status.CLOSED),
        "open": Q(status__in=OPEN_STATUSES),
        "overdue": Q(status__in=OPEN_STATUSES, answer_due__lt=now),
    }
    counts = (
        Case.objects.within(place)
        .published()
        .filter(submitted_at__gte=min(week_start, month_start), submitted_at__lte=now)
        .aggregate(
            **{f"{period}_{state}": Count("pk", filter=when & what) for period, when in periods.items() for state, what in states.items()}
        )
    )
    return {period: Progress(**{state: counts[f"{period}_{state}"] for state in states}) for period in periods}


def progress_rows(counts: dict[str, Progress]) -> list[tuple[str, int, int]]:
    """(label, this week, this month) for each line of the progress table."""
    labels = {
        "received": _("Received"),
        "answered": _("Answered"),
        "closed": _("Closed"),
        "open": _("Still open"),
        "overdue": _("Overdue"),
    }
    return [(label, getattr(counts["week"], state), getattr(counts["month"], state)) for state, label in labels.items()]


def page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


def board_list(cases: QuerySet[Case], query: QueryDict, parameter: str, anchor: str) -> BoardList:
    """A page of CASES_PER_LIST cases, newest first; one more is fetched to know whether an older page exists."""
    page = page_number(query.get(parameter))
    offset = (page - 1) * CASES_PER_LIST
    found = list(cases[offset : offset + CASES_PER_LIST + 1])

    def url(number: int) -> str:
        changed = query.copy()
        changed[parameter] = str(number)
        return f"?{changed.urlencode()}#{anchor}"

    return BoardList(
        cases=[board_case(case) for case in found[:CASES_PER_LIST]],
        page=page,
        newer_url=url(page - 1) if page > 1 else "",
        older_url=url(page + 1) if len(found) > CASES_PER_LIST else "",
    )


def board_links(place: Organisation) -> dict[str, str]:
    return {
        "board": reverse("feedback:board", args=[place.pk]),
        "kiosk": reverse("feedback:board_kiosk", args=[place.pk]),
        "feed": reverse("feedback:board_feed", args=[place.pk]),
        "rates": reverse("feedback:rates_of", args=[place.pk]),
        "kiosk_report": reverse("feedback:kiosk_report", args=[place.pk]),
        "report": f"{reverse('feedback:report')}?{REPORT_PLACE_PARAMETER}={place.pk}",
    }


@require_GET
def board(request: HttpRequest, organisation_id: int) -> HttpResponse:
    place = board_place(organisation_id)
    now = timezone.now()
    week_start, month_start = week_and_month(now)
    cases = public_cases(place).filter(submitted_at__lte=now)
    # "Earlier this month" ends where this week begins, so no case is listed twice.
    earlier_end = max(week_start, month_start)
    month = timezone.localtime(now).date().replace(day=1)
    workgroups = rates_queries.ranked(rates_queries.workgroup_rates(place, month, now=now), "response")
    counts = progress(place, week_start, month_start, now)
    context = {
        "place": place,
        "links": board_links(place),
        "week_start": week_start,
        "month_start": month_start,
        "progress_rows": progress_rows(counts),
        "week": board_list(cases.filter(submitted_at__gte=week_start), request.GET, "week_page", "week-title"),
        "earlier": board_list(
            cases.filter(submitted_at__gte=month_start, submitted_at__lt=earlier_end),
            request.GET,
            "month_page",
            "earlier-title",
        ),
        "workgroups": rate_rows(workgroups[:BOARD_RATES_SHOWN]),
        "more_workgroups": len(workgroups) > BOARD_RATES_SHOWN,
    }
    return render(request, "feedback/board.html", context)


@require_GET
def board_kiosk(request: HttpRequest, organisation_id: int) -> HttpResponse:
    place = board_place(organisation_id)
    now = timezone.now()
    week_start, month_start = week_and_month(now)
    cases = public_cases(place).filter(submitted_at__lte=now)
    month = timezone.localtime(now).date().replace(day=1)
    links = board_links(place)
    report_url = request.build_absolute_uri(links["report"])
    context = {
        "place": place,
        "links": links,
        "report_url": report_url,
        "qr_svg": qr_svg(report_url),
        "reload_seconds": KIOSK_RELOAD_SECONDS,
        "progress_rows": progress_rows(progress(place, week_start, month_start, now)),
        "recent": [board_case(case) for case in cases[:KIOSK_RECENT]],
        "answered": [board_case(case) for case in recently_answered(cases, month_start)],
        "workgroups": rate_rows(rates_queries.ranked(rates_queries.workgroup_rates(place, month, now=now), "response")[:KIOSK_RECENT]),
    }
    return render(request, "feedback/board_kiosk.html", context)


def recently_answered(cases: QuerySet[Case], month_start: datetime.datetime) -> list[Case]:
    """The latest answers to cases of this month and the last: the submission bound keeps the
    query on the submitted_at index in a city of a million cases."""
    since = rates_queries.local_midnight(rates_queries.add_months(timezone.localtime(month_start).date(), -1))
    answered = cases.filter(submitted_at__gte=since, answered_at__isnull=False)
    return list(answered.order_by("-answered_at", "-pk")[:KIOSK_RECENT])


def qr_svg(url: str) -> SafeString:
    """The QR code of a link, as inline SVG (segno writes only its own markup, no text of ours)."""
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000000", light="#ffffff", title=_("Scan to report a problem"))
    return mark_safe(svg)  # noqa: S308 — segno's output, with the title escaped by segno


class BoardFeed(Feed):
    """The 50 newest published cases of a place's subtree. Items name the place, never the reporter."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, organisation_id: int) -> Organisation:  # type: ignore[override]
        return board_place(organisation_id)

    def title(self, place: Organisation) -> str:
        return _("Cases in %(place)s") % {"place": place.display_name}

    def subtitle(self, place: Organisation) -> str:
        return _("Problems, requests and suggestions reported in %(place)s, and their progress.") % {
            "place": place.display_name
        }

    def link(self, place: Organisation) -> str:
        return reverse("feedback:board", args=[place.pk])

    def items(self, place: Organisation) -> list[Case]:
        cases = list(public_cases(place)[:FEED_ITEMS])
        # There is no public page per case; the board lists it under this anchor while it is recent.
        board_url = reverse("feedback:board", args=[place.pk])
        for case in cases:
            case.board_url = f"{board_url}#case-{case.pk}"
        return cases

    def item_title(self, case: Case) -> str:
        return case.title

    def item_description(self, case: Case) -> str:
        # Atom's summary is HTML: the resident's text is escaped before it is laid out.
        facts = _("Category: %(category)s · Status: %(status)s") % {
            "category": case.category.display_name,
            "status": case.get_status_display(),
        }
        return linebreaks(escape(case.description)) + f"<p>{escape(facts)}</p>"

    def item_link(self, case: Case) -> str:
        return case.board_url

    def item_guid(self, case: Case) -> str:
        return f"tag:tongxin,{case.submitted_at:%Y-%m-%d}:case/{case.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, case: Case) -> datetime.datetime:
        return case.submitted_at

    def item_updateddate(self, case: Case) -> datetime.datetime:
        return case.updated_at

    def item_author_name(self, case: Case) -> str:
        return case.organisation.display_name

    def item_categories(self, case: Case) -> list[str]:
        return [case.category.display_name]


board_feed = require_GET(BoardFeed())
