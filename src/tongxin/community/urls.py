from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/people/new/", views.person_add, name="person_add"),
    path("organisations/<int:pk>/members/new/", views.membership_add, name="membership_add"),
    path("organisations/<int:pk>/roles/", views.organisation_roles, name="organisation_roles"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
