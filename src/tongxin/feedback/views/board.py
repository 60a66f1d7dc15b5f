"""Placeholder until its helper writes it."""
from django.http import Http404


def board(request, organisation_id): raise Http404
def board_kiosk(request, organisation_id): raise Http404
def board_feed(request, organisation_id): raise Http404
