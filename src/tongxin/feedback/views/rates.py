"""Placeholder until its helper writes it."""
from django.http import Http404


def rates(request, organisation_id=None): raise Http404
