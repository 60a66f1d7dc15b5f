"""Open311 GeoReport v2 routes: each resource with its format as the file extension (.xml, .json)."""

from django.urls import re_path

from . import views

app_name = "open311"

# The format is whatever follows the last dot; the views answer 404 for one they do not speak.
FORMAT = r"\.(?P<fmt>[A-Za-z]+)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.service_definition, name="service_definition"),
    re_path(r"^requests" + FORMAT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FORMAT, views.service_request_updates, name="service_request_updates"),
]
