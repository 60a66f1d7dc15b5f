from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("people/<int:pk>/", views.person_detail, name="person"),
]
