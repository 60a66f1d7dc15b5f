"""The duty rota's pages."""

from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("organisations/<int:organisation_id>/duty/", views.pool, name="pool"),
    path("organisations/<int:organisation_id>/duty/rotas/", views.rota_list, name="rotas"),
    path("organisations/<int:organisation_id>/duty/rotas/new/", views.rota_plan, name="plan"),
    path("duty/me/", views.my_turns, name="mine"),
    path("duty/volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("duty/volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("duty/volunteers/<int:pk>/retire/", views.volunteer_retire, name="volunteer_retire"),
    path("duty/volunteers/<int:pk>/unavailable/", views.availability_add, name="unavailable_add"),
    path("duty/volunteers/<int:pk>/unavailable/clear/", views.availability_clear, name="unavailable_clear"),
    path("duty/rotas/<int:pk>/", views.rota_detail, name="rota"),
    path("duty/rotas/<int:pk>/publish/", views.rota_publish, name="publish"),
    path("duty/rotas/<int:pk>/discard/", views.rota_discard, name="discard"),
    path("duty/turns/<int:pk>/replace/", views.turn_replace, name="replace"),
    path("duty/gaps/<int:pk>/fill/", views.gap_fill, name="fill"),
]
