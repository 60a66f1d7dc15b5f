"""The site's URLs plus /bench/bare/, the yardstick each benchmark figure is divided by.

Only the benchmark serves it (bench/bench_settings.py): the product's URLs stay as they are.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from tongxin.urls import urlpatterns as site


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the whole middleware stack, no database, a tiny answer."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site]
