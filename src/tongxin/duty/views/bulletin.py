"""A village's weekly bulletin, public: the page (any week with `?week=YYYY-MM-DD`), the full-screen
kiosk for the screen in the village hall, and the A4 poster as a PDF for the notice board.

All three show the `Bulletin` of `tongxin.duty.bulletin`; the kiosk and the poster have room for
so many lines and say how many more there are, rather than spill off the screen or the page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongxin.community.models import Organisation
from tongxin.core.errors import ActionError

from ..bulletin import Bulletin, day_asked, is_village, weekly_bulletin

KIOSK_RELOAD_SECONDS = 300
# Lines that fit: the kiosk is read from across the hall; the poster is one A4 page.
KIOSK_LINES = {"tasks": 5, "heard": 4, "carried_over": 4}
# The poster tries these from the roomiest, and prints the first that fits one page.
POSTER_LINES = [
    {"tasks": tasks, "heard": heard, "carried_over": carried, "meetings": 7}
    for tasks, heard, carried in ((8, 10, 6), (7, 8, 5), (6, 7, 4), (5, 6, 3), (4, 5, 3), (4, 4, 2), (3, 3, 2))
]

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The first lines of a list, and how many more there are."""

    lines: list[T]
    more: int


def first(lines: list[T], limit: int) -> Shown[T]:
    return Shown(lines=lines[:limit], more=max(len(lines) - limit, 0))


def _village(village_id: int) -> Organisation:
    village = get_object_or_404(Organisation, pk=village_id)
    if not is_village(village):
        raise Http404
    return village


def _links(village: Organisation, bulletin: Bulletin | None) -> dict[str, str]:
    """The bulletin's own addresses, for the week shown (the current week's carry no `?week=`)."""
    query = f"?week={bulletin.week.start:%Y-%m-%d}" if bulletin else ""
    return {
        "page": reverse("duty:bulletin", args=[village.pk]),
        "kiosk": reverse("duty:bulletin_kiosk", args=[village.pk]),
        "pdf": reverse("duty:bulletin_pdf", args=[village.pk]) + query,
    }


def _page(
    request: HttpRequest, village: Organisation, *, bulletin: Bulletin | None = None,
    day: datetime.date | None = None, error: str = "", status: int = 200,
) -> HttpResponse:
    """The bulletin's page; without a bulletin, the page saying why there is none."""
    context = {"village": village, "bulletin": bulletin, "day": day, "error": error, "links": _links(village, bulletin)}
    return render(request, "duty/bulletin/page.html", context, status=status)


@require_GET
def bulletin_page(request: HttpRequest, village_id: int) -> HttpResponse:
    village = _village(village_id)
    try:
        day = day_asked(request.GET.get("week"))
    except ActionError as error:
        return _page(request, village, error=error.message, status=400)
    return _page(request, village, bulletin=weekly_bulletin(village, day), day=day)


@require_GET
def bulletin_kiosk(request: HttpRequest, village_id: int) -> HttpResponse:
    """The current week, full screen, reloading itself: the screen runs unattended."""
    village = _village(village_id)
    bulletin = weekly_bulletin(village, timezone.localdate())
    context = {
        "village": village, "bulletin": bulletin, "reload_seconds": KIOSK_RELOAD_SECONDS,
        **(_limited(bulletin, KIOSK_LINES) if bulletin else {}),
    }
    return render(request, "duty/bulletin/kiosk.html", context)


@require_GET
def bulletin_pdf(request: HttpRequest, village_id: int) -> HttpResponse:
    """The week's A4 poster for the village notice board, in the reader's language."""
    village = _village(village_id)
    try:
        day = day_asked(request.GET.get("week"))
    except ActionError as error:
        return _page(request, village, error=error.message, status=400)
    bulletin = weekly_bulletin(village, day)
    if bulletin is None:
        return _page(request, village, day=day, status=404)
    page_url = request.build_absolute_uri(_links(village, None)["page"])  # whichever week it is when scanned
    context = {"village": village, "bulletin": bulletin, "page_url": page_url, "qr_svg": qr_svg(page_url)}

    def poster_html(limits: dict[str, int]) -> str:
        return render_to_string("duty/bulletin/poster.html", context | _limited(bulletin, limits), request=request)

    response = HttpResponse(one_page_pdf(poster_html), content_type="application/pdf")
    filename = f"{village.display_name}-{bulletin.week.start:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    return response


def one_page_pdf(poster_html: Callable[[dict[str, int]], str]) -> bytes:
    """The poster with as many lines as fit one A4 page: the roomiest of POSTER_LINES that does.

    The poster links nothing to fetch (its CSS is inline, its fonts the system's): a fetch back
    to this server while it answers could wait on itself.
    """
    # Imported here: WeasyPrint loads pango and fontconfig, which no other page needs.
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images;
    # the poster has none, and residents' photo uploads must still refuse them.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    laid_out: dict[int, Any] = {}

    def layout(step: int) -> Any:
        return HTML(string=poster_html(POSTER_LINES[step])).render()

    def fits(step: int) -> bool:
        laid_out[step] = layout(step)
        return len(laid_out[step].pages) == 1

    # Most weeks fit at once; for a crowded one, search the steps by halves (fewer lines never
    # take more room), taking the tightest to fit without trying it.
    low, high = 0, len(POSTER_LINES) - 1
    if not fits(0):
        low = 1
        while low < high:
            middle = (low + high) // 2
            if fits(middle):
                high = middle
            else:
                low = middle + 1
    document = laid_out[low] if low in laid_out else layout(low)
    # The tightest limits fit any week (the texts are cut short); should they not, the first
    # page alone still makes a poster.
    return document.copy(document.pages[:1]).write_pdf()


def qr_svg(url: str) -> SafeString:
    """The QR code of a link as inline SVG, for a phone held up to the printed poster."""
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000000", light="#ffffff", title=_("The bulletin online"))
    return mark_safe(svg)  # noqa: S308 — segno's own markup, the title escaped by segno


def _limited(bulletin: Bulletin, limits: dict[str, int]) -> dict[str, Any]:
    return {name: first(getattr(bulletin, name), limit) for name, limit in limits.items()}


urlpatterns = [
    path("villages/<int:village_id>/duty/bulletin/", bulletin_page, name="bulletin"),
    path("villages/<int:village_id>/duty/bulletin/kiosk/", bulletin_kiosk, name="bulletin_kiosk"),
    path("villages/<int:village_id>/duty/bulletin/poster.pdf", bulletin_pdf, name="bulletin_pdf"),
]
