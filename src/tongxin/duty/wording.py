"""Words for the problem codes of `tongxin.duty.rota`, in the reader's language.

Pages, the API and commands word a bad rota request the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .rota import Problem


def problem_text(problem: Problem) -> str:
    return _problem(problem.code, problem.params) % problem.params


def _problem(code: str, params: Mapping[str, Any]) -> str:
    match code:
        case "not_an_object":
            return _("The file must hold one JSON object, the rota to plan.")
        case "missing_key":
            return _("The key “%(key)s” is missing.")
        case "unknown_key":
            return _("Unknown key “%(key)s”.")
        case "bad_date":
            return _("“%(field)s” must be a date written as YYYY-MM-DD, not %(value)s.")
        case "bad_number":
            if params["low"] is None:
                return _("“%(field)s” must be a whole number, not %(value)s.")
            if params["high"] is None:
                return _("“%(field)s” must be a whole number of at least %(low)d, not %(value)s.")
            return _("“%(field)s” must be a whole number from %(low)d to %(high)d, not %(value)s.")
        case "bad_flag":
            return _("“%(field)s” must be true or false, not %(value)s.")
        case "bad_villages":
            return _("“villages” must be a list of village names.")
        case "unnamed_village":
            return _("A village in “villages” has no name.")
        case "no_villages":
            return _("“villages” must name at least one village.")
        case "duplicate_village":
            return _("The village “%(village)s” is listed twice.")
        case "bad_volunteers":
            return _("“volunteers” must be a list of volunteers.")
        case "bad_volunteer":
            return _(
                "Volunteer %(number)d must be an object with “id” (a name) and, if any, “home” "
                "(a village), “unavailable” (a list of dates) and “experienced” (true or false)."
            )
        case "unnamed_volunteer":
            return _("Volunteer %(number)d has an empty “id”.")
        case "bad_unavailable_date":
            return _(
                "Volunteer “%(id)s” has the unavailable date %(value)s: write dates as YYYY-MM-DD."
            )
        case "duplicate_id":
            return _("The volunteer id “%(id)s” is used twice.")
        case "unknown_home_village":
            return _(
                "Volunteer “%(id)s” has the home village “%(home)s”, which is not in “villages”."
            )
    raise AssertionError(code)  # every problem is worded above
