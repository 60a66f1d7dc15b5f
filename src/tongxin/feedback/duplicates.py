"""Likely duplicates of a case being reported: recent cases of the same category in the same village.

The database narrows the field (category, village, the last RECENT_DAYS days, still open or
answered, at most MAX_CANDIDATES of the newest); `similarity.rank_duplicates` decides which of
those read like the same problem.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from tongxin.community.models import Level, Organisation, kinds_at_level

from .models import OPEN_STATUSES, Case, Category, Status
from .similarity import RECENT_DAYS, Candidate, rank_duplicates

MAX_CANDIDATES = 300  # a village's month of one category; beyond that the newest are the likeliest
SUGGESTED_STATUSES = OPEN_STATUSES | {Status.ANSWERED}
VILLAGE_KINDS = kinds_at_level(Level.VILLAGE)


def likely_duplicates(
    *,
    category: Category,
    organisation: Organisation,
    text: str,
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    now: datetime.datetime | None = None,
    limit: int = 5,
    exclude: Case | None = None,
    published_only: bool = True,
) -> list[Case]:
    """Up to `limit` recent cases that look like the same problem, most alike first.

    Residents see only published cases (`published_only`); handlers merging cases may look at all.
    """
    if not text.strip():
        return []
    now = now or timezone.now()
    village = village_of(organisation)
    cases = Case.objects.within(village).filter(
        category=category, status__in=SUGGESTED_STATUSES, submitted_at__gte=now - datetime.timedelta(days=RECENT_DAYS)
    )
    if published_only:
        cases = cases.published()
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    found = {
        case.pk: case
        for case in cases.select_related("category", "organisation").order_by("-submitted_at", "-pk")[:MAX_CANDIDATES]
    }
    candidates = [
        Candidate(
            key=case.pk,
            text=case.description,
            lat=_float(case.latitude),
            lon=_float(case.longitude),
            # Same spot as far as we know without a map point: the same grid, or one place within the other.
            same_place=case.organisation.is_within(organisation) or organisation.is_within(case.organisation),
            age_days=max(0.0, (now - case.submitted_at).total_seconds() / 86400),
        )
        for case in found.values()
    ]
    matches = rank_duplicates(text, _float(latitude), _float(longitude), candidates, limit=limit)
    return [found[match.key] for match in matches]


def village_of(organisation: Organisation) -> Organisation:
    """The village or community a place belongs to (itself for a village or anything above one)."""
    if organisation.kind in VILLAGE_KINDS or not organisation.ancestor_ids:
        return organisation
    village = organisation.ancestors().filter(kind__in=VILLAGE_KINDS).order_by("-path").first()
    return village or organisation


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
