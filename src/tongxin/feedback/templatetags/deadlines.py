"""`{{ case.answer_due|deadline }}`: a deadline as people read it."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

register = template.Library()


@register.filter
def deadline(moment: datetime.datetime | None) -> str:
    """A deadline in local time; one at midnight reads as the end of the day before.

    Working-day deadlines fall at the midnight after their last day: "Dec. 4, 2026, end of the
    day" says what "Dec. 5, 2026, midnight" leaves the reader to work out.
    """
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.time() == datetime.time(0):
        last_day = local.date() - datetime.timedelta(days=1)
        return gettext("%(day)s, end of the day") % {"day": date_format(last_day, "DATE_FORMAT")}
    return date_format(local, "DATETIME_FORMAT")
