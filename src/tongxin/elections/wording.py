"""Words for the codes the pure modules return: reasons, problems, timeline checks.

Pages, the API and commands word a counting result or a bad input the same way, in the reader's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .counting import Problem, Reason, Result
from .timeline import TimelineProblem


def reason_text(result: Result) -> str:
    return _reason(result.reason_code, result.reason_params) % result.reason_params


def problem_text(problem: Problem) -> str:
    return _problem(problem.code, problem.params) % problem.params


def _reason(code: Reason, params: Mapping[str, Any]) -> str:
    match code:
        case Reason.ELECTED:
            return ngettext("The seat is filled.", "All %(seats)d seats are filled.", params["seats"])
        case Reason.TIE:
            return ngettext(
                "Candidates are tied at the cut-off: a further vote among the %(tied)d tied "
                "candidates decides %(seats)d seat.",
                "Candidates are tied at the cut-off: a further vote among the %(tied)d tied "
                "candidates decides %(seats)d seats.",
                params["seats"],
            )
        case Reason.SHORTFALL_FURTHER_ELECTION:
            return ngettext(
                "%(unfilled)d seat is not filled, as too few candidates received the "
                "%(needed)d votes needed: a further election among the candidates not elected, "
                "unless the electors reduce the seats.",
                "%(unfilled)d seats are not filled, as too few candidates received the "
                "%(needed)d votes needed: a further election among the candidates not elected, "
                "unless the electors reduce the seats.",
                params["unfilled"],
            )
        case Reason.SHORTFALL_SECOND_ROUND:
            return ngettext(
                "%(unfilled)d seat is not filled: a second round among the best candidates not "
                "elected, where the most votes win with at least %(floor)s of the ballots cast.",
                "%(unfilled)d seats are not filled: a second round among the best candidates "
                "not elected, where the most votes win with at least %(floor)s of the ballots "
                "cast.",
                params["unfilled"],
            )
        case Reason.VOID:
            return _(
                "More ballots were returned (%(returned)d) than voters were present "
                "(%(present)d): the election is void."
            )
        case Reason.NO_QUORUM_PRESENT:
            return _(
                "No quorum: %(present)d of the %(due)d voters due are present, and at least "
                "%(needed)d are needed."
            )
        case Reason.NO_QUORUM_BALLOTS:
            return _(
                "No quorum: %(returned)d of the %(due)d registered voters cast a ballot, and "
                "at least %(needed)d are needed."
            )
    raise AssertionError(code)  # every reason is worded above


def _problem(code: str, params: Mapping[str, Any]) -> str:
    match code:
        case "no_seats":
            return _("“seats” must be at least 1.")
        case "negative":
            return _("“%(field)s” cannot be negative: %(value)d.")
        case "present_exceeds_due":
            return _("“voters_present” (%(present)d) cannot be more than “voters_due” (%(due)d).")
        case "duplicate_candidate":
            return _("“%(name)s” is on the candidate list twice.")
        case "seats_exceed_candidates":
            return _("There are more seats (%(seats)d) than candidates (%(candidates)d).")
        case "too_few_candidates":
            return ngettext(
                "%(seats)d seat needs at least %(required)d candidates under these rules, "
                "and there are %(candidates)d.",
                "%(seats)d seats need at least %(required)d candidates under these rules, "
                "and there are %(candidates)d.",
                params["seats"],
            )
        case "round_not_in_rules":
            return _("The rule set “%(rules)s” has no “%(round)s” round.")
        case "unknown_candidate":
            return _(
                "Ballot %(ballot)d has a mark for “%(name)s”, who is not on the candidate list."
            )
        case "unknown_mark":
            return _(
                "Ballot %(ballot)d has the mark “%(mark)s”: use approve, disapprove or abstain."
            )
        case "empty_write_in":
            return _("Ballot %(ballot)d has a write-in without a name.")
        case "bad_rule_value":
            return _("The rule “%(rule)s” cannot be %(value)s.")
    raise AssertionError(code)  # every problem is worded above


def describe_rule_problem(problem: Problem) -> str:
    return problem_text(problem)


def share_name(share: Fraction) -> str:
    """A share in words where it has a common name ("four fifths"), else as a fraction ("3/7")."""
    names = {
        (1, 2): _("half"), (2, 3): _("two thirds"), (4, 5): _("four fifths"), (1, 3): _("one third"),
    }
    return names.get((share.numerator, share.denominator), f"{share.numerator}/{share.denominator}")


def timeline_step_name(step: str) -> str:
    names = {
        "roll_published_on": _("the roll's publication"),
        "objections_until": _("the end of objections"),
        "objections_decided_by": _("the decisions on objections"),
        "nominations_until": _("the end of nominations"),
        "candidate_list_on": _("the candidate list's publication"),
        "vote_on": _("the vote"),
    }
    return names[step]


def describe_timeline_problem(problem: TimelineProblem) -> str:
    step = timeline_step_name(problem.step)
    match problem.code:
        case "out_of_order":
            return _("%(step)s cannot come before %(after)s.") % {
                "step": step[:1].upper() + step[1:], "after": timeline_step_name(problem.after)
            }
        case "too_late":
            return ngettext(
                "Under the village rule, %(step)s comes at least %(days)d day before the vote.",
                "Under the village rule, %(step)s comes at least %(days)d days before the vote.",
                problem.days,
            ) % {"step": step, "days": problem.days}
        case "objections_too_short":
            return ngettext(
                "Under the village rule, objections stay open %(days)d day after the roll is published.",
                "Under the village rule, objections stay open %(days)d days after the roll is published.",
                problem.days,
            ) % {"days": problem.days}
        case "decisions_too_late":
            return ngettext(
                "Under the village rule, objections are decided within %(days)d day after they close.",
                "Under the village rule, objections are decided within %(days)d days after they close.",
                problem.days,
            ) % {"days": problem.days}
    raise AssertionError(problem.code)  # every problem is worded above
