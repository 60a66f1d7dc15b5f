"""The duty pages: each part of the work lists its routes in its view module."""

from .views import bulletin, diary, meetings, rota, swaps

app_name = "duty"

urlpatterns = [
    *rota.urlpatterns,
    *meetings.urlpatterns,
    *diary.urlpatterns,
    *bulletin.urlpatterns,
    *swaps.urlpatterns,
]
