from django.contrib import admin
from django.urls import include, path

from tongxin.api import api
from tongxin.community import views as community_views

urlpatterns = [
    path("", community_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("tongxin.accounts.urls")),
    path("", include("tongxin.community.urls")),
    path("", include("tongxin.feedback.urls")),
    path("", include("tongxin.consultation.urls")),
    path("", include("tongxin.elections.urls")),
    path("", include("tongxin.duty.urls")),
    path("open311/v2/", include("tongxin.feedback.open311.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
