"""`{{ case.answer_due|deadline }}`: a deadline as people read it (see `models.deadline_text`)."""

from django import template

from tongxin.feedback.models import deadline_text

register = template.Library()
register.filter("deadline", deadline_text)
