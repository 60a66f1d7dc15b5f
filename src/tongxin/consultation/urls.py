from django.urls import path

from . import views

app_name = "consultation"

urlpatterns = [
    path("councils/<int:council_id>/topics/", views.council_topics, name="council_topics"),
]
