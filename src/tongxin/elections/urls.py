"""Election and motion pages: each part of the work lists its routes in its view module."""

from .views import casting, motions, nominations, roll, rounds, setup

app_name = "elections"

urlpatterns = [
    *setup.urlpatterns,
    *roll.urlpatterns,
    *nominations.urlpatterns,
    *casting.urlpatterns,
    *rounds.urlpatterns,
    *motions.urlpatterns,
]
