"""An election's timeline: the dates the rules count from the day of the vote (RULES.md §1).

Village committee elections (Organic Law, 2018, and the provincial measures): the roll is
published 20 days before the vote, objections come within 5 days of publication and are decided
within 3 days after that, contenders register 10 days before and the candidate list (by surname
strokes) is published 5 days before. A party branch fixes its roll before the vote; its dates
are the election committee's own, and only their order is checked.

Pure: dates in, dates and problem codes out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

VILLAGE_RULE_SET = "village_committee"


@dataclass(frozen=True)
class Timeline:
    roll_published_on: datetime.date
    objections_until: datetime.date
    objections_decided_by: datetime.date
    nominations_until: datetime.date
    candidate_list_on: datetime.date
    vote_on: datetime.date


# Days before the vote (or after publication, for objections) by rule set; others: a branch's own.
VILLAGE_DAYS = {"roll": 20, "objections": 5, "decided": 3, "nominations": 10, "list": 5}
DEFAULT_DAYS = {"roll": 21, "objections": 5, "decided": 3, "nominations": 7, "list": 3}

STEPS = ("roll_published_on", "objections_until", "objections_decided_by", "nominations_until", "candidate_list_on", "vote_on")


def suggest(rule_set: str, vote_on: datetime.date) -> Timeline:
    """A timeline that meets the rule set, counted back from the day of the vote."""
    days = VILLAGE_DAYS if rule_set == VILLAGE_RULE_SET else DEFAULT_DAYS
    roll = vote_on - datetime.timedelta(days=days["roll"])
    objections = roll + datetime.timedelta(days=days["objections"])
    return Timeline(
        roll_published_on=roll,
        objections_until=objections,
        objections_decided_by=objections + datetime.timedelta(days=days["decided"]),
        nominations_until=vote_on - datetime.timedelta(days=days["nominations"]),
        candidate_list_on=vote_on - datetime.timedelta(days=days["list"]),
        vote_on=vote_on,
    )


@dataclass(frozen=True)
class TimelineProblem:
    """`code`: out_of_order (step, after) or too_late (step, days: the least days before the vote),
    objections_too_short / decisions_too_late (days)."""

    code: str
    step: str
    days: int = 0
    after: str = ""


def check(rule_set: str, timeline: Timeline) -> list[TimelineProblem]:
    """What is wrong with a timeline: steps out of order, and under the village rule, dates that
    leave less time than the law gives."""
    problems: list[TimelineProblem] = []
    dates = [(step, getattr(timeline, step)) for step in STEPS]
    for (before, first), (step, second) in zip(dates, dates[1:]):
        if second < first:
            problems.append(TimelineProblem("out_of_order", step, after=before))
    if rule_set != VILLAGE_RULE_SET:
        return problems
    vote = timeline.vote_on
    for step, key in (("roll_published_on", "roll"), ("nominations_until", "nominations"), ("candidate_list_on", "list")):
        if (vote - getattr(timeline, step)).days < VILLAGE_DAYS[key]:
            problems.append(TimelineProblem("too_late", step, days=VILLAGE_DAYS[key]))
    if (timeline.objections_until - timeline.roll_published_on).days < VILLAGE_DAYS["objections"]:
        problems.append(TimelineProblem("objections_too_short", "objections_until", days=VILLAGE_DAYS["objections"]))
    if (timeline.objections_decided_by - timeline.objections_until).days > VILLAGE_DAYS["decided"]:
        problems.append(TimelineProblem("decisions_too_late", "objections_decided_by", days=VILLAGE_DAYS["decided"]))
    return problems
