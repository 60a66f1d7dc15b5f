"""Placeholder until its helper writes it."""
from django.http import Http404


def report(request): raise Http404
def likely_duplicates(request): raise Http404
def reported(request, code): raise Http404
def kiosk_report(request, organisation_id): raise Http404
def enter_case(request): raise Http404
