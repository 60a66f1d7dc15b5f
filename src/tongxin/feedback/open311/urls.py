"""Placeholder until its helper writes it."""
app_name = "open311"
urlpatterns = []
