"""Set-up shared by the nominations tests (no tests here).

The roll is built straight into RollEntry rows for the fixture's people, and the election moved
to NOMINATION in the table: the roll area's `publish_roll` and `open_nominations` are another
part of the work. The passed motion that fixes a branch's list is made in the table too (the
motions area owns its actions).
"""

from __future__ import annotations

import datetime
from typing import Any

from tests.elections.conftest import Village
from tongxin.elections.actions.nominations import accept_nomination, nominate, vet_nomination
from tongxin.elections.models import Election, Motion, Nomination, Phase, RollEntry, Route

BRANCH_VOTERS = [f"member{number:02d}" for number in range(1, 13)]
VILLAGE_VOTERS = [f"villager{number:02d}" for number in range(1, 21)]


def nominating(village: Village, **settings: Any) -> Election:
    """The branch's election (3 seats) with its roll of twelve full members and the probationary
    member excluded, taking nominations."""
    election = village.branch_election(**settings)
    for account in BRANCH_VOTERS:
        RollEntry.objects.create(election=election, person=village.person(account))
    RollEntry.objects.create(election=election, person=village.probationary, excluded="probationary")
    election.phase = Phase.NOMINATION
    election.save(update_fields=["phase"])
    return election


def village_nominating(village: Village, **settings: Any) -> Election:
    """The village committee's election (3 seats, village rule) with twenty villagers on the roll."""
    election = village.village_election(**settings)
    for account in VILLAGE_VOTERS:
        RollEntry.objects.create(election=election, person=village.person(account))
    election.phase = Phase.NOMINATION
    election.save(update_fields=["phase"])
    return election


def approve(village: Village, election: Election, accounts: list[str]) -> list[Nomination]:
    """The organisation nominates each person, who accepts, and the committee approves."""
    approved = []
    for account in accounts:
        runner = village.committee if election.organisation == village.branch else village.village_committee_runner
        nomination = nominate(actor=runner, election=election, nominee=village.person(account), route=Route.ORGANISATION)
        accept_nomination(actor=village.account(account), nomination=nomination)
        approved.append(vet_nomination(actor=runner, nomination=nomination, approved=True))
    return approved


def passed_motion(village: Village, **fields: Any) -> Motion:
    fields.setdefault("organisation", village.branch)
    fields.setdefault("status", "passed")
    fields.setdefault("title", "关于确定支部委员会候选人名单的决议")
    return Motion.objects.create(
        body="member_assembly", text="同意候选人名单。", meeting_on=datetime.date(2026, 11, 20), **fields,
    )


def listed(village: Village, accounts: tuple[str, ...] = ("member07", "member05", "member02", "member03"), **settings: Any) -> Election:
    """The branch's election with its candidate list fixed (王芳, 张伟, 陈静, 赵敏 by default)."""
    from tongxin.elections.actions.nominations import fix_candidate_list

    election = nominating(village, **settings)
    approve(village, election, list(accounts))
    fix_candidate_list(actor=village.committee, election=election, list_motion=passed_motion(village))
    election.refresh_from_db()
    return election
