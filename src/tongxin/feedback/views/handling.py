"""Placeholder until its helper writes it."""
from django.http import Http404


def case_list(request): raise Http404
def case_detail(request, code): raise Http404
def case_step(request, code, step): raise Http404
def notifications(request): raise Http404
def feedback_settings(request, organisation_id): raise Http404
