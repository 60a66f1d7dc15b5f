"""Building the roll from the organisation by each rule set, exclusions by hand, publishing it
and opening nominations."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.helpers import SYSTEM
from tongxin.community.actions import add_person
from tongxin.community.models import Gender, PartyStatus, Role
from tongxin.core.errors import ActionError
from tongxin.core.models import AuditEvent
from tongxin.elections.actions.roll import (
    build_roll,
    decide_objection,
    eligible_roll,
    exclude_from_roll,
    open_nominations,
    publish_roll,
    raise_objection,
    restore_to_roll,
)
from tongxin.elections.actions.setup import create_election
from tongxin.elections.models import Election, Exclusion, Phase, RollEntry

from .conftest import Village

pytestmark = pytest.mark.django_db


def days_ahead(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def branch_election(village: Village, **settings: Any) -> Election:
    """A branch election voting in 30 days: its timeline filled from the day of the vote."""
    settings.setdefault("voting_opens_at", days_ahead(30))
    settings.setdefault("voting_closes_at", days_ahead(31))
    return village.branch_election(**settings)


def village_election(village: Village, **settings: Any) -> Election:
    settings.setdefault("voting_opens_at", days_ahead(25))
    settings.setdefault("voting_closes_at", days_ahead(26))
    return village.village_election(**settings)


def published(village: Village, election: Election) -> Election:
    """The election's roll built and published by whoever runs it."""
    runner = village.committee if election.organisation == village.branch else village.village_committee_runner
    build_roll(actor=runner, election=election)
    return publish_roll(actor=runner, election=election)


def roll_of(election: Election) -> dict[str, str]:
    """Name → exclusion ("" when the person may vote)."""
    return dict(RollEntry.objects.filter(election=election).values_list("person__name", "excluded"))


def entry(election: Election, village: Village, account: str) -> RollEntry:
    return RollEntry.objects.get(election=election, person=village.person(account))


