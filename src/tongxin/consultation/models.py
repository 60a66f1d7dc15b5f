"""Consultation: for now, the topics that councils will take up (from cases, opinions, members, the office)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.community.models import Organisation


class TopicSource(models.TextChoices):
    CASES = "cases", _("Residents' cases")
    OPINIONS = "opinions", _("Opinions collected")
    MEMBERS = "members", _("Council members")
    OFFICE = "office", _("Council office")


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted for the agenda")
    DECIDED = "decided", _("Decided")
    DECLINED = "declined", _("Not taken up")


class Topic(models.Model):
    """A matter for a consultation council to deliberate; `cases` are the residents' reports behind it."""

    council = models.ForeignKey(
        Organisation, verbose_name=_("council"), on_delete=models.PROTECT, related_name="topics"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("raised from"), max_length=16, choices=TopicSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.PROPOSED)
    cases = models.ManyToManyField("feedback.Case", verbose_name=_("cases"), blank=True, related_name="topics")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["council", "-created_at"])]

    def __str__(self) -> str:
        return self.title
