"""`tongxin count-election FILE.json`: count one round of an election by RULES.md §1.

Reads (FILE, or standard input for `-`):

    {"rules": "party_branch", "seats": 5, "candidates": ["…"], "voters_due": 50,
     "voters_present": 45, "ballots": [{"marks": {"<candidate>": "approve"}, "write_ins": []}],
     "round": "first", "adjust": {"quorum_strict": false}}

`round` (first, tie_break, further_election, second_round) and `adjust` (any number or option of
the rule set, see `counting.RuleSet`) are optional, and so is a ballot's `write_ins`. Prints the
result as JSON. Exit status 0 when the round was counted, whatever its outcome; 2, with one line
naming the problem, when the file is malformed or inconsistent.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tongxin.core.commands import bad_input, read_json_object
from tongxin.elections.counting import (
    ADJUSTABLE,
    RULE_SETS,
    Ballot,
    InputError,
    Result,
    Round,
    RuleSet,
    count_election,
)
from tongxin.elections.wording import problem_text, reason_text

REQUIRED = ("rules", "seats", "candidates", "voters_due", "voters_present", "ballots")
OPTIONAL = ("round", "adjust")
WHOLE_NUMBERS = ("seats", "voters_due", "voters_present")


class Command(BaseCommand):
    help = (
        "Count one round of an election from a JSON file ('-' reads standard input) and print "
        "the result as JSON. Exit status: 0 counted, 2 bad input."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", metavar="FILE.json", help="The election; '-' for standard input."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        election = read_json_object(options["file"], options.get("stdin") or sys.stdin, what=_("the election"))
        rules, kwargs = _election(election)
        try:
            result = count_election(rules, **kwargs)
        except InputError as error:
            raise bad_input(problem_text(error.problem)) from None
        self.stdout.write(json.dumps(as_dict(result), ensure_ascii=False, indent=2))


def as_dict(result: Result) -> dict[str, Any]:
    """The result in the shape the command prints (issue 5), the reason worded for the reader."""
    return {
        "status": str(result.status),
        "reason": reason_text(result),
        "ballots": {
            "returned": result.ballots_returned,
            "valid": result.valid,
            "invalid": result.invalid,
        },
        "tally": result.tally,
        "elected": result.elected,
        "tied": result.tied,
        "unfilled_seats": result.unfilled_seats,
    }




def _election(data: dict[str, Any]) -> tuple[RuleSet, dict[str, Any]]:
    """The rule set and the keyword arguments of `count_election`, from the file's object."""
    for key in REQUIRED:
        if key not in data:
            raise bad_input(_("The key “%(key)s” is missing.") % {"key": key})
    for key in data:
        if key not in REQUIRED + OPTIONAL:
            raise bad_input(_("Unknown key “%(key)s”.") % {"key": key})
    rules = RULE_SETS.get(data["rules"]) if isinstance(data["rules"], str) else None
    if rules is None:
        raise bad_input(
            _("Unknown rule set “%(rules)s”: use %(known)s.")
            % {"rules": data["rules"], "known": ", ".join(RULE_SETS)}
        )
    if "adjust" in data:
        rules = _adjusted(rules, data["adjust"])
    for key in WHOLE_NUMBERS:
        if not _is_whole(data[key]):
            raise bad_input(_("“%(key)s” must be a whole number.") % {"key": key})
    candidates = data["candidates"]
    if not isinstance(candidates, list) or not all(_is_name(name) for name in candidates):
        raise bad_input(_("“candidates” must be a list of names."))
    if not isinstance(data["ballots"], list):
        raise bad_input(_("“ballots” must be a list of ballots."))
    round_ = data.get("round", Round.FIRST.value)
    if round_ not in set(Round):
        raise bad_input(
            _("Unknown round “%(round)s”: use %(known)s.")
            % {"round": round_, "known": ", ".join(Round)}
        )
    return rules, {
        "seats": data["seats"],
        "candidates": candidates,
        "voters_due": data["voters_due"],
        "voters_present": data["voters_present"],
        "ballots": [_ballot(number, ballot) for number, ballot in enumerate(data["ballots"], 1)],
        "round": Round(round_),
    }


def _adjusted(rules: RuleSet, adjust: Any) -> RuleSet:
    if not isinstance(adjust, dict):
        raise bad_input(_("“adjust” must be an object of rule names and values."))
    for name in adjust:
        if name not in ADJUSTABLE:
            raise bad_input(
                _("Unknown rule “%(rule)s” in “adjust”: use %(known)s.")
                % {"rule": name, "known": ", ".join(ADJUSTABLE)}
            )
    try:
        return dataclasses.replace(rules, **adjust)
    except InputError as error:
        raise bad_input(problem_text(error.problem)) from None


def _ballot(number: int, ballot: Any) -> Ballot:
    marks = ballot.get("marks") if isinstance(ballot, dict) else None
    write_ins = ballot.get("write_ins", []) if isinstance(ballot, dict) else None
    if (
        not isinstance(marks, dict)
        or not all(isinstance(mark, str) for mark in marks.values())
        or not isinstance(write_ins, list)
        or not all(isinstance(name, str) for name in write_ins)
        or set(ballot) - {"marks", "write_ins"}
    ):
        raise bad_input(
            _(
                "Ballot %(ballot)d must be an object with “marks” (a mark for each candidate) "
                "and, if any, “write_ins” (a list of names)."
            )
            % {"ballot": number}
        )
    return Ballot(marks=marks, write_ins=tuple(name.strip() for name in write_ins))


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