def pass_objection_period(election: Election) -> None:
    """Time moves on: objections closed yesterday."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Election.objects.filter(pk=election.pk).update(objections_until=yesterday)
    election.refresh_from_db()


# ---- who is on the roll --------------------------------------------------------------------


def test_a_branch_roll_lists_full_members_as_eligible_and_probationary_ones_as_excluded(village: Village) -> None:
    election = branch_election(village)
    changes = build_roll(actor=village.committee, election=election)
    assert changes.as_data() == {"added": 13, "updated": 0, "removed": 0, "kept": 0}
    expected = {person.name: "" for person in village.members} | {"钱预备": Exclusion.PROBATIONARY}
    assert roll_of(election) == expected
    assert eligible_roll(election).count() == 12
    event = AuditEvent.objects.filter(verb="election.roll.build").get()
    assert event.data == {"added": 13, "updated": 0, "removed": 0, "kept": 0, "eligible": 12, "excluded": 1}


def test_a_member_who_has_left_the_branch_is_not_on_its_roll(village: Village) -> None:
    membership = village.person("member12").memberships.get()
    membership.end_date = timezone.localdate() - datetime.timedelta(days=3)
    membership.save()
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    assert "孙涛" not in roll_of(election)
    assert len(roll_of(election)) == 12


def test_a_village_roll_lists_registered_adults_and_leaves_out_minors_and_outsiders(village: Village) -> None:
    add_person(actor=SYSTEM, name="吴无龄", gender=Gender.FEMALE, home=village.village, birth_year=None)
    turning_18 = add_person(
        actor=SYSTEM, name="郑十八", gender=Gender.MALE, home=village.village,
        birth_year=timezone.localdate().year + 1 - 18,
    )
    election = village_election(village, voting_opens_at=timezone.make_aware(
        datetime.datetime(timezone.localdate().year + 1, 1, 15, 9)
    ), voting_closes_at=timezone.make_aware(datetime.datetime(timezone.localdate().year + 1, 1, 15, 17)))
    build_roll(actor=village.village_committee_runner, election=election)
    roll = roll_of(election)
    assert len(roll) == 35  # 12 members, the probationary member, 20 villagers, 郑十八, 吴无龄
    assert roll["吴无龄"] == Exclusion.AGE_UNKNOWN
    assert roll[turning_18.name] == ""  # 18 in the year of the vote
    assert roll["钱预备"] == ""  # party status does not matter in the village
    assert "孙少年" not in roll and "大田人" not in roll
    assert eligible_roll(election).count() == 34


def test_a_simple_majority_roll_lists_every_current_member(village: Village) -> None:
    election = create_election(
        actor=village.committee, organisation=village.branch, title="理事会选举", seats=3,
        rule_set="simple_majority", voting_opens_at=days_ahead(30),
    )
    build_roll(actor=village.committee, election=election)
    assert eligible_roll(election).count() == 13
    assert set(roll_of(election).values()) == {""}


def test_officers_are_elected_by_the_current_committee_members(village: Village) -> None:
    election = branch_election(village, title="选举书记", seats=1, elects="officers")
    build_roll(actor=village.committee, election=election)
    assert roll_of(election) == {"李书记": "", "王芳": "", "张伟": ""}


def test_a_probationary_committee_member_may_not_elect_officers_of_a_branch(village: Village) -> None:
    village.probationary.memberships.update(role=Role.COMMITTEE_MEMBER)
    election = branch_election(village, title="选举书记", seats=1, elects="officers")
    build_roll(actor=village.committee, election=election)
    assert roll_of(election)["钱预备"] == Exclusion.PROBATIONARY


# ---- rebuilding ----------------------------------------------------------------------------


def test_rebuilding_keeps_exclusions_and_restorations_by_hand(village: Village) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    exclude_from_roll(actor=village.committee, entry=entry(election, village, "member05"), reason=Exclusion.DETAINED)
    restore_to_roll(actor=village.committee, entry=entry(election, village, "probationary"))
    village.person("member04").party_status = PartyStatus.PROBATIONARY  # records corrected since
    village.person("member04").save()
    changes = build_roll(actor=village.committee, election=election)
    assert changes.as_data() == {"added": 0, "updated": 1, "removed": 0, "kept": 2}
    roll = roll_of(election)
    assert (roll["陈静"], roll["钱预备"], roll["刘洋"]) == (Exclusion.DETAINED, "", Exclusion.PROBATIONARY)


def test_rebuilding_keeps_what_objections_decided(village: Village) -> None:
    """An objection decided in an earlier roll stays decided if the entries are rebuilt from data."""
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    RollEntry.objects.filter(election=election, person=village.person("member06")).update(excluded=Exclusion.OBJECTION)
    RollEntry.objects.filter(election=election, person=village.probationary).update(added_by_objection=True, excluded="")
    changes = build_roll(actor=village.committee, election=election)
    assert changes.as_data() == {"added": 0, "updated": 0, "removed": 0, "kept": 2}
    assert (roll_of(election)["杨磊"], roll_of(election)["钱预备"]) == (Exclusion.OBJECTION, "")


def test_the_roll_is_built_only_while_the_election_is_prepared(village: Village) -> None:
    election = published(village, branch_election(village))
    with pytest.raises(ActionError) as error:
        build_roll(actor=village.committee, election=election)
    assert error.value.status == 409


def test_only_the_election_committee_builds_the_roll(village: Village) -> None:
    election = branch_election(village)
    with pytest.raises(PermissionDenied):
        build_roll(actor=village.account("member03"), election=election)
    assert RollEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="election.roll.build").exists()


# ---- exclusions by hand ----------------------------------------------------------------------


def test_an_exclusion_by_hand_needs_a_reason_the_rules_know(village: Village) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    target = entry(election, village, "member05")
    with pytest.raises(ActionError) as error:
        exclude_from_roll(actor=village.committee, entry=target, reason=Exclusion.OBJECTION)
    assert error.value.message == "Choose why the person may not vote."
    exclude_from_roll(actor=village.committee, entry=target, reason=Exclusion.UNDER_PROBATION)
    target.refresh_from_db()
    assert (target.excluded, target.set_by_hand) == (Exclusion.UNDER_PROBATION, True)
    event = AuditEvent.objects.filter(verb="election.roll.exclude").get()
    assert event.data == {
        "entry": target.pk, "person": target.person_id, "reason": "under_probation", "proxies_lapsed": [],
    }


def test_an_exclusion_by_an_objection_cannot_be_undone_by_hand(village: Village) -> None:
    election = branch_election(village)
    build_roll(actor=village.committee, election=election)
    RollEntry.objects.filter(election=election, person=village.person("member06")).update(excluded=Exclusion.OBJECTION)
    with pytest.raises(ActionError) as error:
        restore_to_roll(actor=village.committee, entry=entry(election, village, "member06"))
    assert error.value.message == "An objection took this person off the roll; that decision stands."


# ---- publishing --------------------------------------------------------------------------------


def test_publishing_the_roll_records_the_day_and_opens_objections(village: Village) -> None:
    election = branch_election(village)
    planned = election.roll_published_on
    build_roll(actor=village.committee, election=election)
    election = publish_roll(actor=village.committee, election=election)
    election.refresh_from_db()
    today = timezone.localdate()
    assert (election.phase, election.roll_published_on) == (Phase.ROLL, today)
    event = AuditEvent.objects.filter(verb="election.roll.publish").get()
    assert event.data == {
        "eligible": 12, "excluded": 1, "published_on": today.isoformat(), "planned": planned.isoformat(),
    }


def test_an_empty_roll_is_not_published(village: Village) -> None:
    election = branch_election(village)
    with pytest.raises(ActionError) as error:
        publish_roll(actor=village.committee, election=election)
    assert error.value.message == "Nobody on the roll may vote: build the roll first."
    election.refresh_from_db()
    assert election.phase == Phase.DRAFT


def test_the_roll_is_not_published_without_a_timeline(village: Village) -> None:
    election = village.branch_election()  # no day of the vote, so no dates
    build_roll(actor=village.committee, election=election)
    with pytest.raises(ActionError) as error:
        publish_roll(actor=village.committee, election=election)
    assert error.value.message == (
        "Set the timeline before publishing the roll: the end of objections, the decisions on objections, "
        "the end of nominations, the candidate list's publication, the vote."
    )


def test_a_village_roll_published_too_close_to_the_vote_is_refused(village: Village) -> None:
    election = village_election(village)
    Election.objects.filter(pk=election.pk).update(voting_opens_at=days_ahead(15), voting_closes_at=days_ahead(16))
    election.refresh_from_db()
    build_roll(actor=village.village_committee_runner, election=election)
    with pytest.raises(ActionError) as error:
        publish_roll(actor=village.village_committee_runner, election=election)
    assert "Under the village rule, the roll's publication comes at least 20 days before the vote." in error.value.message
    election.refresh_from_db()
    assert election.phase == Phase.DRAFT


# ---- opening nominations -----------------------------------------------------------------------


def test_nominations_open_once_objections_have_closed_and_are_decided(village: Village) -> None:
    election = published(village, branch_election(village))
    with pytest.raises(ActionError) as error:
        open_nominations(actor=village.committee, election=election)
    assert error.value.message.startswith("Objections are open until ")
    objection = raise_objection(
        actor=village.account("member03"), election=election, about=village.probationary, ask="add",
        grounds="他已经转正了。",
    )
    pass_objection_period(election)
    with pytest.raises(ActionError) as error:
        open_nominations(actor=village.committee, election=election)
    assert error.value.message == "Decide every objection first: 1 still awaiting a decision."
    decide_objection(actor=village.committee, objection=objection, upheld=False, reason="尚未转正。")
    election = open_nominations(actor=village.committee, election=election)
    election.refresh_from_db()
    assert election.phase == Phase.NOMINATION
    assert AuditEvent.objects.filter(verb="election.nominations.open").get().data == {"eligible": 12, "excluded": 1}


def test_only_the_election_committee_opens_nominations(village: Village) -> None:
    election = published(village, branch_election(village))
    pass_objection_period(election)
    with pytest.raises(PermissionDenied):
        open_nominations(actor=village.account("member01"), election=election)
    election.refresh_from_db()
    assert election.phase == Phase.ROLL
