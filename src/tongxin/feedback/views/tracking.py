"""Placeholder until its helper writes it."""
from django.http import Http404


def lookup(request): raise Http404
def track(request, code): raise Http404
def verdict(request, code): raise Http404
def my_cases(request): raise Http404
def photo(request, code, photo_id): raise Http404
