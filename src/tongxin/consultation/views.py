"""Consultation pages. For now: the topics raised to a council, where its office takes them up."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tongxin.community.models import Organisation, OrganisationKind

from .models import Topic

TOPICS_PER_PAGE = 30


@require_GET
def council_topics(request: HttpRequest, council_id: int) -> HttpResponse:
    """Public: what residents' cases and members raised to the council, newest first.

    The cases behind a topic show their public fields only (title, category, status), as on the board.
    """
    council = get_object_or_404(
        Organisation.objects.select_related("parent"), pk=council_id, kind=OrganisationKind.CONSULTATION_COUNCIL
    )
    from tongxin.feedback.models import Case  # the topic's cases; consultation only reads them

    cases = Case.objects.published().select_related("category").only(
        "code", "description", "status", "category__name", "category__name_en"
    )
    topics = (
        Topic.objects.filter(council=council)
        .prefetch_related(Prefetch("cases", queryset=cases))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "consultation/council_topics.html", {"council": council, "page": page})
