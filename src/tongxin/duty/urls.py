"""The duty pages: each part of the work lists its routes in its view module."""

from .views import rota

app_name = "duty"

urlpatterns = [
    *rota.urlpatterns,
]
