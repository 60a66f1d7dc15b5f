"""Who is told what, when an election moves: the roll's publication to everyone on it, a
nomination to the nominee, the opening of the vote and the result to every eligible voter. In
the site's notifications and by email, with a link to the page to act on."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from tests.elections.conftest import voting_election
from tests.elections.test_rounds_actions import (
    OUTRIGHT,
    candidates_election,
    cast_all,
    close_and_count,
    current_round,
    scrutineer,
    sign_all,
)
from tongxin.core.models import Notification
from tongxin.elections.actions import rounds
from tongxin.elections.actions.nominations import nominate
from tongxin.elections.actions.roll import build_roll, open_nominations, publish_roll
from tongxin.elections.models import Election


def told(account) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=account).values_list("subject", "url"))


def test_everyone_on_the_roll_is_told_it_is_published_and_until_when_to_object(village, django_capture_on_commit_callbacks):
    election = village.branch_election(voting_opens_at=timezone.now() + datetime.timedelta(days=30))
    build_roll(actor=village.committee, election=election)
    with django_capture_on_commit_callbacks(execute=True):
        publish_roll(actor=village.committee, election=election)
    subject = "The roll of “小寨村党支部委员会换届选举” is published"
    assert told(village.account("member03")) == [(subject, f"/elections/{election.pk}/roll/")]
    assert told(village.probationary.user) == [(subject, f"/elections/{election.pk}/roll/")]  # listed, may object
    assert told(village.account("villager01")) == []  # not a member of the branch
    assert Notification.objects.count() == 13
    assert len(mail.outbox) == 13
    election.refresh_from_db()
    day = date_format(election.objections_until, "DATE_FORMAT")
    assert mail.outbox[0].body.startswith(f"Check your entry on the roll. Objections may be raised until {day}.")


def test_the_nominee_is_asked_to_accept_but_not_who_nominates_themselves(village):
    election = village.branch_election(voting_opens_at=timezone.now() + datetime.timedelta(days=30))
    build_roll(actor=village.committee, election=election)
    publish_roll(actor=village.committee, election=election)
    Notification.objects.all().delete()
    Election.objects.filter(pk=election.pk).update(objections_until=timezone.localdate() - datetime.timedelta(days=1))
    open_nominations(actor=village.committee, election=election)
    election.refresh_from_db()
    nominate(actor=village.committee, election=election, nominee=village.person("member05"), route="organisation")
    nominate(actor=village.account("member07"), election=election, nominee=village.person("member07"), route="self")
    assert told(village.account("member05")) == [
        ("You are nominated in “小寨村党支部委员会换届选举”", f"/elections/{election.pk}/nominations/")
    ]
    assert told(village.account("member07")) == []


def test_eligible_voters_are_told_the_vote_is_open(village):
    election = candidates_election(village)
    rounds.open_voting(actor=village.committee, election=election)
    subject = "Voting is open: “小寨村党支部委员会换届选举”"
    assert told(village.account("member10")) == [(subject, f"/elections/{election.pk}/vote/")]
    assert told(village.probationary.user) == []  # may not vote
    assert Notification.objects.count() == 12


def test_eligible_voters_are_told_the_result_with_who_is_elected(village):
    election = voting_election(village)
    cast_all(village, current_round(election), OUTRIGHT)
    close_and_count(village, election)
    scrutineer(village, election)
    sign_all(village, election)
    rounds.publish_result(actor=village.committee, election=election, minutes="会议记录")
    notice = Notification.objects.get(user=village.account("member12"))
    assert (notice.subject, notice.body, notice.url) == (
        "The result of “小寨村党支部委员会换届选举” is published",
        "Elected: 王芳、张伟、陈静.",
        f"/elections/{election.pk}/result/",
    )
    assert Notification.objects.count() == 12
